// Protection health and usage through `serve`'s HTTP API against Azurite: recovery points written
// into the container as the engine writes them (files, then the manifest), and what a user reads
// back from GET /api/health, /api/health/instances/{name} and /api/usage.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApi } from "../../src/api/api.js";
import { durableLinks } from "../../src/api/deps.js";
import type { InstanceHealth, InstanceUsage } from "../../src/health/report.js";
import { Registry } from "../../src/local/registry.js";
import { LocalRuntime } from "../../src/local/runtime.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { createEnvironment } from "../../src/orchestrations/environment.js";
import { ARCHIVE_BLOB, Catalog } from "../../src/store/catalog.js";
import { newRecoveryPointId } from "../../src/store/recovery-point-id.js";
import { snapshotDisk } from "../../src/volumes/azure-disk.js";
import { deleteSnapshot } from "../../src/volumes/delete-snapshots.js";
import { useAzureFake } from "../helpers/azure-fake.js";
import { computeFor, depsFor, virtualTime, volumeOn } from "../volumes/harness.js";
import { CLUSTER, DAILY, startTestServer, type TestServer } from "./harness.js";
import type { Health, Problem, UsageReport, ValidationProblem } from "./shapes.js";

let server: TestServer;
let catalog: Catalog;
let nonce = 0;

const instances = ["healthy-shop", "failing-shop", "partial-shop"].map((name) => ({
  name,
  cluster: "prod",
  policy: "daily",
  snapshotVolumes: false,
}));

/** Commits a recovery point `minutesAgo` minutes old with an archive of `archiveBytes` bytes. */
async function commit(
  instance: string,
  minutesAgo: number,
  status: RecoveryPointManifest["status"],
  archiveBytes: number,
  extra: Partial<RecoveryPointManifest> = {},
): Promise<RecoveryPointManifest> {
  const start = new Date(Date.now() - minutesAgo * 60_000);
  const id = newRecoveryPointId(instance, start, nonce++);
  if (archiveBytes > 0)
    await catalog.uploadFile(id, ARCHIVE_BLOB, Readable.from([Buffer.alloc(archiveBytes, 7)]));
  const manifest: RecoveryPointManifest = {
    formatVersion: 1,
    id,
    instance,
    policy: "daily",
    cluster: "prod",
    trigger: "OnDemand",
    startTime: start.toISOString(),
    endTime: new Date(start.getTime() + 30_000).toISOString(),
    status,
    itemCounts: {},
    totalItems: 3,
    volumeSnapshots: [],
    warnings: [],
    errors: status === "Succeeded" ? [] : [{ message: "cluster prod is unreachable" }],
    ...extra,
  };
  await catalog.commitManifest(manifest);
  return manifest;
}

