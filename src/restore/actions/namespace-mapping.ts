// Every namespaced item moves to the namespace its source namespace maps to; a Namespace object
// itself is renamed, so the mapped namespace is created with the original's labels and annotations
// (its `kubernetes.io/metadata.name` label follows the new name, as the API server would set it).
import type { KubeObject } from "../../kube/types.js";
import { mapNamespace, type RestoreItemAction } from "./types.js";

const NAME_LABEL = "kubernetes.io/metadata.name";

export const namespaceMappingAction: RestoreItemAction = {
  name: "namespace-mapping",
  appliesTo: { group: "*", resources: ["*"] },
  execute(item, context) {
    const { namespace, name } = item.metadata;
    const isNamespace = item.apiVersion === "v1" && item.kind === "Namespace";
    if (namespace === undefined && !isNamespace) return {};
    const restored = structuredClone(item) as KubeObject;
    if (namespace !== undefined) restored.metadata.namespace = mapNamespace(namespace, context);
    if (isNamespace && name !== undefined) {
      restored.metadata.name = mapNamespace(name, context);
      const labels = restored.metadata.labels;
      if (labels?.[NAME_LABEL] !== undefined) labels[NAME_LABEL] = restored.metadata.name;
    }
    return { item: restored };
  },
};
