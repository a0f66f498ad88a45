// The local runtime driving orchestrators registered through the real df.app.* calls: fan-out,
// retries, timers, sub-orchestrations, custom status, failures and non-determinism.
import * as df from "durable-functions";
import { describe, expect, it } from "vitest";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime } from "../../src/local/runtime.js";

const START = Date.parse("2026-01-01T00:00:00Z");

async function setup(register: () => void) {
  const registry = await captureRegistrations(register);
  const delays: number[] = [];
  const runtime = new LocalRuntime(registry, {
    now: () => START,
    delay: async (ms) => {
      delays.push(ms);
    },
  });
  return { registry, runtime, delays };
}

async function run(runtime: LocalRuntime, name: string, input?: unknown, instanceId?: string) {
  const id = await runtime.startNew(name, { input, ...(instanceId ? { instanceId } : {}) });
  return runtime.waitForCompletion(id, { timeoutMs: 5_000 });
}

describe("LocalRuntime", () => {
  it("captures registrations made through df.app.*", async () => {
    const { registry } = await setup(() => {
      df.app.activity("act", { handler: async () => 1 });
      df.app.orchestration("orch", function* (context: df.OrchestrationContext) {
        return yield context.df.callActivity("act");
      });
    });
    expect(registry.names("activityTrigger")).toEqual(["act"]);
    expect(registry.names("orchestrationTrigger")).toEqual(["orch"]);
  });

  it("fans out with Task.all and keeps the other results when a caught branch fails", async () => {
    const { runtime } = await setup(() => {
      df.app.activity("square", {
        handler: async (n: unknown) => {
          // The failure arrives last, so the other branches' results are already in when Task.all fails fast.
          if (n === 2) await new Promise((resolve) => setTimeout(resolve, 20));
          if (n === 2) throw new Error("two is broken");
          return Number(n) * Number(n);
        },
      });
      df.app.orchestration("fanOut", function* (context: df.OrchestrationContext) {
        const tasks = [1, 2, 3].map((n) => context.df.callActivity("square", n));
        try {
          yield context.df.Task.all(tasks);
        } catch (error) {
          const results = tasks.map((t) => (t.isCompleted && !t.isFaulted ? t.result : "failed"));
          return { results, error: error instanceof Error ? error.message : String(error) };
        }
        return "unreachable";
      });
    });
    const status = await run(runtime, "fanOut");
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toEqual({
      results: [1, "failed", 9],
      error: expect.stringContaining("two is broken"),
    });
  });

  it("retries with callActivityWithRetry after the retry interval", async () => {
    let calls = 0;
    const { runtime, delays } = await setup(() => {
      df.app.activity("flaky", {
        handler: async (input: unknown) => {
          calls++;
          if (calls === 1) throw new Error("transient");
          return `${String(input)} after ${calls}`;
        },
      });
      df.app.orchestration("retrying", function* (context: df.OrchestrationContext) {
        return yield context.df.callActivityWithRetry("flaky", new df.RetryOptions(1_000, 3), "snap");
      });
    });
    const status = await run(runtime, "retrying");
    expect(status).toMatchObject({ runtimeStatus: "Completed", output: "snap after 2" });
    expect(calls).toBe(2);
    expect(delays).toEqual([1_000]);
  });

  it("fails the retried task after the last attempt, which the orchestrator can catch", async () => {
    let calls = 0;
    const { runtime, delays } = await setup(() => {
      df.app.activity("broken", {
        handler: async () => {
          calls++;
          throw new TypeError("nope");
        },
      });
      df.app.orchestration("exhausting", function* (context: df.OrchestrationContext) {
        const retry = new df.RetryOptions(500, 2);
        retry.backoffCoefficient = 2;
        try {
          yield context.df.callActivityWithRetry("broken", retry);
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      });
    });
    const status = await run(runtime, "exhausting");
    expect(status.output).toContain("nope");
    expect(calls).toBe(2);
    expect(delays).toEqual([500, 1_000]);
  });

  it("fires timers through the injected delay and advances the orchestration clock", async () => {
    const { runtime, delays } = await setup(() => {
      df.app.orchestration("sleeper", function* (context: df.OrchestrationContext) {
        const t0 = context.df.currentUtcDateTime.getTime();
        yield context.df.createTimer(new Date(t0 + 60_000));
        return context.df.currentUtcDateTime.getTime() - t0;
      });
    });
    const status = await run(runtime, "sleeper");
    expect(status).toMatchObject({ runtimeStatus: "Completed", output: 60_000 });
    expect(delays).toEqual([60_000]);
  });

  it("runs sub-orchestrations as child instances and races with Task.any", async () => {
    const { runtime } = await setup(() => {
      df.app.activity("double", { handler: async (n: unknown) => Number(n) * 2 });
      df.app.orchestration("child", function* (context: df.OrchestrationContext) {
        const value: unknown = yield context.df.callActivity("double", context.df.getInput());
        return { value, parent: context.df.parentInstanceId };
      });
      df.app.orchestration("parent", function* (context: df.OrchestrationContext) {
        const child: unknown = yield context.df.callSubOrchestrator("child", 21, "backup:parent:0");
        const deadline = context.df.createTimer(
          new Date(context.df.currentUtcDateTime.getTime() + 3_600_000),
        );
        const work = context.df.callActivity("double", 5);
        const winner = yield context.df.Task.any([work, deadline]);
        if (winner === work) deadline.cancel();
        return {
          child,
          raced: winner === work ? work.result : "timeout",
          guid: context.df.newGuid("x").length,
        };
      });
    });
    const status = await run(runtime, "parent", undefined, "parent-1");
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toMatchObject({ child: { value: 42, parent: "parent-1" }, guid: 36 });
    expect(await runtime.getStatus("backup:parent:0")).toMatchObject({ runtimeStatus: "Completed" });
  });

  it("shows custom status through getStatus while running and after completion", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { runtime } = await setup(() => {
      df.app.activity("wait", { handler: () => gate });
      df.app.orchestration("phased", function* (context: df.OrchestrationContext) {
        context.df.setCustomStatus({ phase: "waiting" });
        yield context.df.callActivity("wait");
        context.df.setCustomStatus({ phase: "done" });
        return "ok";
      });
    });
    const id = await runtime.startNew("phased", { instanceId: "phased-1" });
    expect((await runtime.getStatus(id))?.runtimeStatus).toBe("Pending");
    await expect.poll(async () => (await runtime.getStatus(id))?.customStatus).toEqual({ phase: "waiting" });
    expect((await runtime.getStatus(id))?.runtimeStatus).toBe("Running");
    release();
    const status = await runtime.waitForCompletion(id, { timeoutMs: 5_000 });
    expect(status).toMatchObject({
      runtimeStatus: "Completed",
      customStatus: { phase: "done" },
      output: "ok",
    });
  });

  it("fails the instance with the activity's error when the failure is not caught", async () => {
    const { runtime } = await setup(() => {
      df.app.activity("explode", {
        handler: async () => {
          throw new Error("disk on fire");
        },
      });
      df.app.orchestration("failing", function* (context: df.OrchestrationContext) {
        context.df.setCustomStatus("about to fail");
        yield context.df.callActivity("explode");
      });
    });
    const status = await run(runtime, "failing");
    expect(status.runtimeStatus).toBe("Failed");
    expect(status.error).toContain("disk on fire");
    expect(status.customStatus).toBe("about to fail");
  });

  it("detects non-determinism when the orchestrator's code changes between replays", async () => {
    let changed = false;
    const { runtime } = await setup(() => {
      df.app.activity("first", {
        handler: async () => {
          changed = true;
        },
      });
      df.app.activity("other", { handler: async () => 0 });
      df.app.orchestration("shifty", function* (context: df.OrchestrationContext) {
        yield context.df.callActivity(changed ? "other" : "first");
        return "done";
      });
    });
    const status = await run(runtime, "shifty", undefined, "shifty-1");
    expect(status.runtimeStatus).toBe("Failed");
    expect(status.error).toBe(
      "NonDeterminismError: Non-deterministic workflow detected in shifty-1: a previous execution scheduled " +
        "0:first at position 0, but the replay scheduled 0:other.",
    );
  });

  it("surfaces a failed sub-orchestration to the parent as a catchable error", async () => {
    const { runtime } = await setup(() => {
      df.app.activity("explode", {
        handler: async () => {
          throw new Error("child broke");
        },
      });
      df.app.orchestration("badChild", function* (context: df.OrchestrationContext) {
        yield context.df.callActivity("explode");
      });
      df.app.orchestration("carefulParent", function* (context: df.OrchestrationContext) {
        try {
          yield context.df.callSubOrchestrator("badChild", null);
        } catch (error) {
          return error instanceof Error ? error.message : String(error);
        }
      });
    });
    const status = await run(runtime, "carefulParent", undefined, "careful-1");
    expect(status.runtimeStatus).toBe("Completed");
    expect(status.output).toContain("child broke");
    expect(await runtime.getStatus("careful-1:0")).toMatchObject({ runtimeStatus: "Failed" });
  });

  it("fails clearly on actions it does not support", async () => {
    const { runtime } = await setup(() => {
      df.app.orchestration("caller", function* (context: df.OrchestrationContext) {
        return yield context.df.callHttp({ method: "GET", url: "https://example.invalid/" });
      });
    });
    const status = await run(runtime, "caller", undefined, "caller-1");
    expect(status.runtimeStatus).toBe("Failed");
    expect(status.error).toBe(
      "Error: Orchestration caller-1 used callHttp, which is not supported by the local runtime",
    );
  });

  it("bounds activity concurrency", async () => {
    let running = 0;
    let peak = 0;
    const registry = await captureRegistrations(() => {
      df.app.activity("slow", {
        handler: async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((resolve) => setTimeout(resolve, 5));
          running--;
        },
      });
      df.app.orchestration("wide", function* (context: df.OrchestrationContext) {
        yield context.df.Task.all(Array.from({ length: 10 }, () => context.df.callActivity("slow")));
        return "ok";
      });
    });
    const runtime = new LocalRuntime(registry, { concurrency: 3 });
    const status = await run(runtime, "wide");
    expect(status.runtimeStatus).toBe("Completed");
    expect(peak).toBe(3);
  });
});
