// Resource types a backup leaves out because a restore must never recreate them: each entry says
// why. The list is data, so users see it in one place and can replace it in the config.

export interface DeniedType {
  group: string;
  resource: string;
  reason: string;
}

export const DEFAULT_DENY_LIST: readonly DeniedType[] = [
  { group: "", resource: "events", reason: "a record of the past; the cluster writes its own" },
  { group: "events.k8s.io", resource: "events", reason: "the same events in the newer API group" },
  { group: "", resource: "endpoints", reason: "written by the Service controller from its pods" },
  { group: "discovery.k8s.io", resource: "endpointslices", reason: "written by the Service controller" },
  {
    group: "coordination.k8s.io",
    resource: "leases",
    reason: "leader election and heartbeats of live processes",
  },
  { group: "", resource: "nodes", reason: "machines of the source cluster, registered by their kubelets" },
  { group: "metrics.k8s.io", resource: "pods", reason: "live metrics, not stored objects" },
  { group: "metrics.k8s.io", resource: "nodes", reason: "live metrics, not stored objects" },
  { group: "", resource: "componentstatuses", reason: "computed by the API server on request" },
  { group: "storage.k8s.io", resource: "csinodes", reason: "written by each node's CSI drivers" },
  { group: "storage.k8s.io", resource: "volumeattachments", reason: "attachments of disks to source nodes" },
  {
    group: "apiregistration.k8s.io",
    resource: "apiservices",
    reason: "registered by the API server and add-ons",
  },
  {
    group: "certificates.k8s.io",
    resource: "certificatesigningrequests",
    reason: "one-time requests of the source cluster",
  },
  { group: "flowcontrol.apiserver.k8s.io", resource: "flowschemas", reason: "maintained by the API server" },
  {
    group: "flowcontrol.apiserver.k8s.io",
    resource: "prioritylevelconfigurations",
    reason: "maintained by the API server",
  },
];

/** True when a type is on the list; `list` lets the config replace the default. */
export function isDenied(
  type: { group: string; resource: string },
  list: readonly DeniedType[] = DEFAULT_DENY_LIST,
): DeniedType | undefined {
  return list.find((entry) => entry.group === type.group && entry.resource === type.resource);
}
