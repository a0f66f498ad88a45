// The export pipeline of one backup: discover, plan, then list each type page by page into the
// archive and the resource list, both streamed into blobs as they are written. Partial failures
// (a forbidden or vanished type) become warnings and errors; only what stops the job throws.
import { UnsafeItemError } from "../archive/errors.js";
import type { ArchiveItem, ArchiveWriter } from "../archive/writer.js";
import type { Cluster } from "../kube/cluster.js";
import { discoverResources } from "../kube/discovery.js";
import { isKubeApiError, KubeResponseError } from "../kube/errors.js";
import type { JsonPage } from "../kube/list.js";
import type { KubeObject, ResourceType } from "../kube/types.js";
import type { BackupInstance } from "../model/backup-instance.js";
import type { ItemMessage } from "../model/recovery-point.js";
import type { DeniedType } from "./deny-list.js";
import { DEPENDENCY_ORDER, DependencyTracker } from "./dependencies.js";
import { listTypes, type TypeListing } from "./listing.js";
import { planBackup, typeKey } from "./plan.js";
import type { ResourceListWriter } from "./resource-list.js";

export interface ExportProgress {
  phase: "discovery" | "namespaced" | "cluster" | "dependencies" | "done";
  typesDone: number;
  typesTotal: number;
  items: number;
}

