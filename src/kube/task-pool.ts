// Bounded parallelism for API work (listing several types at once, fetching discovery documents):
// at most `limit` tasks run; the first failure or the caller's abort stops the rest.

export interface TaskPoolOptions {
  /** Tasks running at once (at least 1). */
  limit: number;
  abortSignal?: AbortSignal;
}

/**
 * Runs `task` for every item, at most `limit` at a time, and returns the results in input order.
 * Each task gets a signal that aborts when the caller aborts or another task fails; the first
 * failure (or the caller's abort reason) is what rejects. Tasks that must not stop the others
 * catch their own errors and return them as values.
 */
export async function mapWithLimit<T, R>(
  items: readonly T[],
  task: (item: T, signal: AbortSignal) => Promise<R>,
  options: TaskPoolOptions,
): Promise<R[]> {
  options.abortSignal?.throwIfAborted();
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.abortSignal?.reason);
  options.abortSignal?.addEventListener("abort", onAbort, { once: true });
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;

  const worker = async (): Promise<void> => {
    while (!stop.signal.aborted && next < items.length) {
      const index = next++;
      try {
        results[index] = await task(items[index] as T, stop.signal);
      } catch (error) {
        failure ??= { error };
        stop.abort(error);
      }
    }
  };

  try {
    const workers = Math.max(1, Math.min(Math.floor(options.limit), items.length));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    options.abortSignal?.removeEventListener("abort", onAbort);
  }
  if (options.abortSignal?.aborted) throw options.abortSignal.reason;
  if (failure) throw failure.error;
  return results;
}
