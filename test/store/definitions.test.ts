// The definition store against Azurite: ETag preconditions (no lost update), validation before any
// write, names that cannot leave their prefix, references between instances, policies and clusters.
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { configSchema } from "../../src/model/config.js";
import type { PolicyInput } from "../../src/model/policy.js";
import {
  DefinitionConflictError,
  DefinitionError,
  DefinitionInUseError,
  DefinitionInvalidError,
  DefinitionStore,
} from "../../src/store/definitions.js";

const cluster = { name: "prod", kubeconfig: "/etc/kube/prod.yaml" };
const daily: PolicyInput = {
  name: "daily",
  schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
  retention: { default: "P7D" },
};
const instance = { name: "prod-shop", cluster: "prod", policy: "daily" };

let container: ContainerClient;
let store: DefinitionStore;
let counter = 0;

beforeEach(async () => {
  const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  container = service.getContainerClient(`definitions-${Date.now()}-${counter++}`);
  store = new DefinitionStore(container);
  await store.ensureContainer();
});

async function blobNames(): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.listBlobsFlat()) names.push(blob.name);
  return names.sort();
}

describe("definition store", () => {
  it("creates a policy and reads it back with its ETag", async () => {
    const created = await store.put("policy", daily);
    expect(created.etag).toMatch(/\S/);
    expect(created.value.retention.rules).toEqual([]);
    const read = await store.get("policy", "daily");
    expect(read).toEqual(created);
    expect(await blobNames()).toEqual(["config/policies/daily.json"]);
    expect(await store.get("policy", "weekly")).toBeUndefined();
    expect((await store.list("policy")).map((entry) => entry.value.name)).toEqual(["daily"]);
  });

  it("updates with the right ETag and returns the new one", async () => {
    const created = await store.put("policy", daily);
    const updated = await store.put(
      "policy",
      { ...daily, retention: { default: "P14D" } },
      { ifMatch: created.etag },
    );
    expect(updated.etag).not.toBe(created.etag);
    expect((await store.get("policy", "daily"))?.value.retention.default).toBe("P14D");
  });

  it("refuses a concurrent update with a stale ETag and keeps the first write", async () => {
    const created = await store.put("policy", daily);
    const first = store.put(
      "policy",
      { ...daily, retention: { default: "P14D" } },
      { ifMatch: created.etag },
    );
    await first;
    const second = store.put(
      "policy",
      { ...daily, retention: { default: "P30D" } },
      { ifMatch: created.etag },
    );
    const error = await second.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DefinitionConflictError);
    expect(error).toMatchObject({ code: "Conflict", status: 409, kind: "policy", objectName: "daily" });
    expect((error as Error).message).toMatch(
      /policy "daily" was changed or deleted since you read it; re-read/,
    );
    expect((await store.get("policy", "daily"))?.value.retention.default).toBe("P14D");
  });

  it("lets exactly one of two racing updates with the same ETag win", async () => {
    const created = await store.put("policy", daily);
    const results = await Promise.allSettled(
      ["P14D", "P30D"].map((duration) =>
        store.put("policy", { ...daily, retention: { default: duration } }, { ifMatch: created.etag }),
      ),
    );
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect(lost[0]?.status === "rejected" && lost[0].reason).toBeInstanceOf(DefinitionConflictError);
    const kept = await store.get("policy", "daily");
    expect(won[0]?.status === "fulfilled" && won[0].value).toEqual(kept);
  });

  it("refuses to create a name that exists, and to update one that was deleted", async () => {
    const created = await store.put("policy", daily);
    await expect(store.put("policy", { ...daily, retention: { default: "P1D" } })).rejects.toThrow(
      /policy "daily" already exists; to change it, read it and send it back with its ETag/,
    );
    expect((await store.get("policy", "daily"))?.value.retention.default).toBe("P7D");
    expect(await store.delete("policy", "daily")).toBe(true);
    await expect(store.put("policy", daily, { ifMatch: created.etag })).rejects.toBeInstanceOf(
      DefinitionConflictError,
    );
    expect(await store.delete("policy", "daily")).toBe(false);
  });

  it("deletes only the version read when given an ETag", async () => {
    const created = await store.put("policy", daily);
    await store.put("policy", { ...daily, retention: { default: "P9D" } }, { ifMatch: "*" });
    await expect(store.delete("policy", "daily", { ifMatch: created.etag })).rejects.toBeInstanceOf(
      DefinitionConflictError,
    );
    const current = await store.get("policy", "daily");
    expect(current?.value.retention.default).toBe("P9D");
    expect(await store.delete("policy", "daily", { ifMatch: current?.etag })).toBe(true);
    expect(await store.get("policy", "daily")).toBeUndefined();
  });

  it("reports every problem of an invalid body with field paths and writes nothing", async () => {
    const error = await store
      .put("policy", { name: "daily", schedule: [], retention: { default: "P0D" }, extra: 1 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DefinitionInvalidError);
    const invalid = error as DefinitionInvalidError;
    expect(invalid).toMatchObject({ code: "Invalid", status: 400 });
    expect(invalid.issues.map((issue) => issue.path.join("."))).toEqual(
      expect.arrayContaining(["schedule", "retention.default", "extra"]),
    );
    await expect(store.put("cluster", { name: "prod" })).rejects.toBeInstanceOf(DefinitionInvalidError);
    await expect(store.put("policy", { name: "daily", schedule: daily.schedule })).rejects.toMatchObject({
      issues: [{ path: ["retention"], message: "missing; expected a mapping" }],
    });
    await expect(store.put("instance", "not an object")).rejects.toBeInstanceOf(DefinitionInvalidError);
    expect(await blobNames()).toEqual([]);
  });

  it.each(["../daily", "a/b", "..", "Daily", "", "x".repeat(64), "daily.json"])(
    "refuses the name %j everywhere, never touching a blob outside the prefix",
    async (name) => {
      await expect(store.put("policy", { ...daily, name })).rejects.toBeInstanceOf(DefinitionInvalidError);
      await expect(store.get("policy", name)).rejects.toBeInstanceOf(DefinitionInvalidError);
      await expect(store.delete("policy", name)).rejects.toMatchObject({
        code: "Invalid",
        issues: [{ path: ["name"] }],
      });
      expect(await blobNames()).toEqual([]);
    },
  );

  it("refuses an instance whose policy or cluster does not exist, naming them", async () => {
    await store.put("policy", daily);
    const error = await store
      .put("instance", { ...instance, policy: "dayly", cluster: "staging" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DefinitionInvalidError);
    expect((error as DefinitionInvalidError).issues).toEqual([
      { path: ["policy"], message: 'unknown policy "dayly" (did you mean "daily"?); known policies: daily' },
      { path: ["cluster"], message: 'unknown cluster "staging"; no clusters are defined' },
    ]);
    expect(await store.list("instance")).toEqual([]);
  });

  it("refuses to delete a policy or cluster in use, naming the instances", async () => {
    await store.put("cluster", cluster);
    await store.put("policy", daily);
    await store.put("instance", instance);
    await store.put("instance", { ...instance, name: "prod-blog" });
    const error = await store.delete("policy", "daily").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DefinitionInUseError);
    expect(error).toMatchObject({ code: "InUse", status: 409, instances: ["prod-blog", "prod-shop"] });
    expect((error as Error).message).toBe(
      'policy "daily" is used by backup instances prod-blog, prod-shop; delete them or move them to another policy first',
    );
    await expect(store.delete("cluster", "prod")).rejects.toBeInstanceOf(DefinitionInUseError);
    await store.delete("instance", "prod-blog");
    await store.delete("instance", "prod-shop");
    expect(await store.delete("policy", "daily")).toBe(true);
    expect(await store.delete("cluster", "prod")).toBe(true);
  });

  it("reports a stored blob that is not a valid definition instead of serving it", async () => {
    const body = JSON.stringify({ name: "daily", schedule: "nope" });
    await container.getBlockBlobClient("config/policies/daily.json").upload(body, body.length);
    await expect(store.get("policy", "daily")).rejects.toMatchObject({ code: "StoredInvalid" });
  });

  it("seeds from the config idempotently, never overwriting an edited definition", async () => {
    const config = {
      clusters: [{ ...cluster, qps: undefined, burst: undefined }],
      policies: [{ ...daily, retention: { default: "P7D", rules: [] } }],
      instances: [{ ...instance, includeClusterScopeResources: true, snapshotVolumes: true }],
    };
    const first = await store.seedFromConfig(config);
    expect(first).toEqual({
      created: [
        { kind: "cluster", name: "prod" },
        { kind: "policy", name: "daily" },
        { kind: "instance", name: "prod-shop" },
      ],
      updated: [],
      kept: [],
      differsFromFile: [],
      failed: [],
    });
    const stored = await store.get("policy", "daily");
    await store.put("policy", { ...daily, retention: { default: "P30D" } }, { ifMatch: stored?.etag });
    const second = await store.seedFromConfig(config);
    expect(second.created).toEqual([]);
    expect(second.kept).toHaveLength(3);
    expect(second.differsFromFile).toEqual([{ kind: "policy", name: "daily" }]);
    expect((await store.get("policy", "daily"))?.value.retention.default).toBe("P30D");
  });

  it("updates what the config file wrote when the file changes, but not what the API edited", async () => {
    const config = configSchema.parse({ clusters: [cluster], policies: [daily], instances: [instance] });
    await store.seedFromConfig(config);
    expect((await store.seedFromConfig(config)).updated).toEqual([]);
    const edited = configSchema.parse({
      clusters: [cluster],
      policies: [{ ...daily, retention: { default: "P14D" } }],
      instances: [{ ...instance, includedNamespaces: ["shop", "shop-*"] }],
    });
    const apiEdit = await store.get("cluster", "prod");
    await store.put("cluster", { ...cluster, qps: 5 }, { ifMatch: apiEdit?.etag });

    const report = await store.seedFromConfig(edited);
    expect(report.updated).toEqual([
      { kind: "policy", name: "daily" },
      { kind: "instance", name: "prod-shop" },
    ]);
    expect(report.differsFromFile).toEqual([{ kind: "cluster", name: "prod" }]);
    expect((await store.get("policy", "daily"))?.value.retention.default).toBe("P14D");
    expect((await store.get("instance", "prod-shop"))?.value.includedNamespaces).toEqual(["shop", "shop-*"]);
    expect((await store.get("cluster", "prod"))?.value.qps).toBe(5);
    expect((await store.get("policy", "daily"))?.origin).toBe("config");
  });

  it("reports storage failures as storage errors, not as missing definitions", async () => {
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    const missing = new DefinitionStore(service.getContainerClient(`absent-${Date.now()}`));
    const error = await missing.put("policy", daily).catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(DefinitionError);
    expect(error).toMatchObject({ code: "StorageUnavailable" });
    expect((error as Error).message).toMatch(/cannot write policy "daily": 404 ContainerNotFound/);
  });
});
