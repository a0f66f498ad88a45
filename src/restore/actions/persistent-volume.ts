// PersistentVolumes: the claim reference follows the namespace mapping and forgets the old
// claim's uid and version, so the volume binds to the restored claim rather than to none.
import type { KubeObject } from "../../kube/types.js";
import { mapNamespace, type RestoreItemAction, record } from "./types.js";

export const persistentVolumeAction: RestoreItemAction = {
  name: "persistent-volume",
  appliesTo: { group: "", resources: ["persistentvolumes"] },
  execute(item, context) {
    const restored = structuredClone(item) as KubeObject;
    const claimRef = record(record(restored.spec)?.claimRef);
    if (!claimRef) return {};
    if (typeof claimRef.namespace === "string")
      claimRef.namespace = mapNamespace(claimRef.namespace, context);
    delete claimRef.uid;
    delete claimRef.resourceVersion;
    return { item: restored };
  },
};
