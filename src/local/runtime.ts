// The local durable host: drives registered orchestrators through durable-functions' own replay
// executor (see engine.ts) and answers as the product's OrchestrationClient: start under an id,
// status, listing, events, terminate, and resume() after a restart. See docs/design/local-runtime.md.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import {
  InstanceExistsError,
  type InstanceFilter,
  type OrchestrationClient,
  type RuntimeStatus,
} from "../orchestrations/client.js";
import { Engine, ORCHESTRATOR } from "./engine.js";
import { EventType, type HistoryEvent, historyEvent, resultJson } from "./history.js";
import {
  type Instance,
  type InstanceStatus,
  isActiveStatus,
  type LocalRuntimeOptions,
  statusOf,
} from "./instance.js";
import type { Registry } from "./registry.js";
import { restoreInstance, statusOfStored } from "./snapshot.js";
import { type InstanceStore, instanceIdProblem, MemoryInstanceStore, matchesFilter } from "./store.js";

export type { InstanceStatus, LocalRuntimeOptions, RuntimeStatus } from "./instance.js";
export { BlobInstanceStore, type InstanceStore, MemoryInstanceStore } from "./store.js";

/** raiseEvent or terminate on an instance that does not exist or has ended. */
export class InstanceNotRunningError extends Error {
  override name = "InstanceNotRunningError";
  constructor(
    readonly instanceId: string,
    readonly runtimeStatus: RuntimeStatus | undefined,
    doing: string,
  ) {
    super(
      runtimeStatus
        ? `Cannot ${doing}: orchestration ${instanceId} is ${runtimeStatus}`
        : `Cannot ${doing}: no orchestration instance ${instanceId}`,
    );
  }
}

export class LocalRuntime implements OrchestrationClient {
  readonly #engine: Engine;
  readonly #store: InstanceStore;

  constructor(
    private readonly registry: Registry,
    options: LocalRuntimeOptions = {},
  ) {
    this.#store = options.store ?? new MemoryInstanceStore();
    this.#engine = new Engine(registry, this.#store, options);
  }

  /** Starts `name`; an id whose earlier run ended is replaced by a fresh run, as Durable Functions does. */
  async startNew(name: string, options: { instanceId?: string; input?: unknown } = {}): Promise<string> {
    this.#assertOpen();
    this.registry.get(name, ORCHESTRATOR);
    const id = options.instanceId ?? randomUUID();
    const problem = instanceIdProblem(id);
    if (problem) throw new Error(`Cannot start ${name}: ${problem}`);
    // An instance stored as running but not resumed by this process still owns its id.
    if (!this.#engine.instances.has(id) && isActiveStatus((await this.#store.load(id))?.runtimeStatus)) {
      throw new InstanceExistsError(id);
    }
    const inst = this.#engine.create(name, id, options.input, "");
    await this.#engine.persist(inst);
    return id;
  }

  async getStatus(instanceId: string): Promise<InstanceStatus | undefined> {
    const inst = this.#engine.instances.get(instanceId);
    if (inst) return statusOf(inst);
    if (instanceIdProblem(instanceId)) return undefined;
    const stored = await this.#store.load(instanceId);
    return stored && statusOfStored(stored);
  }

  /** Every stored instance (and the ones this process runs), newest first. */
  async listInstances(filter: InstanceFilter = {}): Promise<InstanceStatus[]> {
    const byId = new Map((await this.#store.list(filter)).map((s) => [s.instanceId, statusOfStored(s)]));
    for (const inst of this.#engine.instances.values()) byId.set(inst.id, statusOf(inst));
    return [...byId.values()]
      .filter((status) => matchesFilter(status, filter))
      .sort((a, b) => b.createdTime.localeCompare(a.createdTime) || a.instanceId.localeCompare(b.instanceId));
  }

  /** The history so far (a copy) of an instance this runtime drives, for diagnostics and tests. */
  getHistory(instanceId: string): HistoryEvent[] {
    return [...(this.#engine.instances.get(instanceId)?.history ?? [])];
  }

  async waitForCompletion(instanceId: string, options: { timeoutMs: number }): Promise<InstanceStatus> {
    const inst = this.#engine.instances.get(instanceId);
    if (!inst) return this.#storedOutcome(instanceId);
    const timeout = new AbortController();
    const expired = sleep(options.timeoutMs, "timeout", { signal: timeout.signal }).catch(() => "aborted");
    const winner = await Promise.race([inst.done.then(() => "done"), expired]);
    timeout.abort();
    if (winner !== "done")
      throw new Error(`Orchestration ${instanceId} did not finish within ${options.timeoutMs} ms`);
    if (isActiveStatus(inst.status))
      throw new Error(`The local runtime closed before orchestration ${instanceId} finished`);
    return statusOf(inst);
  }

  /** Delivers an event to `waitForExternalEvent(eventName)`; kept with the instance until it is replayed. */
  async raiseEvent(instanceId: string, eventName: string, eventData?: unknown): Promise<void> {
    this.#assertOpen();
    const inst = await this.#running(instanceId, `raise event ${eventName}`);
    const fields = { Name: eventName, Input: resultJson(eventData) };
    inst.inbox.push({
      event: historyEvent(EventType.EventRaised, this.#engine.time(), fields),
      raised: true,
    });
    inst.wake();
    await this.#engine.persist(inst);
  }

  /** Ends the instance and its running children as Terminated; work still outstanding is ignored. */
  async terminate(instanceId: string, reason = "Terminated"): Promise<void> {
    this.#assertOpen();
    const inst = await this.#running(instanceId, "terminate");
    await Promise.all(this.#engine.terminateTree(inst, reason));
    await inst.done;
  }

  /**
   * Carries on every Pending/Running instance in the store: checks its recorded actions against a
   * replay, runs in-flight activities again, re-arms timers and re-attaches children. An instance
   * whose orchestrator is gone or no longer replays the same actions becomes Failed.
   */
  async resume(): Promise<string[]> {
    this.#assertOpen();
    const stored = await this.#store.list({ runtimeStatus: ["Pending", "Running"] });
    const restored = stored
      .filter((s) => isActiveStatus(s.runtimeStatus) && !this.#engine.instances.has(s.instanceId))
      .map(restoreInstance);
    for (const inst of restored) this.#engine.instances.set(inst.id, inst);
    // Every restored instance has its `done` before any parent re-attaches to it.
    for (const inst of restored) inst.done = this.#engine.restart(inst);
    return restored.map((inst) => inst.id);
  }

  /** Stops driving (timers, waits) without ending any instance, and waits for pending writes. */
  async close(): Promise<void> {
    if (this.#engine.closing.signal.aborted) return;
    await this.#engine.stop();
  }

  #assertOpen(): void {
    if (this.#engine.closing.signal.aborted) throw new Error("The local runtime is closed");
  }

  async #storedOutcome(instanceId: string): Promise<InstanceStatus> {
    const status = await this.getStatus(instanceId);
    if (!status) throw new Error(`No orchestration instance ${instanceId}`);
    if (isActiveStatus(status.runtimeStatus)) {
      throw new Error(
        `Orchestration ${instanceId} is ${status.runtimeStatus} in the store but not run by this runtime; call resume() first`,
      );
    }
    return status;
  }

  async #running(instanceId: string, doing: string): Promise<Instance> {
    const inst = this.#engine.instances.get(instanceId);
    if (inst && isActiveStatus(inst.status)) return inst;
    const status = inst ? inst.status : (await this.getStatus(instanceId))?.runtimeStatus;
    throw new InstanceNotRunningError(instanceId, status, doing);
  }
}
