// The local runtime's state in blob storage (Azurite): a runtime that stops mid-work (close, as in a
// crash) is carried on by a new runtime on the same container, and finished instances stay visible.
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import * as df from "durable-functions";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { captureRegistrations, type Registry } from "../../src/local/registry.js";
import { LocalRuntime } from "../../src/local/runtime.js";
import {
  BlobInstanceStore,
  INSTANCE_PREFIX,
  type InstanceStore,
  instanceBlobName,
  type StoredInstance,
} from "../../src/local/store.js";

const START = Date.parse("2026-01-01T02:00:00Z");
const HOUR = 3_600_000;
const never = new Promise<never>(() => {});

let service: BlobServiceClient;
let containers = 0;
beforeAll(() => {
  service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
});

function freshContainer(): ContainerClient {
  return service.getContainerClient(`runtime-${Date.now()}-${containers++}`);
}

function runtimeOn(registry: Registry, store: InstanceStore, now = () => START): LocalRuntime {
  return new LocalRuntime(registry, { store, now, delay: async () => {} });
}

describe("LocalRuntime persistence in blob storage", () => {
  it("carries on after a restart mid-activity, running the interrupted activity again", async () => {
    const calls = { fetch: 0, upload: 0 };
    let crashed = false;
    const registry = await captureRegistrations(() => {
      df.app.activity("fetch", {
        handler: async () => {
          calls.fetch++;
          return "data";
        },
      });
      df.app.activity("upload", {
        handler: async (input: unknown) => {
          calls.upload++;
          if (!crashed) return never;
          return `uploaded ${String(input)}`;
        },
      });
      df.app.orchestration("resumable", function* (context: df.OrchestrationContext) {
        const data: unknown = yield context.df.callActivity("fetch");
        context.df.setCustomStatus({ phase: "uploading" });
        return yield context.df.callActivity("upload", data);
      });
    });
    const container = freshContainer();
    const store = new BlobInstanceStore(container);
    const id = "backup:shop:2026-01-01T02:00:00.000Z";
    const a = runtimeOn(registry, store);
    await a.startNew("resumable", { instanceId: id, input: { instance: "shop" } });
    await expect.poll(() => calls.upload).toBe(1);
    await a.close();
    crashed = true;

    const blobs: string[] = [];
    for await (const blob of container.listBlobsFlat({ prefix: INSTANCE_PREFIX })) blobs.push(blob.name);
    expect(blobs).toEqual(["runtime/instances/backup%3Ashop%3A2026-01-01T02%3A00%3A00.000Z.json"]);

    const b = runtimeOn(registry, store);
    expect(await b.getStatus(id)).toMatchObject({
      runtimeStatus: "Running",
      customStatus: { phase: "uploading" },
      input: { instance: "shop" },
    });
    expect(await b.resume()).toEqual([id]);
    const status = await b.waitForCompletion(id, { timeoutMs: 5_000 });
    expect(status).toMatchObject({ runtimeStatus: "Completed", output: "uploaded data" });
    expect(calls).toEqual({ fetch: 1, upload: 2 });
    await b.close();
  });

  it("fires a timer that fell due while the runtime was down and re-arms one that did not", async () => {
    const registry = await captureRegistrations(() => {
      df.app.orchestration("sleepy", function* (context: df.OrchestrationContext) {
        const t0 = context.df.currentUtcDateTime.getTime();
        yield context.df.Task.all([
          context.df.createTimer(new Date(t0 + HOUR / 6)),
          context.df.createTimer(new Date(t0 + HOUR)),
        ]);
        return context.df.currentUtcDateTime.getTime() - t0;
      });
    });
    const store = new BlobInstanceStore(freshContainer());
    const a = new LocalRuntime(registry, { store, now: () => START, delay: () => never });
    await a.startNew("sleepy", { instanceId: "sleepy-1" });
    await expect.poll(async () => (await store.load("sleepy-1"))?.work.length).toBe(2);
    await a.close();

    const delays: number[] = [];
    const b = new LocalRuntime(registry, {
      store,
      now: () => START + HOUR / 2,
      delay: async (ms) => {
        delays.push(ms);
      },
    });
    await b.resume();
    const status = await b.waitForCompletion("sleepy-1", { timeoutMs: 5_000 });
    expect(status).toMatchObject({ runtimeStatus: "Completed", output: HOUR });
    expect(delays.sort((x, y) => x - y)).toEqual([0, HOUR / 2]);
    await b.close();
  });

  it("carries on a retry whose interval was running when the runtime stopped", async () => {
    let calls = 0;
    const registry = await captureRegistrations(() => {
      df.app.activity("snapshot", {
        handler: async () => {
          calls++;
          if (calls === 1) throw new Error("throttled");
          return `snapshot after ${calls} attempts`;
        },
      });
      df.app.orchestration("snapshotting", function* (context: df.OrchestrationContext) {
        return yield context.df.callActivityWithRetry("snapshot", new df.RetryOptions(60_000, 3));
      });
    });
    const store = new BlobInstanceStore(freshContainer());
    const a = new LocalRuntime(registry, { store, now: () => START, delay: () => never });
    await a.startNew("snapshotting", { instanceId: "snap-1" });
    await expect
      .poll(async () => (await store.load("snap-1"))?.work)
      .toEqual([
        expect.objectContaining({ kind: "timer", fireAt: START + 60_000, retry: expect.anything() }),
      ]);
    await a.close();

    const b = runtimeOn(registry, store, () => START + 120_000);
    await b.resume();
    expect(await b.waitForCompletion("snap-1", { timeoutMs: 5_000 })).toMatchObject({
      runtimeStatus: "Completed",
      output: "snapshot after 2 attempts",
    });
    expect(calls).toBe(2);
    await b.close();
  });

  it("resumes a parent and its running child together", async () => {
    let crashed = false;
    let calls = 0;
    const registry = await captureRegistrations(() => {
      df.app.activity("copy", {
        handler: async (n: unknown) => {
          calls++;
          return crashed ? Number(n) + 1 : never;
        },
      });
      df.app.orchestration("copier", function* (context: df.OrchestrationContext) {
        return yield context.df.callActivity("copy", context.df.getInput());
      });
      df.app.orchestration("boss", function* (context: df.OrchestrationContext) {
        const copied: unknown = yield context.df.callSubOrchestrator("copier", 41);
        return { copied };
      });
    });
    const store = new BlobInstanceStore(freshContainer());
    const a = runtimeOn(registry, store);
    await a.startNew("boss", { instanceId: "boss-1" });
    await expect.poll(() => calls).toBe(1);
    await a.close();
    crashed = true;

    const b = runtimeOn(registry, store);
    expect((await b.resume()).sort()).toEqual(["boss-1", "boss-1:0"]);
    const status = await b.waitForCompletion("boss-1", { timeoutMs: 5_000 });
    expect(status).toMatchObject({ runtimeStatus: "Completed", output: { copied: 42 } });
    expect(await b.getStatus("boss-1:0")).toMatchObject({ runtimeStatus: "Completed", output: 42 });
    expect(calls).toBe(2);
    await b.close();
  });

  it("delivers the result of a child that finished while its parent's state was not yet saved", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const registry = await captureRegistrations(() => {
      df.app.activity("slowPart", {
        handler: async () => {
          calls++;
          await gate;
          return "part";
        },
      });
      df.app.orchestration("part", function* (context: df.OrchestrationContext) {
        return yield context.df.callActivity("slowPart");
      });
      df.app.orchestration("whole", function* (context: df.OrchestrationContext) {
        return { got: yield context.df.callSubOrchestrator("part", null, "part-of-whole") };
      });
    });
    // The parent's writes fail from now on, as if the process died right after the child's last write.
    const blobs = new BlobInstanceStore(freshContainer());
    const frozen = new Set<string>();
    const store: InstanceStore = {
      save: async (s: StoredInstance) => {
        if (frozen.has(s.instanceId)) throw new Error("process gone");
        await blobs.save(s);
      },
      load: (id) => blobs.load(id),
      list: (filter) => blobs.list(filter),
    };
    const failedWrites: string[] = [];
    const a = new LocalRuntime(registry, {
      store,
      now: () => START,
      onPersistError: (id) => failedWrites.push(id),
    });
    await a.startNew("whole", { instanceId: "whole-1" });
    await expect.poll(() => calls).toBe(1);
    await expect.poll(async () => (await blobs.load("whole-1"))?.work.length).toBe(1);
    frozen.add("whole-1");
    release();
    expect(await a.waitForCompletion("whole-1", { timeoutMs: 5_000 })).toMatchObject({
      runtimeStatus: "Completed",
    });
    await a.close();
    expect(failedWrites).toContain("whole-1");
    expect((await blobs.load("whole-1"))?.runtimeStatus).toBe("Running");
    expect((await blobs.load("part-of-whole"))?.runtimeStatus).toBe("Completed");

    const b = runtimeOn(registry, blobs);
    expect(await b.resume()).toEqual(["whole-1"]);
    const status = await b.waitForCompletion("whole-1", { timeoutMs: 5_000 });
    expect(status).toMatchObject({ runtimeStatus: "Completed", output: { got: "part" } });
    expect(calls).toBe(1);
    await b.close();
  });

  it("keeps a finished instance's status, input and output across a restart", async () => {
    const registry = await captureRegistrations(() => {
      df.app.activity("greet", { handler: async (name: unknown) => `hello ${String(name)}` });
      df.app.orchestration("greeter", function* (context: df.OrchestrationContext) {
        context.df.setCustomStatus({ phase: "greeted" });
        return yield context.df.callActivity("greet", context.df.getInput());
      });
    });
    const store = new BlobInstanceStore(freshContainer());
    const a = runtimeOn(registry, store);
    await a.startNew("greeter", { instanceId: "greeter-1", input: "shop" });
    await a.waitForCompletion("greeter-1", { timeoutMs: 5_000 });
    await a.close();

    const b = runtimeOn(registry, store);
    const expected = {
      instanceId: "greeter-1",
      name: "greeter",
      runtimeStatus: "Completed",
      input: "shop",
      output: "hello shop",
      customStatus: { phase: "greeted" },
      createdTime: "2026-01-01T02:00:00.000Z",
    };
    expect(await b.getStatus("greeter-1")).toMatchObject(expected);
    expect(await b.waitForCompletion("greeter-1", { timeoutMs: 1_000 })).toMatchObject(expected);
    expect(await b.resume()).toEqual([]);
    expect(await b.getStatus("greeter-2")).toBeUndefined();
    await b.close();
  });

  it("fails a resumed instance whose orchestrator changed its actions, naming the instance", async () => {
    const v1 = await captureRegistrations(() => {
      df.app.activity("first", { handler: () => never });
      df.app.orchestration("upgradable", function* (context: df.OrchestrationContext) {
        yield context.df.callActivity("first");
        return "v1";
      });
      df.app.orchestration("retired", function* (context: df.OrchestrationContext) {
        yield context.df.callActivity("first");
      });
    });
    const store = new BlobInstanceStore(freshContainer());
    const a = runtimeOn(v1, store);
    await a.startNew("upgradable", { instanceId: "upgradable-1" });
    await a.startNew("retired", { instanceId: "orphan-1" });
    await expect.poll(async () => (await store.load("upgradable-1"))?.records.length).toBe(1);
    await expect.poll(async () => (await store.load("orphan-1"))?.records.length).toBe(1);
    await a.close();

    const v2 = await captureRegistrations(() => {
      df.app.activity("renamed", { handler: async () => 0 });
      df.app.orchestration("upgradable", function* (context: df.OrchestrationContext) {
        yield context.df.callActivity("renamed");
        return "v2";
      });
    });
    // The new version has no "retired" orchestrator at all.
    const b = runtimeOn(v2, store);
    await b.resume();
    expect(await b.waitForCompletion("upgradable-1", { timeoutMs: 5_000 })).toMatchObject({
      runtimeStatus: "Failed",
      error:
        "NonDeterminismError: Non-deterministic workflow detected in upgradable-1: a previous execution " +
        "scheduled 0:first at position 0, but the replay scheduled 0:renamed.",
    });
    expect(await b.waitForCompletion("orphan-1", { timeoutMs: 5_000 })).toMatchObject({
      runtimeStatus: "Failed",
      error: 'Error: Orchestration orphan-1 cannot run: no orchestrator named "retired" is registered',
    });
    await b.close();
    expect((await store.load("upgradable-1"))?.runtimeStatus).toBe("Failed");
  });

  it("keeps every instance id inside the instances prefix", () => {
    for (const id of ["..", ".", "a:b", "x%2F..%2Fy", "é ü"]) {
      const name = instanceBlobName(id);
      expect(name.startsWith(INSTANCE_PREFIX)).toBe(true);
      expect(name.slice(INSTANCE_PREFIX.length)).not.toContain("/");
      expect(name.endsWith(".json")).toBe(true);
    }
    expect(() => instanceBlobName("../config/policies/x")).toThrow(/contains \/ \\ # \?/);
    expect(() => instanceBlobName("")).toThrow(/cannot be empty/);
  });
});
