// The order in which a restore creates resource types, as data with a reason per entry, and the
// grouping of a restore's types into phases separated by the waits the apply step must honour.
import { matchesResourceType, parseResourceType, type ResourceTypeRef } from "../model/resource-type.js";

/** A resource type as a restore names it: its API group ("" for core) and plural resource. */
export interface TypeKey {
  group: string;
  resource: string;
  /** Lets an override name the type by Kind (`apps/v1/Deployment`). */
  kind?: string;
}

export interface PriorityEntry extends TypeKey {
  reason: string;
}

export interface RestorePhase {
  name: "definitions" | "resources" | "admission";
  types: TypeKey[];
  /** What the apply step waits for before starting the next phase, when it must. */
  waitAfter?: string;
}

const entry = (group: string, resource: string, reason: string): PriorityEntry => ({
  group,
  resource,
  reason,
});

/** Types created before all others, in this order; the rest follow alphabetically. */
export const RESTORE_PRIORITIES: readonly PriorityEntry[] = [
  entry("apiextensions.k8s.io", "customresourcedefinitions", "custom resources need their definition"),
  entry("", "namespaces", "every namespaced item needs its namespace"),
  entry("storage.k8s.io", "storageclasses", "volumes and claims name their class"),
  entry("snapshot.storage.k8s.io", "volumesnapshotclasses", "snapshot contents name their class"),
  entry("snapshot.storage.k8s.io", "volumesnapshotcontents", "snapshots bind to their contents"),
  entry("snapshot.storage.k8s.io", "volumesnapshots", "claims may take a snapshot as data source"),
  entry("", "persistentvolumes", "claims bind to restored volumes"),
  entry("", "persistentvolumeclaims", "pods mount claims"),
  entry("rbac.authorization.k8s.io", "clusterroles", "bindings refer to roles"),
  entry("rbac.authorization.k8s.io", "roles", "bindings refer to roles"),
  entry("", "serviceaccounts", "pods run as them and bindings name them"),
  entry("rbac.authorization.k8s.io", "clusterrolebindings", "workloads need their permissions at start"),
  entry("rbac.authorization.k8s.io", "rolebindings", "workloads need their permissions at start"),
  entry("", "secrets", "pods that mount a missing Secret do not start"),
  entry("", "configmaps", "pods that mount a missing ConfigMap do not start"),
  entry("", "limitranges", "defaults and limits apply only to pods created after them"),
  entry("scheduling.k8s.io", "priorityclasses", "admission rejects pods naming an unknown class"),
  entry("", "endpoints", "Services without a selector rely on hand-written Endpoints"),
  entry("", "services", "before Ingresses and workloads: pods get env vars only for existing Services"),
  entry("", "pods", "bare pods; a controller's pods are recreated by the controller"),
  entry("apps", "replicasets", "a Deployment adopts existing ReplicaSets instead of making new ones"),
];

/** Types restored after everything else. */
export const ADMISSION_TYPES: readonly PriorityEntry[] = [
  entry(
    "admissionregistration.k8s.io",
    "validatingadmissionpolicies",
    "could reject the restore's own items",
  ),
  entry("admissionregistration.k8s.io", "validatingadmissionpolicybindings", "activate the policies above"),
  entry("admissionregistration.k8s.io", "mutatingadmissionpolicies", "could alter the restore's own items"),
  entry("admissionregistration.k8s.io", "mutatingadmissionpolicybindings", "activate the policies above"),
  entry("admissionregistration.k8s.io", "mutatingwebhookconfigurations", "a backend not up yet fails calls"),
  entry(
    "admissionregistration.k8s.io",
    "validatingwebhookconfigurations",
    "a backend not up yet fails calls",
  ),
];

const CRD: TypeKey = { group: "apiextensions.k8s.io", resource: "customresourcedefinitions" };

const keyOf = (type: TypeKey): string => `${type.resource}.${type.group}`;
const sameType = (a: TypeKey, b: TypeKey): boolean => a.group === b.group && a.resource === b.resource;

function rankIn(list: readonly TypeKey[], type: TypeKey): number {
  const index = list.findIndex((candidate) => sameType(candidate, type));
  return index === -1 ? Number.POSITIVE_INFINITY : index;
}

/** Index of the first override reference naming the type, or infinity. */
function overrideRank(override: readonly ResourceTypeRef[], type: TypeKey): number {
  const served = { group: type.group, resource: type.resource, version: "", kind: type.kind ?? "" };
  const index = override.findIndex((ref) => matchesResourceType(ref, served));
  return index === -1 ? Number.POSITIVE_INFINITY : index;
}

function orderTypes(
  types: readonly TypeKey[],
  override: readonly ResourceTypeRef[],
  table: readonly TypeKey[],
) {
  const ranked = types.map((type) => ({
    type,
    ranks: [overrideRank(override, type), rankIn(table, type)],
    key: keyOf(type),
  }));
  ranked.sort((a, b) => {
    for (const [index, rank] of a.ranks.entries()) {
      const other = b.ranks[index] ?? Number.POSITIVE_INFINITY;
      if (rank !== other) return rank < other ? -1 : 1;
    }
    return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
  });
  return ranked.map(({ type }) => type);
}

/**
 * Groups the types of a restore into ordered phases: CRDs (then wait until Established, so custom
 * resources are accepted), everything else, and admission configuration last. An override (resource
 * type references such as `services` or `apps/v1/Deployment`) puts the named types first, in its
 * order, within their phase; it cannot move a custom resource before its definition.
 */
export function restorePhases(types: readonly TypeKey[], override: readonly string[] = []): RestorePhase[] {
  const refs = override.map(parseResourceType);
  const unique = [...new Map(types.map((type) => [keyOf(type), type])).values()];
  const definitions = unique.filter((type) => sameType(type, CRD));
  const admission = unique.filter((type) => rankIn(ADMISSION_TYPES, type) !== Number.POSITIVE_INFINITY);
  const resources = unique.filter((type) => !definitions.includes(type) && !admission.includes(type));
  const phases: RestorePhase[] = [];
  if (definitions.length > 0) {
    phases.push({
      name: "definitions",
      types: definitions,
      waitAfter: "CustomResourceDefinitions Established",
    });
  }
  if (resources.length > 0) {
    phases.push({ name: "resources", types: orderTypes(resources, refs, RESTORE_PRIORITIES) });
  }
  if (admission.length > 0) {
    phases.push({ name: "admission", types: orderTypes(admission, refs, ADMISSION_TYPES) });
  }
  const last = phases.at(-1);
  if (last?.name === "definitions") delete last.waitAfter;
  return phases;
}
