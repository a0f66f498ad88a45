// Transient failures are the one case an event is not dropped: with storage or Resource Manager
// unreachable the delivery fails (5xx at the webhook, a throw in the function), so Event Grid
// delivers it again later instead of losing it.
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ApiServer, startApiServer } from "../../src/api/node-server.js";
import { handleDelivery } from "../../src/events/index.js";
import { Registry } from "../../src/local/registry.js";
import { LocalRuntime, MemoryInstanceStore } from "../../src/local/runtime.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { aksEvent, clusterId, SUBSCRIPTION, writeEvent } from "./samples.js";

const CLUSTER = clusterId(SUBSCRIPTION, "prod", "shop-aks");

describe("transient failures", () => {
  let down: Environment;
  let up: Environment;
  let runtime: LocalRuntime;
  let server: ApiServer;
  const lines: string[] = [];

  beforeAll(async () => {
    const unreachable = inject("azuriteConnectionString").replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:9");
    const service = BlobServiceClient.fromConnectionString(unreachable, { retryOptions: { maxTries: 1 } });
    down = createEnvironment({ service, container: "down" });
    up = createEnvironment({
      service: BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")),
      container: `transient-${Date.now()}`,
    });
    await up.definitions.ensureContainer();
    await up.definitions.put("policy", {
      name: "daily",
      schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
      retention: { default: "P7D" },
    });
    runtime = new LocalRuntime(new Registry(), { store: new MemoryInstanceStore() });
    server = await startApiServer({ env: down, client: runtime, port: 0, log: (l) => lines.push(l) });
  });

  afterAll(async () => {
    await server?.close();
    await runtime?.close();
    await down?.close();
    await up?.close();
  });

  it("answers 5xx at the webhook when storage is down, so Event Grid retries", async () => {
    const response = await fetch(`${server.url}/runtime/webhooks/EventGrid?functionName=aksClusterEvents`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([aksEvent(CLUSTER)]),
    });
    expect(response.status).toBe(503);
  });

  it("throws when Resource Manager cannot be reached, and creates nothing", async () => {
    const deps = {
      env: up,
      client: runtime,
      readCluster: async () => {
        throw new Error("connect ECONNREFUSED management.azure.com");
      },
    };
    await expect(handleDelivery("clusterResourceWrites", [writeEvent(CLUSTER)], deps)).rejects.toThrow(
      /ECONNREFUSED/,
    );
    expect(await up.definitions.list("cluster")).toEqual([]);
  });
});
