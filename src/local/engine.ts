// The episode engine behind LocalRuntime: one driver per instance replays its history through
// durable-functions, schedules the new actions (activities, timers, children), feeds completions
// back, saves the state after every episode, and re-arms saved work after a restart.
import { createRequire } from "node:module";
import { setTimeout as sleep } from "node:timers/promises";
import { InstanceExistsError } from "../orchestrations/client.js";
import {
  type Action,
  ActionType,
  actionKey,
  checkDeterminism,
  decodeInput,
  retryDelayMs,
  UNSUPPORTED_ACTIONS,
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
  isActiveStatus,
  type LocalRuntimeOptions,
  newInstance,
  type Retry,
  statusOf,
  type Work,
} from "./instance.js";
import { Limiter } from "./limiter.js";
import type { Registry } from "./registry.js";
import { type ReplayResult, replay } from "./replay.js";
import { hasStarted, snapshotOf, statusOfStored } from "./snapshot.js";
import { type InstanceStore, instanceIdProblem, type StoredInstance } from "./store.js";
import { SnapshotWriter } from "./writer.js";

// Node's ESM loader finds no named InvocationContext export in the CommonJS @azure/functions.
const { InvocationContext } = createRequire(import.meta.url)(
  "@azure/functions",
) as typeof import("@azure/functions");

export const ORCHESTRATOR = "orchestrationTrigger";
const ACTIVITY = "activityTrigger";

type ChildWork = Extract<Work, { kind: "child" }>;
type ChildOutcome = { output: unknown } | { error: string; errorType?: string };

export class Engine {
  /** The instances this process drives, and finished ones until their final state is saved. */
  readonly instances = new Map<string, Instance>();
  /** Aborted by stop(): timers end, drivers exit, nothing is marked ended. */
  readonly closing = new AbortController();
  readonly #writers = new Map<string, SnapshotWriter<StoredInstance>>();
  readonly #limiter: Limiter;
  readonly #now: () => number;
  readonly #delay: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #onPersistError: (instanceId: string, error: unknown) => void;
  #clock = 0;

  constructor(
    private readonly registry: Registry,
    private readonly store: InstanceStore,
    options: LocalRuntimeOptions,
  ) {
    this.#limiter = new Limiter(options.concurrency ?? 8);
    this.#now = options.now ?? Date.now;
    this.#delay = options.delay ?? longSleep;
    this.#onPersistError =
      options.onPersistError ??
      ((id, error) =>
        console.error(`Could not save the state of orchestration ${id}: ${failureOf(error).message}`));
  }

  /** The runtime's clock: the wall clock, but never behind a timer that has fired. */
  time(): number {
    this.#clock = Math.max(this.#clock, this.#now());
    return this.#clock;
  }

