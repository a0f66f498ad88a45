// Reading a managed cluster's tags from Resource Manager: a ResourceWriteSuccess event carries the
// cluster's id and the operation, never its tags.
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { DefaultAzureCredential } from "@azure/identity";
import { armClientOptions } from "../azure/arm-endpoint.js";
import type { ArmAccess } from "../kube/connect.js";
import { parseManagedClusterId } from "../model/arm-id.js";
import type { AzureSettings } from "../orchestrations/environment.js";

export interface ManagedClusterView {
  readonly tags: Readonly<Record<string, string>>;
}

/** The cluster's tags, or undefined when Resource Manager says it does not exist (404). */
export type ClusterReader = (aksResourceId: string) => Promise<ManagedClusterView | undefined>;

export function armClusterReader(access: ArmAccess): ClusterReader {
  const clients = new Map<string, ContainerServiceClient>();
  return async (aksResourceId) => {
    const id = parseManagedClusterId(aksResourceId);
    const key = id.subscriptionId.toLowerCase();
    let client = clients.get(key);
    if (!client) {
      client = new ContainerServiceClient(access.credential, id.subscriptionId, access.clientOptions ?? {});
      clients.set(key, client);
    }
    try {
      const cluster = await client.managedClusters.get(id.resourceGroup, id.name);
      return { tags: cluster.tags ?? {} };
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 404) return undefined;
      throw error;
    }
  };
}

/** ARM access from the same settings the environment uses (a token file and endpoint, or Azure's). */
export function armAccessOf(settings: AzureSettings = {}): ArmAccess {
  const credential = settings.credential ?? new DefaultAzureCredential();
  return settings.endpoint
    ? { credential, clientOptions: armClientOptions(settings.endpoint) }
    : { credential };
}
