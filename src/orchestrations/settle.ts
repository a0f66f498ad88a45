// What several orchestrators need when they fan out: wait for every task although Task.all fails
// fast, and the message an activity failed with, without the SDK's wrapping.
import * as df from "durable-functions";

export type Step<T = void> = Generator<df.Task, T, unknown>;

export type Settled<T> = { ok: true; value: T } | { ok: false; error: string };

/** The message of an activity failure as the activity threw it (without the SDK's "Error: " prefix). */
export function reasonOf(error: unknown): string {
  if (error instanceof df.TaskFailedError) return error.failureDetails.errorMessage ?? error.message;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Schedules every task at once and waits for all of them, failed ones included: after Task.all
 * fails fast, each unfinished task is yielded on its own (a task already scheduled is not
 * scheduled again), so one failure never hides the others' outcomes.
 */
export function* settleAll<T>(context: df.OrchestrationContext, tasks: df.Task[]): Step<Settled<T>[]> {
  if (tasks.length === 0) return [];
  try {
    yield context.df.Task.all(tasks);
  } catch {
    for (const task of tasks) {
      if (task.isCompleted) continue;
      try {
        yield task;
      } catch {
        // recorded below
      }
    }
  }
  return tasks.map((task) =>
    task.isFaulted ? { ok: false, error: reasonOf(task.result) } : { ok: true, value: task.result as T },
  );
}
