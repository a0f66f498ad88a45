// In-memory local runtime: drives registered orchestrators through durable-functions' own replay
// executor, episode by episode (history in, actions out, work done, completions appended).
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { InvocationContext } from "@azure/functions";
import {
  type Action,
  ActionType,
  actionKey,
  checkDeterminism,
  decodeInput,
  retryDelayMs,
} from "./actions.js";
import {
  EventType,
  failureFields,
  failureOf,
  type HistoryEvent,
  historyEvent,
  iso,
  resultJson,
  subOrchestrationResult,
} from "./history.js";
import {
  type InboxItem,
  type Instance,
  type InstanceStatus,
  type LocalRuntimeOptions,
  newInstance,
  type Retry,
  statusOf,
} from "./instance.js";
import { Limiter } from "./limiter.js";
import type { Registry } from "./registry.js";
import { replay } from "./replay.js";

export type { InstanceStatus, LocalRuntimeOptions, RuntimeStatus } from "./instance.js";

export class LocalRuntime {
  readonly #instances = new Map<string, Instance>();
  readonly #limiter: Limiter;
  readonly #now: () => number;
  readonly #delay: (ms: number, signal: AbortSignal) => Promise<void>;
  #clock = 0;

  constructor(
    private readonly registry: Registry,
    options: LocalRuntimeOptions = {},
  ) {
    this.#limiter = new Limiter(options.concurrency ?? 8);
    this.#now = options.now ?? Date.now;
    this.#delay = options.delay ?? ((ms, signal) => sleep(ms, undefined, { signal }));
  }

  async startNew(name: string, options: { instanceId?: string; input?: unknown } = {}): Promise<string> {
    this.registry.get(name, "orchestrationTrigger");
    const instance = this.#create(name, options.instanceId ?? randomUUID(), options.input, "");
    return instance.id;
  }

  getStatus(instanceId: string): InstanceStatus | undefined {
    const inst = this.#instances.get(instanceId);
    return inst && statusOf(inst);
  }

  /** The history recorded so far (a copy), for diagnostics and tests. */
  getHistory(instanceId: string): HistoryEvent[] {
    return [...(this.#instances.get(instanceId)?.history ?? [])];
  }

  async waitForCompletion(instanceId: string, options: { timeoutMs: number }): Promise<InstanceStatus> {
    const inst = this.#instances.get(instanceId);
    if (!inst) throw new Error(`No instance ${instanceId}`);
    const timeout = new AbortController();
    const expired = sleep(options.timeoutMs, "timeout", { signal: timeout.signal }).catch(() => "aborted");
    const winner = await Promise.race([inst.done.then(() => "done"), expired]);
    timeout.abort();
    if (winner !== "done")
      throw new Error(`Instance ${instanceId} did not finish within ${options.timeoutMs} ms`);
    const status = this.getStatus(instanceId);
    if (!status) throw new Error(`No instance ${instanceId}`);
    return status;
  }

  #time(): number {
    this.#clock = Math.max(this.#clock, this.#now());
    return this.#clock;
  }

  #create(name: string, id: string, input: unknown, parentId: string): Instance {
    const existing = this.#instances.get(id);
    if (existing && (existing.status === "Pending" || existing.status === "Running")) {
      throw new Error(`Instance ${id} is already ${existing.status.toLowerCase()}`);
    }
    const now = this.#time();
    const started = historyEvent(EventType.ExecutionStarted, now, { Name: name, Input: resultJson(input) });
    const inst = newInstance({ id, name, input, parentId, now, started });
    this.#instances.set(id, inst);
    // Starts on a later turn so callers observe Pending first, as with the host's queue.
    inst.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#drive(inst));
    return inst;
  }

