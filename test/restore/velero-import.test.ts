// A tarball written by Velero itself, uploaded to the container's documented path, imported as a
// recovery point (its SHA-256 in the manifest) and restored by the durable restore into a simulated
// cluster; a second import returns the same point, and a file that is not a tarball imports nothing.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime } from "../../src/local/runtime.js";
import { restoreRequestSchema } from "../../src/model/restore-request.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { registerAll } from "../../src/orchestrations/index.js";
import { RESTORE, type RestoreOutput } from "../../src/orchestrations/restore.js";
import { importVeleroBackup, veleroTarballBlob } from "../../src/restore/velero-import.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const TARBALL = readFileSync(join(import.meta.dirname, "..", "archive", "fixtures", "velero-1.1.0.tar.gz"));

describe("importing a Velero backup tarball", () => {
  const sim = useSimulator();
  let env: Environment;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "velero-import-"));
    await writeFile(join(dir, "kubeconfig"), sim().kubeconfig);
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    env = createEnvironment({ service, container: `velero-import-${Date.now()}` });
    await env.definitions.ensureContainer();
    await env.definitions.put("cluster", { name: "sim", kubeconfig: join(dir, "kubeconfig") });
    await env.catalog.container.getBlockBlobClient(veleroTarballBlob("nightly")).uploadData(TARBALL);
  });
  afterAll(async () => {
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("records the tarball as a recovery point with its SHA-256, once, and restores it", async () => {
    const imported = await importVeleroBackup(env.catalog, { backup: "nightly", cluster: "sim" });
    expect(imported).toMatchObject({
      recoveryPointId: expect.stringMatching(/^velero-\d{8}-\d{6}-[0-9a-f]{4}$/),
      created: true,
      sha256: createHash("sha256").update(TARBALL).digest("hex"),
    });
    const manifest = await env.catalog.getManifest(imported.recoveryPointId);
    expect(manifest).toMatchObject({
      instance: "velero",
      cluster: "sim",
      status: "Succeeded",
      archive: { sizeBytes: TARBALL.length, sha256: imported.sha256 },
      itemCounts: { "apps/v1/Deployment": 1, "v1/Secret": 1 },
    });
    expect(manifest?.warnings[0]?.message).toContain("imported from the Velero backup tarball");
    expect((await env.catalog.listRecoveryPoints("velero")).map((point) => point.id)).toEqual([
      imported.recoveryPointId,
    ]);
    expect(await importVeleroBackup(env.catalog, { backup: "nightly", cluster: "sim" })).toEqual({
      ...imported,
      created: false,
    });

    const registry = await captureRegistrations(() => registerAll(async () => env));
    const runtime = new LocalRuntime(registry, { delay: async () => undefined });
    try {
      const request = restoreRequestSchema.parse({
        recoveryPointId: imported.recoveryPointId,
        includedNamespaces: ["shop"],
        includeClusterScopeResources: false,
        namespaceMappings: { shop: "from-velero" },
      });
      const restoreId = `restore:${imported.recoveryPointId}:test`;
      await runtime.startNew(RESTORE, {
        instanceId: restoreId,
        input: { restoreId, instance: "velero", targetCluster: "sim", request },
      });
      const status = await runtime.waitForCompletion(restoreId, { timeoutMs: 20_000 });
      expect(status.output as RestoreOutput).toMatchObject({ status: "Succeeded", counts: { failed: 0 } });
    } finally {
      await runtime.close();
    }
    const secret = await kubectl(sim(), ["get", "secret", "db", "-n", "from-velero", "-o", "json"]);
    expect(secret.code, secret.stderr).toBe(0);
    expect(JSON.parse(secret.stdout).data).toEqual({ password: "aHVudGVyMg==" });
    expect((await kubectl(sim(), ["get", "deployment", "web", "-n", "from-velero"])).code).toBe(0);
  });

  it("refuses a missing tarball and one that is not a Velero backup, recording nothing", async () => {
    await expect(importVeleroBackup(env.catalog, { backup: "weekly", cluster: "sim" })).rejects.toMatchObject(
      {
        statusCode: 404,
        message: expect.stringContaining("no Velero tarball at imports/velero/weekly.tar.gz"),
      },
    );
    await env.catalog.container.getBlockBlobClient(veleroTarballBlob("broken")).upload("not a tarball", 13);
    await expect(
      importVeleroBackup(env.catalog, { backup: "broken", cluster: "sim", instance: "broken" }),
    ).rejects.toMatchObject({
      statusCode: 422,
      message: expect.stringContaining("is not a readable Velero backup tarball"),
    });
    expect(await env.catalog.listRecoveryPoints("broken")).toEqual([]);
    await expect(
      importVeleroBackup(env.catalog, { backup: "Nightly", cluster: "sim" }),
    ).rejects.toMatchObject({
      statusCode: 400,
      field: "backup",
    });
  });
});
