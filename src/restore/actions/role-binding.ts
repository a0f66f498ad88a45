// RoleBindings and ClusterRoleBindings: subjects in a mapped namespace (service accounts) follow
// the mapping, so the restored workloads keep their permissions under their new namespace.
import type { KubeObject } from "../../kube/types.js";
import { list, mapNamespace, type RestoreItemAction } from "./types.js";

export const roleBindingAction: RestoreItemAction = {
  name: "role-binding",
  appliesTo: { group: "rbac.authorization.k8s.io", resources: ["rolebindings", "clusterrolebindings"] },
  execute(item, context) {
    const restored = structuredClone(item) as KubeObject;
    for (const subject of list(restored.subjects)) {
      if (typeof subject.namespace === "string") subject.namespace = mapNamespace(subject.namespace, context);
    }
    return { item: restored };
  },
};
