// Mimics the apiextensions-apiserver finalizer controller: a deleted CRD stays Terminating while
// its custom resources are deleted (their own finalizers honoured), then loses the cleanup finalizer.
import type { StoreEvent } from "../api.js";
import type { KubeObject, ResourceInfo } from "../types.js";
import { type Condition, isTrue, setCondition } from "./conditions.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { typeKey } from "./context.js";
import { crdSpec, crdStatus } from "./crd-naming.js";
import { deleteIfPresent } from "./store-errors.js";

export const cleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

export const crdFinalizerController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const crds = typeKey(types.crds);
  cache.track(crds);
  /** typeKey of a terminating CRD's resources -> CRD name, to notice its instances going. */
  const terminating = new Map<string, string>();

  function servedType(crd: KubeObject): ResourceInfo | undefined {
    const spec = crdSpec(crd);
    return spec.group && spec.names?.plural ? store.resourceFor(spec.group, spec.names.plural) : undefined;
  }

  /** Deletes the instances not yet deleting; returns how many remain (deleting ones included). */
  function deleteInstances(type: ResourceInfo): number {
    for (const item of store.list(type).items) {
      if (item.metadata?.deletionTimestamp) continue;
      deleteIfPresent(() => store.delete(type, item.metadata?.namespace, item.metadata?.name ?? ""));
    }
    return store.list(type).items.length;
  }

  function withCondition(crd: KubeObject, condition: Condition): KubeObject {
    const status = crdStatus(crd);
    return { ...crd, status: { ...status, conditions: setCondition(status.conditions, condition) } };
  }

  const queue = context.queue("crd-finalizer", (name) => {
    let crd = store.get(types.crds, undefined, name);
    if (!crd?.metadata?.deletionTimestamp || !crd.metadata.finalizers?.includes(cleanupFinalizer)) return;
    const type = isTrue(crdStatus(crd).conditions, "Established") ? servedType(crd) : undefined;
    let final: Condition;
    if (type) {
      terminating.set(typeKey(type), name);
      const inProgress = withCondition(crd, {
        type: "Terminating",
        status: "True",
        lastTransitionTime: context.now(),
        reason: "InstanceDeletionInProgress",
        message: "CustomResource deletion is in progress",
      });
      if (JSON.stringify(inProgress.status) !== JSON.stringify(crd.status)) {
        crd = store.updateStatus(types.crds, inProgress);
      }
      // Instances held by finalizers keep the CRD; their updates and deletions bring us back.
      if (deleteInstances(type) > 0) return;
      terminating.delete(typeKey(type));
      final = {
        type: "Terminating",
        status: "False",
        lastTransitionTime: context.now(),
        reason: "InstanceDeletionCompleted",
        message: "removed all instances",
      };
    } else {
      final = {
        type: "Terminating",
        status: "False",
        lastTransitionTime: context.now(),
        reason: "NeverEstablished",
        message: "resource was never established",
      };
    }
    const done = withCondition(crd, final);
    done.metadata = {
      ...done.metadata,
      finalizers: (crd.metadata?.finalizers ?? []).filter((f) => f !== cleanupFinalizer),
    };
    store.updateStatus(types.crds, done);
  });

  return {
    name: "crd-finalizer",
    watches: "*",
    observe(event: StoreEvent) {
      const key = typeKey(event.resource);
      if (key === crds) {
        if (event.type !== "DELETED" && event.object.metadata?.deletionTimestamp) {
          queue.add(event.object.metadata.name ?? "");
        }
        return;
      }
      const crdName = terminating.get(key);
      if (crdName && event.type !== "ADDED") queue.add(crdName);
    },
  };
};