export interface ExportOptions {
  pageSize?: number;
  denyList?: readonly DeniedType[];
  abortSignal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

/** A selected PVC, for the volume snapshot phase. */
export interface ClaimRef {
  namespace: string;
  name: string;
}

export interface ExportOutcome {
  itemCounts: Record<string, number>;
  totalItems: number;
  warnings: ItemMessage[];
  errors: ItemMessage[];
  claims: ClaimRef[];
  kubernetesVersion?: string;
}

interface Sinks {
  archive: ArchiveWriter;
  resourceList: ResourceListWriter;
}

type Filter = (type: ResourceType, item: KubeObject) => boolean;
type Phase = "namespaced" | "cluster" | "dependencies";

interface Listing extends TypeListing {
  phase: Phase;
  select: Filter;
}

export async function exportResources(
  cluster: Cluster,
  instance: BackupInstance,
  sinks: Sinks,
  options: ExportOptions = {},
): Promise<ExportOutcome> {
  const outcome: ExportOutcome = { itemCounts: {}, totalItems: 0, warnings: [], errors: [], claims: [] };
  const signal = options.abortSignal;
  const version = await cluster.request<{ gitVersion?: string }>("GET", "/version", { abortSignal: signal });
  if (version.gitVersion) outcome.kubernetesVersion = version.gitVersion;

  options.onProgress?.({ phase: "discovery", typesDone: 0, typesTotal: 0, items: 0 });
  const discovered = await discoverResources(cluster, { ...(signal ? { abortSignal: signal } : {}) });
  for (const w of discovered.warnings)
    outcome.warnings.push({ message: `discovery of ${w.groupVersion}: ${w.message}` });
  const plan = planBackup(discovered.types, instance, options.denyList ? { denyList: options.denyList } : {});

  const deps = new DependencyTracker();
  // These run per item: namespace patterns are matched once per namespace, and labels only when
  // there are selectors to match them against.
  const namespaces = new Map<string, boolean>();
  const selectsNamespace = (ns: string) => {
    let selected = namespaces.get(ns);
    if (selected === undefined) {
      selected = plan.selectsNamespace(ns);
      namespaces.set(ns, selected);
    }
    return selected;
  };
  const labelsFree = noSelectors(instance);
  const selectsLabels = (item: KubeObject) => labelsFree || plan.selectsLabels(item.metadata.labels);
  const selectNamespaced: Filter = (type, item) => {
    const ns = item.metadata.namespace ?? "";
    if (!selectsNamespace(ns) || !selectsLabels(item)) return false;
    deps.record(type, item);
    if (type.group === "" && type.resource === "persistentvolumeclaims") {
      outcome.claims.push({ namespace: ns, name: item.metadata.name ?? "" });
    }
    return true;
  };
  const selectCluster: Filter = (_t, item) => selectsLabels(item);
  const needed: Filter = (type, item) =>
    deps.needs(type, item) ||
    (isNamespaceType(type) && noSelectors(instance) && plan.selectsNamespace(item.metadata.name ?? ""));

  const pageSize = options.pageSize ?? 500;
  const listing = (type: ResourceType, phase: Phase, select: Filter, namespaced = false): Listing => ({
    type,
    phase,
    select,
    options: {
      pageSize,
      // Items are archived as the server's bytes; only what selection reads is parsed.
      objects: DependencyTracker.readsWholeItems(type) ? "whole" : labelsFree ? "names" : "identity",
      ...(namespaced && plan.singleNamespace ? { namespace: plan.singleNamespace } : {}),
      ...(plan.serverLabelSelector && phase !== "dependencies"
        ? { labelSelector: plan.serverLabelSelector }
        : {}),
    },
  });
  // Filters run as pages are consumed, in this order: the dependencies are known by the time
  // their types come, even though their first pages may be fetched a little earlier.
  const listings = [
    ...plan.namespacedTypes.map((t) => listing(t, "namespaced", selectNamespaced, true)),
    ...plan.clusterTypes.map((t) => listing(t, "cluster", selectCluster)),
    ...[...plan.dependencyTypes].sort(byDependencyOrder).map((t) => listing(t, "dependencies", needed)),
  ];

  let done = 0;
  let open: Listing | undefined;
  for await (const event of listTypes(cluster, listings, signal ? { abortSignal: signal } : {})) {
    const { type, phase } = event.listing;
    const key = typeKey(type);
    if (open !== event.listing) {
      open = event.listing;
      sinks.resourceList.beginType(key);
    }
    for (const w of event.warnings) outcome.warnings.push({ type: key, message: w.message });
    if ("page" in event) {
      await exportPage(type, event.page, event.listing.select, sinks, outcome);
      continue;
    }
    if (event.error !== undefined) reportTypeError(type, key, event.error, outcome);
    await sinks.resourceList.endType();
    open = undefined;
    done++;
    options.onProgress?.({ phase, typesDone: done, typesTotal: listings.length, items: outcome.totalItems });
  }
  options.onProgress?.({
    phase: "done",
    typesDone: done,
    typesTotal: listings.length,
    items: outcome.totalItems,
  });
  return outcome;
}

async function exportPage(
  type: ResourceType,
  page: JsonPage,
  select: Filter,
  sinks: Sinks,
  outcome: ExportOutcome,
): Promise<void> {
  const key = typeKey(type);
  const names: string[] = [];
  for (let i = 0; i < page.items.length; i++) {
    const item = page.items[i] as KubeObject;
    if (!select(type, item)) continue;
    const json = page.json[i];
    const namespace = item.metadata.namespace;
    const name = item.metadata.name ?? "";
    // One shape for every entry, so the archive's per-item code stays monomorphic.
    const entry: ArchiveItem = {
      group: type.group,
      version: type.version,
      resource: type.resource,
      kind: type.kind,
      namespace: namespace || undefined,
      name,
      object: item,
      json,
    };
    try {
      // A promise per item only when the archive's consumer is behind.
      if (!sinks.archive.write(entry)) await sinks.archive.drained();
    } catch (error) {
      if (!(error instanceof UnsafeItemError)) throw error;
      outcome.warnings.push({
        type: key,
        ...(namespace ? { namespace } : {}),
        name,
        message: `skipped: ${error.message}`,
      });
      continue;
    }
    names.push(namespace ? `${namespace}/${name}` : name);
  }
  await sinks.resourceList.add(names);
  if (names.length > 0) outcome.itemCounts[key] = (outcome.itemCounts[key] ?? 0) + names.length;
  outcome.totalItems += names.length;
}

/**
 * A type the identity may not read, or that vanished, is a warning; another API error, or an
 * answer that is not a list, an error of that type (the backup goes on).
 */
function reportTypeError(type: ResourceType, key: string, error: unknown, outcome: ExportOutcome): void {
  if (isKubeApiError(error, 403)) {
    outcome.warnings.push({
      type: key,
      message: `skipped: the backup identity may not list ${type.resource} (403 Forbidden)`,
    });
  } else if (isKubeApiError(error, 404)) {
    outcome.warnings.push({
      type: key,
      message: `skipped: ${type.resource} is no longer served (removed during the backup?)`,
    });
  } else if (isKubeApiError(error) || error instanceof KubeResponseError) {
    outcome.errors.push({ type: key, message: `listing ${type.resource} failed: ${error.message}` });
  } else {
    throw error;
  }
}

function isNamespaceType(type: ResourceType): boolean {
  return type.group === "" && type.resource === "namespaces";
}

function noSelectors(instance: BackupInstance): boolean {
  return (instance.labelSelectors ?? []).length === 0;
}

function byDependencyOrder(a: ResourceType, b: ResourceType): number {
  return (
    DEPENDENCY_ORDER.indexOf(`${a.group}/${a.resource}`) -
    DEPENDENCY_ORDER.indexOf(`${b.group}/${b.resource}`)
  );
}
