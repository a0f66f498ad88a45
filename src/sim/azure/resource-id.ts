// ARM resource ids of the Azure fake: building them in Azure's casing and parsing the ones clients
// send back, which ARM treats case-insensitively.

export interface ResourceId {
  subscriptionId: string;
  resourceGroup: string;
  /** e.g. "Microsoft.Compute/disks". */
  type: string;
  name: string;
}

export const diskType = "Microsoft.Compute/disks";
export const snapshotType = "Microsoft.Compute/snapshots";
export const managedClusterType = "Microsoft.ContainerService/managedClusters";

export function formatResourceId(id: ResourceId): string {
  return `/subscriptions/${id.subscriptionId}/resourceGroups/${id.resourceGroup}/providers/${id.type}/${id.name}`;
}

/** Parses `/subscriptions/<s>/resourceGroups/<rg>/providers/<ns>/<type>/<name>`; undefined otherwise. */
export function parseResourceId(id: string): ResourceId | undefined {
  const segments = id.split("/");
  if (segments.length !== 9 || segments[0] !== "") return undefined;
  const [, subs, subscriptionId, groups, resourceGroup, providers, namespace, type, name] = segments;
  if (
    subs?.toLowerCase() !== "subscriptions" ||
    groups?.toLowerCase() !== "resourcegroups" ||
    providers?.toLowerCase() !== "providers" ||
    !subscriptionId ||
    !resourceGroup ||
    !namespace ||
    !type ||
    !name
  ) {
    return undefined;
  }
  return { subscriptionId, resourceGroup, type: `${namespace}/${type}`, name };
}

/** The key under which the fake stores a resource: ARM ids compare case-insensitively. */
export function resourceKey(id: string): string {
  return id.toLowerCase();
}

export function sameType(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
