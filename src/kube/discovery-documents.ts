// The two shapes of Kubernetes API discovery, read into one: aggregated discovery (apidiscovery.k8s.io
// v2, one document per root) and the legacy documents (group lists plus one list per group-version).

/** What one group-version serves, as either discovery shape reports it. */
export interface GroupVersionResources {
  group: string;
  version: string;
  resources: DiscoveredResource[];
}

export interface DiscoveredResource {
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/** A group with its versions, the preferred one first. */
export interface GroupVersions {
  group: string;
  versions: string[];
}

export type RootDocument =
  | { kind: "aggregated"; groups: GroupVersions[]; served: GroupVersionResources[]; stale: string[] }
  | { kind: "legacy"; groups: GroupVersions[] };

export const aggregatedAccept =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

interface AggregatedList {
  kind?: string;
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version?: string;
      freshness?: string;
      resources?: Array<{
        resource?: string;
        responseKind?: { kind?: string };
        scope?: string;
        verbs?: string[];
        shortNames?: string[];
        categories?: string[];
      }>;
    }>;
  }>;
}

interface LegacyGroupList {
  kind?: string;
  versions?: string[];
  groups?: Array<{
    name?: string;
    preferredVersion?: { version?: string };
    versions?: Array<{ version?: string }>;
  }>;
}

interface LegacyResourceList {
  resources?: Array<{
    name?: string;
    kind?: string;
    namespaced?: boolean;
    verbs?: string[];
    shortNames?: string[];
    categories?: string[];
  }>;
}

function optionalLists(shortNames?: string[], categories?: string[]) {
  return {
    ...(shortNames && shortNames.length > 0 ? { shortNames } : {}),
    ...(categories && categories.length > 0 ? { categories } : {}),
  };
}

/**
 * Reads `GET /api` or `GET /apis` sent with the aggregated Accept header. A server without
 * aggregated discovery (before Kubernetes 1.26, or with it turned off) answers with the legacy
 * APIVersions / APIGroupList instead, which tells us to fetch each group-version.
 */
export function readRootDocument(body: unknown): RootDocument {
  const doc = (body ?? {}) as AggregatedList & LegacyGroupList;
  if (doc.kind === "APIGroupDiscoveryList") return readAggregated(doc);
  if (doc.kind === "APIVersions")
    return { kind: "legacy", groups: [{ group: "", versions: doc.versions ?? [] }] };
  const groups = (doc.groups ?? []).map((g) => {
    const all = (g.versions ?? []).flatMap((v) => (v.version ? [v.version] : []));
    const preferred = g.preferredVersion?.version ?? all[0];
    const versions = preferred ? [preferred, ...all.filter((v) => v !== preferred)] : all;
    return { group: g.name ?? "", versions };
  });
  return { kind: "legacy", groups };
}

function readAggregated(doc: AggregatedList): RootDocument {
  const groups: GroupVersions[] = [];
  const served: GroupVersionResources[] = [];
  const stale: string[] = [];
  for (const item of doc.items ?? []) {
    // The core group's entry has no name; versions come in order of preference.
    const group = item.metadata?.name ?? "";
    const versions: string[] = [];
    for (const v of item.versions ?? []) {
      if (!v.version) continue;
      versions.push(v.version);
      // A Stale entry is the last copy of an aggregated API server that stopped answering.
      if (v.freshness === "Stale") {
        stale.push(group ? `${group}/${v.version}` : v.version);
        continue;
      }
      const resources = (v.resources ?? []).flatMap((r): DiscoveredResource[] =>
        r.resource && r.responseKind?.kind
          ? [
              {
                resource: r.resource,
                kind: r.responseKind.kind,
                namespaced: r.scope === "Namespaced",
                verbs: r.verbs ?? [],
                ...optionalLists(r.shortNames, r.categories),
              },
            ]
          : [],
      );
      served.push({ group, version: v.version, resources });
    }
    groups.push({ group, versions });
  }
  return { kind: "aggregated", groups, served, stale };
}

/** Reads a legacy `APIResourceList`; subresources ("pods/log") are left out. */
export function readResourceList(group: string, version: string, body: unknown): GroupVersionResources {
  const list = (body ?? {}) as LegacyResourceList;
  const resources = (list.resources ?? []).flatMap((r): DiscoveredResource[] =>
    r.name && !r.name.includes("/") && r.kind
      ? [
          {
            resource: r.name,
            kind: r.kind,
            namespaced: r.namespaced === true,
            verbs: r.verbs ?? [],
            ...optionalLists(r.shortNames, r.categories),
          },
        ]
      : [],
  );
  return { group, version, resources };
}
