// How the scheduler binds a pod: a core v1 Binding, as kube-scheduler POSTs pods/<name>/binding,
// because a pod's spec.nodeName cannot be changed by an ordinary update.
import type { ControllerContext } from "./context.js";
import { isAlreadyExists } from "./store-errors.js";

export type PodBinder = (namespace: string, name: string, nodeName: string) => void;

export function podBinder(context: ControllerContext): PodBinder {
  const { store, types, options } = context;
  let warned = false;
  const unsupported = (namespace: string, name: string) => {
    if (!warned)
      options.log(`scheduler: the store does not serve pods/binding; ${namespace}/${name} stays Pending`);
    warned = true;
  };
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
      // A store that keeps Bindings as plain objects answers a second bind with AlreadyExists.
      if (isAlreadyExists(error)) return unsupported(namespace, name);
      throw error;
    }
    const pod = store.get(types.pods, namespace, name);
    if ((pod?.spec as { nodeName?: string } | undefined)?.nodeName !== nodeName) unsupported(namespace, name);
  };
}
