// Every listable resource type the store serves: what the namespace deleter empties and what the
// controllers list at start, as real controllers learn it from discovery.
import type { ObjectStore } from "../api.js";
import { loadDiscoveryFixtures } from "../discovery-fixtures.js";
import type { ResourceInfo } from "../types.js";
import type { ObjectCache } from "./cache.js";
import { typeKey } from "./context.js";

interface Enumerable {
  /** Optional store extension: every served type in its preferred version. */
  resources?: () => ResourceInfo[];
}

let builtinNames: Array<[string, string]> | undefined;

/** group/resource pairs of the recorded discovery documents that can be listed. */
function builtinCandidates(): Array<[string, string]> {
  if (builtinNames) return builtinNames;
  const seen = new Map<string, [string, string]>();
  for (const [groupVersion, list] of loadDiscoveryFixtures().resourceLists) {
    const group = groupVersion.includes("/") ? (groupVersion.split("/")[0] ?? "") : "";
    for (const r of list.resources) {
      if (r.name.includes("/") || !r.verbs.includes("list")) continue;
      seen.set(`${group}/${r.name}`, [group, r.name]);
    }
  }
  builtinNames = [...seen.values()];
  return builtinNames;
}

export class ServedTypes {
  private builtins: ResourceInfo[] | undefined;

  constructor(
    private readonly store: ObjectStore,
    private readonly cache: ObjectCache,
    private readonly crdType: string,
  ) {}

  all(): ResourceInfo[] {
    const enumerable = this.store as ObjectStore & Enumerable;
    if (typeof enumerable.resources === "function") {
      return enumerable.resources().filter((t) => t.verbs.includes("list"));
    }
    this.builtins ??= builtinCandidates()
      .map(([group, resource]) => this.store.resourceFor(group, resource))
      .filter((t): t is ResourceInfo => t !== undefined);
    const out = new Map(this.builtins.map((t) => [typeKey(t), t]));
    for (const crd of this.cache.list(this.crdType)) {
      const spec = crd.spec as { group?: string; names?: { plural?: string } } | undefined;
      if (!spec?.group || !spec.names?.plural) continue;
      const type = this.store.resourceFor(spec.group, spec.names.plural);
      if (type) out.set(typeKey(type), type);
    }
    return [...out.values()];
  }

  namespaced(): ResourceInfo[] {
    return this.all().filter((t) => t.namespaced);
  }
}
