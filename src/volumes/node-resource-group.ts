// Where AKS keeps a cluster's disks: its node resource group, read from the managed cluster in
// Resource Manager. The default home of the cluster's volume snapshots.
import {
  ContainerServiceClient,
  type ContainerServiceClientOptionalParams,
} from "@azure/arm-containerservice";
import type { TokenCredential } from "@azure/identity";
import { parseManagedClusterId } from "../model/arm-id.js";

/** The ARM id of the node resource group of an AKS cluster. */
export async function nodeResourceGroupOf(
  aksResourceId: string,
  access: { credential: TokenCredential; clientOptions?: ContainerServiceClientOptionalParams },
  options: { abortSignal?: AbortSignal } = {},
): Promise<string> {
  const id = parseManagedClusterId(aksResourceId);
  const client = new ContainerServiceClient(access.credential, id.subscriptionId, access.clientOptions ?? {});
  const cluster = await client.managedClusters.get(id.resourceGroup, id.name, options);
  if (!cluster.nodeResourceGroup) throw new Error("the managed cluster reports no nodeResourceGroup");
  return `/subscriptions/${id.subscriptionId}/resourceGroups/${cluster.nodeResourceGroup}`;
}
