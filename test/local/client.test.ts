// The local runtime as the product's OrchestrationClient (start under an id, status, listing) and
// the durable features beyond activities: external events, terminate, sub-orchestration retries.
import { BlobServiceClient } from "@azure/storage-blob";
import * as df from "durable-functions";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { captureRegistrations, type Registry } from "../../src/local/registry.js";
import { InstanceNotRunningError, LocalRuntime } from "../../src/local/runtime.js";
import { BlobInstanceStore, type InstanceStore, MemoryInstanceStore } from "../../src/local/store.js";
import { InstanceExistsError, type OrchestrationClient } from "../../src/orchestrations/client.js";

const START = Date.parse("2026-01-01T00:00:00Z");
const never = new Promise<never>(() => {});

let service: BlobServiceClient;
let containers = 0;
beforeAll(() => {
  service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
});

function blobStore(): BlobInstanceStore {
  return new BlobInstanceStore(service.getContainerClient(`client-${Date.now()}-${containers++}`));
}

function runtimeOn(registry: Registry, store: InstanceStore = new MemoryInstanceStore(), now = () => START) {
  const delays: number[] = [];
  const runtime = new LocalRuntime(registry, {
    store,
    now,
    delay: async (ms) => {
      delays.push(ms);
    },
  });
  return { runtime, delays };
}

