// Restore planning: from a backup archive, its manifest and a request to the ordered phases of
// transformed items a restore creates, with what it leaves out and why. Pure apart from reading the
// archive stream; the apply step does the I/O.
import type { ArchiveSource } from "../archive/index.js";
import type { KubeObject } from "../kube/types.js";
import type { RecoveryPointManifest } from "../model/recovery-point.js";
import type { RestoreRequest } from "../model/restore-request.js";
import {
  type ActionsOutcome,
  type RestoreContext,
  type RestoredItemRef,
  runRestoreItemActions,
} from "./actions/index.js";
import { RestorePlanError } from "./errors.js";
import { checkMappingTargets, unusedMappings } from "./mapping.js";
import { restorePhases, type TypeKey } from "./priorities.js";
import { type BackupItem, readBackupItems } from "./read.js";
import { selectItems } from "./select.js";
import type { PlannedItem, PlannedPhase, RestorePlan, SkippedItem } from "./types.js";
import { bindVolume, decideVolumes, type VolumeDecisions } from "./volumes.js";

export interface PlanOptions {
  abortSignal?: AbortSignal;
}

/**
 * Reads the archive (its SHA-256 must match the manifest's, or nothing is planned) and plans the
 * restore the request asks for.
 */
export async function planRestore(
  archive: ArchiveSource,
  manifest: RecoveryPointManifest,
  request: RestoreRequest,
  options: PlanOptions = {},
): Promise<RestorePlan> {
  if (manifest.id !== request.recoveryPointId) {
    throw new RestorePlanError(
      "RecoveryPointMismatch",
      `recoveryPointId: the request names ${request.recoveryPointId} but the manifest is ${manifest.id}`,
      "recoveryPointId",
    );
  }
  if (manifest.archive === undefined) {
    throw new RestorePlanError(
      "ArchiveMissing",
      `recovery point ${manifest.id} has no archive (its backup ${manifest.status}); restore from another recovery point`,
      "recoveryPointId",
    );
  }
  const contents = await readBackupItems(archive, manifest.archive.sha256, options);
  const plan = planFromItems(contents.items, manifest, request);
  plan.skipped.unshift(...contents.unreadable);
  return plan;
}

/** The plan for items already read and verified. */
export function planFromItems(
  items: readonly BackupItem[],
  manifest: Pick<RecoveryPointManifest, "id" | "volumeSnapshots">,
  request: RestoreRequest,
): RestorePlan {
  const mapping = request.namespaceMappings;
  const mapNamespace = (namespace: string) => mapping[namespace] ?? namespace;
  const selection = selectItems(items, request);
  const selected = [...selection.items, ...selection.missingNamespaces.map(namespaceItem)];
  checkMappingTargets(selected, mapping);
  const warnings = [
    ...selection.missingNamespaces.map(
      (namespace) =>
        `Namespace ${namespace} is not in the backup; it is created without labels or annotations`,
    ),
    ...unusedMappings(selected, mapping),
  ];
  const volumes = decideVolumes(
    selected,
    manifest.volumeSnapshots,
    request.persistentVolumeRestoreMode,
    mapNamespace,
  );
  warnings.push(...volumes.warnings);
  const { planned, skipped } = transformItems(selected, mapping, volumes, warnings);
  return {
    recoveryPointId: manifest.id,
    phases: orderPhases(planned, request.resourceOrder ?? []),
    skipped,
    unselected: selection.unselected,
    warnings,
    volumes: volumes.volumes,
    persistentVolumeRestoreMode: request.persistentVolumeRestoreMode,
    conflictPolicy: request.conflictPolicy,
    namespaceMappings: { ...mapping },
  };
}

function namespaceItem(name: string): BackupItem {
  const object: KubeObject = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
  return {
    group: "",
    version: "v1",
    resource: "namespaces",
    kind: "Namespace",
    namespaced: false,
    name,
    object,
  };
}

const itemName = (item: { kind?: string; resource: string; namespace?: string; name: string }) =>
  `${item.kind ?? item.resource} ${item.namespace ? `${item.namespace}/` : ""}${item.name}`;

function skippedOf(item: BackupItem, reason: string, action?: string): SkippedItem {
  return {
    group: item.group,
    resource: item.resource,
    kind: item.kind,
    ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
    name: item.name,
    ...(action !== undefined ? { action } : {}),
    reason,
  };
}

interface Transformed {
  planned: PlannedItem[];
  skipped: SkippedItem[];
}

