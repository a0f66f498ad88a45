// Mimics kube-controller-manager's pv-protection controller: volumes carry the
// `kubernetes.io/pv-protection` finalizer, and a deleted volume stays while it is Bound.
import type { StoreEvent } from "../api.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { typeKey } from "./context.js";

const finalizer = "kubernetes.io/pv-protection";

export const pvProtectionController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const pvs = typeKey(types.pvs);
  cache.track(pvs);

  const queue = context.queue("pv-protection", (name) => {
    const cached = cache.get(pvs, undefined, name);
    if (!cached) return;
    const has = cached.metadata?.finalizers?.includes(finalizer) ?? false;
    const deleting = Boolean(cached.metadata?.deletionTimestamp);
    if (has === !deleting) return;
    if (deleting && (cached.status as { phase?: string } | undefined)?.phase === "Bound") return;
    const pv = store.get(types.pvs, undefined, name);
    if (!pv) return;
    const finalizers = (pv.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    pv.metadata = { ...pv.metadata, finalizers: deleting ? finalizers : [...finalizers, finalizer] };
    store.update(types.pvs, pv);
  });

  return {
    name: "pv-protection",
    watches: [pvs],
    observe(event: StoreEvent) {
      if (event.type !== "DELETED") queue.add(event.object.metadata?.name ?? "");
    },
  };
};
