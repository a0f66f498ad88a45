import { Readable } from "node:stream";
import { BlobServiceClient } from "@azure/storage-blob";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { ARCHIVE_BLOB, Catalog, CatalogError } from "../../src/store/catalog.js";
import { newRecoveryPointId, parseRecoveryPointId } from "../../src/store/recovery-point-id.js";

function manifest(id: string, instance: string, startTime: string): RecoveryPointManifest {
  return {
    formatVersion: 1,
    id,
    instance,
    cluster: "prod",
    trigger: "OnDemand",
    startTime,
    endTime: startTime,
    status: "Succeeded",
    itemCounts: { "v1/ConfigMap": 1 },
    totalItems: 1,
    volumeSnapshots: [],
    warnings: [],
    errors: [],
  };
}

describe("recovery point ids", () => {
  it("round-trips the instance and the time, and sorts by time", () => {
    const early = newRecoveryPointId("prod-shop", new Date("2026-02-28T23:59:59.900Z"), 0xbeef);
    const late = newRecoveryPointId("prod-shop", new Date("2026-03-01T00:00:00Z"), 0x0001);
    expect(early).toBe("prod-shop-20260228-235959-beef");
    expect(parseRecoveryPointId(early)).toEqual({
      id: early,
      instance: "prod-shop",
      time: new Date("2026-02-28T23:59:59Z"),
    });
    expect([late, early].sort()).toEqual([early, late]);
  });

  it.each([
    "",
    "prod",
    "prod-20260101-000000",
    "../x-20260101-000000-abcd",
    "Prod-20260101-000000-abcd",
    "p-20261301-000000-abcd",
  ])("refuses %j", (id) => {
    expect(parseRecoveryPointId(id)).toBeUndefined();
  });
});

describe("catalog in Azurite", () => {
  let catalog: Catalog;
  beforeAll(async () => {
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    catalog = new Catalog(service.getContainerClient(`catalog-${Date.now()}`));
    await catalog.ensureContainer();
  });

  it("lists only committed recovery points of the instance, newest first", async () => {
    const a = newRecoveryPointId("shop", new Date("2026-11-01T02:00:00Z"), 1);
    const b = newRecoveryPointId("shop", new Date("2026-11-02T02:00:00Z"), 2);
    const uncommitted = newRecoveryPointId("shop", new Date("2026-11-03T02:00:00Z"), 3);
    const other = newRecoveryPointId("shop-eu", new Date("2026-11-04T02:00:00Z"), 4);
    for (const id of [a, b, uncommitted])
      await catalog.uploadFile(id, ARCHIVE_BLOB, Readable.from([Buffer.from("tar")]));
    await catalog.commitManifest(manifest(a, "shop", "2026-11-01T02:00:00Z"));
    await catalog.commitManifest(manifest(b, "shop", "2026-11-02T02:00:00Z"));
    await catalog.commitManifest(manifest(other, "shop-eu", "2026-11-04T02:00:00Z"));
    expect((await catalog.listRecoveryPoints("shop")).map((m) => m.id)).toEqual([b, a]);
    expect(await catalog.getManifest(uncommitted)).toBeUndefined();
  });

  it("stores a file given as bytes in one Put Blob, and a stream in committed blocks, both as gzip", async () => {
    const id = newRecoveryPointId("files", new Date("2026-11-06T02:00:00Z"), 6);
    const bytes = Buffer.from("log bytes");
    const logName = await catalog.uploadFile(id, "log.ndjson.gz", bytes);
    const archiveName = await catalog.uploadFile(id, ARCHIVE_BLOB, Readable.from([Buffer.from("tar bytes")]));
    for (const [name, body, blocks] of [
      [logName, "log bytes", 0],
      [archiveName, "tar bytes", 1],
    ] as const) {
      const blob = catalog.container.getBlockBlobClient(name);
      expect((await blob.downloadToBuffer()).toString()).toBe(body);
      expect((await blob.getProperties()).contentType).toBe("application/gzip");
      expect((await blob.getBlockList("committed")).committedBlocks ?? []).toHaveLength(blocks);
    }
  });

  it("refuses to commit a manifest twice and keeps the first", async () => {
    const id = newRecoveryPointId("orders", new Date("2026-11-05T02:00:00Z"), 5);
    await catalog.commitManifest(manifest(id, "orders", "2026-11-05T02:00:00Z"));
    const second = { ...manifest(id, "orders", "2026-11-05T02:00:00Z"), status: "Failed" as const };
    await expect(catalog.commitManifest(second)).rejects.toMatchObject({ code: "RecoveryPointExists" });
    expect((await catalog.getManifest(id))?.status).toBe("Succeeded");
  });

  it("refuses ids that are not recovery point ids", async () => {
    await expect(catalog.getManifest("../../etc")).rejects.toBeInstanceOf(CatalogError);
  });
});

describe("catalog when storage is down", () => {
  it("says which storage it cannot reach, without the account key", async () => {
    const connectionString = inject("azuriteConnectionString").replace(/127\.0\.0\.1:\d+/, "127.0.0.1:9");
    const catalog = new Catalog(
      BlobServiceClient.fromConnectionString(connectionString, {
        retryOptions: { maxTries: 1 },
      }).getContainerClient("down"),
    );
    const error = await catalog.ensureContainer().then(
      () => undefined,
      (e: unknown) => e as CatalogError,
    );
    expect(error?.code).toBe("StorageUnavailable");
    expect(error?.message).toBe(
      "storage http://127.0.0.1:9/devstoreaccount1/down: cannot create or open the container: ECONNREFUSED",
    );
    expect(error?.message).not.toContain("AccountKey");
  });
});
