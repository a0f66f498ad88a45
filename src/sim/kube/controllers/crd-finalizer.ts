// Mimics the apiextensions-apiserver finalizer controller: a deleted CRD holding the cleanup
// finalizer stays Terminating until its custom resources are gone, then the finalizer is removed.
import type { StoreEvent } from "../api.js";
import type { ResourceInfo } from "../types.js";
import { setCondition } from "./conditions.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { typeKey } from "./context.js";
import { crdSpec, crdStatus } from "./crd-naming.js";
import { deleteIfPresent, isNotFound } from "./store-errors.js";

export const cleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

export const crdFinalizerController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const crds = typeKey(types.crds);
  cache.track(crds);
  /** CRD name -> the type it served, remembered because a terminating CRD may stop resolving. */
  const servedBy = new Map<string, ResourceInfo>();
  /** typeKey of a terminating CRD's resources -> CRD name, to notice its instances going. */
  const terminating = new Map<string, string>();

  function remember(crdName: string): ResourceInfo | undefined {
    const crd = cache.get(crds, undefined, crdName);
    const spec = crd ? crdSpec(crd) : undefined;
    const type =
      spec?.group && spec.names?.plural ? store.resourceFor(spec.group, spec.names.plural) : undefined;
    if (type) servedBy.set(crdName, type);
    return servedBy.get(crdName);
  }

  /** Deletes the instances still there; returns how many remain. Undefined: the type is not listable. */
  function deleteInstances(type: ResourceInfo): number | undefined {
    let items: ReturnType<typeof store.list>["items"];
    try {
      items = store.list(type).items;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
    for (const item of items) {
      if (item.metadata?.deletionTimestamp) continue;
      deleteIfPresent(() => store.delete(type, item.metadata?.namespace, item.metadata?.name ?? ""));
    }
    return store.list(type).items.length;
  }

  const queue = context.queue("crd-finalizer", (name) => {
    const crd = store.get(types.crds, undefined, name);
    if (!crd?.metadata?.deletionTimestamp || !crd.metadata.finalizers?.includes(cleanupFinalizer)) return;
    const type = remember(name);
    if (type) terminating.set(typeKey(type), name);
    const remaining = type ? deleteInstances(type) : undefined;
    const status = crdStatus(crd);
    const done = !remaining;
    const conditions = setCondition(status.conditions, {
      type: "Terminating",
      status: "True",
      lastTransitionTime: context.now(),
      reason: done ? "InstanceDeletionCompleted" : "InstanceDeletionInProgress",
      message: done ? "removed all instances" : "CustomResource deletion is in progress",
    });
    if (JSON.stringify(conditions) !== JSON.stringify(status.conditions ?? [])) {
      crd.status = { ...status, conditions };
      store.updateStatus(types.crds, crd);
      queue.add(name);
      return;
    }
    if (!done) return;
    // With the type no longer listable the store removes the instances together with the CRD.
    if (type) terminating.delete(typeKey(type));
    crd.metadata.finalizers = crd.metadata.finalizers.filter((f) => f !== cleanupFinalizer);
    store.update(types.crds, crd);
  });

  return {
    name: "crd-finalizer",
    watches: "*",
    observe(event: StoreEvent) {
      const key = typeKey(event.resource);
      if (key === crds) {
        const name = event.object.metadata?.name ?? "";
        if (event.type === "DELETED") {
          servedBy.delete(name);
          return;
        }
        if (!event.object.metadata?.deletionTimestamp) remember(name);
        else queue.add(name);
        return;
      }
      const crdName = terminating.get(key);
      if (crdName && event.type !== "ADDED") queue.add(crdName);
    },
  };
};