  async stop(): Promise<void> {
    this.closing.abort();
    const instances = [...this.instances.values()];
    for (const inst of instances) inst.wake();
    await Promise.all(instances.map((inst) => inst.done));
    await Promise.all([...this.#writers.values()].map((writer) => writer.idle()));
  }

  /** Resolves true once the instance's current state is saved. */
  persist(inst: Instance): Promise<boolean> {
    if (inst.episode) return inst.episode.then(() => this.persist(inst));
    let writer = this.#writers.get(inst.id);
    if (!writer) {
      writer = new SnapshotWriter<StoredInstance>(
        (snapshot) => this.store.save(snapshot),
        (error) => this.#onPersistError(inst.id, error),
      );
      this.#writers.set(inst.id, writer);
    }
    return writer.write(snapshotOf(inst));
  }

  create(name: string, id: string, input: unknown, parentId: string): Instance {
    const existing = this.instances.get(id);
    if (existing && isActiveStatus(existing.status)) throw new InstanceExistsError(id);
    const inst = newInstance({ id, name, input, parentId, createdTime: this.time() });
    inst.inbox.push({ event: this.#started(inst) });
    this.instances.set(id, inst);
    // Starts on a later turn so callers observe Pending first, as with the host's queue.
    inst.done = new Promise<void>((resolve) => setImmediate(resolve)).then(() => this.#drive(inst));
    return inst;
  }

  #started(inst: Instance): HistoryEvent {
    const fields = { Name: inst.name, Input: resultJson(inst.input) };
    return historyEvent(EventType.ExecutionStarted, this.time(), fields);
  }

  /** Carries on a restored instance: verifies its records by a replay, re-arms its work, drives it. */
  async restart(inst: Instance): Promise<void> {
    try {
      if (inst.history.length > 0) {
        const result = await this.#replay(inst);
        checkDeterminism(
          inst.id,
          inst.records.map((r) => r.key),
          result.actions,
        );
      }
    } catch (error) {
      this.#fail(inst, error);
      await this.#settle(inst);
      return;
    }
    if (this.closing.signal.aborted) return;
    if (!hasStarted(inst)) inst.inbox.unshift({ event: this.#started(inst) });
    for (const [id, work] of inst.work) this.#rearm(inst, id, work);
    await this.#drive(inst);
  }

  #rearm(inst: Instance, id: number, work: Work): void {
    if (work.kind === "activity") this.#runActivity(inst, id, work.action, work.attempt);
    else if (work.kind === "timer") this.#armTimer(inst, id, work.fireAt, work.retry);
    else this.#reattachChild(inst, id, work);
  }

  #reattachChild(inst: Instance, id: number, work: ChildWork): void {
    const child = this.instances.get(work.childId);
    if (child?.parentId === inst.id) {
      this.#attach(inst, id, work, child);
      return;
    }
    const carryOn = (record: StoredInstance | undefined) => {
      // A child that ended while its parent's completion event was not yet saved still delivers it.
      if (record?.parentId === inst.id && !isActiveStatus(record.runtimeStatus))
        this.#deliverChild(inst, id, work, childOutcome(statusOfStored(record)));
      else if (isActiveStatus(inst.status) && !this.closing.signal.aborted) this.#launchChild(inst, id, work);
    };
    this.store.load(work.childId).then(carryOn, (error: unknown) => {
      if (inst.status === "Running") this.#fail(inst, error);
    });
  }

  async #drive(inst: Instance): Promise<void> {
    if (this.closing.signal.aborted) return;
    if (inst.status === "Pending") inst.status = "Running";
    try {
      while (inst.status === "Running" && !this.closing.signal.aborted) {
        if (inst.inbox.length > 0) {
          await this.#runEpisode(inst);
          if (inst.status === "Running") void this.persist(inst);
          continue;
        }
        if (this.#isStuck(inst))
          throw new Error(`Orchestration ${inst.id} is stuck: it waits for nothing that is pending`);
        await new Promise<void>((resolve) => {
          inst.wake = resolve;
        });
      }
    } catch (error) {
      if (inst.status === "Running") this.#fail(inst, error);
    }
    if (!isActiveStatus(inst.status)) await this.#settle(inst);
  }

  // The final state is saved before anyone waiting (a parent, waitForCompletion) hears of it;
  // once saved, status queries read it from the store and the memory is released.
  async #settle(inst: Instance): Promise<void> {
    const saved = await this.persist(inst);
    if (saved && this.instances.get(inst.id) === inst) this.instances.delete(inst.id);
  }

  // Waiting for an external event is never stuck: raiseEvent may come at any time.
  #isStuck(inst: Instance): boolean {
    const waitsForEvent = `${ActionType.WaitForExternalEvent}:`;
    return inst.work.size === 0 && !inst.records.some((r) => r.key.startsWith(waitsForEvent));
  }

  // A snapshot taken mid-episode would hold events whose new actions are not scheduled yet, so
  // writes asked for meanwhile (raiseEvent, terminate) wait for the episode's end.
  async #runEpisode(inst: Instance): Promise<void> {
    const episode = this.#episode(inst, this.#takeBatch(inst));
    inst.episode = episode.then(
      () => {},
      () => {},
    );
    try {
      await episode;
    } finally {
      inst.episode = undefined;
    }
  }

  // Retry bookkeeping goes first and gets its ids before the replay, matching the SDK's id order.
  #takeBatch(inst: Instance): HistoryEvent[] {
    const items = inst.inbox.splice(0);
    const isRetry = (i: InboxItem) => Boolean(i.failedAttempt ?? i.retryTimerFired);
    const ordered = [...items.filter(isRetry), ...items.filter((i) => !isRetry(i))];
    for (const item of ordered) {
      if (item.workId !== undefined) inst.work.delete(item.workId);
      if (item.failedAttempt) this.#scheduleRetryTimer(inst, item.failedAttempt);
      if (item.retryTimerFired) this.#retry(inst, item.retryTimerFired);
    }
    return ordered.map((i) => i.event);
  }

