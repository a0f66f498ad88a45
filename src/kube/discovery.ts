// Which resource types a cluster serves: aggregated discovery when the server has it (two requests),
// the per-group-version documents otherwise; one type per group and resource, in its preferred version.
import type { Cluster } from "./cluster.js";
import {
  aggregatedAccept,
  type GroupVersionResources,
  type GroupVersions,
  type RootDocument,
  readResourceList,
  readRootDocument,
} from "./discovery-documents.js";
import { mapWithLimit } from "./task-pool.js";
import type { ResourceType } from "./types.js";

export interface DiscoveryWarning {
  /** "v1", "apps/v1", "metrics.k8s.io/v1beta1" */
  groupVersion: string;
  message: string;
}

export interface DiscoveryResult {
  /** Listable types (verbs include "list"), core group first, then groups in the server's order. */
  types: ResourceType[];
  /** Group-versions that could not be read; their types are missing from `types`. */
  warnings: DiscoveryWarning[];
  /** Whether the server answered with aggregated discovery. */
  aggregated: boolean;
}

export interface DiscoverOptions {
  abortSignal?: AbortSignal;
  /** Group-version documents fetched at once on servers without aggregated discovery (default 8). */
  concurrency?: number;
}

export async function discoverResources(
  cluster: Cluster,
  options: DiscoverOptions = {},
): Promise<DiscoveryResult> {
  const signal = options.abortSignal;
  const request = (path: string) =>
    cluster.request<unknown>("GET", path, {
      accept: aggregatedAccept,
      ...(signal ? { abortSignal: signal } : {}),
    });
  const [core, named] = await Promise.all([request("/api"), request("/apis")]);
  const roots = [readRootDocument(core), readRootDocument(named)];

  const groups: GroupVersions[] = roots.flatMap((r) => r.groups);
  const served: GroupVersionResources[] = [];
  const warnings: DiscoveryWarning[] = [];
  for (const root of roots) {
    if (root.kind !== "aggregated") continue;
    served.push(...root.served);
    for (const groupVersion of root.stale) {
      warnings.push({
        groupVersion,
        message: `${groupVersion} is stale in aggregated discovery: its API server is not answering`,
      });
    }
  }
  const legacy = roots.filter((r): r is Extract<RootDocument, { kind: "legacy" }> => r.kind === "legacy");
  const pending = legacy.flatMap((r) =>
    r.groups.flatMap((g) => g.versions.map((version) => ({ group: g.group, version }))),
  );
  const fetched = await mapWithLimit(
    pending,
    async ({ group, version }, taskSignal) => {
      const path = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
      try {
        const body = await cluster.request<unknown>("GET", path, { abortSignal: taskSignal });
        return readResourceList(group, version, body);
      } catch (error) {
        if (taskSignal.aborted) throw error;
        // One broken group-version (typically an aggregated API server that is down) must not hide the rest.
        const groupVersion = group === "" ? version : `${group}/${version}`;
        return { groupVersion, message: (error as Error).message };
      }
    },
    { limit: options.concurrency ?? 8, ...(signal ? { abortSignal: signal } : {}) },
  );
  for (const result of fetched) {
    if ("resources" in result) served.push(result);
    else warnings.push(result);
  }
  return {
    types: mergeTypes(groups, served),
    warnings,
    aggregated: roots.every((r) => r.kind === "aggregated"),
  };
}

/** One type per (group, resource): the first version in preference order that serves it. */
function mergeTypes(groups: GroupVersions[], served: GroupVersionResources[]): ResourceType[] {
  const byGroupVersion = new Map(served.map((s) => [`${s.group}/${s.version}`, s]));
  const types: ResourceType[] = [];
  for (const { group, versions } of groups) {
    const byResource = new Map<string, ResourceType>();
    for (const version of versions) {
      for (const r of byGroupVersion.get(`${group}/${version}`)?.resources ?? []) {
        const known = byResource.get(r.resource);
        if (known) {
          known.versions.push(version);
          continue;
        }
        byResource.set(r.resource, { group, version, versions: [version], ...r, verbs: [...r.verbs] });
      }
    }
    for (const type of byResource.values()) {
      if (type.verbs.includes("list")) types.push(type);
    }
  }
  return types;
}
