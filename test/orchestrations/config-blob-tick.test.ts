// The schedule tick on Azure applies the config blob before it lists due instances: uploaded
// definitions are scheduled by the same tick, a changed file updates them, and a broken file is
// reported in the tick's output while every stored definition stays and scheduling goes on.
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime, MemoryInstanceStore } from "../../src/local/runtime.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { registerModules } from "../../src/orchestrations/module.js";
import {
  scheduledBackupsModule,
  startTick,
  type TickResult,
  tickInstanceId,
} from "../../src/orchestrations/scheduled-backups.js";

const config = `
clusters:
  - name: prod
    kubeconfig: /etc/kube/prod.yaml
policies:
  - name: four-hourly
    schedule: ["R/2026-01-01T02:00:00+00:00/PT4H"]
    retention:
      default: P7D
instances:
  - name: shop
    cluster: prod
    policy: four-hourly
    snapshotVolumes: false
`;

describe("scheduledBackups with a config blob", () => {
  let env: Environment;
  let runtime: LocalRuntime;

  beforeAll(async () => {
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    env = createEnvironment({ service, container: `tick-config-${Date.now()}` });
    await env.definitions.ensureContainer();
    const registry = await captureRegistrations(() =>
      registerModules([scheduledBackupsModule], async () => env),
    );
    runtime = new LocalRuntime(registry, { store: new MemoryInstanceStore() });
  });

  afterAll(async () => {
    await runtime?.close();
    await env?.close();
  });

  async function upload(text: string): Promise<void> {
    await env.catalog.container.getBlockBlobClient("aks-backup.yaml").upload(text, Buffer.byteLength(text));
  }

  async function tick(iso: string): Promise<TickResult> {
    const at = new Date(iso);
    expect(await startTick(runtime, at, { configBlob: "aks-backup.yaml" })).toBe(true);
    const status = await runtime.waitForCompletion(tickInstanceId(at), { timeoutMs: 20_000 });
    expect(status.runtimeStatus).toBe("Completed");
    return status.output as TickResult;
  }

  it("applies an uploaded config before listing, so its instances are scheduled by the same tick", async () => {
    await upload(config);
    const result = await tick("2026-03-01T03:00:00Z");
    expect(result.config).toMatchObject({ blob: "aks-backup.yaml", status: "applied", changed: true });
    expect(result.baselined).toEqual(["shop"]);
    expect(await env.definitions.get("instance", "shop")).toMatchObject({ origin: "config" });

    const unchanged = await tick("2026-03-01T03:05:00Z");
    expect(unchanged.config).toMatchObject({ status: "applied", changed: false });
  });

  it("updates what the config wrote when the blob changes", async () => {
    await upload(config.replace("default: P7D", "default: P14D"));
    const result = await tick("2026-03-01T03:10:00Z");
    expect(result.config?.seeded?.updated).toEqual([{ kind: "policy", name: "four-hourly" }]);
    expect((await env.definitions.get("policy", "four-hourly"))?.value.retention.default).toBe("P14D");
  });

  it("reports a broken file in the tick's output and keeps every definition as stored", async () => {
    // Hourly slots and an unknown policy: had any of it been applied, the 03:00 slot would be due.
    await upload(config.replace("PT4H", "PT1H").replace("policy: four-hourly", "policy: hourly"));
    const result = await tick("2026-03-01T03:15:00Z");
    expect(result.config).toMatchObject({ status: "invalid", changed: true });
    expect(result.config?.error).toMatch(
      /^aks-backup\.yaml:13:13: instances\[0\]\.policy: unknown policy "hourly"/,
    );
    expect(await env.definitions.get("instance", "shop")).toMatchObject({ value: { policy: "four-hourly" } });
    expect((await env.definitions.get("policy", "four-hourly"))?.value.schedule).toEqual([
      "R/2026-01-01T02:00:00+00:00/PT4H",
    ]);
    expect(result).toMatchObject({ instances: [], problems: [] });
  });

  it("applies nothing when the tick is given no config blob (local serve seeds its own file)", async () => {
    await upload(config.replace("default: P7D", "default: P30D"));
    const at = new Date("2026-03-01T03:20:00Z");
    expect(await startTick(runtime, at)).toBe(true);
    const status = await runtime.waitForCompletion(tickInstanceId(at), { timeoutMs: 20_000 });
    expect((status.output as TickResult).config).toBeUndefined();
    expect((await env.definitions.get("policy", "four-hourly"))?.value.retention.default).toBe("P14D");
  });
});
