// What hooks are read from: the pods of the namespaces whose claims are snapshotted, and the
// BackupHook objects the instance references (group clusterbackup.dataprotection.microsoft.com).
import type { Cluster } from "../../kube/cluster.js";
import { isKubeApiError } from "../../kube/errors.js";
import type { KubeObject } from "../../kube/types.js";
import type { HookReference } from "../../model/backup-instance.js";
import type { DiskVolume } from "../../volumes/discovery.js";
import { type HookRule, rulesFromBackupHook } from "./parse.js";

export const BACKUP_HOOK_GROUP = "clusterbackup.dataprotection.microsoft.com";

export interface HookSources {
  pods: KubeObject[];
  rules: HookRule[];
  warnings: string[];
  /** Namespaces whose pods could not be read, with why: their hooks cannot run. */
  unreadable: Array<{ namespace: string; message: string }>;
}

function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A hook custom resource type of the group: BackupHook or RestoreHook. */
export interface HookKind {
  kind: string;
  /** Plural resource name. */
  resource: string;
}

/**
 * Reads the referenced hook objects at the group's preferred version. A missing type, a missing
 * object or one we may not read is a warning naming it; an unreachable cluster throws.
 */
export async function readHookObjects(
  cluster: Cluster,
  references: readonly HookReference[],
  type: HookKind,
  abortSignal: AbortSignal | undefined,
): Promise<{ objects: KubeObject[]; warnings: string[] }> {
  const warnings: string[] = [];
  const objects: KubeObject[] = [];
  if (references.length === 0) return { objects, warnings };
  const signal = abortSignal ? { abortSignal } : {};
  let version: string | undefined;
  try {
    const group = await cluster.request<{ preferredVersion?: { version?: string } }>(
      "GET",
      `/apis/${BACKUP_HOOK_GROUP}`,
      signal,
    );
    version = group?.preferredVersion?.version;
  } catch (error) {
    if (!isKubeApiError(error, 404)) throw error;
  }
  for (const ref of references) {
    const name = `${type.kind} ${ref.namespace}/${ref.name}`;
    if (!version) {
      warnings.push(
        `${name} not used: the cluster has no ${type.kind} type (CRD ${type.resource}.${BACKUP_HOOK_GROUP} is not installed)`,
      );
      continue;
    }
    try {
      const path = `/apis/${BACKUP_HOOK_GROUP}/${version}/namespaces/${encodeURIComponent(ref.namespace)}/${type.resource}/${encodeURIComponent(ref.name)}`;
      objects.push(await cluster.request<KubeObject>("GET", path, signal));
    } catch (error) {
      if (isKubeApiError(error, 404)) warnings.push(`${name} not used: it does not exist`);
      else if (isKubeApiError(error, 403)) warnings.push(`${name} not used: not allowed to read it`);
      else throw error;
    }
  }
  return { objects, warnings };
}

async function readRules(
  cluster: Cluster,
  references: readonly HookReference[],
  abortSignal: AbortSignal | undefined,
): Promise<{ rules: HookRule[]; warnings: string[] }> {
  const read = await readHookObjects(
    cluster,
    references,
    { kind: "BackupHook", resource: "backuphooks" },
    abortSignal,
  );
  const rules: HookRule[] = [];
  const warnings = [...read.warnings];
  for (const object of read.objects) {
    const parsed = rulesFromBackupHook(object);
    rules.push(...parsed.value);
    warnings.push(...parsed.warnings);
  }
  return { rules, warnings };
}

/** Reads the pods and rules; an unreachable cluster throws, anything narrower is reported. */
export async function readHookSources(
  cluster: Cluster,
  references: readonly HookReference[],
  disks: readonly DiskVolume[],
  options: { abortSignal?: AbortSignal } = {},
): Promise<HookSources> {
  const signal = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  const { rules, warnings } = await readRules(cluster, references, options.abortSignal);
  const pods: KubeObject[] = [];
  const unreadable: HookSources["unreadable"] = [];
  for (const namespace of [...new Set(disks.map((d) => d.namespace))].sort()) {
    try {
      const list = await cluster.request<{ items?: KubeObject[] }>(
        "GET",
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        signal,
      );
      pods.push(...(list?.items ?? []));
    } catch (error) {
      if (!isKubeApiError(error)) throw error;
      unreadable.push({ namespace, message: `cannot list its pods: ${reason(error)}` });
    }
  }
  return { pods, rules, warnings, unreadable };
}
