// How the scheduler binds a pod: a core v1 Binding, as kube-scheduler POSTs pods/<name>/binding,
// because a pod's spec.nodeName cannot be changed by an ordinary update.
import type { ControllerContext } from "./context.js";
import { isConflict, isNotFound } from "./store-errors.js";

export type PodBinder = (namespace: string, name: string, nodeName: string) => void;

export function podBinder(context: ControllerContext): PodBinder {
  const { store, types } = context;
  return (namespace, name, nodeName) => {
    const binding = {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name, namespace },
      target: { apiVersion: "v1", kind: "Node", name: nodeName },
    };
    try {
      store.create(types.bindings, binding);
    } catch (error) {
      // Bound meanwhile (409) or gone (404): the pod's next event tells the scheduler what to do.
      if (isConflict(error) || isNotFound(error)) return;
      throw error;
    }
  };
}
