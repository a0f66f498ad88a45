// Mimics kube-controller-manager's pvc-protection controller: claims carry the
// `kubernetes.io/pvc-protection` finalizer, and a deleted claim stays until no pod uses it.
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, splitKey, typeKey } from "./context.js";
import { claimNames, isTerminal } from "./pod-template.js";

const finalizer = "kubernetes.io/pvc-protection";

export const pvcProtectionController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const pvcs = typeKey(types.pvcs);
  const pods = typeKey(types.pods);
  cache.track(pvcs);
  cache.addIndex(pods, "claim", (p) => claimNames(p).map((c) => objectKey(p.metadata?.namespace, c)));

  const inUse = (key: string) => cache.byIndex(pods, "claim", key).some((p: KubeObject) => !isTerminal(p));

  const queue = context.queue("pvc-protection", (key) => {
    const { namespace, name } = splitKey(key);
    const cached = cache.get(pvcs, namespace, name);
    if (!cached) return;
    const has = cached.metadata?.finalizers?.includes(finalizer) ?? false;
    const deleting = Boolean(cached.metadata?.deletionTimestamp);
    if (has === !deleting) return;
    if (deleting && inUse(key)) return;
    const pvc = store.get(types.pvcs, namespace, name);
    if (!pvc) return;
    const finalizers = (pvc.metadata?.finalizers ?? []).filter((f) => f !== finalizer);
    pvc.metadata = { ...pvc.metadata, finalizers: deleting ? finalizers : [...finalizers, finalizer] };
    store.update(types.pvcs, pvc);
  });

  return {
    name: "pvc-protection",
    watches: [pvcs, pods],
    observe(event: StoreEvent) {
      const meta = event.object.metadata ?? {};
      if (event.resource.resource === "persistentvolumeclaims") {
        if (event.type !== "DELETED") queue.add(objectKey(meta.namespace, meta.name ?? ""));
        return;
      }
      // A pod that finished or went may have been the last user of a claim being deleted.
      if (event.type === "DELETED" || isTerminal(event.object)) {
        for (const claim of claimNames(event.object)) {
          const key = objectKey(meta.namespace, claim);
          if (cache.get(pvcs, meta.namespace, claim)?.metadata?.deletionTimestamp) queue.add(key);
        }
      }
    },
  };
};
