// What the src/kube tests share: virtual time (a clock and delays that never sleep, recording every
// wait), a connection to a simulator that runs on it, and resource types to list.

import {
  type Cluster,
  type ConnectOptions,
  connectCluster,
  type ResourceType,
} from "../../src/kube/index.js";
import type { Delay } from "../../src/kube/timing.js";
import type { Simulator } from "../../src/sim/simulator.js";

interface Timer {
  at: number;
  resolve: () => void;
}

/**
 * A clock that only moves when a delay is due. With `autoAdvance` (default) each delay fires on the
 * next turn of the event loop, the clock jumping to its due time; without it, delays wait for abort.
 */
export class VirtualTime {
  now = 0;
  readonly waits: number[] = [];
  readonly #timers: Timer[] = [];

  constructor(private readonly autoAdvance = true) {}

  readonly clock = (): number => this.now;

  readonly delay: Delay = (ms, abortSignal) =>
    new Promise<void>((resolve, reject) => {
      abortSignal?.throwIfAborted();
      this.waits.push(ms);
      const timer: Timer = {
        at: this.now + ms,
        resolve: () => {
          abortSignal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.#timers.splice(this.#timers.indexOf(timer), 1);
        reject(abortSignal?.reason);
      };
      abortSignal?.addEventListener("abort", onAbort, { once: true });
      this.#timers.push(timer);
      if (this.autoAdvance) setImmediate(() => this.#fireNext());
    });

  /** How many delays are waiting. */
  get pending(): number {
    return this.#timers.length;
  }

  #fireNext(): void {
    this.#timers.sort((a, b) => a.at - b.at);
    const timer = this.#timers.shift();
    if (!timer) return;
    this.now = Math.max(this.now, timer.at);
    timer.resolve();
  }
}

/** A listable type at version v1, as discovery would give it (kind defaults to the resource's). */
export function listableType(
  group: string,
  resource: string,
  kind = resource,
  namespaced = true,
): ResourceType {
  return { group, version: "v1", versions: ["v1"], resource, kind, namespaced, verbs: ["list"] };
}

/** Connects to a simulator's API server with its kubeconfig, on virtual time unless told otherwise. */
export function connectSim(
  sim: Simulator,
  options: ConnectOptions & { time?: VirtualTime } = {},
): Promise<Cluster> {
  const time = options.time ?? new VirtualTime();
  return connectCluster(
    { name: sim.clusterName, kubeconfigYaml: sim.kubeconfig },
    { clock: time.clock, delay: time.delay, ...options },
  );
}

/** The rejection of `promise`, which must be an instance of `type` (fails the test otherwise). */
export async function rejectionOf<T extends Error>(
  promise: Promise<unknown>,
  type: abstract new (...args: never[]) => T,
): Promise<T> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(outcome instanceof type)) {
    throw new Error(
      `expected a ${type.name}, got ${outcome instanceof Error ? outcome.stack : String(outcome)}`,
    );
  }
  return outcome;
}

/** Everything an error would show when logged or serialised. */
export function everythingShown(error: Error): string {
  return JSON.stringify({ ...error, message: error.message, stack: error.stack, cause: String(error.cause) });
}