/** Runs the item actions on every selected item but the volumes decided against. */
function transformItems(
  selected: readonly BackupItem[],
  mapping: Readonly<Record<string, string>>,
  volumes: VolumeDecisions,
  warnings: string[],
): Transformed {
  const result: Transformed = { planned: [], skipped: [] };
  const candidates: BackupItem[] = [];
  for (const item of selected) {
    const reason = volumes.skippedVolumes.get(volumeKey(item));
    if (reason === undefined) candidates.push(item);
    else result.skipped.push(skippedOf(item, reason, "volumes"));
  }
  const outcomes = runActions(candidates, mapping);
  candidates.forEach((item, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined) return;
    warnings.push(...outcome.warnings.map((warning) => `${itemName(item)}: ${warning}`));
    if (outcome.item === undefined) {
      result.skipped.push(skippedOf(item, outcome.skip?.reason ?? "skipped", outcome.skip?.action));
    } else {
      result.planned.push(plannedOf(item, bindVolume(item, outcome.item, volumes)));
    }
  });
  return result;
}

/**
 * Owner references survive only towards owners restored in this run, and an action may skip an
 * owner (a finished Job): the items it owns then run again without it.
 */
function runActions(
  candidates: readonly BackupItem[],
  mapping: Readonly<Record<string, string>>,
): ActionsOutcome[] {
  const owners = new Map<string, RestoredItemRef>();
  for (const item of candidates) {
    const uid = item.object.metadata.uid;
    if (typeof uid === "string") owners.set(uid, refOf(item));
  }
  const context: RestoreContext = { namespaceMapping: mapping, itemsByOldUid: owners };
  const outcomes = candidates.map((item) => runRestoreItemActions(item.object, item, context));
  const skippedOwners = new Set<string>();
  candidates.forEach((item, index) => {
    const uid = item.object.metadata.uid;
    if (outcomes[index]?.skip !== undefined && typeof uid === "string" && owners.delete(uid)) {
      skippedOwners.add(uid);
    }
  });
  if (skippedOwners.size === 0) return outcomes;
  return candidates.map((item, index) => {
    const refs = item.object.metadata.ownerReferences ?? [];
    const orphaned = refs.some((ref) => typeof ref.uid === "string" && skippedOwners.has(ref.uid));
    const outcome = outcomes[index];
    return orphaned || outcome === undefined ? runRestoreItemActions(item.object, item, context) : outcome;
  });
}

/** A PV's key in the volume decisions; other items never match one. */
function volumeKey(item: BackupItem): string {
  return item.group === "" && item.resource === "persistentvolumes" ? item.name : "\0";
}

function refOf(item: BackupItem): RestoredItemRef {
  return {
    apiVersion: item.object.apiVersion,
    kind: item.kind,
    ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
    name: item.name,
  };
}

function plannedOf(item: BackupItem, object: KubeObject): PlannedItem {
  const namespace = object.metadata.namespace;
  const uid = item.object.metadata.uid;
  return {
    group: item.group,
    version: item.version,
    resource: item.resource,
    kind: item.kind,
    namespaced: item.namespaced,
    ...(item.namespaced && namespace !== undefined ? { namespace } : {}),
    name: object.metadata.name ?? item.name,
    object,
    ...(item.namespace !== undefined && item.namespace !== namespace
      ? { sourceNamespace: item.namespace }
      : {}),
    ...(typeof uid === "string" ? { oldUid: uid } : {}),
  };
}

/** Phases from priorities.ts; within a type, items by namespace and name. */
function orderPhases(items: readonly PlannedItem[], override: readonly string[]): PlannedPhase[] {
  const byType = new Map<string, PlannedItem[]>();
  const types: TypeKey[] = [];
  for (const item of items) {
    const key = `${item.resource}.${item.group}`;
    let list = byType.get(key);
    if (list === undefined) {
      list = [];
      byType.set(key, list);
      types.push({ group: item.group, resource: item.resource, kind: item.kind });
    }
    list.push(item);
  }
  const byName = (a: PlannedItem, b: PlannedItem) =>
    compare(a.namespace ?? "", b.namespace ?? "") || compare(a.name, b.name);
  return restorePhases(types, override).map((phase) => ({
    name: phase.name,
    ...(phase.waitAfter !== undefined ? { waitForEstablished: true } : {}),
    items: phase.types.flatMap((type) =>
      [...(byType.get(`${type.resource}.${type.group}`) ?? [])].sort(byName),
    ),
  }));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
