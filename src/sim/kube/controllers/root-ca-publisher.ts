// Mimics kube-controller-manager's root-ca-cert-publisher: every active namespace has a
// `kube-root-ca.crt` ConfigMap holding the cluster CA, restored if deleted or edited.
import type { KubeObject } from "../types.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { typeKey } from "./context.js";
import { isActiveNamespace } from "./namespace-state.js";
import { createIfAbsent } from "./store-errors.js";

const name = "kube-root-ca.crt";
const description =
  "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.";

export const rootCaPublisher: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache, options } = context;
  const namespaces = typeKey(types.namespaces);
  cache.track(namespaces);
  const queue = context.queue("root-ca-cert-publisher", (namespace) => {
    const ns = cache.get(namespaces, undefined, namespace);
    if (!ns || !isActiveNamespace(ns)) return;
    const existing = store.get(types.configMaps, namespace, name);
    if (!existing) {
      const configMap: KubeObject = {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace, annotations: { "kubernetes.io/description": description } },
        data: { "ca.crt": options.caCert },
      };
      createIfAbsent(() => store.create(types.configMaps, configMap));
      return;
    }
    const data = existing.data as Record<string, string> | undefined;
    const annotations = existing.metadata?.annotations ?? {};
    if (data?.["ca.crt"] === options.caCert && annotations["kubernetes.io/description"] === description)
      return;
    existing.data = { "ca.crt": options.caCert };
    existing.metadata = {
      ...existing.metadata,
      annotations: { ...annotations, "kubernetes.io/description": description },
    };
    store.update(types.configMaps, existing);
  });
  return {
    name: "root-ca-cert-publisher",
    watches: [namespaces, typeKey(types.configMaps)],
    observe(event) {
      const meta = event.object.metadata ?? {};
      if (event.resource.resource === "namespaces") {
        if (event.type === "ADDED") queue.add(meta.name ?? "");
      } else if (meta.name === name && meta.namespace) {
        queue.add(meta.namespace);
      }
    },
  };
};
