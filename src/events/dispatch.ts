// Handling events: each is classified, then acted on; anything not acted on is logged and dropped
// with a reason (a bad event never throws, so Event Grid never retries it forever). Only a transient
// failure (storage or Resource Manager unreachable) throws, so that Event Grid delivers again; every
// action is idempotent, so a redelivered batch does nothing twice.
import { BACKUP_INSTANCE } from "../orchestrations/backup-instance.js";
import { type OrchestrationClient, startOnce } from "../orchestrations/client.js";
import type { Environment } from "../orchestrations/environment.js";
import { reconcileProtection, sameId } from "./auto-protection.js";
import { type AllowedSubscriptions, classify, type EventAction } from "./classify.js";
import type { ClusterReader } from "./cluster-reader.js";
import { type DroppedEvent, type GridEvent, parseDelivery } from "./parse.js";

/** Retention of a pre-upgrade recovery point. */
export const PRE_UPGRADE_RETENTION = "P30D";

/** Which events a trigger takes: `aksClusterEvents` the AKS ones, `clusterResourceWrites` the ARM ones. */
export type EventFunction = "aksClusterEvents" | "clusterResourceWrites";
export const EVENT_FUNCTIONS: readonly EventFunction[] = ["aksClusterEvents", "clusterResourceWrites"];

const ACCEPTS: Record<EventFunction, EventAction["kind"]> = {
  aksClusterEvents: "preUpgrade",
  clusterResourceWrites: "protection",
};

export interface EventDeps {
  env: Environment;
  client: OrchestrationClient;
  readCluster: ClusterReader;
  allowedSubscriptions?: AllowedSubscriptions;
  log?: (message: string) => void;
}

export interface HandledEvent {
  readonly id: string;
  readonly type: string;
  readonly detail: string;
  /** Pre-upgrade backups started by this event (ids of their orchestrations). */
  readonly started?: string[];
}

export interface DeliveryReport {
  readonly handled: HandledEvent[];
  readonly dropped: DroppedEvent[];
}

/** `backup:<instance>:preupgrade:<yyyy-mm-ddThh>`: one pre-upgrade backup per instance per UTC hour. */
export function preUpgradeInstanceId(instance: string, at: Date): string {
  return `backup:${instance}:preupgrade:${at.toISOString().slice(0, 13)}`;
}

/** Parses and handles a whole delivery (throws MalformedDeliveryError when it is not one). */
export async function handleDelivery(
  fn: EventFunction,
  body: unknown,
  deps: EventDeps,
): Promise<DeliveryReport> {
  const parsed = parseDelivery(body);
  for (const dropped of parsed.dropped) logDropped(deps, fn, dropped);
  const report = await handleEvents(fn, parsed.events, deps);
  return { handled: report.handled, dropped: [...parsed.dropped, ...report.dropped] };
}

export async function handleEvents(
  fn: EventFunction,
  events: readonly GridEvent[],
  deps: EventDeps,
): Promise<DeliveryReport> {
  const handled: HandledEvent[] = [];
  const dropped: DroppedEvent[] = [];
  for (const event of events) {
    const result = await handleEvent(fn, event, deps);
    if ("reason" in result) {
      dropped.push(result);
      logDropped(deps, fn, result);
    } else {
      handled.push(result);
      deps.log?.(`${fn}: event ${result.id} (${result.type}): ${result.detail}`);
    }
  }
  return { handled, dropped };
}

async function handleEvent(
  fn: EventFunction,
  event: GridEvent,
  deps: EventDeps,
): Promise<HandledEvent | DroppedEvent> {
  const action = classify(event, deps.allowedSubscriptions);
  if ("reason" in action) return action;
  const drop = (reason: string): DroppedEvent => ({ id: event.id, type: event.type, reason });
  if (action.kind !== ACCEPTS[fn]) return drop(`event type "${event.type}" is not handled by ${fn}`);
  if (action.kind === "preUpgrade") {
    const started = await startPreUpgradeBackups(deps, action.clusterId);
    if (started.instances.length === 0)
      return drop(`no backup instance protects cluster ${action.clusterId}`);
    const detail =
      started.started.length > 0
        ? `pre-upgrade backup started for ${started.started.join(", ")}`
        : `pre-upgrade backup of ${started.instances.join(", ")} already started this hour`;
    return { id: event.id, type: event.type, detail, started: started.started };
  }
  const result = await reconcileProtection(deps.env, deps.readCluster, action.clusterId, action.deleted);
  if (!result.acted) return drop(result.detail);
  return { id: event.id, type: event.type, detail: result.detail };
}

async function startPreUpgradeBackups(
  deps: EventDeps,
  clusterId: string,
): Promise<{ instances: string[]; started: string[] }> {
  const { env, client } = deps;
  const clusters = new Set(
    (await env.definitions.list("cluster"))
      .filter((c) => sameId(c.value.aksResourceId, clusterId))
      .map((c) => c.value.name),
  );
  const instances = (await env.definitions.list("instance"))
    .filter((i) => clusters.has(i.value.cluster))
    .map((i) => i.value.name)
    .sort();
  const now = env.now();
  const started: string[] = [];
  for (const instance of instances) {
    const id = preUpgradeInstanceId(instance, now);
    const input = { instance, trigger: "PreUpgrade", retention: PRE_UPGRADE_RETENTION };
    if (await startOnce(client, BACKUP_INSTANCE, id, input)) started.push(id);
  }
  return { instances, started };
}

function logDropped(deps: EventDeps, fn: EventFunction, dropped: DroppedEvent): void {
  deps.log?.(
    `${fn}: event ${dropped.id}${dropped.type ? ` (${dropped.type.slice(0, 200)})` : ""} dropped: ${dropped.reason}`,
  );
}
