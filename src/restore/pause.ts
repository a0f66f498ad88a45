// An abortable wait for the restore's polls and backoffs (real time: they wait for a cluster).
import { realDelay } from "../kube/timing.js";

/** Resolves after `ms`; rejects with the signal's reason as soon as it aborts. */
export const pause = (ms: number, abortSignal?: AbortSignal): Promise<void> => realDelay(ms, abortSignal);
