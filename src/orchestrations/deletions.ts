// Recovery point deletions as activities run them: snapshots deleted through the environment's
// compute clients, several points at once, and each point's failure kept as data, never thrown.
import { mapWithLimit } from "../kube/task-pool.js";
import type { DeletionDeps, DeletionResult } from "../store/recovery-point-deletion.js";
import { deleteSnapshot } from "../volumes/delete-snapshots.js";
import type { Environment } from "./environment.js";

/** Recovery points deleted at once (each deletes its snapshots 8 at a time). */
const POINT_CONCURRENCY = 4;

export interface PointFailure {
  id: string;
  error: string;
}

export interface DeletionWork {
  id: string;
  run: () => Promise<DeletionResult>;
}

export function deletionDeps(env: Environment): DeletionDeps {
  return {
    async deleteSnapshot(snapshotId, options) {
      return deleteSnapshot(await env.computeClients(), snapshotId, options);
    },
  };
}

/** Runs every deletion; the ids deleted and, for the others, why not (in input order). */
export async function runDeletions(
  work: readonly DeletionWork[],
): Promise<{ deleted: string[]; failed: PointFailure[] }> {
  const outcomes = await mapWithLimit(
    work,
    async ({ id, run }): Promise<{ id: string; error?: string }> => {
      try {
        await run();
        return { id };
      } catch (error) {
        return { id, error: (error as Error).message };
      }
    },
    { limit: POINT_CONCURRENCY },
  );
  return {
    deleted: outcomes.filter((o) => o.error === undefined).map((o) => o.id),
    failed: outcomes.flatMap((o) => (o.error === undefined ? [] : [{ id: o.id, error: o.error }])),
  };
}
