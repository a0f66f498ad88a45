// Every item loses the fields the source API server set (identity, versioning, bookkeeping and
// status); the target server sets its own and rejects some of them on create.
import type { KubeObject } from "../../kube/types.js";
import type { RestoreItemAction } from "./types.js";

export const SERVER_METADATA_FIELDS = [
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "selfLink",
  "managedFields",
] as const;

export const serverFieldsAction: RestoreItemAction = {
  name: "server-fields",
  appliesTo: { group: "*", resources: ["*"] },
  execute(item) {
    const restored = structuredClone(item) as KubeObject;
    for (const field of SERVER_METADATA_FIELDS) delete restored.metadata[field];
    delete restored.status;
    return { item: restored };
  },
};
