// The export pipeline of one backup: discover, plan, then list each type page by page into the
// archive and the resource list, both streamed into blobs as they are written. Partial failures
// (a forbidden or vanished type) become warnings and errors; only what stops the job throws.
import { UnsafeItemError } from "../archive/errors.js";
import type { ArchiveWriter } from "../archive/writer.js";
import type { Cluster } from "../kube/cluster.js";
import { discoverResources } from "../kube/discovery.js";
import { ClusterUnreachableError, isKubeApiError } from "../kube/errors.js";
import { listResources } from "../kube/list.js";
import type { KubeObject, ResourceType } from "../kube/types.js";
import type { BackupInstance } from "../model/backup-instance.js";
import type { ItemMessage } from "../model/recovery-point.js";
import type { DeniedType } from "./deny-list.js";
import { DEPENDENCY_ORDER, DependencyTracker } from "./dependencies.js";
import { type BackupPlan, planBackup, typeKey } from "./plan.js";
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
  const total = plan.namespacedTypes.length + plan.clusterTypes.length + plan.dependencyTypes.length;
  let done = 0;
  const progress = (phase: ExportProgress["phase"]) =>
    options.onProgress?.({ phase, typesDone: done, typesTotal: total, items: outcome.totalItems });

  const selectNamespaced: Filter = (type, item) => {
    const ns = item.metadata.namespace ?? "";
    if (!plan.selectsNamespace(ns) || !plan.selectsLabels(item.metadata.labels)) return false;
    deps.record(type, item);
    if (type.group === "" && type.resource === "persistentvolumeclaims") {
      outcome.claims.push({ namespace: ns, name: item.metadata.name ?? "" });
    }
    return true;
  };
  for (const type of plan.namespacedTypes) {
    await exportType(cluster, type, plan, selectNamespaced, sinks, outcome, options, true);
    done++;
    progress("namespaced");
  }
  for (const type of plan.clusterTypes) {
    await exportType(
      cluster,
      type,
      plan,
      (_t, item) => plan.selectsLabels(item.metadata.labels),
      sinks,
      outcome,
      options,
    );
    done++;
    progress("cluster");
  }
  const needed: Filter = (type, item) =>
    deps.needs(type, item) ||
    (isNamespaceType(type) && noSelectors(instance) && plan.selectsNamespace(item.metadata.name ?? ""));
  for (const type of [...plan.dependencyTypes].sort(byDependencyOrder)) {
    await exportType(cluster, type, plan, needed, sinks, outcome, options);
    done++;
    progress("dependencies");
  }
  progress("done");
  return outcome;
}

async function exportType(
  cluster: Cluster,
  type: ResourceType,
  plan: BackupPlan,
  select: Filter,
  sinks: Sinks,
  outcome: ExportOutcome,
  options: ExportOptions,
  namespaced = false,
): Promise<void> {
  const key = typeKey(type);
  sinks.resourceList.beginType(key);
  try {
    const pages = listResources(cluster, type, {
      pageSize: options.pageSize ?? 500,
      ...(namespaced && plan.singleNamespace ? { namespace: plan.singleNamespace } : {}),
      ...(plan.serverLabelSelector && (namespaced || !isDependency(plan, type))
        ? { labelSelector: plan.serverLabelSelector }
        : {}),
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      onWarning: (w) => outcome.warnings.push({ type: key, message: w.message }),
    });
    for await (const page of prefetched(pages)) {
      const names: string[] = [];
      for (const item of page) {
        if (!select(type, item)) continue;
        const namespace = item.metadata.namespace;
        const name = item.metadata.name ?? "";
        try {
          await sinks.archive.add({
            group: type.group,
            version: type.version,
            resource: type.resource,
            kind: type.kind,
            ...(namespace ? { namespace } : {}),
            name,
            object: item,
          });
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
  } catch (error) {
    if (error instanceof ClusterUnreachableError || options.abortSignal?.aborted) throw error;
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
    } else if (isKubeApiError(error)) {
      outcome.errors.push({ type: key, message: `listing ${type.resource} failed: ${error.message}` });
    } else {
      throw error;
    }
  } finally {
    await sinks.resourceList.endType();
  }
}

/** Reads the next page while the current one is written, so listing and compression overlap. */
async function* prefetched<T>(source: AsyncIterable<T>): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = iterator.next();
      // If the consumer stops, the read-ahead's failure must not surface as unhandled.
      next.catch(() => undefined);
      yield result.value;
    }
  } finally {
    await iterator.return?.();
  }
}

function isNamespaceType(type: ResourceType): boolean {
  return type.group === "" && type.resource === "namespaces";
}

function isDependency(plan: BackupPlan, type: ResourceType): boolean {
  return plan.dependencyTypes.includes(type);
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
