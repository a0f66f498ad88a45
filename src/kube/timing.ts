// Time as the adapter sees it: a monotonic clock and an abortable delay, both injectable so tests
// of backoff and rate limiting run on virtual time and never sleep.
import { setTimeout as sleep } from "node:timers/promises";

/** Milliseconds from an arbitrary origin; only differences matter. */
export type Clock = () => number;

/** Resolves after `ms`; rejects with the signal's reason as soon as it aborts. */
export type Delay = (ms: number, abortSignal?: AbortSignal) => Promise<void>;

export const monotonicClock: Clock = () => performance.now();

export const realDelay: Delay = async (ms, abortSignal) => {
  abortSignal?.throwIfAborted();
  if (ms <= 0) return;
  try {
    await sleep(ms, undefined, abortSignal ? { signal: abortSignal } : {});
  } catch (error) {
    // timers/promises rejects with its own AbortError; callers expect the signal's reason.
    if (abortSignal?.aborted) throw abortSignal.reason;
    throw error;
  }
};
