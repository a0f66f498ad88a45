// The Event Grid webhook of `aks-backup serve` at the Functions host's path: the subscription
// validation handshake of both schemas (a bad code refused), 404 for an unknown function, 400 for a
// body that is no delivery, and 200 with each dropped event's reason otherwise.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../api/harness.js";
import type { DeliveryReport, DroppingDelivery, Problem, ValidationResponse } from "../api/shapes.js";
import { aksEvent, clusterId, SUBSCRIPTION, writeEvent } from "./samples.js";

const PATH = "/runtime/webhooks/EventGrid";
const CODE = "512d38b6-c7b8-40c8-89fe-f46f9e9622b6";

function validationEvent(data: unknown) {
  return {
    id: "2d1781af-3a4c-4d7c-bd0c-e34b19da4e66",
    topic: `/subscriptions/${SUBSCRIPTION}`,
    subject: "",
    data,
    eventType: "Microsoft.EventGrid.SubscriptionValidationEvent",
    eventTime: "2026-03-01T04:10:00Z",
    metadataVersion: "1",
    dataVersion: "2",
  };
}

describe("serve's Event Grid webhook", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.close();
  });

  it("answers Event Grid's validation handshake with the code, and refuses a bad or missing code", async () => {
    const good = await server.request<ValidationResponse>("POST", `${PATH}?functionName=aksClusterEvents`, {
      body: [
        validationEvent({ validationCode: CODE, validationUrl: "https://rp-eastus2.eventgrid.azure.net/x" }),
      ],
      headers: { "aeg-event-type": "SubscriptionValidation" },
    });
    expect(good.status).toBe(200);
    expect(good.body).toEqual({ validationResponse: CODE });

    for (const [data, message] of [
      [{ validationCode: "<script>alert(1)</script>" }, "is not a validation code"],
      [{ validationCode: 42 }, "is missing"],
      [{}, "is missing"],
    ] as const) {
      const bad = await server.request<Problem>("POST", `${PATH}?functionName=clusterResourceWrites`, {
        body: [validationEvent(data)],
      });
      expect(bad.status).toBe(400);
      expect(bad.body.detail).toContain(`data.validationCode ${message}`);
      expect(bad.text).not.toContain("<script>");
    }
  });

  it("answers the CloudEvents OPTIONS handshake with the allowed origin", async () => {
    const ok = await server.request("OPTIONS", `${PATH}?functionName=clusterResourceWrites`, {
      headers: { "WebHook-Request-Origin": "eventgrid.azure.net" },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("webhook-allowed-origin")).toBe("eventgrid.azure.net");
    const missing = await server.request<Problem>("OPTIONS", `${PATH}?functionName=clusterResourceWrites`);
    expect(missing.status).toBe(400);
    expect(missing.body.detail).toMatch(/WebHook-Request-Origin/);
  });

  it("answers 404 for an unknown function and 400 for a body that is no delivery", async () => {
    const unknown = await server.request<Problem>("POST", `${PATH}?functionName=nope`, {
      body: [aksEvent(clusterId(SUBSCRIPTION, "rg", "a"))],
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain("aksClusterEvents, clusterResourceWrites");
    const none = await server.request("POST", PATH, { body: [] });
    expect(none.status).toBe(404);

    for (const [body, reason] of [
      ["just text", "not an event or an array of events"],
      [[], "empty array"],
      [7, "not an event or an array of events"],
    ] as const) {
      const reply = await server.request<Problem>("POST", `${PATH}?functionName=aksClusterEvents`, { body });
      expect(reply.status).toBe(400);
      expect(reply.body.detail).toContain(reason);
    }
    const notJson = await server.request("POST", `${PATH}?functionName=aksClusterEvents`, {
      raw: "{not json",
    });
    expect(notJson.status).toBe(400);
    const empty = await server.request("POST", `${PATH}?functionName=aksClusterEvents`);
    expect(empty.status).toBe(400);
    const get = await server.request("GET", `${PATH}?functionName=aksClusterEvents`);
    expect(get.status).toBe(405);
  });

  it("accepts a delivery of bad events with 200, so Event Grid does not retry them, and says why each was dropped", async () => {
    const unknown = clusterId(SUBSCRIPTION, "rg", "unknown");
    const reply = await server.request<DeliveryReport>("POST", `${PATH}?functionName=aksClusterEvents`, {
      body: [
        aksEvent(unknown),
        { ...aksEvent(unknown), eventType: "Microsoft.Storage.BlobCreated" },
        { ...aksEvent(unknown), topic: "/subscriptions/x/resourceGroups/rg", subject: "a/b" },
        { eventType: "Microsoft.ContainerService.NewKubernetesVersionAvailable" },
      ],
    });
    expect(reply.status).toBe(200);
    expect(reply.body.handled).toEqual([]);
    expect(reply.body.dropped.map((d: { reason: string }) => d.reason)).toEqual([
      "id is missing or not a string",
      `no backup instance protects cluster ${unknown}`,
      'event type "Microsoft.Storage.BlobCreated" is not handled',
      expect.stringContaining("does not name an AKS managed cluster"),
    ]);

    // A CloudEvents write for a VM: not a managed cluster, dropped, still 200.
    const vm = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm`;
    const write = await server.request<DroppingDelivery>(
      "POST",
      `${PATH}?functionName=clusterResourceWrites`,
      {
        body: {
          specversion: "1.0",
          ...writeEvent(vm),
          type: writeEvent(vm).eventType,
          source: `/subscriptions/${SUBSCRIPTION}`,
          eventType: undefined,
        },
        headers: { "content-type": "application/cloudevents+json" },
      },
    );
    expect(write.status).toBe(200);
    expect(write.body.dropped[0].reason).toContain("does not name an AKS managed cluster");
  });
});
