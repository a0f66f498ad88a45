// The state the local runtime keeps per orchestration instance, and the status view of it that
// getStatus returns (the fields of the durable HTTP status payload).
import type { Action } from "./actions.js";
import type { HistoryEvent } from "./history.js";

export type RuntimeStatus = "Pending" | "Running" | "Completed" | "Failed";

export interface InstanceStatus {
  readonly instanceId: string;
  readonly name: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly customStatus: unknown;
  readonly output: unknown;
  readonly error?: string;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
}

export interface LocalRuntimeOptions {
  /** Activities running at once across all instances (default 8). */
  readonly concurrency?: number;
  /** Wall clock in epoch ms; the runtime's clock never runs behind fired timers. */
  readonly now?: () => number;
  /** Waits for timers and retry intervals; rejects (or resolves) when `signal` aborts. */
  readonly delay?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface Retry {
  readonly action: Action;
  readonly attempt: number;
}

export interface InboxItem {
  readonly event: HistoryEvent;
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
  readonly timers: Map<number, AbortController>;
  readonly stop: AbortController;
  status: RuntimeStatus;
  customStatus: unknown;
  output: unknown;
  error?: string;
  lastUpdatedTime: number;
  nextId: number;
  pending: number;
  wake: () => void;
  done: Promise<void>;
}

export function newInstance(init: {
  id: string;
  name: string;
  input: unknown;
  parentId: string;
  now: number;
  started: HistoryEvent;
}): Instance {
  return {
    id: init.id,
    name: init.name,
    input: init.input,
    parentId: init.parentId,
    createdTime: init.now,
    lastUpdatedTime: init.now,
    history: [],
    records: [],
    inbox: [{ event: init.started }],
    timers: new Map(),
    stop: new AbortController(),
    status: "Pending",
    customStatus: null,
    output: null,
    nextId: 0,
    pending: 0,
    wake: () => {},
    done: Promise.resolve(),
  };
}

export function statusOf(inst: Instance): InstanceStatus {
  return {
    instanceId: inst.id,
    name: inst.name,
    runtimeStatus: inst.status,
    customStatus: inst.customStatus,
    output: inst.output,
    ...(inst.error === undefined ? {} : { error: inst.error }),
    createdTime: new Date(inst.createdTime).toISOString(),
    lastUpdatedTime: new Date(inst.lastUpdatedTime).toISOString(),
  };
}
