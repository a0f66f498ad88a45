// Mimics kube-controller-manager's serviceaccount controller: every active namespace has a
// `default` ServiceAccount, recreated if someone deletes it.
import type { KubeObject } from "../types.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { typeKey } from "./context.js";
import { isActiveNamespace } from "./namespace-state.js";
import { createIfAbsent } from "./store-errors.js";

export const serviceAccountController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const namespaces = typeKey(types.namespaces);
  cache.track(namespaces);
  const queue = context.queue("serviceaccount", (namespace) => {
    const ns = cache.get(namespaces, undefined, namespace);
    if (!ns || !isActiveNamespace(ns)) return;
    if (store.get(types.serviceAccounts, namespace, "default")) return;
    const account: KubeObject = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace },
    };
    createIfAbsent(() => store.create(types.serviceAccounts, account));
  });
  return {
    name: "serviceaccount",
    watches: [namespaces, typeKey(types.serviceAccounts)],
    observe(event) {
      const meta = event.object.metadata ?? {};
      if (event.resource.resource === "namespaces") {
        if (event.type !== "DELETED") queue.add(meta.name ?? "");
      } else if (event.type === "DELETED" && meta.name === "default" && meta.namespace) {
        queue.add(meta.namespace);
      }
    },
  };
};
