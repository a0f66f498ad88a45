// Which items of a backup a restore takes: the backup's own matchers (namespaces with wildcards,
// resource types, label selectors OR-ed) over the archive instead of the cluster, and from the
// cluster scope everything (includeClusterScopeResources) or only what the selected items need.
import { DEPENDENCY_ORDER, DependencyTracker } from "../backup/dependencies.js";
import { namespaceMatcher } from "../backup/namespaces.js";
import type { ResourceType } from "../kube/types.js";
import { matchesAnySelector, parseLabelSelector } from "../model/label-selector.js";
import { matchesResourceType, parseResourceType, type ResourceTypeRef } from "../model/resource-type.js";
import type { RestoreRequest } from "../model/restore-request.js";
import type { BackupItem } from "./read.js";

export interface Selection {
  items: BackupItem[];
  /** Items of the backup left out by the request. */
  unselected: number;
  /** Source namespaces that hold a selected item but have no Namespace object in the archive. */
  missingNamespaces: string[];
}

type Filter = Pick<
  RestoreRequest,
  | "includedNamespaces"
  | "excludedNamespaces"
  | "includedResourceTypes"
  | "excludedResourceTypes"
  | "labelSelectors"
  | "includeClusterScopeResources"
>;

const isType = (item: BackupItem, group: string, resource: string) =>
  item.group === group && item.resource === resource;
const isNamespaceItem = (item: BackupItem) => isType(item, "", "namespaces");
/** PersistentVolumes come only with their claims, whatever the cluster-scope setting. */
const isVolumeItem = (item: BackupItem) => isType(item, "", "persistentvolumes");

/** Other cluster-scoped types first (their CRDs are needed), then PVs before their StorageClasses. */
function dependencyRank(item: BackupItem): number {
  return DEPENDENCY_ORDER.indexOf(`${item.group}/${item.resource}`);
}

/** The shape DependencyTracker reads a type through. */
function asResourceType(item: BackupItem): ResourceType {
  const { group, version, resource, kind, namespaced } = item;
  return { group, version, versions: [version], resource, kind, namespaced, verbs: [] };
}

export function selectItems(items: readonly BackupItem[], filter: Filter): Selection {
  const included = (filter.includedResourceTypes ?? []).map(parseResourceType);
  const excluded = (filter.excludedResourceTypes ?? []).map(parseResourceType);
  const selectors = (filter.labelSelectors ?? []).map(parseLabelSelector);
  const matches = (refs: ResourceTypeRef[], item: BackupItem) =>
    refs.some((ref) => matchesResourceType(ref, item));
  const wanted = (item: BackupItem) => included.length === 0 || matches(included, item);
  const labelled = (item: BackupItem) => matchesAnySelector(selectors, item.object.metadata.labels);
  const selectsNamespace = namespaceMatcher(filter);
  const tracker = new DependencyTracker();
  const chosen = new Set<BackupItem>();
  const take = (item: BackupItem) => {
    chosen.add(item);
    tracker.record(asResourceType(item), item.object);
  };

  for (const item of items) {
    if (!item.namespaced || item.namespace === undefined) continue;
    if (selectsNamespace(item.namespace) && wanted(item) && !matches(excluded, item) && labelled(item))
      take(item);
  }
  const needed = namespacesOf(chosen);
  // With no narrowing filter a selected namespace comes back even when it is empty.
  const narrowed = included.length > 0 || selectors.length > 0;
  const cluster = items.filter((item) => !item.namespaced);
  const byRank = (a: BackupItem, b: BackupItem) => dependencyRank(a) - dependencyRank(b);
  for (const item of [...cluster].sort(byRank)) {
    if (isNamespaceItem(item)) {
      if (needed.has(item.name) || (!narrowed && selectsNamespace(item.name))) chosen.add(item);
    } else if (matches(excluded, item)) {
      // An explicit exclusion wins over being needed.
    } else if (filter.includeClusterScopeResources && !isVolumeItem(item) && wanted(item) && labelled(item)) {
      take(item);
    } else if (tracker.needs(asResourceType(item), item.object)) {
      chosen.add(item);
    }
  }
  const present = new Set(cluster.filter(isNamespaceItem).map((item) => item.name));
  const selected = items.filter((item) => chosen.has(item));
  return {
    items: selected,
    unselected: items.length - selected.length,
    missingNamespaces: [...needed].filter((namespace) => !present.has(namespace)).sort(),
  };
}

function namespacesOf(items: Iterable<BackupItem>): Set<string> {
  const namespaces = new Set<string>();
  for (const item of items) if (item.namespace !== undefined) namespaces.add(item.namespace);
  return namespaces;
}
