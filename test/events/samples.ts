// Sample deliveries shaped as Azure documents them: AKS system-topic events (topic/source is the
// cluster, subject its name) and Resource Manager events (subject is the resource id).
import { randomUUID } from "node:crypto";

export const SUBSCRIPTION = "00000000-0000-4000-8000-000000000001";
export const OTHER_SUBSCRIPTION = "99999999-0000-4000-8000-000000000009";

export function clusterId(subscription: string, group: string, name: string): string {
  return `/subscriptions/${subscription}/resourceGroups/${group}/providers/Microsoft.ContainerService/managedClusters/${name}`;
}

export function aksEvent(cluster: string, type = "Microsoft.ContainerService.NewKubernetesVersionAvailable") {
  return {
    topic: cluster,
    subject: cluster.split("/").at(-1),
    eventType: type,
    id: randomUUID(),
    eventTime: "2026-03-01T04:10:00Z",
    dataVersion: "1",
    metadataVersion: "1",
    data: { latestSupportedKubernetesVersion: "1.33.1", latestStableKubernetesVersion: "1.32.6" },
  };
}

export function aksCloudEvent(cluster: string, type = "Microsoft.ContainerService.NodePoolRollingStarted") {
  return {
    specversion: "1.0",
    id: randomUUID(),
    source: cluster,
    subject: cluster.split("/").at(-1),
    type,
    time: "2026-03-01T04:10:00Z",
    data: { nodePoolName: "nodepool1" },
  };
}

export function writeEvent(resource: string, type = "Microsoft.Resources.ResourceWriteSuccess") {
  const subscription = resource.split("/")[2] ?? SUBSCRIPTION;
  return {
    topic: `/subscriptions/${subscription}`,
    subject: resource,
    eventType: type,
    id: randomUUID(),
    eventTime: "2026-03-01T04:10:00Z",
    dataVersion: "2",
    data: {
      resourceUri: resource,
      operationName: "Microsoft.ContainerService/managedClusters/write",
      status: "Succeeded",
      subscriptionId: subscription,
    },
  };
}

export function writeCloudEvent(resource: string) {
  const { topic, subject, eventType, id, eventTime, data } = writeEvent(resource);
  return { specversion: "1.0", id, source: topic, subject, type: eventType, time: eventTime, data };
}
