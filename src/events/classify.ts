// What an event asks for: a pre-upgrade backup of a cluster (AKS's own events), a look at a
// cluster's tags (a Resource Manager write or delete of a managed cluster), or nothing (dropped with
// the reason). The cluster is named by its ARM id, checked as an AKS managed cluster id in an allowed
// subscription.
import { ArmIdError, isGuid, type ManagedClusterId, parseManagedClusterId } from "../model/arm-id.js";
import type { DroppedEvent, GridEvent } from "./parse.js";
import { VALIDATION_EVENT } from "./parse.js";

/** AKS system-topic events that announce an upgrade (Azure's documented type names). */
export const PRE_UPGRADE_TYPES: readonly string[] = [
  "Microsoft.ContainerService.NewKubernetesVersionAvailable",
  "Microsoft.ContainerService.ClusterSupportEnding",
  "Microsoft.ContainerService.NodePoolRollingStarted",
];
export const RESOURCE_WRITE = "Microsoft.Resources.ResourceWriteSuccess";
export const RESOURCE_DELETE = "Microsoft.Resources.ResourceDeleteSuccess";

// A tag change through `az tag update` / the tags API arrives as a write of this child resource.
const TAGS_SUFFIX = /\/providers\/Microsoft\.Resources\/tags\/default$/i;

export type EventAction =
  | { kind: "preUpgrade"; event: GridEvent; clusterId: string }
  | { kind: "protection"; event: GridEvent; clusterId: string; deleted: boolean };

/** Subscriptions events are accepted from; absent or empty: any. */
export type AllowedSubscriptions = readonly string[] | undefined;

/** `AKS_BACKUP_ALLOWED_SUBSCRIPTIONS` (a comma list of GUIDs), else the config's `azure.subscriptionId`. */
export function allowedSubscriptionsOf(
  setting: string | undefined,
  configured?: string,
): AllowedSubscriptions {
  const listed = (setting ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  for (const id of listed) {
    if (!isGuid(id))
      throw new Error(`AKS_BACKUP_ALLOWED_SUBSCRIPTIONS: "${id.slice(0, 60)}" is not a subscription GUID`);
  }
  if (listed.length > 0) return listed;
  return configured ? [configured] : undefined;
}

export function classify(event: GridEvent, allowed: AllowedSubscriptions): EventAction | DroppedEvent {
  const drop = (reason: string): DroppedEvent => ({ id: event.id, type: event.type, reason });
  if (event.type === VALIDATION_EVENT) {
    return drop("a subscription validation event is only answered at the webhook endpoint");
  }
  const preUpgrade = PRE_UPGRADE_TYPES.includes(event.type);
  const protection = event.type === RESOURCE_WRITE || event.type === RESOURCE_DELETE;
  if (!preUpgrade && !protection) return drop(`event type "${event.type.slice(0, 200)}" is not handled`);
  // AKS events name the cluster in topic/source (subject is its bare name); Resource Manager events
  // in subject and data.resourceUri.
  const candidates = preUpgrade ? [event.source, event.subject] : [event.subject, resourceUriOf(event.data)];
  let found: ManagedClusterId | undefined;
  let clusterId = "";
  let problem = "";
  for (const candidate of candidates) {
    if (!candidate) continue;
    const id = candidate.replace(TAGS_SUFFIX, "");
    try {
      found = parseManagedClusterId(id);
      clusterId = id;
      break;
    } catch (error) {
      if (!(error instanceof ArmIdError)) throw error;
      problem ||= error.message.slice(0, 300);
    }
  }
  if (!found) {
    return drop(`the event does not name an AKS managed cluster${problem ? `: ${problem}` : ""}`);
  }
  if (allowed && allowed.length > 0) {
    const subscription = found.subscriptionId.toLowerCase();
    if (!allowed.some((s) => s.toLowerCase() === subscription)) {
      return drop(`subscription ${found.subscriptionId} is not one of the allowed subscriptions`);
    }
  }
  if (preUpgrade) return { kind: "preUpgrade", event, clusterId };
  // Deleting the tags child resource removes every tag; the cluster itself is still there.
  const deleted = event.type === RESOURCE_DELETE && !TAGS_SUFFIX.test(event.subject);
  return { kind: "protection", event, clusterId, deleted };
}

function resourceUriOf(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const uri = (data as { resourceUri?: unknown }).resourceUri;
  return typeof uri === "string" && uri.length <= 1024 ? uri : undefined;
}
