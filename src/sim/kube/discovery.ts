// Discovery documents: the recorded ones for built-in types, built ones for the core group's
// aggregated form, unrecorded group-versions and CRD groups, with ETags for the aggregated form.
import { createHash } from "node:crypto";
import type { AggregatedGroup, AggregatedResource, LegacyResource } from "./discovery-fixtures.js";
import { legacyResources, type ServedType, type TypeRegistry } from "./registry.js";

export interface DiscoveryBody {
  body: string;
  contentType: string;
  etag?: string;
}

export const aggregatedMediaType = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

function aggregatedResource(t: ServedType): AggregatedResource {
  const subresources = t.subresources.map((s) => ({
    subresource: s,
    responseKind:
      s === "scale"
        ? { group: "autoscaling", version: "v1", kind: "Scale" }
        : { group: "", version: "", kind: t.kind },
    verbs: ["get", "patch", "update"],
  }));
  return {
    resource: t.resource,
    responseKind: { group: "", version: "", kind: t.kind },
    scope: t.namespaced ? "Namespaced" : "Cluster",
    singularResource: t.singular,
    verbs: t.verbs,
    ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
    ...(t.categories.length > 0 ? { categories: t.categories } : {}),
    ...(subresources.length > 0 ? { subresources } : {}),
  };
}

function storageVersionHash(t: ServedType): string {
  return createHash("sha256").update(`${t.group}/${t.version}/${t.kind}`).digest("base64").slice(0, 12);
}

function etagOf(body: string): string {
  return `"${createHash("sha256").update(body).digest("hex").toUpperCase()}"`;
}

export class Discovery {
  private cacheRevision = -1;
  private readonly cache = new Map<string, DiscoveryBody | undefined>();

  constructor(private readonly registry: TypeRegistry) {}

  private cached(key: string, build: () => DiscoveryBody | undefined): DiscoveryBody | undefined {
    if (this.cacheRevision !== this.registry.servedRevision) {
      this.cache.clear();
      this.cacheRevision = this.registry.servedRevision;
    }
    if (!this.cache.has(key)) this.cache.set(key, build());
    return this.cache.get(key);
  }

  /** `GET /api`, legacy or aggregated. */
  core(aggregated: boolean): DiscoveryBody {
    if (!aggregated) {
      return this.cached("api", () => json(this.registry.fixtures.api)) as DiscoveryBody;
    }
    return this.cached("api:aggregated", () =>
      aggregatedBody({
        kind: "APIGroupDiscoveryList",
        apiVersion: "apidiscovery.k8s.io/v2",
        metadata: {},
        items: [this.registry.coreAggregated],
      }),
    ) as DiscoveryBody;
  }

  /** `GET /apis`, legacy or aggregated; CRD groups follow the built-in ones. */
  groups(aggregated: boolean): DiscoveryBody {
    const custom = this.registry.customGroups();
    if (!aggregated) {
      return this.cached("apis", () => {
        if (custom.length === 0) return json(this.registry.fixtures.apis);
        return json({
          ...this.registry.fixtures.apis,
          groups: [
            ...this.registry.fixtures.apis.groups,
            ...custom.map((g) => {
              const { kind: _kind, apiVersion: _apiVersion, ...entry } = this.customApiGroup(g.name);
              return entry;
            }),
          ],
        });
      }) as DiscoveryBody;
    }
    return this.cached("apis:aggregated", () => {
      const fixture = this.registry.fixtures.aggregated;
      if (custom.length === 0) return aggregatedBody(fixture);
      const items: AggregatedGroup[] = custom.map((g) => ({
        metadata: { name: g.name },
        versions: g.versions.map((v) => ({
          version: v,
          resources: this.registry.typesOf(g.name, v).map(aggregatedResource),
          freshness: "Current",
        })),
      }));
      return aggregatedBody({ ...fixture, items: [...fixture.items, ...items] });
    }) as DiscoveryBody;
  }

  /** `GET /apis/<group>`; undefined when the group is not served. */
  group(name: string): DiscoveryBody | undefined {
    return this.cached(`group:${name}`, () => {
      const builtin = this.registry.fixtures.apis.groups.find((g) => g.name === name);
      if (builtin) return json({ kind: "APIGroup", apiVersion: "v1", ...builtin });
      if (!this.registry.customGroups().some((g) => g.name === name)) return undefined;
      return json(this.customApiGroup(name));
    });
  }

  /** `GET /api/v1` or `GET /apis/<group>/<version>`; undefined when not served. */
  groupVersion(group: string, version: string): DiscoveryBody | undefined {
    return this.cached(`gv:${group}/${version}`, () => {
      const gv = group ? `${group}/${version}` : version;
      if (this.registry.isBuiltinGroup(group)) {
        const recorded = this.registry.fixtures.resourceLists.get(gv);
        if (recorded) return json(recorded);
        const aggregatedGroup =
          group === ""
            ? this.registry.coreAggregated
            : this.registry.fixtures.aggregated.items.find((g) => g.metadata.name === group);
        const aggregatedVersion = aggregatedGroup?.versions.find((v) => v.version === version);
        if (!aggregatedVersion) return undefined;
        return json({
          kind: "APIResourceList",
          apiVersion: "v1",
          groupVersion: gv,
          resources: legacyResources(aggregatedVersion),
        });
      }
      const types = this.registry.typesOf(group, version);
      if (types.length === 0) return undefined;
      const resources: LegacyResource[] = [];
      for (const t of types) {
        resources.push({
          name: t.resource,
          singularName: t.singular,
          namespaced: t.namespaced,
          kind: t.kind,
          verbs: t.verbs,
          ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
          ...(t.categories.length > 0 ? { categories: t.categories } : {}),
          storageVersionHash: storageVersionHash(t),
        });
        for (const s of t.subresources) {
          resources.push({
            name: `${t.resource}/${s}`,
            singularName: "",
            namespaced: t.namespaced,
            kind: s === "scale" ? "Scale" : t.kind,
            verbs: ["get", "patch", "update"],
            ...(s === "scale" ? { group: "autoscaling", version: "v1" } : {}),
          });
        }
      }
      return json({ kind: "APIResourceList", apiVersion: "v1", groupVersion: gv, resources });
    });
  }

  private customApiGroup(name: string): Record<string, unknown> {
    const group = this.registry.customGroups().find((g) => g.name === name);
    const versions = (group?.versions ?? []).map((v) => ({ groupVersion: `${name}/${v}`, version: v }));
    return { kind: "APIGroup", apiVersion: "v1", name, versions, preferredVersion: versions[0] };
  }
}

function json(value: unknown): DiscoveryBody {
  return { body: JSON.stringify(value), contentType: "application/json" };
}

function aggregatedBody(value: unknown): DiscoveryBody {
  const body = JSON.stringify(value);
  return { body, contentType: aggregatedMediaType, etag: etagOf(body) };
}
