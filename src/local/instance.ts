// The state the local runtime keeps per orchestration instance: what replays need (history,
// records), the work still outstanding (activities, timers, children), and the status view of it.
import type { OrchestrationStatus, RuntimeStatus } from "../orchestrations/client.js";
import type { Action } from "./actions.js";
import type { HistoryEvent } from "./history.js";
import type { InstanceStore } from "./store.js";

export type { RuntimeStatus } from "../orchestrations/client.js";

/** The durable status payload, plus the failure message of a Failed instance. */
export interface InstanceStatus extends OrchestrationStatus {
  readonly error?: string;
}

export interface LocalRuntimeOptions {
  /** Activities running at once across all instances (default 8). */
  readonly concurrency?: number;
  /** Wall clock in epoch ms; the runtime's clock never runs behind fired timers. */
  readonly now?: () => number;
  /** Waits for timers and retry intervals; rejects (or resolves) when `signal` aborts. */
  readonly delay?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Where instance state is kept across restarts (default: in memory, lost with the process). */
  readonly store?: InstanceStore;
  /** A state write failed; the next write of that instance tries again (default: console.error). */
  readonly onPersistError?: (instanceId: string, error: unknown) => void;
}

export interface Retry {
  readonly action: Action;
  readonly attempt: number;
}

/** Work scheduled by an instance whose completion has not entered its history yet. */
export type Work =
  | { readonly kind: "activity"; readonly action: Action; readonly attempt: number }
  | { readonly kind: "timer"; readonly fireAt: number; readonly retry?: Retry }
  | { readonly kind: "child"; readonly action: Action; readonly childId: string; readonly attempt: number };

export interface InboxItem {
  readonly event: HistoryEvent;
  /** The work this event completes; it stays outstanding (and is redone after a restart) until then. */
  readonly workId?: number;
  /** Raised by raiseEvent: kept with the instance's state until it enters the history. */
  readonly raised?: boolean;
  readonly failedAttempt?: Retry;
  readonly retryTimerFired?: Retry;
}

export interface Instance {
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
  readonly parentId: string;
  readonly createdTime: number;
  readonly history: HistoryEvent[];
  readonly records: { id: number; key: string }[];
  readonly inbox: InboxItem[];
  readonly work: Map<number, Work>;
  readonly timers: Map<number, AbortController>;
  /** Aborted when the instance ends: its timers stop. */
  readonly stop: AbortController;
  status: RuntimeStatus;
  customStatus: unknown;
  output: unknown;
  error?: string;
  lastUpdatedTime: number;
  nextId: number;
  wake: () => void;
  /** Set while an episode runs; settles when it ends. */
  episode?: Promise<void>;
  /** Settles when this runtime stops driving the instance (it ended, or the runtime closed). */
  done: Promise<void>;
}

export interface InstanceInit {
  id: string;
  name: string;
  input: unknown;
  parentId: string;
  createdTime: number;
}

export function newInstance(init: InstanceInit): Instance {
  return {
    ...init,
    lastUpdatedTime: init.createdTime,
    history: [],
    records: [],
    inbox: [],
    work: new Map(),
    timers: new Map(),
    stop: new AbortController(),
    status: "Pending",
    customStatus: null,
    output: null,
    nextId: 0,
    wake: () => {},
    done: Promise.resolve(),
  };
}

export function isActiveStatus(status: RuntimeStatus | undefined): boolean {
  return status === "Pending" || status === "Running";
}

export function statusOf(inst: Instance): InstanceStatus {
  return {
    instanceId: inst.id,
    name: inst.name,
    runtimeStatus: inst.status,
    input: inst.input,
    customStatus: inst.customStatus,
    output: inst.output,
    ...(inst.error === undefined ? {} : { error: inst.error }),
    createdTime: new Date(inst.createdTime).toISOString(),
    lastUpdatedTime: new Date(inst.lastUpdatedTime).toISOString(),
  };
}
