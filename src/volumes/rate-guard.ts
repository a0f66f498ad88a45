// Azure allows 7 incremental snapshots per disk every 5 minutes. This guard counts our own creating
// PUTs per disk in a sliding window and refuses before the call, so no retry storm can break it.
import type { Clock } from "../kube/timing.js";

export interface RateGuardOptions {
  /** Creations allowed per disk in one window (Azure: 7). */
  perWindow?: number;
  /** Window length in ms (Azure: 5 minutes). */
  windowMs?: number;
  /** Milliseconds, only differences matter (e.g. performance.now). */
  clock: Clock;
}

export type RateDecision = { allowed: true } | { allowed: false; recent: number; retryInMs: number };

export const AZURE_INCREMENTAL_PER_WINDOW = 7;
export const AZURE_INCREMENTAL_WINDOW_MS = 5 * 60_000;

export class SnapshotRateGuard {
  readonly perWindow: number;
  readonly windowMs: number;
  readonly #clock: Clock;
  readonly #attempts = new Map<string, number[]>();

  constructor(options: RateGuardOptions) {
    this.perWindow = options.perWindow ?? AZURE_INCREMENTAL_PER_WINDOW;
    this.windowMs = options.windowMs ?? AZURE_INCREMENTAL_WINDOW_MS;
    this.#clock = options.clock;
  }

  /** Records one creation attempt for the disk, or refuses it when the window is full. */
  take(diskId: string): RateDecision {
    const key = diskId.toLowerCase();
    const now = this.#clock();
    const recent = (this.#attempts.get(key) ?? []).filter((t) => now - t < this.windowMs);
    const oldest = recent[0];
    if (recent.length >= this.perWindow && oldest !== undefined) {
      this.#attempts.set(key, recent);
      return { allowed: false, recent: recent.length, retryInMs: oldest + this.windowMs - now };
    }
    recent.push(now);
    this.#attempts.set(key, recent);
    return { allowed: true };
  }
}
