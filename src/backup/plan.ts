// What one backup reads: which served types are listed, in which order, with which filters, and
// which cluster-scoped objects come along as dependencies. Pure: a table of cases tests it.
import type { ResourceType } from "../kube/types.js";
import type { BackupInstance } from "../model/backup-instance.js";
import { type LabelRequirement, matchesAnySelector, parseLabelSelector } from "../model/label-selector.js";
import { matchesResourceType, parseResourceType, type ResourceTypeRef } from "../model/resource-type.js";
import { DEFAULT_DENY_LIST, type DeniedType, isDenied } from "./deny-list.js";
import { namespaceMatcher } from "./namespaces.js";

/** Cluster-scoped types whose objects selected namespaced items can need (see dependencies.ts). */
export const DEPENDENCY_TYPES: readonly { group: string; resource: string }[] = [
  { group: "", resource: "namespaces" },
  { group: "", resource: "persistentvolumes" },
  { group: "storage.k8s.io", resource: "storageclasses" },
  { group: "apiextensions.k8s.io", resource: "customresourcedefinitions" },
  { group: "rbac.authorization.k8s.io", resource: "clusterroles" },
];

export interface SkippedType {
  /** "apps/v1/Deployment" */
  type: string;
  reason: string;
}

export interface BackupPlan {
  /** Namespaced types, listed first so the cluster-scoped pass knows what they depend on. */
  namespacedTypes: ResourceType[];
  /** Cluster-scoped types listed whole (only with includeClusterScopeResources). */
  clusterTypes: ResourceType[];
  /** Cluster-scoped types read only for the objects the selected items need. */
  dependencyTypes: ResourceType[];
  skipped: SkippedType[];
  /** A namespace of the cluster is backed up. */
  selectsNamespace: (namespace: string) => boolean;
  /** An object's labels pass the label selectors (several are OR-ed). */
  selectsLabels: (labels: Readonly<Record<string, string>> | undefined) => boolean;
  /** The one selector the API server can apply itself, when there is exactly one. */
  serverLabelSelector?: string;
  /** The one namespace to list in, when the selection is exactly one namespace name. */
  singleNamespace?: string;
}

export interface PlanOptions {
  denyList?: readonly DeniedType[];
}

export function typeKey(type: Pick<ResourceType, "group" | "version" | "kind">): string {
  return type.group === "" ? `${type.version}/${type.kind}` : `${type.group}/${type.version}/${type.kind}`;
}

function isDependencyType(type: ResourceType): boolean {
  return DEPENDENCY_TYPES.some((d) => d.group === type.group && d.resource === type.resource);
}

export function planBackup(
  types: readonly ResourceType[],
  instance: BackupInstance,
  options: PlanOptions = {},
): BackupPlan {
  const included = (instance.includedResourceTypes ?? []).map(parseResourceType);
  const excluded = (instance.excludedResourceTypes ?? []).map(parseResourceType);
  const selectors: LabelRequirement[][] = (instance.labelSelectors ?? []).map(parseLabelSelector);
  const matches = (refs: ResourceTypeRef[], type: ResourceType) =>
    refs.some((ref) => matchesResourceType(ref, type));

  const plan: BackupPlan = {
    namespacedTypes: [],
    clusterTypes: [],
    dependencyTypes: [],
    skipped: [],
    selectsNamespace: namespaceMatcher(instance),
    selectsLabels: (labels) => matchesAnySelector(selectors, labels),
  };
  if (instance.labelSelectors?.length === 1) plan.serverLabelSelector = instance.labelSelectors[0];
  const names = instance.includedNamespaces ?? [];
  if (names.length === 1 && !names[0]?.includes("*")) plan.singleNamespace = names[0];

  for (const type of [...types].sort(byGroupAndResource)) {
    const skip = (reason: string) => plan.skipped.push({ type: typeKey(type), reason });
    if (!type.verbs.includes("list") || !type.verbs.includes("get")) continue;
    const denied = isDenied(type, options.denyList ?? DEFAULT_DENY_LIST);
    const wanted = included.length === 0 || matches(included, type);
    const isNamespaceType = type.group === "" && type.resource === "namespaces";
    if (denied) {
      skip(`never backed up: ${denied.reason}`);
    } else if (matches(excluded, type)) {
      skip("excluded by excludedResourceTypes");
    } else if (type.namespaced) {
      if (wanted) plan.namespacedTypes.push(type);
      else skip("not in includedResourceTypes");
    } else if (instance.includeClusterScopeResources && wanted && !isNamespaceType) {
      plan.clusterTypes.push(type);
    } else if (isDependencyType(type)) {
      // Namespace objects always come this way: only those of selected namespaces are wanted.
      plan.dependencyTypes.push(type);
    } else {
      skip(
        wanted ? "cluster-scoped, and includeClusterScopeResources is false" : "not in includedResourceTypes",
      );
    }
  }
  return plan;
}

function byGroupAndResource(a: ResourceType, b: ResourceType): number {
  return a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource);
}
