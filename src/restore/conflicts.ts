// What the conflict policy sends when the object already exists: a JSON merge patch of the
// backed-up content (labels, annotations, owner references and every top-level field but status),
// and for ServiceAccounts a merge that unites their secrets and image pull secrets (Velero's rule),
// so a restore never takes away what the target cluster added.
import type { KubeObject } from "../kube/types.js";
import type { ConflictPolicy } from "./types.js";

const NOT_PATCHED = new Set(["apiVersion", "kind", "metadata", "status"]);

/** The merge patch that lays the backed-up object over the existing one. */
export function contentPatch(object: KubeObject): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(object)) {
    if (!NOT_PATCHED.has(field)) patch[field] = value;
  }
  const metadata: Record<string, unknown> = {};
  const { labels, annotations, ownerReferences } = object.metadata;
  if (labels && Object.keys(labels).length > 0) metadata.labels = labels;
  if (annotations && Object.keys(annotations).length > 0) metadata.annotations = annotations;
  if (ownerReferences && ownerReferences.length > 0) metadata.ownerReferences = ownerReferences;
  if (Object.keys(metadata).length > 0) patch.metadata = metadata;
  return patch;
}

type NamedRefs = Array<Record<string, unknown>>;

function refsOf(value: unknown): NamedRefs {
  return Array.isArray(value) ? (value as NamedRefs) : [];
}

/** The existing references followed by the backed-up ones it lacks (by name); undefined if none. */
function unite(existing: unknown, backedUp: unknown): NamedRefs | undefined {
  const have = refsOf(existing);
  const names = new Set(have.map((ref) => ref.name));
  const missing = refsOf(backedUp).filter((ref) => !names.has(ref.name));
  return missing.length > 0 ? [...have, ...missing] : undefined;
}

/** Keys of `backedUp` to write over `existing`: only missing ones (Skip) or every differing one (Patch). */
function mapChanges(
  existing: Record<string, string> | undefined,
  backedUp: Record<string, string> | undefined,
  policy: ConflictPolicy,
): Record<string, string> | undefined {
  const changes: Record<string, string> = {};
  for (const [key, value] of Object.entries(backedUp ?? {})) {
    const current = existing?.[key];
    if (current === undefined || (policy === "Patch" && current !== value)) changes[key] = value;
  }
  return Object.keys(changes).length > 0 ? changes : undefined;
}

/**
 * The merge patch that merges a backed-up ServiceAccount into the existing one, or undefined when
 * nothing would change. With Skip the existing labels and annotations win; with Patch the backup's.
 */
export function serviceAccountPatch(
  existing: KubeObject,
  backedUp: KubeObject,
  policy: ConflictPolicy,
): Record<string, unknown> | undefined {
  const patch: Record<string, unknown> = {};
  const secrets = unite(existing.secrets, backedUp.secrets);
  if (secrets) patch.secrets = secrets;
  const pullSecrets = unite(existing.imagePullSecrets, backedUp.imagePullSecrets);
  if (pullSecrets) patch.imagePullSecrets = pullSecrets;
  const automount = backedUp.automountServiceAccountToken;
  if (automount !== undefined && existing.automountServiceAccountToken !== automount) {
    if (policy === "Patch" || existing.automountServiceAccountToken === undefined) {
      patch.automountServiceAccountToken = automount;
    }
  }
  const metadata: Record<string, unknown> = {};
  const labels = mapChanges(existing.metadata.labels, backedUp.metadata.labels, policy);
  if (labels) metadata.labels = labels;
  const annotations = mapChanges(existing.metadata.annotations, backedUp.metadata.annotations, policy);
  if (annotations) metadata.annotations = annotations;
  if (Object.keys(metadata).length > 0) patch.metadata = metadata;
  return Object.keys(patch).length > 0 ? patch : undefined;
}
