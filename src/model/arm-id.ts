// Azure Resource Manager ids the config names: a subscription GUID, a resource group and an AKS
// managed cluster. ARM compares ids ignoring case, so the shapes are checked ignoring case too.
import { z } from "zod";

export interface ResourceGroupId {
  subscriptionId: string;
  resourceGroup: string;
}

export interface ManagedClusterId extends ResourceGroupId {
  name: string;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
// Resource group names: 1-90 letters, digits, '_', '-', '.', '(' and ')', not ending in '.'.
const RESOURCE_GROUP = /^[-\w.()]{0,89}[-\w()]$/;
// AKS cluster names: 1-63 letters, digits, '_' and '-', starting and ending with a letter or digit.
const CLUSTER_NAME = /^[a-z0-9]([-\w]{0,61}[a-z0-9])?$/i;
const RESOURCE_GROUP_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)$/i;
const MANAGED_CLUSTER_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)$/i;
const CLUSTER_SHAPE =
  "/subscriptions/<subscription-guid>/resourceGroups/<resource-group>/providers/Microsoft.ContainerService/managedClusters/<name>";
const GROUP_SHAPE = "/subscriptions/<subscription-guid>/resourceGroups/<resource-group>";

export class ArmIdError extends Error {
  readonly code = "InvalidArmId";
  override name = "ArmIdError";
}

export function isGuid(text: string): boolean {
  return GUID.test(text);
}

function checkParts(id: string, subscriptionId: string, resourceGroup: string): void {
  if (!GUID.test(subscriptionId)) {
    throw new ArmIdError(`"${id}": subscription "${subscriptionId}" is not a GUID`);
  }
  if (!RESOURCE_GROUP.test(resourceGroup)) {
    throw new ArmIdError(
      `"${id}": "${resourceGroup}" is not a resource group name (1-90 letters, digits, '_', '-', '.', '(' or ')', not ending in '.')`,
    );
  }
}

export function parseResourceGroupId(id: string): ResourceGroupId {
  const match = RESOURCE_GROUP_ID.exec(id);
  if (!match) throw new ArmIdError(`"${id}" is not a resource group id: expected ${GROUP_SHAPE}`);
  const [, subscriptionId = "", resourceGroup = ""] = match;
  checkParts(id, subscriptionId, resourceGroup);
  return { subscriptionId, resourceGroup };
}

export function parseManagedClusterId(id: string): ManagedClusterId {
  const match = MANAGED_CLUSTER_ID.exec(id);
  if (!match) throw new ArmIdError(`"${id}" is not an AKS cluster id: expected ${CLUSTER_SHAPE}`);
  const [, subscriptionId = "", resourceGroup = "", name = ""] = match;
  checkParts(id, subscriptionId, resourceGroup);
  if (!CLUSTER_NAME.test(name)) {
    throw new ArmIdError(
      `"${id}": "${name}" is not an AKS cluster name (1-63 letters, digits, '_' and '-', starting and ending with a letter or digit)`,
    );
  }
  return { subscriptionId, resourceGroup, name };
}

function armIdSchema(parse: (id: string) => unknown) {
  return z.string().superRefine((id, ctx) => {
    try {
      parse(id);
    } catch (error) {
      if (!(error instanceof ArmIdError)) throw error;
      ctx.addIssue({ code: "custom", message: error.message });
    }
  });
}

export const managedClusterIdSchema = armIdSchema(parseManagedClusterId);
export const resourceGroupIdSchema = armIdSchema(parseResourceGroupId);
export const guidSchema = z
  .string()
  .refine(isGuid, { message: "must be a GUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)" });
