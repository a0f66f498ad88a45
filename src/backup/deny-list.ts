// Resource types a backup leaves out because a restore must never recreate them: each entry says
// why. The list is data, so users see it in one place and can replace it in the config
// (`backup.deniedResourceTypes`).
import { matchesResourceType, parseResourceType, type ResourceTypeRef } from "../model/resource-type.js";

export interface DeniedType {
  type: ResourceTypeRef;
  reason: string;
}

const deny = (group: string, resource: string, reason: string): DeniedType => ({
  type: { group, resource },
  reason,
});

export const DEFAULT_DENY_LIST: readonly DeniedType[] = [
  deny("", "events", "a record of the past; the cluster writes its own"),
  deny("events.k8s.io", "events", "the same events in the newer API group"),
  deny("", "endpoints", "written by the Service controller from its pods"),
  deny("discovery.k8s.io", "endpointslices", "written by the Service controller"),
  deny("coordination.k8s.io", "leases", "leader election and heartbeats of live processes"),
  deny("", "nodes", "machines of the source cluster, registered by their kubelets"),
  deny("metrics.k8s.io", "pods", "live metrics, not stored objects"),
  deny("metrics.k8s.io", "nodes", "live metrics, not stored objects"),
  deny("", "componentstatuses", "computed by the API server on request"),
  deny("storage.k8s.io", "csinodes", "written by each node's CSI drivers"),
  deny("storage.k8s.io", "volumeattachments", "attachments of disks to source nodes"),
  deny("apiregistration.k8s.io", "apiservices", "registered by the API server and add-ons"),
  deny("certificates.k8s.io", "certificatesigningrequests", "one-time requests of the source cluster"),
  deny("flowcontrol.apiserver.k8s.io", "flowschemas", "maintained by the API server"),
  deny("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations", "maintained by the API server"),
];

/** The list a config's `backup.deniedResourceTypes` stands for (it replaces the default). */
export function configuredDenyList(
  deniedResourceTypes: readonly string[] | undefined,
): readonly DeniedType[] {
  if (deniedResourceTypes === undefined) return DEFAULT_DENY_LIST;
  return deniedResourceTypes.map((text) => ({
    type: parseResourceType(text),
    reason: "listed in backup.deniedResourceTypes",
  }));
}

/** The entry that denies a type, if any. */
export function isDenied(
  type: { group: string; version: string; resource: string; kind: string },
  list: readonly DeniedType[] = DEFAULT_DENY_LIST,
): DeniedType | undefined {
  return list.find((entry) => matchesResourceType(entry.type, type));
}
