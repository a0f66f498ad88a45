// Deliveries in both schemas, single and batched, reduced to events; anything malformed or out of
// scope is dropped with a reason that names the problem.
import { describe, expect, it } from "vitest";
import {
  allowedSubscriptionsOf,
  classify,
  type GridEvent,
  MalformedDeliveryError,
  parseDelivery,
} from "../../src/events/index.js";
import {
  aksCloudEvent,
  aksEvent,
  clusterId,
  OTHER_SUBSCRIPTION,
  SUBSCRIPTION,
  writeCloudEvent,
  writeEvent,
} from "./samples.js";

const CLUSTER = clusterId(SUBSCRIPTION, "prod", "shop-aks");

function only(body: unknown): GridEvent {
  const { events, dropped } = parseDelivery(body);
  expect(dropped).toEqual([]);
  expect(events).toHaveLength(1);
  return events[0] as GridEvent;
}

describe("parseDelivery", () => {
  it("reads an Event Grid schema array and a single CloudEvent alike", () => {
    const grid = only([aksEvent(CLUSTER)]);
    expect(grid).toMatchObject({
      schema: "EventGrid",
      type: "Microsoft.ContainerService.NewKubernetesVersionAvailable",
      source: CLUSTER,
      subject: "shop-aks",
    });
    const cloud = only(aksCloudEvent(CLUSTER));
    expect(cloud).toMatchObject({
      schema: "CloudEvents",
      type: "Microsoft.ContainerService.NodePoolRollingStarted",
      source: CLUSTER,
    });
  });

  it("splits a batch, keeping the good events and dropping each bad one with its reason", () => {
    const good = aksEvent(CLUSTER);
    const { events, dropped } = parseDelivery([
      good,
      aksCloudEvent(CLUSTER),
      "not an event",
      { eventType: "X.Y", id: "no-subject" },
      { specversion: "0.3", id: "old", type: "X.Y", source: "/x" },
      { specversion: "1.0", id: "nosource", type: "X.Y" },
      { hello: "world" },
    ]);
    expect(events.map((e) => e.id)).toEqual([good.id, expect.any(String)]);
    expect(dropped).toEqual([
      { id: "#2", reason: "the event is not a JSON object" },
      { id: "no-subject", type: "X.Y", reason: "subject is missing or not a string" },
      { id: "old", type: "X.Y", reason: 'specversion "0.3" is not "1.0"' },
      { id: "nosource", type: "X.Y", reason: "source is missing or not a string" },
      { id: "#6", reason: expect.stringContaining("neither Event Grid schema") },
    ]);
  });

  it("refuses a body that is no delivery at all", () => {
    expect(() => parseDelivery("text")).toThrow(MalformedDeliveryError);
    expect(() => parseDelivery([])).toThrow(/empty array/);
    expect(() => parseDelivery(null)).toThrow(/not an event/);
  });
});

describe("classify", () => {
  it("maps AKS upgrade events of either schema to a pre-upgrade backup of the cluster in topic/source", () => {
    for (const type of [
      "Microsoft.ContainerService.NewKubernetesVersionAvailable",
      "Microsoft.ContainerService.ClusterSupportEnding",
      "Microsoft.ContainerService.NodePoolRollingStarted",
    ]) {
      expect(classify(only([aksEvent(CLUSTER, type)]), undefined)).toMatchObject({
        kind: "preUpgrade",
        clusterId: CLUSTER,
      });
      expect(classify(only(aksCloudEvent(CLUSTER, type)), undefined)).toMatchObject({ kind: "preUpgrade" });
    }
  });

  it("maps cluster writes, tag writes and deletes to auto-protection", () => {
    expect(classify(only([writeEvent(CLUSTER)]), undefined)).toMatchObject({
      kind: "protection",
      clusterId: CLUSTER,
      deleted: false,
    });
    expect(classify(only(writeCloudEvent(CLUSTER)), undefined)).toMatchObject({
      kind: "protection",
      deleted: false,
    });
    const tags = `${CLUSTER}/providers/Microsoft.Resources/tags/default`;
    expect(classify(only([writeEvent(tags)]), undefined)).toMatchObject({
      clusterId: CLUSTER,
      deleted: false,
    });
    const deleteType = "Microsoft.Resources.ResourceDeleteSuccess";
    expect(classify(only([writeEvent(CLUSTER, deleteType)]), undefined)).toMatchObject({ deleted: true });
    expect(classify(only([writeEvent(tags, deleteType)]), undefined)).toMatchObject({ deleted: false });
  });

  it("drops other types, resources that are not managed clusters and other subscriptions, saying why", () => {
    const other = only([{ ...aksEvent(CLUSTER), eventType: "Microsoft.Storage.BlobCreated" }]);
    expect(classify(other, undefined)).toMatchObject({
      reason: 'event type "Microsoft.Storage.BlobCreated" is not handled',
    });
    const vm = `/subscriptions/${SUBSCRIPTION}/resourceGroups/prod/providers/Microsoft.Compute/virtualMachines/vm1`;
    expect(classify(only([writeEvent(vm)]), undefined)).toMatchObject({
      reason: expect.stringContaining("does not name an AKS managed cluster"),
    });
    const pool = `${CLUSTER}/agentPools/nodepool1`;
    expect(classify(only([writeEvent(pool)]), undefined)).toMatchObject({
      reason: expect.stringContaining("AKS managed cluster"),
    });
    const badGuid = clusterId("not-a-guid", "prod", "shop-aks");
    expect(classify(only([aksEvent(badGuid)]), undefined)).toMatchObject({
      reason: expect.stringContaining("is not a GUID"),
    });

    const allowed = allowedSubscriptionsOf(`${OTHER_SUBSCRIPTION}, ${SUBSCRIPTION.toUpperCase()}`);
    expect(classify(only([aksEvent(CLUSTER)]), allowed)).toMatchObject({ kind: "preUpgrade" });
    const elsewhere = clusterId("11111111-0000-4000-8000-000000000001", "prod", "shop-aks");
    expect(classify(only([writeEvent(elsewhere)]), allowed)).toMatchObject({
      reason: "subscription 11111111-0000-4000-8000-000000000001 is not one of the allowed subscriptions",
    });
    const validation = only([
      { ...aksEvent(CLUSTER), eventType: "Microsoft.EventGrid.SubscriptionValidationEvent" },
    ]);
    expect(classify(validation, undefined)).toMatchObject({
      reason: expect.stringContaining("webhook endpoint"),
    });
  });

  it("takes the allowed subscriptions from the app setting, else the configured subscription, else any", () => {
    expect(allowedSubscriptionsOf(undefined)).toBeUndefined();
    expect(allowedSubscriptionsOf("", SUBSCRIPTION)).toEqual([SUBSCRIPTION]);
    expect(allowedSubscriptionsOf(`${OTHER_SUBSCRIPTION}`, SUBSCRIPTION)).toEqual([OTHER_SUBSCRIPTION]);
    expect(() => allowedSubscriptionsOf("prod")).toThrow(/"prod" is not a subscription GUID/);
  });
});
