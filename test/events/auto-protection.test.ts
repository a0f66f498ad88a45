// Auto-protection by tag, end to end against the simulator's Resource Manager (tags read through
// @azure/arm-containerservice), Azurite and the local runtime: a tagged cluster is registered and
// protected once however many (concurrent) events arrive; removing the tag or deleting the cluster
// stops that protection and keeps its recovery points; hand-made instances are never touched.
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import {
  armAccessOf,
  armClusterReader,
  type EventDeps,
  handleDelivery,
  isMarked,
} from "../../src/events/index.js";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime, MemoryInstanceStore } from "../../src/local/runtime.js";
import {
  type AzureSettings,
  createEnvironment,
  type Environment,
} from "../../src/orchestrations/environment.js";
import { registerAll } from "../../src/orchestrations/index.js";
import { useSimulator } from "../helpers/sim.js";
import { clusterId, writeCloudEvent, writeEvent } from "./samples.js";

describe("auto-protection from cluster writes", () => {
  const sim = useSimulator();
  let env: Environment;
  let runtime: LocalRuntime;
  let deps: EventDeps;
  const lines: string[] = [];

  beforeAll(async () => {
    const azure: AzureSettings = {
      credential: new StaticTokenCredential(sim().token),
      endpoint: { endpoint: sim().azure.url, caCert: sim().tls.caCert },
    };
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    env = createEnvironment({
      service,
      container: `autoprotect-${Date.now()}`,
      azure,
      snapshotPolling: { updateIntervalInMs: 5, completionPollMs: 5 },
    });
    await env.definitions.ensureContainer();
    await env.definitions.put("policy", {
      name: "daily",
      schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
      retention: { default: "P7D" },
    });
    await env.definitions.put("policy", {
      name: "hourly",
      schedule: ["R/2026-01-01T00:00:00+00:00/PT1H"],
      retention: { default: "P1D" },
    });
    const registry = await captureRegistrations(() => registerAll(async () => env));
    runtime = new LocalRuntime(registry, { store: new MemoryInstanceStore() });
    deps = {
      env,
      client: runtime,
      readCluster: armClusterReader(armAccessOf(azure)),
      log: (l) => lines.push(l),
    };
  });

  afterAll(async () => {
    await runtime?.close();
    await env?.close();
  });

  function tagCluster(name: string, tags: Record<string, string>): string {
    const id = sim().azure.registerManagedCluster({
      resourceGroup: "prod",
      name,
      kubeconfig: sim().kubeconfig,
      tags,
    });
    return id;
  }

  async function instanceNames(): Promise<string[]> {
    return (await env.definitions.list("instance")).map((i) => i.value.name).sort();
  }

  it("registers a tagged cluster and protects it once under duplicate, concurrent events", async () => {
    const id = tagCluster("Shop_AKS", { "AKS-Backup-Policy": "daily", team: "shop" });
    const tagsId = `${id}/providers/Microsoft.Resources/tags/default`;
    const reports = await Promise.all([
      handleDelivery("clusterResourceWrites", [writeEvent(id)], deps),
      handleDelivery("clusterResourceWrites", [writeEvent(id), writeEvent(tagsId)], deps),
      handleDelivery("clusterResourceWrites", writeCloudEvent(id), deps),
    ]);
    const handled = reports.flatMap((r) => r.handled);
    expect(handled.map((h) => h.detail)).toEqual([
      "instance shop-aks created on cluster shop-aks with policy daily",
    ]);
    expect(reports.flatMap((r) => r.dropped)).toHaveLength(3);

    const clusters = await env.definitions.list("cluster");
    expect(clusters.map((c) => c.value)).toEqual([{ name: "shop-aks", aksResourceId: id }]);
    expect(clusters[0]?.origin).toBe("api");
    expect((await env.definitions.get("instance", "shop-aks"))?.value).toMatchObject({
      cluster: "shop-aks",
      policy: "daily",
    });
    expect(await isMarked(env, "shop-aks")).toBe(true);

    // Once more later: still one of each, and the drop says why.
    const again = await handleDelivery("clusterResourceWrites", [writeEvent(id)], deps);
    expect(again.dropped[0]?.reason).toBe("instance shop-aks already protects it with policy daily");
    expect(await instanceNames()).toEqual(["shop-aks"]);
  });

  it("follows a tag changed to another policy", async () => {
    const id = tagCluster("Shop_AKS", { "aks-backup-policy": "hourly" });
    const report = await handleDelivery("clusterResourceWrites", [writeEvent(id)], deps);
    expect(report.handled[0]?.detail).toBe("instance shop-aks now uses policy hourly");
    expect((await env.definitions.get("instance", "shop-aks"))?.value.policy).toBe("hourly");
    expect(await isMarked(env, "shop-aks")).toBe(true);
  });

  it("stops protection with the data retained when the tag is removed", async () => {
    const job = "backup:shop-aks:ondemand:test";
    await runtime.startNew("backupInstance", {
      instanceId: job,
      input: { instance: "shop-aks", trigger: "OnDemand" },
    });
    expect((await runtime.waitForCompletion(job, { timeoutMs: 20_000 })).runtimeStatus).toBe("Completed");
    const points = await env.catalog.listRecoveryPoints("shop-aks");
    expect(points).toHaveLength(1);

    const id = tagCluster("Shop_AKS", { team: "shop" });
    const report = await handleDelivery("clusterResourceWrites", [writeEvent(id), writeEvent(id)], deps);
    expect(report.handled.map((h) => h.detail)).toEqual([
      "the cluster has no aks-backup-policy tag: protection stopped (data retained) for shop-aks",
    ]);
    expect(report.dropped.map((d) => d.reason)).toEqual([
      "the cluster has no aks-backup-policy tag; no auto-protected instance to stop",
    ]);
    expect(await env.definitions.get("instance", "shop-aks")).toBeUndefined();
    expect((await env.catalog.listRecoveryPoints("shop-aks")).map((p) => p.id)).toEqual(
      points.map((p) => p.id),
    );
    expect(await env.definitions.get("cluster", "shop-aks")).toBeDefined();
  });

  it("never creates over, nor stops, an instance a user made; and drops unknown policies", async () => {
    const id = tagCluster("handmade", {});
    await env.definitions.put("cluster", { name: "handmade", kubeconfig: "/dev/null", aksResourceId: id });
    await env.definitions.put("instance", { name: "mine", cluster: "handmade", policy: "daily" });
    tagCluster("handmade", { "aks-backup-policy": "daily" });
    const tagged = await handleDelivery("clusterResourceWrites", [writeEvent(id)], deps);
    expect(tagged.dropped[0]?.reason).toBe(
      "instance mine, not created by auto-protection, already protects it",
    );
    tagCluster("handmade", {});
    await handleDelivery("clusterResourceWrites", [writeEvent(id)], deps);
    await handleDelivery(
      "clusterResourceWrites",
      [writeEvent(id, "Microsoft.Resources.ResourceDeleteSuccess")],
      deps,
    );
    expect(await instanceNames()).toEqual(["mine"]);

    const bad = tagCluster("nopolicy", { "aks-backup-policy": "weekly" });
    const odd = tagCluster("oddpolicy", { "aks-backup-policy": "Not A Name!" });
    const report = await handleDelivery("clusterResourceWrites", [writeEvent(bad), writeEvent(odd)], deps);
    expect(report.dropped.map((d) => d.reason)).toEqual([
      'tag aks-backup-policy names policy "weekly", which does not exist',
      'tag aks-backup-policy="Not A Name!" is not a policy name',
    ]);
    expect((await env.definitions.list("cluster")).map((c) => c.value.name).sort()).toEqual([
      "handmade",
      "shop-aks",
    ]);
  });

  it("stops protection when the cluster is deleted or no longer found", async () => {
    const id = tagCluster("gone-soon", { "aks-backup-policy": "daily" });
    await handleDelivery("clusterResourceWrites", [writeEvent(id)], deps);
    expect(await instanceNames()).toEqual(["gone-soon", "mine"]);
    const deleted = await handleDelivery(
      "clusterResourceWrites",
      [writeEvent(id, "Microsoft.Resources.ResourceDeleteSuccess")],
      deps,
    );
    expect(deleted.handled[0]?.detail).toBe(
      "the cluster no longer exists: protection stopped (data retained) for gone-soon",
    );
    expect(await instanceNames()).toEqual(["mine"]);

    // A write event for a cluster Resource Manager does not know (404): nothing to protect.
    const missing = clusterId(sim().azure.subscriptionId, "prod", "never-there");
    const report = await handleDelivery("clusterResourceWrites", [writeEvent(missing)], deps);
    expect(report.dropped[0]?.reason).toBe(
      "the cluster no longer exists; no auto-protected instance to stop",
    );
    expect(lines.some((l) => l.includes("dropped: the cluster no longer exists"))).toBe(true);
  });
});