  async #drive(inst: Instance): Promise<void> {
    try {
      inst.status = "Running";
      while (inst.status === "Running") {
        while (inst.inbox.length === 0) {
          if (inst.pending === 0) throw new Error(`Instance ${inst.id} is stuck: nothing is pending`);
          await new Promise<void>((resolve) => {
            inst.wake = resolve;
          });
        }
        await this.#episode(inst, this.#takeBatch(inst));
      }
    } catch (error) {
      const failure = failureOf(error);
      this.#finish(inst, "Failed", { error: `${failure.errorType}: ${failure.message}` });
    }
  }

  // Retry bookkeeping goes first and gets its ids before the replay, matching the SDK's id order.
  #takeBatch(inst: Instance): HistoryEvent[] {
    const items = inst.inbox.splice(0);
    const isRetry = (i: InboxItem) => Boolean(i.failedAttempt ?? i.retryTimerFired);
    const ordered = [...items.filter(isRetry), ...items.filter((i) => !isRetry(i))];
    for (const item of ordered) {
      if (item.failedAttempt) {
        const { action, attempt } = item.failedAttempt;
        const policy = action.retryOptions;
        if (!policy) throw new Error("A retried activity has no retry options");
        const timerId = inst.nextId++;
        const fireAt = this.#time() + retryDelayMs(policy, attempt);
        inst.history.push(
          historyEvent(EventType.TimerCreated, this.#time(), { FireAt: iso(fireAt) }, timerId),
        );
        this.#startTimer(inst, timerId, fireAt, item.failedAttempt);
      }
      if (item.retryTimerFired) {
        const { action, attempt } = item.retryTimerFired;
        if (attempt < (action.retryOptions?.maxNumberOfAttempts ?? 0)) {
          this.#startActivity(inst, inst.nextId++, action, attempt + 1);
        }
      }
    }
    return ordered.map((i) => i.event);
  }

  async #episode(inst: Instance, events: HistoryEvent[]): Promise<void> {
    inst.history.push(historyEvent(EventType.OrchestratorStarted, this.#time()), ...events);
    const handler = this.registry.get(inst.name, "orchestrationTrigger").handler;
    const result = await replay(handler, {
      name: inst.name,
      instanceId: inst.id,
      parentInstanceId: inst.parentId,
      input: inst.input,
      history: inst.history,
    });
    inst.customStatus = result.customStatus ?? null;
    inst.lastUpdatedTime = this.#time();
    checkDeterminism(
      inst.id,
      inst.records.map((r) => r.key),
      result.actions,
    );
    if (result.failure) return this.#finish(inst, "Failed", { error: result.failure.error });
    if (result.isDone) return this.#finish(inst, "Completed", { output: result.output });
    inst.records.forEach((record, position) => {
      if (result.actions[position]?.isCanceled) inst.timers.get(record.id)?.abort();
    });
    for (const action of result.actions.slice(inst.records.length)) {
      const id = inst.nextId++;
      inst.records.push({ id, key: actionKey(action) });
      this.#schedule(inst, id, action);
    }
    inst.history.push(historyEvent(EventType.OrchestratorCompleted, this.#time()));
  }

  #schedule(inst: Instance, id: number, action: Action): void {
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry:
        this.#startActivity(inst, id, action, 1);
        break;
      case ActionType.CreateTimer: {
        const fireAt = Date.parse(action.fireAt ?? "");
        if (Number.isNaN(fireAt)) throw new Error(`Timer ${id} of ${inst.id} has no valid fireAt`);
        inst.history.push(historyEvent(EventType.TimerCreated, this.#time(), { FireAt: iso(fireAt) }, id));
        this.#startTimer(inst, id, fireAt);
        break;
      }
      case ActionType.CallSubOrchestrator:
        this.#startChild(inst, id, action);
        break;
      default:
        throw new Error(
          `Action type ${action.actionType} (${actionKey(action)}) is not supported by the local runtime`,
        );
    }
  }

  #deliver(inst: Instance, item: InboxItem): void {
    inst.pending--;
    if (inst.status !== "Running") return;
    inst.inbox.push(item);
    inst.wake();
  }

  #startActivity(inst: Instance, id: number, action: Action, attempt: number): void {
    const name = action.functionName ?? "";
    const input = decodeInput(action.input);
    inst.history.push(
      historyEvent(EventType.TaskScheduled, this.#time(), { Name: name, Input: resultJson(input) }, id),
    );
    inst.pending++;
    const run = async () => {
      const handler = this.registry.get(name, "activityTrigger").handler;
      const context = new InvocationContext({ functionName: name, invocationId: `${inst.id}:${id}` });
      return handler(input, context);
    };
    const retrying = action.actionType === ActionType.CallActivityWithRetry;
    this.#limiter.run(run).then(
      (value) =>
        this.#deliver(inst, {
          event: historyEvent(EventType.TaskCompleted, this.#time(), {
            TaskScheduledId: id,
            Result: resultJson(value),
          }),
        }),
      (error: unknown) =>
        this.#deliver(inst, {
          event: historyEvent(EventType.TaskFailed, this.#time(), failureFields(id, failureOf(error))),
          ...(retrying ? { failedAttempt: { action, attempt } } : {}),
        }),
    );
  }

  #startTimer(inst: Instance, id: number, fireAt: number, retry?: Retry): void {
    const timer = new AbortController();
    const signal = AbortSignal.any([timer.signal, inst.stop.signal]);
    inst.timers.set(id, timer);
    inst.pending++;
    this.#delay(Math.max(0, fireAt - this.#time()), signal).then(
      () => {
        inst.timers.delete(id);
        if (signal.aborted) {
          inst.pending--;
          return;
        }
        this.#clock = Math.max(this.#clock, fireAt);
        const event = historyEvent(EventType.TimerFired, this.#time(), { TimerId: id, FireAt: iso(fireAt) });
        this.#deliver(inst, { event, ...(retry ? { retryTimerFired: retry } : {}) });
      },
      () => {
        inst.timers.delete(id);
        inst.pending--;
      },
    );
  }

  #startChild(inst: Instance, id: number, action: Action): void {
    const name = action.functionName ?? "";
    const childId = action.instanceId ?? `${inst.id}:${id}`;
    const fields = { Name: name, InstanceId: childId, Input: resultJson(action.input) };
    inst.history.push(historyEvent(EventType.SubOrchestrationInstanceCreated, this.#time(), fields, id));
    const child = this.#create(name, childId, action.input, inst.id);
    inst.pending++;
    void child.done.then(() => {
      const outcome =
        child.status === "Completed" ? { output: child.output } : { error: child.error ?? "failed" };
      this.#deliver(inst, { event: subOrchestrationResult(id, this.#time(), outcome) });
    });
  }

  #finish(
    inst: Instance,
    status: "Completed" | "Failed",
    result: { output?: unknown; error?: string },
  ): void {
    inst.status = status;
    inst.output = result.output === undefined ? null : JSON.parse(resultJson(result.output));
    if (result.error !== undefined) inst.error = result.error;
    const at = this.#time();
    inst.lastUpdatedTime = at;
    inst.stop.abort();
    inst.history.push(
      status === "Completed"
        ? historyEvent(EventType.ExecutionCompleted, at, { Result: resultJson(result.output) })
        : historyEvent(EventType.ExecutionFailed, at, { Reason: result.error }),
    );
  }
}
