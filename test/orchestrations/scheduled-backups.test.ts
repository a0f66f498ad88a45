// A schedule tick end to end: every registered module through the local runtime (durable-functions'
// own replay executor), the simulator and Azurite. Due instances are backed up under their slot's
// id, one instance failing never stops the others, and a tick that fires twice starts nothing twice.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime, MemoryInstanceStore } from "../../src/local/runtime.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { registerAll } from "../../src/orchestrations/index.js";
import { type OrchestrationModule, registerModules } from "../../src/orchestrations/module.js";
import {
  scheduledBackupsModule,
  startTick,
  type TickResult,
  tickInstanceId,
} from "../../src/orchestrations/scheduled-backups.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const BASELINE = new Date("2026-03-01T03:02:00Z");
const TICK = new Date("2026-03-01T04:00:30Z");
const SLOT = "2026-03-01T04:00:00.000Z";

describe("scheduledBackups", () => {
  const sim = useSimulator();
  let env: Environment;
  let runtime: LocalRuntime;
  let dir: string;

  beforeAll(async () => {
    await kubectl(sim(), ["create", "namespace", "shop"]);
    await kubectl(sim(), ["create", "configmap", "settings", "-n", "shop", "--from-literal=mode=prod"]);
    dir = await mkdtemp(join(tmpdir(), "scheduled-"));
    const kubeconfig = join(dir, "kubeconfig");
    await writeFile(kubeconfig, sim().kubeconfig);

    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    env = createEnvironment({ service, container: `tick-${Date.now()}` });
    await env.definitions.ensureContainer();
    await env.definitions.put("cluster", { name: "sim", kubeconfig });
    // A cluster whose kubeconfig is gone: its backup fails at once.
    await env.definitions.put("cluster", { name: "lost", kubeconfig: join(dir, "missing-kubeconfig") });
    await env.definitions.put("policy", {
      name: "hourly",
      schedule: ["R/2026-01-01T00:00:00+00:00/PT1H"],
      retention: { default: "P1D" },
    });
    for (const [name, cluster] of [
      ["shop", "sim"],
      ["shop-copy", "sim"],
      ["broken", "lost"],
    ] as const) {
      await env.definitions.put("instance", {
        name,
        cluster,
        policy: "hourly",
        includedNamespaces: ["shop"],
        snapshotVolumes: false,
      });
    }
    const registry = await captureRegistrations(() => registerAll(async () => env));
    runtime = new LocalRuntime(registry, { store: new MemoryInstanceStore() });
  });

  afterAll(async () => {
    await runtime?.close();
    await env?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function tick(at: Date): Promise<TickResult> {
    expect(await startTick(runtime, at)).toBe(true);
    const status = await runtime.waitForCompletion(tickInstanceId(at), { timeoutMs: 30_000 });
    expect(status.runtimeStatus).toBe("Completed");
    return status.output as TickResult;
  }

  it("backs up every due instance under its slot's id and reports each outcome, the failing one included", async () => {
    const first = await tick(BASELINE);
    expect(first.instances).toEqual([]);
    expect(first.baselined.sort()).toEqual(["broken", "shop", "shop-copy"]);

    const result = await tick(TICK);
    const byInstance = Object.fromEntries(result.instances.map((o) => [o.instance, o]));
    expect(Object.keys(byInstance).sort()).toEqual(["broken", "shop", "shop-copy"]);
    for (const name of ["shop", "shop-copy"]) {
      expect(byInstance[name]).toMatchObject({
        slot: SLOT,
        jobId: `backup:${name}:${SLOT}`,
        status: "Succeeded",
        skippedSlots: 0,
      });
    }
    expect(byInstance.broken?.status).toBe("Failed");

    const points = await env.catalog.listRecoveryPoints("shop");
    expect(points.map((p) => p.id)).toEqual([byInstance.shop?.recoveryPointId]);
    expect(points[0]).toMatchObject({ trigger: "Scheduled", status: "Succeeded" });
    const failed = await env.catalog.listRecoveryPoints("broken");
    expect(failed[0]?.status).toBe("Failed");
    expect(failed[0]?.errors[0]?.message).toMatch(/missing-kubeconfig/);

    const job = await runtime.getStatus(`backup:shop:${SLOT}`);
    expect(job).toMatchObject({ name: "backupInstance", runtimeStatus: "Completed" });
  });

  it("starts nothing twice when the timer fires again within the same tick", async () => {
    const again = new Date(TICK.getTime() + 90_000);
    expect(tickInstanceId(again)).toBe(tickInstanceId(TICK));
    expect(await startTick(runtime, again)).toBe(false);
    expect(await env.catalog.listRecoveryPoints("shop")).toHaveLength(1);
  });

  it("finds nothing due at the next tick of the same hour", async () => {
    const result = await tick(new Date("2026-03-01T04:05:00Z"));
    expect(result.instances).toEqual([]);
    expect(await env.catalog.listRecoveryPoints("shop-copy")).toHaveLength(1);
  });

  it("still reports every instance when one backup orchestration throws instead of returning", async () => {
    // A sub-orchestration that fails outright (a bug, a replay error) makes Task.all fail fast; the
    // tick must still wait for and report the others.
    const crashing: OrchestrationModule = {
      orchestrators: {
        *backupInstance(context) {
          const { instance } = context.df.getInput() as { instance: string };
          if (instance === "shop") throw new Error("backupInstance crashed");
          yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + 1_000));
          return { status: "Succeeded", recoveryPointId: `${instance}-rp` };
        },
      },
    };
    const registry = await captureRegistrations(() =>
      registerModules([scheduledBackupsModule, crashing], async () => env),
    );
    const local = new LocalRuntime(registry, { delay: async () => undefined });
    try {
      const at = new Date("2026-03-01T05:00:10Z");
      await startTick(local, at);
      const status = await local.waitForCompletion(tickInstanceId(at), { timeoutMs: 10_000 });
      const outcomes = (status.output as TickResult).instances;
      expect(Object.fromEntries(outcomes.map((o) => [o.instance, o.status]))).toEqual({
        shop: "Failed",
        "shop-copy": "Succeeded",
        broken: "Succeeded",
      });
      expect(outcomes.find((o) => o.instance === "shop")?.reason).toMatch(/backupInstance crashed/);
    } finally {
      await local.close();
    }
  });
});