describe("LocalRuntime as an OrchestrationClient", () => {
  it("refuses a second start of a running id and replaces a finished one with a fresh run", async () => {
    let release: () => void = () => {};
    const registry = await captureRegistrations(() => {
      df.app.activity("hold", {
        handler: (input: unknown) =>
          new Promise((resolve) => {
            release = () => resolve(input);
          }),
      });
      df.app.orchestration("job", function* (context: df.OrchestrationContext) {
        return yield context.df.callActivity("hold", context.df.getInput());
      });
    });
    let now = START;
    const { runtime } = runtimeOn(registry, blobStore(), () => now);
    const client: OrchestrationClient = runtime;
    await client.startNew("job", { instanceId: "backup:shop:slot", input: "first" });
    await expect(client.startNew("job", { instanceId: "backup:shop:slot", input: "again" })).rejects.toThrow(
      InstanceExistsError,
    );
    await expect
      .poll(async () => (await client.getStatus("backup:shop:slot"))?.runtimeStatus)
      .toBe("Running");
    release();
    await runtime.waitForCompletion("backup:shop:slot", { timeoutMs: 5_000 });

    now = START + 60_000;
    await client.startNew("job", { instanceId: "backup:shop:slot", input: "second" });
    await expect.poll(() => client.getStatus("backup:shop:slot")).toMatchObject({ runtimeStatus: "Running" });
    release();
    expect(await runtime.waitForCompletion("backup:shop:slot", { timeoutMs: 5_000 })).toMatchObject({
      runtimeStatus: "Completed",
      input: "second",
      output: "second",
      createdTime: "2026-01-01T00:01:00.000Z",
    });
    await runtime.close();
  });

  it("refuses an id that another runtime left running in the same store until it is resumed", async () => {
    const registry = await captureRegistrations(() => {
      df.app.activity("stall", { handler: () => never });
      df.app.orchestration("stalling", function* (context: df.OrchestrationContext) {
        yield context.df.callActivity("stall");
      });
    });
    const store = blobStore();
    const first = runtimeOn(registry, store).runtime;
    await first.startNew("stalling", { instanceId: "stalled-1" });
    await first.close();
    const second = runtimeOn(registry, store).runtime;
    await expect(second.startNew("stalling", { instanceId: "stalled-1" })).rejects.toMatchObject({
      name: "InstanceExistsError",
      message: "orchestration stalled-1 is already running",
    });
    await second.close();
  });

  it("lists stored and running instances newest first, filtered by status and creation time", async () => {
    const registry = await captureRegistrations(() => {
      df.app.activity("stall", { handler: () => never });
      df.app.activity("noop", { handler: async () => "ok" });
      df.app.orchestration("quick", function* (context: df.OrchestrationContext) {
        return yield context.df.callActivity("noop");
      });
      df.app.orchestration("stalling", function* (context: df.OrchestrationContext) {
        yield context.df.callActivity("stall");
      });
    });
    const store = blobStore();
    let now = START;
    const earlier = runtimeOn(registry, store, () => now).runtime;
    for (const [i, name] of ["quick", "quick", "stalling"].entries()) {
      now = START + i * 60_000;
      await earlier.startNew(name, { instanceId: `job-${i}` });
    }
    await earlier.waitForCompletion("job-1", { timeoutMs: 5_000 });
    await earlier.waitForCompletion("job-0", { timeoutMs: 5_000 });
    await earlier.close();

    now = START + 3 * 60_000;
    const later = runtimeOn(registry, store, () => now).runtime;
    await later.startNew("quick", { instanceId: "job-3" });
    const ids = async (filter?: Parameters<LocalRuntime["listInstances"]>[0]) =>
      (await later.listInstances(filter)).map((s) => s.instanceId);
    expect(await ids()).toEqual(["job-3", "job-2", "job-1", "job-0"]);
    expect(await ids({ runtimeStatus: ["Running"] })).toEqual(["job-2"]);
    expect(await ids({ runtimeStatus: ["Completed", "Pending"] })).toEqual(["job-3", "job-1", "job-0"]);
    expect(
      await ids({ createdFrom: new Date(START + 60_000), createdTo: new Date(START + 2 * 60_000) }),
    ).toEqual(["job-2", "job-1"]);
    expect((await later.listInstances({ runtimeStatus: ["Running"] }))[0]).toMatchObject({
      name: "stalling",
      createdTime: "2026-01-01T00:02:00.000Z",
    });
    await later.close();
  });

  it("terminates an instance and its running child; late results change nothing", async () => {
    let finishWork: () => void = () => {};
    const registry = await captureRegistrations(() => {
      df.app.activity("work", {
        handler: () =>
          new Promise((resolve) => {
            finishWork = () => resolve("late");
          }),
      });
      df.app.orchestration("worker", function* (context: df.OrchestrationContext) {
        return yield context.df.callActivity("work");
      });
      df.app.orchestration("manager", function* (context: df.OrchestrationContext) {
        return yield context.df.callSubOrchestrator("worker", null, "manager-1:worker");
      });
    });
    const store = blobStore();
    const { runtime } = runtimeOn(registry, store);
    await runtime.startNew("manager", { instanceId: "manager-1" });
    await expect
      .poll(() => runtime.getStatus("manager-1:worker"))
      .toMatchObject({ runtimeStatus: "Running" });
    await runtime.terminate("manager-1", "cancelled by the operator");
    finishWork();
    expect(await runtime.waitForCompletion("manager-1", { timeoutMs: 5_000 })).toMatchObject({
      runtimeStatus: "Terminated",
      output: "cancelled by the operator",
    });
    expect(await runtime.getStatus("manager-1:worker")).toMatchObject({
      runtimeStatus: "Terminated",
      output: "Parent orchestration manager-1 was terminated: cancelled by the operator",
    });
    await expect(runtime.terminate("manager-1", "again")).rejects.toThrow(
      new InstanceNotRunningError("manager-1", "Terminated", "terminate"),
    );
    await runtime.close();
    expect((await store.load("manager-1"))?.runtimeStatus).toBe("Terminated");
    expect((await store.load("manager-1:worker"))?.runtimeStatus).toBe("Terminated");
  });

  it("delivers external events, buffering one raised before the wait and keeping it across a restart", async () => {
    const registry = await captureRegistrations(() => {
      df.app.orchestration("approval", function* (context: df.OrchestrationContext) {
        const first: unknown = yield context.df.waitForExternalEvent("first");
        const second: unknown = yield context.df.waitForExternalEvent("second");
        return { first, second };
      });
    });
    const store = blobStore();
    const a = runtimeOn(registry, store).runtime;
    await a.startNew("approval", { instanceId: "approval-1" });
    await a.raiseEvent("approval-1", "second", { by: "bob" });
    await a.close();

    const b = runtimeOn(registry, store).runtime;
    await b.resume();
    await b.raiseEvent("approval-1", "first", { by: "alice" });
    expect(await b.waitForCompletion("approval-1", { timeoutMs: 5_000 })).toMatchObject({
      runtimeStatus: "Completed",
      output: { first: { by: "alice" }, second: { by: "bob" } },
    });
    await expect(b.raiseEvent("approval-1", "first")).rejects.toThrow(
      "Cannot raise event first: orchestration approval-1 is Completed",
    );
    await expect(b.raiseEvent("nobody", "first")).rejects.toThrow(
      "Cannot raise event first: no orchestration instance nobody",
    );
    await b.close();
  });

  it("retries a failed sub-orchestration as a new child per attempt, or under the caller's id", async () => {
    let calls = 0;
    const registry = await captureRegistrations(() => {
      df.app.activity("flaky", {
        handler: async (input: unknown) => {
          calls++;
          if (calls % 2 === 1) throw new Error(`attempt ${calls} broke`);
          return `made it: ${String(input)}`;
        },
      });
      df.app.orchestration("fragile", function* (context: df.OrchestrationContext) {
        return yield context.df.callActivity("flaky", context.df.getInput());
      });
      df.app.orchestration("persistent", function* (context: df.OrchestrationContext) {
        const retry = new df.RetryOptions(2_000, 3);
        const generated: unknown = yield context.df.callSubOrchestratorWithRetry("fragile", retry, "a");
        const named: unknown = yield context.df.callSubOrchestratorWithRetry(
          "fragile",
          retry,
          "b",
          "named-child",
        );
        return [generated, named];
      });
    });
    const { runtime, delays } = runtimeOn(registry);
    await runtime.startNew("persistent", { instanceId: "persistent-1" });
    expect(await runtime.waitForCompletion("persistent-1", { timeoutMs: 5_000 })).toMatchObject({
      runtimeStatus: "Completed",
      output: ["made it: a", "made it: b"],
    });
    expect(delays).toEqual([2_000, 2_000]);
    expect(await runtime.getStatus("persistent-1:0")).toMatchObject({
      runtimeStatus: "Failed",
      error: expect.stringContaining("attempt 1 broke"),
    });
    expect(await runtime.getStatus("persistent-1:2")).toMatchObject({ runtimeStatus: "Completed" });
    expect(await runtime.getStatus("named-child")).toMatchObject({ runtimeStatus: "Completed", input: "b" });
    await runtime.close();
  });

  it("fails the parent's task when a sub-orchestration's explicit id is already running", async () => {
    const registry = await captureRegistrations(() => {
      df.app.orchestration("waiter", function* (context: df.OrchestrationContext) {
        return yield context.df.waitForExternalEvent("go");
      });
      df.app.orchestration("clasher", function* (context: df.OrchestrationContext) {
        try {
          yield context.df.callSubOrchestrator("waiter", null, "taken");
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      });
    });
    const { runtime } = runtimeOn(registry);
    await runtime.startNew("waiter", { instanceId: "taken" });
    await runtime.startNew("clasher", { instanceId: "clasher-1" });
    const status = await runtime.waitForCompletion("clasher-1", { timeoutMs: 5_000 });
    expect(status.output).toBe(
      "InstanceExistsError: Cannot start sub-orchestration waiter as taken: an instance with that id is already Running",
    );
    expect(await runtime.getStatus("taken")).toMatchObject({ runtimeStatus: "Running" });
    await runtime.close();
  });

  it("writes an instance's state once per episode, not once per event", async () => {
    const registry = await captureRegistrations(() => {
      df.app.activity("part", { handler: async (n: unknown) => n });
      df.app.orchestration("wide", function* (context: df.OrchestrationContext) {
        const parts = Array.from({ length: 20 }, (_, n) => context.df.callActivity("part", n));
        return ((yield context.df.Task.all(parts)) as number[]).length;
      });
    });
    const inner = new MemoryInstanceStore();
    let saves = 0;
    const store: InstanceStore = {
      save: async (s) => {
        saves++;
        await inner.save(s);
      },
      load: (id) => inner.load(id),
      list: (filter) => inner.list(filter),
    };
    const { runtime } = runtimeOn(registry, store);
    await runtime.startNew("wide", { instanceId: "wide-1" });
    expect(await runtime.waitForCompletion("wide-1", { timeoutMs: 5_000 })).toMatchObject({ output: 20 });
    const history = (await inner.load("wide-1"))?.history ?? [];
    const episodes = history.filter((e) => e.EventType === 12).length;
    expect(history.length).toBeGreaterThan(40);
    // One write when started, then at most one per episode (the final state included).
    expect(saves).toBeLessThanOrEqual(episodes + 1);
    expect(saves).toBeLessThan(10);
    await runtime.close();
  });
});
