// The set of served resource types: the built-in ones recorded in the discovery fixtures plus the
// versions of every CustomResourceDefinition that is Established; discovery and routing read it.
import {
  type AggregatedGroup,
  type AggregatedResource,
  type AggregatedVersion,
  type DiscoveryFixtures,
  type LegacyResource,
  loadDiscoveryFixtures,
} from "./discovery-fixtures.js";
import type { KubeObject, ResourceInfo } from "./types.js";

/** What the server knows about one served group/version/resource beyond its `ResourceInfo`. */
export interface ServedType extends ResourceInfo {
  singular: string;
  shortNames: string[];
  categories: string[];
  /** Set for types that a CRD defines: the CRD's name and its printer columns for this version. */
  crd?: { name: string; printerColumns: PrinterColumn[] };
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  format?: string;
  priority?: number;
}

/** Groups and versions the CRDs currently add, in the order discovery lists them. */
export interface CustomGroup {
  name: string;
  versions: string[];
}

const crdVerbs = ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"];

/** The storage identity of a type: objects are stored once per group and resource. */
export function storageKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}

function gvKey(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/** Orders versions as kube-apiserver does: GA before beta before alpha, higher numbers first. */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string): [number, number, number] | undefined => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return undefined;
    const stage = m[2] === "alpha" ? 0 : m[2] === "beta" ? 1 : 2;
    return [stage, Number(m[1]), Number(m[3] ?? 0)];
  };
  const pa = parse(a);
  const pb = parse(b);
  if (!pa && !pb) return a < b ? -1 : a > b ? 1 : 0;
  if (!pa) return 1;
  if (!pb) return -1;
  if (pa[0] !== pb[0]) return pb[0] - pa[0];
  if (pa[1] !== pb[1]) return pb[1] - pa[1];
  return pb[2] - pa[2];
}

function typeFromAggregated(group: string, version: string, r: AggregatedResource): ServedType {
  return {
    group,
    version,
    resource: r.resource,
    kind: r.responseKind.kind,
    namespaced: r.scope === "Namespaced",
    subresources: (r.subresources ?? []).map((s) => s.subresource),
    verbs: r.verbs,
    singular: r.singularResource,
    shortNames: r.shortNames ?? [],
    categories: r.categories ?? [],
  };
}

function coreAggregatedVersion(resources: LegacyResource[]): AggregatedVersion {
  const parents = resources.filter((r) => !r.name.includes("/"));
  return {
    version: "v1",
    freshness: "Current",
    resources: parents.map((p) => {
      const subs = resources.filter((r) => r.name.startsWith(`${p.name}/`));
      const entry: AggregatedResource = {
        resource: p.name,
        responseKind: { group: "", version: "", kind: p.kind },
        scope: p.namespaced ? "Namespaced" : "Cluster",
        singularResource: p.singularName,
        verbs: p.verbs,
        ...(p.shortNames ? { shortNames: p.shortNames } : {}),
        ...(p.categories ? { categories: p.categories } : {}),
      };
      if (subs.length > 0) {
        entry.subresources = subs.map((s) => ({
          subresource: s.name.slice(p.name.length + 1),
          responseKind: { group: s.group ?? "", version: s.version ?? "", kind: s.kind },
          verbs: s.verbs,
        }));
      }
      return entry;
    }),
  };
}

/** The legacy `APIResourceList` entries for an aggregated version: parents, then their subresources. */
export function legacyResources(version: AggregatedVersion): LegacyResource[] {
  const out: LegacyResource[] = [];
  for (const r of version.resources) {
    out.push({
      name: r.resource,
      singularName: r.singularResource,
      namespaced: r.scope === "Namespaced",
      kind: r.responseKind.kind,
      verbs: r.verbs,
      ...(r.shortNames ? { shortNames: r.shortNames } : {}),
      ...(r.categories ? { categories: r.categories } : {}),
    });
    for (const s of r.subresources ?? []) {
      const kind = s.responseKind ?? { group: "", version: "", kind: r.responseKind.kind };
      out.push({
        name: `${r.resource}/${s.subresource}`,
        singularName: "",
        namespaced: r.scope === "Namespaced",
        kind: kind.kind,
        verbs: s.verbs,
        ...(kind.group ? { group: kind.group, version: kind.version } : {}),
      });
    }
  }
  return out;
}

interface CrdSpecVersion {
  name?: string;
  served?: boolean;
  storage?: boolean;
  subresources?: { status?: unknown; scale?: unknown };
  additionalPrinterColumns?: PrinterColumn[];
}

interface CrdSpec {
  group?: string;
  scope?: string;
  names?: { plural?: string; singular?: string; kind?: string; shortNames?: string[]; categories?: string[] };
  versions?: CrdSpecVersion[];
}

export function isEstablished(crd: KubeObject): boolean {
  const conditions = (crd.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)
    ?.conditions;
  return (conditions ?? []).some((c) => c.type === "Established" && c.status === "True");
}

