// Work queues in the manner of client-go's: a key is queued at most once, never processed twice at
// the same time, handled on a later tick, and retried on conflicts; `Activity` knows when all rest.
import { StatusError } from "../status.js";

/** Tracks queues and timers so `idle()` can tell when nothing is left to do. */
export class Activity {
  private readonly queues: WorkQueue[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: Array<() => void> = [];
  private checkScheduled = false;
  stopped = false;

  register(queue: WorkQueue): void {
    this.queues.push(queue);
  }

  after(delayMs: number, callback: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) callback();
      this.poke();
    }, delayMs);
    this.timers.add(timer);
  }

  busy(): boolean {
    return this.timers.size > 0 || this.queues.some((q) => q.busy());
  }

  idle(): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.poke();
    });
  }

  /** Re-checks on a later tick, so work queued by the code that poked is seen first. */
  poke(): void {
    if (this.checkScheduled || this.waiters.length === 0) return;
    this.checkScheduled = true;
    setImmediate(() => {
      this.checkScheduled = false;
      if (this.stopped || !this.busy()) this.release();
    });
  }

  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.release();
  }

  private release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}

export type Handler = (key: string) => Promise<void> | void;

// Keys handled per tick before yielding, so a burst of 50,000 events leaves the HTTP server room.
const batchSize = 256;
const conflictRetries = 30;
const errorRetries = 8;

export class WorkQueue {
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private drainScheduled = false;

  constructor(
    readonly name: string,
    private readonly handler: Handler,
    private readonly activity: Activity,
    private readonly log: (message: string) => void,
    private readonly concurrency = 1,
  ) {
    activity.register(this);
  }

  busy(): boolean {
    return this.queued.size > 0 || this.processing.size > 0;
  }

  add(key: string): void {
    if (this.activity.stopped) return;
    if (this.processing.has(key)) {
      this.dirty.add(key);
      return;
    }
    this.queued.add(key);
    this.scheduleDrain();
  }

  addAfter(key: string, delayMs: number): void {
    this.activity.after(delayMs, () => this.add(key));
  }

  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    let handled = 0;
    while (this.queued.size > 0 && this.processing.size < this.concurrency && handled < batchSize) {
      if (this.activity.stopped) {
        this.queued.clear();
        break;
      }
      const key = this.queued.values().next().value as string;
      this.queued.delete(key);
      handled++;
      this.run(key);
    }
    if (this.queued.size > 0 && this.processing.size < this.concurrency) this.scheduleDrain();
    this.activity.poke();
  }

  private run(key: string): void {
    this.processing.add(key);
    let result: Promise<void> | void;
    try {
      result = this.handler(key);
    } catch (error) {
      this.finish(key, error);
      return;
    }
    if (result instanceof Promise) {
      result.then(
        () => this.finish(key, undefined),
        (error: unknown) => this.finish(key, error),
      );
    } else {
      this.finish(key, undefined);
    }
  }

  private finish(key: string, error: unknown): void {
    this.processing.delete(key);
    if (error === undefined) this.attempts.delete(key);
    else this.retry(key, error);
    if (this.dirty.delete(key)) this.queued.add(key);
    if (this.queued.size > 0) this.scheduleDrain();
    this.activity.poke();
  }

  private retry(key: string, error: unknown): void {
    if (this.activity.stopped) return;
    const status = error instanceof StatusError ? error.status : undefined;
    // The object is gone: its deletion event brings any work that is still needed.
    if (status?.code === 404) return;
    const attempt = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, attempt);
    if (status?.reason === "Conflict" && attempt <= conflictRetries) {
      // Someone wrote first: the cache already holds their version, so re-reading is enough.
      this.dirty.add(key);
      return;
    }
    if (attempt <= errorRetries) {
      this.addAfter(key, Math.min(5 * 2 ** attempt, 1000));
      return;
    }
    this.attempts.delete(key);
    const message = error instanceof Error ? error.message : String(error);
    this.log(`${this.name}: giving up on ${key} after ${attempt} attempts: ${message}`);
  }
}
