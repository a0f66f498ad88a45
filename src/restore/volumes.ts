// What happens to the selected PersistentVolumes and their claims, decided from the manifest's
// volume snapshots and the request's volume mode: restored from a snapshot onto a new disk,
// left to dynamic provisioning, or restored as they were (static volumes that kept their storage).
import type { KubeObject } from "../kube/types.js";
import type { VolumeSnapshotRecord } from "../model/recovery-point.js";
import { record } from "./actions/types.js";
import type { BackupItem } from "./read.js";
import type { PersistentVolumeRestoreMode, PlannedVolume } from "./types.js";

export interface VolumeDecisions {
  /** Snapshots that become new disks. */
  volumes: PlannedVolume[];
  /** Source PV name -> why it is not restored. */
  skippedVolumes: Map<string, string>;
  /** Source PV name -> the name it is restored under. */
  renamedVolumes: Map<string, string>;
  /** "namespace/claim" in the backup -> the volume it binds to; absent from the map: unchanged. */
  claimVolumes: Map<string, string | undefined>;
  warnings: string[];
}

interface ClaimRef {
  namespace?: string;
  name?: string;
}

const text = (value: unknown) => (typeof value === "string" && value !== "" ? value : undefined);
const MAX_NAME = 253;

function claimRefOf(pv: KubeObject): ClaimRef {
  const ref = record(record(pv.spec)?.claimRef);
  return { ...(text(ref?.namespace) ? { namespace: text(ref?.namespace) } : {}), name: text(ref?.name) };
}

/** A usable snapshot: created, copied completely, no error recorded. */
function usableSnapshot(snapshots: readonly VolumeSnapshotRecord[], pv: string) {
  const snapshot = snapshots.find((candidate) => candidate.pv === pv);
  if (snapshot === undefined) return { snapshot: undefined, problem: undefined };
  if (snapshot.error !== undefined) return { snapshot: undefined, problem: snapshot.error };
  if (snapshot.completionPercent < 100) {
    return { snapshot: undefined, problem: `its copy reached only ${snapshot.completionPercent}%` };
  }
  return { snapshot, problem: undefined };
}

export function decideVolumes(
  selected: readonly BackupItem[],
  snapshots: readonly VolumeSnapshotRecord[],
  mode: PersistentVolumeRestoreMode,
  mapNamespace: (namespace: string) => string,
): VolumeDecisions {
  const decisions: VolumeDecisions = {
    volumes: [],
    skippedVolumes: new Map(),
    renamedVolumes: new Map(),
    claimVolumes: new Map(),
    warnings: [],
  };
  const claims = new Set(
    selected.filter((item) => item.resource === "persistentvolumeclaims" && item.group === "").map(keyOf),
  );
  for (const pv of selected.filter((item) => item.resource === "persistentvolumes" && item.group === "")) {
    decideVolume(pv, claims, snapshots, mode, mapNamespace, decisions);
  }
  for (const claim of selected.filter(
    (item) => item.resource === "persistentvolumeclaims" && item.group === "",
  )) {
    const volumeName = text(record(claim.object.spec)?.volumeName);
    if (volumeName === undefined || decisions.claimVolumes.has(keyOf(claim))) continue;
    // Its volume is not restored: the claim is provisioned anew instead of waiting for a volume that never comes.
    decisions.claimVolumes.set(keyOf(claim), undefined);
  }
  return decisions;
}

function keyOf(item: BackupItem): string {
  return `${item.namespace ?? ""}/${item.name}`;
}

function decideVolume(
  pv: BackupItem,
  claims: ReadonlySet<string>,
  snapshots: readonly VolumeSnapshotRecord[],
  mode: PersistentVolumeRestoreMode,
  mapNamespace: (namespace: string) => string,
  decisions: VolumeDecisions,
): void {
  const ref = claimRefOf(pv.object);
  const claimKey = ref.namespace && ref.name ? `${ref.namespace}/${ref.name}` : undefined;
  const restoredClaim = claimKey !== undefined && claims.has(claimKey) ? claimKey : undefined;
  const skip = (reason: string) => {
    decisions.skippedVolumes.set(pv.name, reason);
    if (restoredClaim) decisions.claimVolumes.set(restoredClaim, undefined);
  };
  const { snapshot, problem } = usableSnapshot(snapshots, pv.name);
  if (problem !== undefined) {
    decisions.warnings.push(`PersistentVolume ${pv.name}: its snapshot is not usable (${problem})`);
  }
  const reclaimPolicy = text(record(pv.object.spec)?.persistentVolumeReclaimPolicy) ?? "Delete";
  if (snapshot === undefined) {
    if (reclaimPolicy === "Delete") {
      skip(
        "dynamically provisioned (reclaimPolicy Delete) and no usable snapshot: its claim is provisioned anew, empty",
      );
    } else if (restoredClaim) {
      decisions.claimVolumes.set(restoredClaim, pv.name);
    }
    return;
  }
  if (mode === "RestoreWithoutVolumeData") {
    skip("persistentVolumeRestoreMode is RestoreWithoutVolumeData: its claim is provisioned anew, empty");
    return;
  }
  const sourceNamespace = ref.namespace ?? "";
  const namespace = mapNamespace(sourceNamespace);
  const name = namespace === sourceNamespace ? pv.name : `${pv.name}-${namespace}`.slice(0, MAX_NAME);
  if (name !== pv.name) decisions.renamedVolumes.set(pv.name, name);
  if (restoredClaim) decisions.claimVolumes.set(restoredClaim, name);
  decisions.volumes.push({
    namespace,
    claim: ref.name ?? "",
    sourceNamespace,
    pv: name,
    sourcePv: pv.name,
    snapshotId: snapshot.snapshotId,
    sourceDiskId: snapshot.diskId,
    sizeGiB: snapshot.sizeGiB,
    ...(snapshot.zone !== undefined ? { zone: snapshot.zone } : {}),
    ...(snapshot.storageClass !== undefined ? { storageClass: snapshot.storageClass } : {}),
  });
}

/** Renames a restored PV and points a restored claim at its volume, as decided. */
export function bindVolume(item: BackupItem, restored: KubeObject, decisions: VolumeDecisions): KubeObject {
  if (item.group !== "") return restored;
  if (item.resource === "persistentvolumes") {
    const name = decisions.renamedVolumes.get(item.name);
    if (name !== undefined) restored.metadata.name = name;
  }
  if (item.resource === "persistentvolumeclaims") {
    const key = keyOf(item);
    const spec = record(restored.spec);
    if (!decisions.claimVolumes.has(key) || spec === undefined) return restored;
    const volumeName = decisions.claimVolumes.get(key);
    if (volumeName === undefined) delete spec.volumeName;
    else spec.volumeName = volumeName;
  }
  return restored;
}