/** The types an Established CRD serves, in its versions' priority order. */
export function typesOfCrd(crd: KubeObject): ServedType[] {
  const spec = (crd.spec ?? {}) as CrdSpec;
  const names = spec.names ?? {};
  if (!spec.group || !names.plural || !names.kind) return [];
  const versions = (spec.versions ?? []).filter((v) => v.served !== false && v.name);
  versions.sort((a, b) => compareKubeVersions(a.name ?? "", b.name ?? ""));
  return versions.map((v) => ({
    group: spec.group ?? "",
    version: v.name ?? "",
    resource: names.plural ?? "",
    kind: names.kind ?? "",
    namespaced: spec.scope !== "Cluster",
    subresources: [
      ...(v.subresources?.status ? ["status"] : []),
      ...(v.subresources?.scale ? ["scale"] : []),
    ],
    verbs: crdVerbs,
    singular: names.singular || (names.kind ?? "").toLowerCase(),
    shortNames: names.shortNames ?? [],
    categories: names.categories ?? [],
    crd: { name: crd.metadata?.name ?? "", printerColumns: v.additionalPrinterColumns ?? [] },
  }));
}

export class TypeRegistry {
  readonly fixtures: DiscoveryFixtures;
  /** The aggregated document of the core group, which the fixtures do not record. */
  readonly coreAggregated: AggregatedGroup;
  private readonly builtins = new Map<string, ServedType>();
  private readonly builtinPreferred = new Map<string, string>();
  private readonly crds = new Map<string, ServedType[]>();
  private served = new Map<string, ServedType>();
  private revision = 0;

  constructor(fixtures: DiscoveryFixtures = loadDiscoveryFixtures()) {
    this.fixtures = fixtures;
    const core = fixtures.resourceLists.get("v1")?.resources ?? [];
    this.coreAggregated = { metadata: {}, versions: [coreAggregatedVersion(core)] };
    for (const group of [this.coreAggregated, ...fixtures.aggregated.items]) {
      const name = group.metadata.name ?? "";
      for (const version of group.versions) {
        for (const r of version.resources) {
          this.builtins.set(
            `${gvKey(name, version.version)}/${r.resource}`,
            typeFromAggregated(name, version.version, r),
          );
        }
      }
    }
    this.builtinPreferred.set("", "v1");
    for (const g of fixtures.apis.groups) this.builtinPreferred.set(g.name, g.preferredVersion.version);
    this.rebuild();
  }

  /** Changes whenever the served set changes, so discovery documents can be cached by it. */
  get servedRevision(): number {
    return this.revision;
  }

  lookup(group: string, version: string, resource: string): ServedType | undefined {
    return this.served.get(`${gvKey(group, version)}/${resource}`);
  }

  isBuiltinGroup(group: string): boolean {
    return this.builtinPreferred.has(group);
  }

  preferredVersion(group: string): string | undefined {
    return this.builtinPreferred.get(group) ?? this.customGroups().find((g) => g.name === group)?.versions[0];
  }

  /** By plural resource name or by kind, in the group's preferred version (else any served one). */
  resourceFor(group: string, resourceOrKind: string): ServedType | undefined {
    const preferred = this.preferredVersion(group);
    let fallback: ServedType | undefined;
    for (const t of this.served.values()) {
      if (t.group !== group || (t.resource !== resourceOrKind && t.kind !== resourceOrKind)) continue;
      if (t.version === preferred) return t;
      fallback ??= t;
    }
    return fallback;
  }

  /** Every served group/version/resource. */
  allServed(): ServedType[] {
    return [...this.served.values()];
  }

  /** Every served version of one group/resource. */
  versionsOf(group: string, resource: string): ServedType[] {
    return [...this.served.values()].filter((t) => t.group === group && t.resource === resource);
  }

  /** The served type a CRD currently contributes, if any (preferred version first). */
  crdTypes(crdName: string): ServedType[] {
    return this.crds.get(crdName) ?? [];
  }

  allCrdTypes(): ServedType[] {
    return [...this.crds.values()].flat();
  }

  /** Records the CRD's current state; returns the types it stopped serving. */
  setCrd(crd: KubeObject): ServedType[] {
    const name = crd.metadata?.name ?? "";
    const before = this.crds.get(name) ?? [];
    // A terminating CRD keeps serving its resources until its instances are gone and it is removed.
    const after = isEstablished(crd) ? typesOfCrd(crd) : [];
    if (after.length > 0) this.crds.set(name, after);
    else this.crds.delete(name);
    if (JSON.stringify(before) !== JSON.stringify(after)) this.rebuild();
    const stillServed = new Set(after.map((t) => storageKey(t.group, t.resource)));
    return before.filter((t) => !stillServed.has(storageKey(t.group, t.resource)));
  }

  removeCrd(name: string): ServedType[] {
    const before = this.crds.get(name) ?? [];
    if (this.crds.delete(name)) this.rebuild();
    return before;
  }

  /** CRD-defined groups with their served versions, highest priority first. */
  customGroups(): CustomGroup[] {
    const groups = new Map<string, Set<string>>();
    for (const t of this.allCrdTypes()) {
      if (this.builtinPreferred.has(t.group)) continue;
      const set = groups.get(t.group) ?? new Set<string>();
      set.add(t.version);
      groups.set(t.group, set);
    }
    return [...groups.entries()]
      .map(([name, versions]) => ({ name, versions: [...versions].sort(compareKubeVersions) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** Served types of one group-version, in discovery order. */
  typesOf(group: string, version: string): ServedType[] {
    const prefix = `${gvKey(group, version)}/`;
    return [...this.served.entries()].filter(([k]) => k.startsWith(prefix)).map(([, t]) => t);
  }

  private rebuild(): void {
    const served = new Map(this.builtins);
    for (const t of this.allCrdTypes()) {
      const key = `${gvKey(t.group, t.version)}/${t.resource}`;
      if (!served.has(key)) served.set(key, t);
    }
    this.served = served;
    this.revision++;
  }
}
