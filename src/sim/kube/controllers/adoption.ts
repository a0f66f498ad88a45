// Adoption as workload controllers do it: objects without a controller whose labels match a
// selector get the controller reference, e.g. pods restored without ownerReferences.

import type { ObjectStore } from "../api.js";
import type { KubeObject, ResourceInfo } from "../types.js";
import type { ObjectCache } from "./cache.js";
import { typeKey } from "./context.js";
import { controllerReference, controllerUid } from "./owner-references.js";
import { type LabelSelector, selectorMatches } from "./selectors.js";

const orphansIndex = "orphans-by-namespace";

/** Lets `adoptOrphans` find candidates without scanning every object of the type. */
export function indexOrphans(cache: ObjectCache, child: ResourceInfo): void {
  cache.addIndex(typeKey(child), orphansIndex, (o) =>
    controllerUid(o) || o.metadata?.deletionTimestamp ? [] : [o.metadata?.namespace ?? ""],
  );
}

/** Claims matching orphans for `owner`; returns how many it adopted. */
export function adoptOrphans(
  store: ObjectStore,
  cache: ObjectCache,
  child: ResourceInfo,
  owner: KubeObject,
  ownerType: ResourceInfo,
  selector: LabelSelector | undefined,
  accept: (candidate: KubeObject) => boolean = () => true,
): number {
  const namespace = owner.metadata?.namespace ?? "";
  let adopted = 0;
  for (const orphan of cache.byIndex(typeKey(child), orphansIndex, namespace)) {
    if (!selectorMatches(selector, orphan.metadata?.labels) || !accept(orphan)) continue;
    const fresh = store.get(child, namespace, orphan.metadata?.name ?? "");
    if (!fresh || controllerUid(fresh) || fresh.metadata?.deletionTimestamp) continue;
    fresh.metadata = {
      ...fresh.metadata,
      ownerReferences: [
        ...(fresh.metadata?.ownerReferences ?? []),
        controllerReference(owner, ownerType) as unknown as Record<string, unknown>,
      ],
    };
    store.update(child, fresh);
    adopted++;
  }
  return adopted;
}
