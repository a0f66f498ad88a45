// The client-side rate limit of one cluster: a token bucket (QPS refill, burst capacity) shared by
// every request, so parallel listing cannot exceed what the API server's fairness limits tolerate.
import type { Clock, Delay } from "./timing.js";

export class TokenBucket {
  readonly #qps: number;
  readonly #burst: number;
  readonly #clock: Clock;
  readonly #delay: Delay;
  #tokens: number;
  #last: number;

  /** qps <= 0 or Infinity turns the limit off. */
  constructor(qps: number, burst: number, clock: Clock, delay: Delay) {
    this.#qps = qps;
    this.#burst = Math.max(1, burst);
    this.#clock = clock;
    this.#delay = delay;
    this.#tokens = this.#burst;
    this.#last = clock();
  }

  /**
   * Takes one token, waiting until it is due; returns the milliseconds waited. Each caller reserves
   * its token before waiting (the balance may go negative), so waiters are served in arrival order.
   */
  async take(abortSignal?: AbortSignal): Promise<number> {
    abortSignal?.throwIfAborted();
    if (!(this.#qps > 0) || this.#qps === Number.POSITIVE_INFINITY) return 0;
    const now = this.#clock();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) * this.#qps) / 1000);
    this.#last = now;
    this.#tokens -= 1;
    if (this.#tokens >= 0) return 0;
    const wait = (-this.#tokens * 1000) / this.#qps;
    try {
      await this.#delay(wait, abortSignal);
    } catch (error) {
      this.#tokens += 1;
      throw error;
    }
    return wait;
  }
}
