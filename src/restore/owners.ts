// Owner references in the target cluster: the plan keeps references to owners restored in the
// same run, with their uids from the backup; here each is re-pointed to the owner's new uid. An
// owner created later in the same phase (the restore order puts ReplicaSets before Deployments, so
// controllers adopt what exists instead of making new) is left out at create time and added by a
// patch once it exists; a reference to an owner that is not there is dropped, because the garbage
// collector deletes a dependent whose owners are all gone.
import type { KubeObject } from "../kube/types.js";
import type { PlannedItem } from "./types.js";

type OwnerReference = Record<string, unknown>;

export interface OwnerResolution {
  /** The references to send now, re-pointed to new uids. */
  current: OwnerReference[];
  /** Whether some owner comes later in this phase, so a patch must add it afterwards. */
  pending: boolean;
  /** One warning per reference dropped for good. */
  dropped: string[];
}

const describeOwner = (ref: OwnerReference) => `${String(ref.kind)}/${String(ref.name)}`;

/**
 * Re-points each reference whose owner already has a new uid; references to owners in `later`
 * (old uids of items still to be applied in this phase) are pending; the rest are dropped.
 */
export function resolveOwnerReferences(
  references: readonly OwnerReference[],
  uids: ReadonlyMap<string, string>,
  later: ReadonlySet<string>,
): OwnerResolution {
  const resolution: OwnerResolution = { current: [], pending: false, dropped: [] };
  for (const ref of references) {
    const oldUid = typeof ref.uid === "string" ? ref.uid : "";
    const newUid = uids.get(oldUid);
    if (newUid !== undefined) resolution.current.push({ ...ref, uid: newUid });
    else if (later.has(oldUid)) resolution.pending = true;
    else
      resolution.dropped.push(`owner ${describeOwner(ref)} is not in the target cluster; reference dropped`);
  }
  return resolution;
}

/** The object with its owner references replaced (removed when none are left); copies only if needed. */
export function withOwnerReferences(object: KubeObject, references: OwnerReference[]): KubeObject {
  const before = object.metadata.ownerReferences;
  if ((before?.length ?? 0) === 0 && references.length === 0) return object;
  const metadata = { ...object.metadata };
  if (references.length > 0) metadata.ownerReferences = references;
  else delete metadata.ownerReferences;
  return { ...object, metadata };
}

/** The old uids of a phase's items that other items of the plan name as owners. */
export function ownerUidsNamedBy(items: readonly PlannedItem[]): Set<string> {
  const named = new Set<string>();
  for (const item of items) {
    for (const ref of item.object.metadata.ownerReferences ?? []) {
      if (typeof ref.uid === "string") named.add(ref.uid);
    }
  }
  return named;
}
