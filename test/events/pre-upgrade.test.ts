// AKS upgrade events end to end: posted to the webhook `serve` exposes, they start one real backup
// (local runtime, simulator, Azurite) of every instance protecting the cluster per hour, however
// many events arrive; recovery points are marked PreUpgrade with a 30-day retention.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { type ApiServer, startApiServer } from "../../src/api/node-server.js";
import { type DeliveryReport, handleDelivery, preUpgradeInstanceId } from "../../src/events/index.js";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime, MemoryInstanceStore } from "../../src/local/runtime.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { registerAll } from "../../src/orchestrations/index.js";
import { kubectl, useSimulator } from "../helpers/sim.js";
import { aksCloudEvent, aksEvent, clusterId, SUBSCRIPTION } from "./samples.js";

describe("pre-upgrade backups from AKS events", () => {
  const sim = useSimulator();
  let env: Environment;
  let runtime: LocalRuntime;
  let server: ApiServer;
  let dir: string;
  let now = new Date("2026-03-01T04:10:00Z");
  const lines: string[] = [];

  beforeAll(async () => {
    await kubectl(sim(), ["create", "namespace", "shop"]);
    await kubectl(sim(), ["create", "configmap", "settings", "-n", "shop", "--from-literal=mode=prod"]);
    dir = await mkdtemp(join(tmpdir(), "pre-upgrade-"));
    const kubeconfig = join(dir, "kubeconfig");
    await writeFile(kubeconfig, sim().kubeconfig);
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    env = createEnvironment({ service, container: `events-${Date.now()}`, now: () => now });
    await env.definitions.ensureContainer();
    await env.definitions.put("cluster", { name: "sim", kubeconfig, aksResourceId: sim().aksResourceId });
    await env.definitions.put("cluster", {
      name: "other",
      kubeconfig,
      aksResourceId: clusterId(SUBSCRIPTION, "rg", "other"),
    });
    await env.definitions.put("policy", {
      name: "daily",
      schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
      retention: { default: "P7D" },
    });
    for (const [name, cluster] of [
      ["shop", "sim"],
      ["shop-config", "sim"],
      ["elsewhere", "other"],
    ] as const) {
      await env.definitions.put("instance", {
        name,
        cluster,
        policy: "daily",
        includedNamespaces: ["shop"],
        snapshotVolumes: false,
      });
    }
    const registry = await captureRegistrations(() => registerAll(async () => env));
    runtime = new LocalRuntime(registry, { store: new MemoryInstanceStore() });
    server = await startApiServer({
      env,
      client: runtime,
      port: 0,
      log: (line) => lines.push(line),
      events: { readCluster: async () => undefined },
    });
  });

  afterAll(async () => {
    await server?.close();
    await runtime?.close();
    await env?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function post(body: unknown, functionName = "aksClusterEvents") {
    const response = await fetch(`${server.url}/runtime/webhooks/EventGrid?functionName=${functionName}`, {
      method: "POST",
      headers: { "content-type": "application/json", "aeg-event-type": "Notification" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as DeliveryReport };
  }

  it("backs up every instance of the cluster once per hour, whatever the number of events", async () => {
    const cluster = sim().aksResourceId;
    const first = await post([
      // ARM ids compare ignoring case: this one differs from the stored id in case only.
      aksEvent(cluster.toLowerCase()),
      aksEvent(cluster, "Microsoft.ContainerService.ClusterSupportEnding"),
      aksEvent(cluster),
    ]);
    expect(first.status).toBe(200);
    const ids = ["shop", "shop-config"].map((name) => preUpgradeInstanceId(name, now));
    expect(ids).toEqual([
      "backup:shop:preupgrade:2026-03-01T04",
      "backup:shop-config:preupgrade:2026-03-01T04",
    ]);
    expect(first.body.handled[0]?.started).toEqual(ids);
    expect(first.body.handled.slice(1).map((h) => h.started)).toEqual([[], []]);
    expect(first.body.dropped).toEqual([]);

    // Later in the same hour, in the CloudEvents schema: nothing new.
    now = new Date("2026-03-01T04:55:00Z");
    const again = await post(aksCloudEvent(cluster));
    expect(again.body.handled).toEqual([
      expect.objectContaining({ started: [], detail: expect.stringContaining("already started this hour") }),
    ]);

    for (const id of ids) {
      const status = await runtime.waitForCompletion(id, { timeoutMs: 20_000 });
      expect(status.runtimeStatus).toBe("Completed");
    }
    const points = await env.catalog.listRecoveryPoints("shop");
    expect(points).toHaveLength(1);
    expect(points[0]).toMatchObject({ trigger: "PreUpgrade", status: "Succeeded" });
    const manifest = await env.catalog.getManifest(points[0]?.id ?? "");
    expect(manifest).toMatchObject({ trigger: "PreUpgrade", retention: "P30D" });
    expect(await env.catalog.listRecoveryPoints("shop-config")).toHaveLength(1);
    expect(await env.catalog.listRecoveryPoints("elsewhere")).toHaveLength(0);

    // The next hour: a new backup each.
    now = new Date("2026-03-01T05:01:00Z");
    const next = await post([aksEvent(cluster, "Microsoft.ContainerService.NodePoolRollingStarted")]);
    expect(next.body.handled[0]?.started).toEqual([
      "backup:shop:preupgrade:2026-03-01T05",
      "backup:shop-config:preupgrade:2026-03-01T05",
    ]);
    for (const id of next.body.handled[0]?.started ?? []) {
      expect((await runtime.waitForCompletion(id, { timeoutMs: 20_000 })).runtimeStatus).toBe("Completed");
    }
    expect(await env.catalog.listRecoveryPoints("shop")).toHaveLength(2);
  });

  it("drops events for unknown clusters and events the function does not take, with reasons", async () => {
    const unknown = clusterId(SUBSCRIPTION, "rg", "nobody");
    const reply = await post([
      aksEvent(unknown),
      { ...aksEvent(unknown), eventType: "Microsoft.Resources.ResourceWriteSuccess", subject: unknown },
    ]);
    expect(reply.status).toBe(200);
    expect(reply.body.handled).toEqual([]);
    expect(reply.body.dropped.map((d) => d.reason)).toEqual([
      `no backup instance protects cluster ${unknown}`,
      'event type "Microsoft.Resources.ResourceWriteSuccess" is not handled by aksClusterEvents',
    ]);
    expect(lines.some((l) => l.includes(`dropped: no backup instance protects cluster ${unknown}`))).toBe(
      true,
    );

    // From a subscription that is not allowed: dropped, even for a protected cluster.
    now = new Date("2026-03-01T06:00:00Z");
    const deps = {
      env,
      client: runtime,
      readCluster: async () => undefined,
      allowedSubscriptions: [SUBSCRIPTION],
    };
    const other = await handleDelivery("aksClusterEvents", [aksEvent(sim().aksResourceId)], deps);
    expect(other.dropped[0]?.reason).toBe(
      `subscription ${sim().azure.subscriptionId} is not one of the allowed subscriptions`,
    );
    const statuses = await runtime.listInstances();
    expect(statuses.filter((s) => s.instanceId.includes(":preupgrade:"))).toHaveLength(4);
  });
});