  // The SDK waits for a timer after every failed attempt, the last one included (design doc §6).
  #scheduleRetryTimer(inst: Instance, failed: Retry): void {
    const policy = failed.action.retryOptions;
    if (!policy)
      throw new Error(`${actionKey(failed.action)} of ${inst.id} is retried without retry options`);
    this.#createTimer(inst, inst.nextId++, this.time() + retryDelayMs(policy, failed.attempt), failed);
  }

  #retry(inst: Instance, fired: Retry): void {
    const { action, attempt } = fired;
    if (attempt >= (action.retryOptions?.maxNumberOfAttempts ?? 0)) return;
    const id = inst.nextId++;
    if (action.actionType === ActionType.CallSubOrchestratorWithRetry)
      this.#startChild(inst, id, action, attempt + 1);
    else this.#startActivity(inst, id, action, attempt + 1);
  }

  async #episode(inst: Instance, events: HistoryEvent[]): Promise<void> {
    inst.history.push(historyEvent(EventType.OrchestratorStarted, this.time()), ...events);
    const result = await this.#replay(inst);
    if (inst.status !== "Running") return; // terminated while the replay ran
    inst.customStatus = result.customStatus ?? null;
    inst.lastUpdatedTime = this.time();
    checkDeterminism(
      inst.id,
      inst.records.map((r) => r.key),
      result.actions,
    );
    if (result.failure) return this.#end(inst, "Failed", { error: result.failure.error });
    const added = result.actions.slice(inst.records.length);
    this.#refuseUnsupported(inst, added);
    if (result.isDone) return this.#end(inst, "Completed", { output: result.output });
    inst.records.forEach((record, position) => {
      if (result.actions[position]?.isCanceled) this.#cancelTimer(inst, record.id);
    });
    for (const action of added) {
      const id = inst.nextId++;
      inst.records.push({ id, key: actionKey(action) });
      this.#schedule(inst, id, action);
    }
    inst.history.push(historyEvent(EventType.OrchestratorCompleted, this.time()));
  }

  #replay(inst: Instance): Promise<ReplayResult> {
    let handler: ReturnType<Registry["get"]>["handler"];
    try {
      handler = this.registry.get(inst.name, ORCHESTRATOR).handler;
    } catch {
      throw new Error(
        `Orchestration ${inst.id} cannot run: no orchestrator named "${inst.name}" is registered`,
      );
    }
    return replay(handler, {
      name: inst.name,
      instanceId: inst.id,
      parentInstanceId: inst.parentId,
      input: inst.input,
      history: inst.history,
    });
  }

  #refuseUnsupported(inst: Instance, actions: readonly Action[]): void {
    const refused = actions.find((a) => UNSUPPORTED_ACTIONS[a.actionType] !== undefined);
    if (!refused) return;
    const what = UNSUPPORTED_ACTIONS[refused.actionType];
    throw new Error(`Orchestration ${inst.id} used ${what}, which is not supported by the local runtime`);
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
        this.#createTimer(inst, id, fireAt);
        break;
      }
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry:
        this.#startChild(inst, id, action, 1);
        break;
      case ActionType.WaitForExternalEvent:
        break; // the EventRaised comes from raiseEvent
      default:
        throw new Error(
          `Orchestration ${inst.id} scheduled action type ${action.actionType} (${actionKey(action)}), which the local runtime does not know`,
        );
    }
  }

  #deliver(inst: Instance, item: InboxItem): void {
    if (!isActiveStatus(inst.status) || this.closing.signal.aborted) return;
    inst.inbox.push(item);
    inst.wake();
  }

  #startActivity(inst: Instance, id: number, action: Action, attempt: number): void {
    const fields = { Name: action.functionName ?? "", Input: resultJson(decodeInput(action.input)) };
    inst.history.push(historyEvent(EventType.TaskScheduled, this.time(), fields, id));
    inst.work.set(id, { kind: "activity", action, attempt });
    this.#runActivity(inst, id, action, attempt);
  }

  #runActivity(inst: Instance, id: number, action: Action, attempt: number): void {
    const name = action.functionName ?? "";
    const run = async () => {
      const handler = this.registry.get(name, ACTIVITY).handler;
      const context = new InvocationContext({ functionName: name, invocationId: `${inst.id}:${id}` });
      return handler(decodeInput(action.input), context);
    };
    const retrying = action.actionType === ActionType.CallActivityWithRetry;
    this.#limiter.run(run).then(
      (value) => {
        const fields = { TaskScheduledId: id, Result: resultJson(value) };
        this.#deliver(inst, {
          workId: id,
          event: historyEvent(EventType.TaskCompleted, this.time(), fields),
        });
      },
      (error: unknown) =>
        this.#deliver(inst, {
          workId: id,
          event: historyEvent(EventType.TaskFailed, this.time(), failureFields(id, failureOf(error))),
          ...(retrying ? { failedAttempt: { action, attempt } } : {}),
        }),
    );
  }

  #createTimer(inst: Instance, id: number, fireAt: number, retry?: Retry): void {
    inst.history.push(historyEvent(EventType.TimerCreated, this.time(), { FireAt: iso(fireAt) }, id));
    inst.work.set(id, { kind: "timer", fireAt, ...(retry ? { retry } : {}) });
    this.#armTimer(inst, id, fireAt, retry);
  }

  #armTimer(inst: Instance, id: number, fireAt: number, retry?: Retry): void {
    const timer = new AbortController();
    const signal = AbortSignal.any([timer.signal, inst.stop.signal, this.closing.signal]);
    inst.timers.set(id, timer);
    const forget = () => {
      if (inst.timers.get(id) === timer) inst.timers.delete(id);
    };
    this.#delay(Math.max(0, fireAt - this.time()), signal).then(() => {
      forget();
      if (signal.aborted) return;
      this.#clock = Math.max(this.#clock, fireAt);
      const event = historyEvent(EventType.TimerFired, this.time(), { TimerId: id, FireAt: iso(fireAt) });
      this.#deliver(inst, { workId: id, event, ...(retry ? { retryTimerFired: retry } : {}) });
    }, forget);
  }

  #cancelTimer(inst: Instance, id: number): void {
    inst.timers.get(id)?.abort();
    if (inst.work.get(id)?.kind === "timer") inst.work.delete(id);
  }

  // Without an explicit id each attempt is `<parent>:<task id>`; an explicit id is reused by every
  // retry attempt (the failed attempt has ended, so the next run replaces it), as DTFx does.
  #startChild(inst: Instance, id: number, action: Action, attempt: number): void {
    const childId = action.instanceId ?? `${inst.id}:${id}`;
    const fields = { Name: action.functionName ?? "", InstanceId: childId, Input: resultJson(action.input) };
    inst.history.push(historyEvent(EventType.SubOrchestrationInstanceCreated, this.time(), fields, id));
    const work = { kind: "child", action, childId, attempt } as const;
    inst.work.set(id, work);
    this.#launchChild(inst, id, work);
  }

  #launchChild(inst: Instance, id: number, work: ChildWork): void {
    const existing = this.instances.get(work.childId);
    // The same parent asking again after a restart adopts its own running child.
    const adopt =
      existing?.parentId === inst.id &&
      isActiveStatus(existing.status) &&
      existing.createdTime >= inst.createdTime;
    if (existing && adopt) {
      this.#attach(inst, id, work, existing);
      return;
    }
    const refusal = this.#childRefusal(work, existing);
    if (refusal) {
      this.#deliverChild(inst, id, work, refusal);
      return;
    }
    const name = work.action.functionName ?? "";
    const child = this.create(name, work.childId, work.action.input, inst.id);
    void this.persist(child);
    this.#attach(inst, id, work, child);
  }

  // DTFx fails the parent's task when the child's id is taken by a running instance.
  #childRefusal(work: ChildWork, existing: Instance | undefined): ChildOutcome | undefined {
    const name = work.action.functionName ?? "";
    if (existing && isActiveStatus(existing.status)) {
      const error = `Cannot start sub-orchestration ${name} as ${work.childId}: an instance with that id is already ${existing.status}`;
      return { error, errorType: "InstanceExistsError" };
    }
    const problem = instanceIdProblem(work.childId);
    if (problem) return { error: `Cannot start sub-orchestration ${name}: ${problem}` };
    if (!this.registry.names(ORCHESTRATOR).includes(name))
      return {
        error: `Cannot start sub-orchestration ${work.childId}: no orchestrator named "${name}" is registered`,
      };
    return undefined;
  }

  #attach(parent: Instance, id: number, work: ChildWork, child: Instance): void {
    void child.done.then(() => {
      if (isActiveStatus(child.status)) return; // the runtime closed first
      this.#deliverChild(parent, id, work, childOutcome(statusOf(child)));
    });
  }

  #deliverChild(parent: Instance, id: number, work: ChildWork, outcome: ChildOutcome): void {
    const retrying = "error" in outcome && work.action.actionType === ActionType.CallSubOrchestratorWithRetry;
    this.#deliver(parent, {
      workId: id,
      event: subOrchestrationResult(id, this.time(), outcome),
      ...(retrying ? { failedAttempt: { action: work.action, attempt: work.attempt } } : {}),
    });
  }

  terminateTree(inst: Instance, reason: string): Promise<boolean>[] {
    const children = [...inst.work.values()].flatMap((work) => {
      const child = work.kind === "child" ? this.instances.get(work.childId) : undefined;
      return child?.parentId === inst.id && isActiveStatus(child.status) ? [child] : [];
    });
    this.#end(inst, "Terminated", { output: reason });
    const childReason = `Parent orchestration ${inst.id} was terminated: ${reason}`;
    return [this.persist(inst), ...children.flatMap((child) => this.terminateTree(child, childReason))];
  }

  #fail(inst: Instance, error: unknown): void {
    const failure = failureOf(error);
    this.#end(inst, "Failed", { error: `${failure.errorType}: ${failure.message}` });
  }

  #end(
    inst: Instance,
    status: "Completed" | "Failed" | "Terminated",
    result: { output?: unknown; error?: string },
  ): void {
    inst.status = status;
    // A failed instance's output is its error message, as in the durable status payload.
    const output = result.error ?? result.output;
    inst.output = output === undefined ? null : JSON.parse(resultJson(output));
    if (result.error !== undefined) inst.error = result.error;
    const at = this.time();
    inst.lastUpdatedTime = at;
    inst.stop.abort();
    inst.history.push(endEvent(status, at, result));
    inst.wake();
  }
}

// setTimeout fires at once past 2^31-1 ms (about 24.8 days), so long timers wait in slices.
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

async function longSleep(ms: number, signal: AbortSignal): Promise<void> {
  for (let left = ms; left > 0; left -= MAX_TIMEOUT_MS) {
    await sleep(Math.min(left, MAX_TIMEOUT_MS), undefined, { signal });
  }
}

function endEvent(
  status: "Completed" | "Failed" | "Terminated",
  at: number,
  result: { output?: unknown; error?: string },
) {
  if (status === "Completed")
    return historyEvent(EventType.ExecutionCompleted, at, { Result: resultJson(result.output) });
  if (status === "Failed") return historyEvent(EventType.ExecutionFailed, at, { Reason: result.error });
  return historyEvent(EventType.ExecutionTerminated, at, { Input: resultJson(result.output) });
}

function childOutcome(status: InstanceStatus): ChildOutcome {
  if (status.runtimeStatus === "Completed") return { output: status.output };
  if (status.runtimeStatus === "Terminated")
    return { error: `Sub-orchestration ${status.instanceId} was terminated: ${String(status.output)}` };
  return { error: status.error ?? `Sub-orchestration ${status.instanceId} ended ${status.runtimeStatus}` };
}
