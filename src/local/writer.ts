// One writer per instance: snapshots are written in order, one at a time, and a snapshot taken
// while a write is in flight replaces any older one still waiting (write per episode, never lose the last).

export class SnapshotWriter<T> {
  #next?: T;
  #running?: Promise<void>;
  #lastSaved = false;

  constructor(
    private readonly save: (snapshot: T) => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Resolves once `snapshot` (or a newer one) was written (true) or its write failed (false). */
  write(snapshot: T): Promise<boolean> {
    this.#next = snapshot;
    this.#running ??= this.#drain();
    return this.#running.then(() => this.#lastSaved);
  }

  idle(): Promise<void> {
    return this.#running ?? Promise.resolve();
  }

  async #drain(): Promise<void> {
    // Let the caller's synchronous code finish first, so `#running` is set before the loop can end.
    await Promise.resolve();
    while (this.#next !== undefined) {
      const snapshot = this.#next;
      this.#next = undefined;
      try {
        await this.save(snapshot);
        this.#lastSaved = true;
      } catch (error) {
        this.#lastSaved = false;
        this.onError(error);
      }
    }
    this.#running = undefined;
  }
}