function snapshot(pvc: string, sizeGiB: number) {
  return {
    pvc,
    pv: `pv-${pvc}`,
    diskId: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/${pvc}`,
    snapshotId: `/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/snapshots/${pvc}`,
    sizeGiB,
    completionPercent: 100,
  };
}

let healthyPoint: RecoveryPointManifest;

beforeAll(async () => {
  server = await startTestServer({ clusters: [CLUSTER], policies: [DAILY], instances });
  catalog = new Catalog(
    BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(
      server.container,
    ),
  );
  await commit("healthy-shop", 120, "Succeeded", 1000, { volumeSnapshots: [snapshot("data", 8)] });
  healthyPoint = await commit("healthy-shop", 10, "Succeeded", 2500, {
    volumeSnapshots: [snapshot("data", 8), snapshot("logs", 2)],
  });
  await commit("failing-shop", 40, "Failed", 0);
  await commit("failing-shop", 30, "Failed", 0);
  await commit("failing-shop", 20, "Failed", 0);
  await commit("partial-shop", 15, "PartiallySucceeded", 700);
  // Data retained by an instance whose protection stopped: counted in usage, not in health.
  await commit("old-shop", 60, "Succeeded", 300, { policy: "daily" });
});
afterAll(async () => {
  await server?.close();
});

describe("GET /api/health", () => {
  it("rates every instance from its recovery points, with the worst as the overall status", async () => {
    const health = await server.request<Health>("GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body.status).toBe("Unhealthy");
    expect(health.body.storage).toEqual({ reachable: true, container: true });
    const byName: Record<string, InstanceHealth> = Object.fromEntries(
      (health.body.instances as InstanceHealth[]).map((instance) => [instance.name, instance]),
    );
    expect(Object.keys(byName)).toEqual(["failing-shop", "healthy-shop", "partial-shop"]);

    expect(byName["healthy-shop"]).toMatchObject({
      status: "Healthy",
      reasons: [],
      lastSuccessfulBackup: { id: healthyPoint.id, status: "Succeeded", endTime: healthyPoint.endTime },
      lastRun: { id: healthyPoint.id },
      nextBackup: expect.stringMatching(/T02:00:00\.000Z$/),
      missedSlots: 0,
    });
    expect(Date.parse(byName["healthy-shop"]?.nextBackup ?? "")).toBeGreaterThan(Date.now());

    expect(byName["failing-shop"]).toMatchObject({ status: "Unhealthy", lastRun: { status: "Failed" } });
    expect(byName["failing-shop"]?.lastSuccessfulBackup).toBeUndefined();
    const failing = byName["failing-shop"]?.reasons ?? [];
    expect(failing.map((r) => r.code)).toContain("ConsecutiveFailures");
    expect(failing.find((r) => r.code === "ConsecutiveFailures")?.message).toContain(
      "cluster prod is unreachable",
    );

    expect(byName["partial-shop"]).toMatchObject({
      status: "Warning",
      reasons: [expect.objectContaining({ code: "LastRunPartiallySucceeded", severity: "Warning" })],
      lastSuccessfulBackup: { status: "PartiallySucceeded" },
    });
  });

  it("answers for one instance, and 404 for an unknown one", async () => {
    const one = await server.request<InstanceHealth>("GET", "/api/health/instances/partial-shop");
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ name: "partial-shop", policy: "daily", status: "Warning" });
    const unknown = await server.request<Problem>("GET", "/api/health/instances/nobody");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    expect((await server.request("GET", "/api/health/instances/Bad..Name")).status).toBe(400);
  });
});

describe("GET /api/health with storage unreachable", () => {
  it("is a 503, Unhealthy, with no instances and no secret", async () => {
    // Azurite's connection string with its blob endpoint moved to a port nothing listens on.
    const unreachable = inject("azuriteConnectionString").replace(
      /BlobEndpoint=http:\/\/[^/;]+/,
      "BlobEndpoint=http://127.0.0.1:9",
    );
    const service = BlobServiceClient.fromConnectionString(unreachable, { retryOptions: { maxTries: 1 } });
    const env = createEnvironment({ service, container: "unreachable" });
    const api = createApi({
      env,
      client: new LocalRuntime(new Registry()),
      links: durableLinks("http://127.0.0.1"),
      log: () => {},
    });
    const request = { method: "GET", query: new URLSearchParams(), headers: {} };
    const health = await api({ ...request, path: "/api/health" });
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: "Unhealthy", storage: { reachable: false }, instances: [] });
    expect(JSON.stringify(health.body)).not.toMatch(/AccountKey/i);
    const usage = await api({ ...request, path: "/api/usage" });
    expect(usage.status).toBe(503);
    await env.close();
  });
});

describe("GET /api/usage", () => {
  it("sums each instance's blob sizes from the container and its snapshots from the manifests", async () => {
    const usage = await server.request<UsageReport>("GET", "/api/usage");
    expect(usage.status).toBe(200);
    expect(usage.body.sources).toEqual({ blobs: "container-listing", snapshots: "manifests" });
    expect(usage.body.note).toMatch(/does not report the bytes an incremental snapshot actually uses/);

    // What the container really holds, listed here independently, per instance.
    const expected = new Map<string, { bytes: number; count: number }>();
    for await (const blob of catalog.container.listBlobsFlat()) {
      const instance = blob.name.split("/")[0] ?? "";
      if (!["healthy-shop", "failing-shop", "partial-shop", "old-shop"].includes(instance)) continue;
      const entry = expected.get(instance) ?? { bytes: 0, count: 0 };
      entry.bytes += blob.properties.contentLength ?? 0;
      entry.count++;
      expected.set(instance, entry);
    }
    const byName: Record<string, InstanceUsage> = Object.fromEntries(
      (usage.body.instances as InstanceUsage[]).map((instance) => [instance.name, instance]),
    );
    expect(Object.keys(byName)).toEqual(["failing-shop", "healthy-shop", "old-shop", "partial-shop"]);
    for (const [name, { bytes, count }] of expected) {
      expect(byName[name]).toMatchObject({ blobBytes: bytes, blobCount: count });
    }
    // Two archives (1000 + 2500 bytes) and two manifests.
    expect(byName["healthy-shop"]?.blobBytes).toBeGreaterThan(3500);
    expect(byName["healthy-shop"]).toMatchObject({
      protected: true,
      recoveryPoints: 2,
      snapshots: { count: 3, provisionedBytes: 18 * 1024 ** 3 },
    });
    expect(byName["old-shop"]).toMatchObject({ protected: false, recoveryPoints: 1 });
    expect(byName["failing-shop"]).toMatchObject({
      recoveryPoints: 3,
      snapshots: { count: 0, provisionedBytes: 0 },
    });

    const total = [...expected.values()].reduce((sum, e) => sum + e.bytes, 0);
    expect(usage.body.totals).toEqual({
      blobBytes: total,
      blobCount: [...expected.values()].reduce((sum, e) => sum + e.count, 0),
      recoveryPoints: 7,
      snapshots: { count: 3, provisionedBytes: 18 * 1024 ** 3 },
    });
  });
});

describe("GET /api/usage?snapshots=azure", () => {
  const azure = useAzureFake({ defaultNodeResourceGroup: "MC_nodes", lroSteps: 1 });

  it("reads each snapshot's size from Azure and counts the ones deleted outside aks-backup", async () => {
    const { fake, tls, token } = azure();
    const dir = await mkdtemp(join(tmpdir(), "aks-backup-usage-azure-"));
    await writeFile(join(dir, "ca.crt"), tls.caCert);
    await writeFile(join(dir, "token"), token);
    const azureServer = await startTestServer({
      azure: {
        resourceManagerEndpoint: fake.url,
        caFile: join(dir, "ca.crt"),
        credential: { tokenFile: join(dir, "token") },
      },
      clusters: [CLUSTER],
      policies: [DAILY],
      instances: [{ name: "disk-shop", cluster: "prod", policy: "daily" }],
    });
    try {
      const compute = computeFor(fake, tls.caCert, token);
      const group = fake.createResourceGroup("aks-snapshots");
      const snapshot = async (name: string, sizeGiB: number) => {
        const disk = await fake.createDisk({ name, sizeGiB, skuName: "Premium_LRS" });
        const result = await snapshotDisk(
          {
            recoveryPointId: "disk-shop-20261125-020000-ab12",
            instance: "disk-shop",
            cluster: "prod",
            snapshotResourceGroup: group,
            volume: volumeOn(disk.id, name),
          },
          depsFor(compute, virtualTime()),
        );
        if (!result.ok) throw new Error(result.error.message);
        return result.record;
      };
      const data = await snapshot("data", 32);
      const gone = await snapshot("cache", 8);
      await deleteSnapshot(compute, gone.snapshotId, { updateIntervalInMs: 5 });
      catalog = new Catalog(
        BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(
          azureServer.container,
        ),
      );
      await commit("disk-shop", 5, "Succeeded", 100, { volumeSnapshots: [data, gone] });

      const fromManifests = await azureServer.request<UsageReport>("GET", "/api/usage");
      expect(fromManifests.body.sources.snapshots).toBe("manifests");
      expect(fromManifests.body.totals.snapshots).toEqual({ count: 2, provisionedBytes: 40 * 1024 ** 3 });

      const fromAzure = await azureServer.request<UsageReport>("GET", "/api/usage?snapshots=azure");
      expect(fromAzure.status).toBe(200);
      expect(fromAzure.body.sources).toEqual({ blobs: "container-listing", snapshots: "azure" });
      expect(fromAzure.body.instances[0]).toMatchObject({
        name: "disk-shop",
        snapshots: { count: 1, provisionedBytes: 32 * 1024 ** 3, missing: 1, unverified: 0 },
      });
      expect(fromAzure.body.totals.snapshots).toEqual({
        count: 1,
        provisionedBytes: 32 * 1024 ** 3,
        missing: 1,
        unverified: 0,
      });

      const bad = await azureServer.request<ValidationProblem>("GET", "/api/usage?snapshots=used");
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual([{ field: "snapshots", message: 'must be "manifests" or "azure"' }]);
    } finally {
      await azureServer.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
