// PersistentVolumeClaims: the annotations that record binding and provisioning in the source
// cluster are dropped, so the target's controllers bind and provision the claim afresh.
import type { KubeObject } from "../../kube/types.js";
import type { RestoreItemAction } from "./types.js";

const BIND_ANNOTATIONS = [
  "pv.kubernetes.io/bind-completed",
  "pv.kubernetes.io/bound-by-controller",
  "volume.beta.kubernetes.io/storage-provisioner",
  "volume.kubernetes.io/storage-provisioner",
  "volume.kubernetes.io/selected-node",
];

export const persistentVolumeClaimAction: RestoreItemAction = {
  name: "persistent-volume-claim",
  appliesTo: { group: "", resources: ["persistentvolumeclaims"] },
  execute(item) {
    const annotations = item.metadata.annotations;
    if (!annotations || !BIND_ANNOTATIONS.some((key) => key in annotations)) return {};
    const restored = structuredClone(item) as KubeObject;
    for (const key of BIND_ANNOTATIONS) delete restored.metadata.annotations?.[key];
    return { item: restored };
  },
};
