// Types a restore never creates even when an archive holds them (a Velero archive or an older
// backup may): each belongs to the source cluster's machines or history.
import type { RestoreItemAction } from "./types.js";

const NEVER_RESTORED = [
  { group: "", resource: "nodes", reason: "machines of the source cluster, registered by their kubelets" },
  { group: "", resource: "events", reason: "a record of the past; the cluster writes its own" },
  { group: "events.k8s.io", resource: "events", reason: "a record of the past; the cluster writes its own" },
  { group: "storage.k8s.io", resource: "csinodes", reason: "written by each node's CSI drivers" },
  { group: "storage.k8s.io", resource: "volumeattachments", reason: "attachments of disks to source nodes" },
] as const;

export const neverRestoreActions: RestoreItemAction[] = NEVER_RESTORED.map(({ group, resource, reason }) => ({
  name: `never-restore-${resource}${group ? `.${group}` : ""}`,
  appliesTo: { group, resources: [resource] },
  execute: () => ({ skip: `${resource} are never restored: ${reason}` }),
}));

/** Each namespace's copy of the cluster's root CA, which the target cluster publishes itself. */
export const rootCaConfigMapAction: RestoreItemAction = {
  name: "never-restore-root-ca",
  appliesTo: { group: "", resources: ["configmaps"] },
  execute: (item) =>
    item.metadata?.name === "kube-root-ca.crt"
      ? {
          skip: "kube-root-ca.crt is published by the target cluster; the source cluster's CA must not replace it",
        }
      : {},
};
