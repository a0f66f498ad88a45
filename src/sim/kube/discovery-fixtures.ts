// Loads the recorded kube-apiserver discovery documents shipped in src/sim/data/k8s-discovery,
// wherever the code runs from (src/ under vitest, dist/src/ after the build).
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export interface LegacyResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  group?: string;
  version?: string;
  shortNames?: string[];
  categories?: string[];
  storageVersionHash?: string;
}

export interface ResourceList {
  kind: "APIResourceList";
  apiVersion?: string;
  groupVersion: string;
  resources: LegacyResource[];
}

export interface GroupVersionRef {
  groupVersion: string;
  version: string;
}

export interface ApiGroup {
  name: string;
  versions: GroupVersionRef[];
  preferredVersion: GroupVersionRef;
}

export interface AggregatedSubresource {
  subresource: string;
  responseKind?: { group: string; version: string; kind: string };
  verbs: string[];
}

export interface AggregatedResource {
  resource: string;
  responseKind: { group: string; version: string; kind: string };
  scope: "Namespaced" | "Cluster";
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
  subresources?: AggregatedSubresource[];
}

export interface AggregatedVersion {
  version: string;
  resources: AggregatedResource[];
  freshness?: string;
}

export interface AggregatedGroup {
  metadata: { name?: string };
  versions: AggregatedVersion[];
}

export interface DiscoveryFixtures {
  /** `GET /api` as recorded. */
  api: Record<string, unknown>;
  /** `GET /apis` (legacy) as recorded. */
  apis: { groups: ApiGroup[] };
  /** `GET /apis` aggregated (apidiscovery.k8s.io/v2) as recorded. */
  aggregated: { items: AggregatedGroup[] };
  /** Recorded `APIResourceList`s by group-version ("v1", "apps/v1"). */
  resourceLists: Map<string, ResourceList>;
}

/** The project root: the nearest directory above this module that holds package.json. */
export function findPackageRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    if (existsSync(join(dir, "package.json"))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${from}`);
    dir = parent;
  }
}

export function discoveryDataDir(): string {
  return join(findPackageRoot(), "src", "sim", "data", "k8s-discovery");
}

let cached: DiscoveryFixtures | undefined;

export function loadDiscoveryFixtures(dir: string = discoveryDataDir()): DiscoveryFixtures {
  if (cached && dir === discoveryDataDir()) return cached;
  const read = (file: string): unknown => JSON.parse(readFileSync(join(dir, file), "utf8"));
  const resourceLists = new Map<string, ResourceList>();
  for (const file of readdirSync(dir)) {
    const parts = file.replace(/\.json$/, "").split("__");
    if (!file.endsWith(".json")) continue;
    if (parts.length === 2 && parts[0] === "api")
      resourceLists.set(parts[1] ?? "", read(file) as ResourceList);
    if (parts.length === 3 && parts[0] === "apis") {
      resourceLists.set(`${parts[1]}/${parts[2]}`, read(file) as ResourceList);
    }
  }
  const fixtures: DiscoveryFixtures = {
    api: read("api.json") as Record<string, unknown>,
    apis: read("apis.json") as { groups: ApiGroup[] },
    aggregated: read("aggregated_v2.json") as { items: AggregatedGroup[] },
    resourceLists,
  };
  if (dir === discoveryDataDir()) cached = fixtures;
  return fixtures;
}
