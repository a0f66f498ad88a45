// `aks-backup status` as a user runs it: the built CLI over a config file and Azurite, with
// recovery points committed into the container as the engine commits them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { StatusOutput } from "../../src/cli/commands/status.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { ARCHIVE_BLOB, Catalog } from "../../src/store/catalog.js";
import { newRecoveryPointId } from "../../src/store/recovery-point-id.js";
import { cli } from "../helpers/cli.js";

const containerName = `cli-status-${process.pid}-${Date.now()}`;

describe("aks-backup status", () => {
  const dir = mkdtempSync(join(tmpdir(), "aks-backup-status-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let healthyId = "";

  beforeAll(async () => {
    writeFileSync(
      join(dir, "aks-backup.yaml"),
      [
        "storage:",
        `  connectionString: "${inject("azuriteConnectionString")}"`,
        `  container: ${containerName}`,
        "clusters:",
        "  - name: prod",
        "    kubeconfig: /nonexistent/kubeconfig",
        "policies:",
        "  - name: daily",
        '    schedule: ["R/2026-01-01T02:00:00+00:00/P1D"]',
        "    retention: {default: P7D}",
        "instances:",
        "  - {name: shop, cluster: prod, policy: daily, snapshotVolumes: false}",
        "  - {name: billing, cluster: prod, policy: daily, snapshotVolumes: false}",
        "  - {name: fresh, cluster: prod, policy: daily, snapshotVolumes: false}",
        "",
      ].join("\n"),
    );
    const container = BlobServiceClient.fromConnectionString(
      inject("azuriteConnectionString"),
    ).getContainerClient(containerName);
    await container.createIfNotExists();
    const catalog = new Catalog(container);
    let nonce = 0;
    const commit = async (instance: string, minutesAgo: number, status: RecoveryPointManifest["status"]) => {
      const start = new Date(Date.now() - minutesAgo * 60_000);
      const id = newRecoveryPointId(instance, start, nonce++);
      await catalog.uploadFile(id, ARCHIVE_BLOB, Readable.from([Buffer.alloc(4096, 1)]));
      await catalog.commitManifest({
        formatVersion: 1,
        id,
        instance,
        policy: "daily",
        cluster: "prod",
        trigger: "OnDemand",
        startTime: start.toISOString(),
        endTime: new Date(start.getTime() + 5_000).toISOString(),
        status,
        itemCounts: {},
        totalItems: 1,
        volumeSnapshots:
          status === "Succeeded"
            ? [
                {
                  pvc: "shop/data",
                  pv: "pv-data",
                  diskId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/d",
                  snapshotId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/snapshots/s",
                  sizeGiB: 4,
                  completionPercent: 100,
                },
              ]
            : [],
        warnings: [],
        errors: status === "Succeeded" ? [] : [{ message: "kube-apiserver timed out" }],
      });
      return id;
    };
    healthyId = await commit("shop", 5, "Succeeded");
    for (const minutesAgo of [30, 20, 10]) await commit("billing", minutesAgo, "Failed");
  });

  it("shows each instance's health, last and next backup and usage in a table", async () => {
    const run = await cli(["status"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(
      /^INSTANCE\s+HEALTH\s+LAST BACKUP\s+LAST RUN\s+NEXT BACKUP\s+POINTS\s+BLOBS\s+SNAPSHOTS \(PROVISIONED\)$/,
    );
    const row = (name: string) => lines.find((line) => line.startsWith(`${name} `)) ?? "";
    expect(row("shop")).toMatch(
      /^shop\s+Healthy\s+\S+Z\s+Succeeded\s+\S+T02:00:00\.000Z\s+1\s+\d+(\.\d)? KiB\s+1 \(4\.0 GiB\)$/,
    );
    expect(row("billing")).toMatch(/^billing\s+Unhealthy\s+never\s+Failed\s+\S+\s+3\s/);
    expect(row("fresh")).toMatch(/^fresh\s+Warning\s+never\s+-\s+/);
    expect(run.stdout).toContain("billing: Unhealthy: the last 3 runs failed: kube-apiserver timed out");
    expect(run.stdout).toContain("fresh: Warning: no backup has run yet");
    expect(run.stdout.trimEnd().endsWith("overall: Unhealthy")).toBe(true);
  });

  it("prints the same as JSON with -o json", async () => {
    const run = await cli(["status", "-o", "json"], dir);
    expect(run.code).toBe(0);
    const status = JSON.parse(run.stdout) as StatusOutput;
    expect(status.status).toBe("Unhealthy");
    expect(status.instances.map((i) => i.name)).toEqual(["billing", "fresh", "shop"]);
    const shop = status.instances[2];
    expect(shop).toMatchObject({
      name: "shop",
      status: "Healthy",
      lastSuccessfulBackup: { id: healthyId, status: "Succeeded" },
      usage: { recoveryPoints: 1, snapshots: { count: 1, provisionedBytes: 4 * 1024 ** 3 } },
    });
    expect(shop?.usage?.blobBytes).toBeGreaterThan(4096);
    expect(status.totals.recoveryPoints).toBe(4);
    expect(status.note).toMatch(/provisioned size/);
  });
});
