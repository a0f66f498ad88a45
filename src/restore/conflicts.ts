// What the conflict policy sends when the object already exists: a JSON merge patch of the
// backed-up content (labels, annotations, owner references and every top-level field but status),
// and for ServiceAccounts a merge that unites their secrets and image pull secrets (Velero's rule),
// so a restore never takes away what the target cluster added. Kinds whose update refuses a changed
// spec (Pods, Jobs' template, claims, volumes' source) get only what an update may change.
import type { KubeObject } from "../kube/types.js";
import type { ConflictPolicy, PlannedItem } from "./types.js";

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

/**
 * A kind whose existing objects refuse most spec changes (kube-apiserver's update validation), so
 * merge-patching the backed-up spec over them could only fail with a 422: the restored object
 * differs from the running one by design (a Pod without its nodeName and token volume, a Job
 * without its controller-uid labels, a claim without its volumeName). Patch lays over such an
 * object its labels, annotations and owner references and the spec fields an update accepts.
 */
export interface FrozenSpecRule {
  group: string;
  resource: string;
  /** Top-level spec fields an update accepts; the others are left as they are. */
  mutableSpec: readonly string[];
  /** Why the rest of the spec is left alone, for the item's reason. */
  why: string;
}

/** One line per kind, with what the API server lets an update change (validation of v1.30). */
export const frozenSpecRules: readonly FrozenSpecRule[] = [
  // A Pod may change only images, activeDeadlineSeconds and added tolerations; changing images of a
  // running Pod would restart its containers, which a restore must not do behind the user's back.
  { group: "", resource: "pods", mutableSpec: [], why: "a running Pod's spec cannot change" },
  // template, selector, completions and completionMode are fixed once a Job exists.
  {
    group: "batch",
    resource: "jobs",
    mutableSpec: [
      "parallelism",
      "activeDeadlineSeconds",
      "backoffLimit",
      "ttlSecondsAfterFinished",
      "suspend",
      "maxFailedIndexes",
    ],
    why: "a Job's template, selector and completions cannot change",
  },
  // Only resources.requests may grow (a volume expansion, which a restore does not start).
  {
    group: "",
    resource: "persistentvolumeclaims",
    mutableSpec: [],
    why: "a PersistentVolumeClaim's spec cannot change (only expanded)",
  },
  // The volume source and volumeMode are fixed; claimRef is the binding the controller keeps.
  {
    group: "",
    resource: "persistentvolumes",
    mutableSpec: [
      "capacity",
      "accessModes",
      "persistentVolumeReclaimPolicy",
      "storageClassName",
      "mountOptions",
      "nodeAffinity",
    ],
    why: "a PersistentVolume's source and binding cannot change",
  },
];

/** The frozen-spec rule of an item's kind, if its kind has one. */
export function frozenSpecRuleOf(item: Pick<PlannedItem, "group" | "resource">): FrozenSpecRule | undefined {
  return frozenSpecRules.find((rule) => rule.group === item.group && rule.resource === item.resource);
}

/** JSON with object keys sorted, so equal values compare equal whatever their key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) =>
    field !== null && typeof field === "object" && !Array.isArray(field)
      ? Object.fromEntries(Object.entries(field).sort(([a], [b]) => a.localeCompare(b)))
      : field,
  );
}

const sameJson = (a: unknown, b: unknown) => canonical(a) === canonical(b);

/**
 * The merge patch of what may change on an existing object of a frozen-spec kind, or undefined
 * when it already looks as backed up: differing labels and annotations (the backup's values win,
 * as with Patch everywhere; keys only the target has stay), differing owner references, and the
 * rule's mutable spec fields that differ. `changed` names what the patch touches, for the reason.
 */
export function frozenSpecPatch(
  existing: KubeObject,
  backedUp: KubeObject,
  rule: FrozenSpecRule,
): { patch: Record<string, unknown>; changed: string[] } | undefined {
  const changed: string[] = [];
  const metadata: Record<string, unknown> = {};
  const labels = mapChanges(existing.metadata.labels, backedUp.metadata.labels, "Patch");
  if (labels) {
    metadata.labels = labels;
    changed.push("labels");
  }
  const annotations = mapChanges(existing.metadata.annotations, backedUp.metadata.annotations, "Patch");
  if (annotations) {
    metadata.annotations = annotations;
    changed.push("annotations");
  }
  const owners = backedUp.metadata.ownerReferences;
  if (owners && owners.length > 0 && !sameJson(owners, existing.metadata.ownerReferences)) {
    metadata.ownerReferences = owners;
    changed.push("owner references");
  }
  const patch: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) patch.metadata = metadata;
  const backedUpSpec = (backedUp.spec ?? {}) as Record<string, unknown>;
  const existingSpec = (existing.spec ?? {}) as Record<string, unknown>;
  const spec: Record<string, unknown> = {};
  for (const field of rule.mutableSpec) {
    const value = backedUpSpec[field];
    if (value !== undefined && !sameJson(value, existingSpec[field])) spec[field] = value;
  }
  if (Object.keys(spec).length > 0) {
    patch.spec = spec;
    changed.push(...Object.keys(spec).map((field) => `spec.${field}`));
  }
  return changed.length > 0 ? { patch, changed } : undefined;
}

/** "a", "a and b", "a, b and c". */
export function listed(words: readonly string[]): string {
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}
