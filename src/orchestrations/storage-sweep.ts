// The storage half of the daily retention sweep: finish deletions a crash interrupted, remove what
// crashed backups left (blobs without a manifest, tagged snapshots of no recovery point) once it is
// older than the grace period, and never touch an instance whose backup lock is held.
import { mapWithLimit } from "../kube/task-pool.js";
import type { BackupInstance } from "../model/backup-instance.js";
import type { RecoveryPointManifest } from "../model/recovery-point.js";
import type { StoredRecoveryPoint } from "../store/catalog.js";
import { JobLocks } from "../store/job-locks.js";
import { finishDeletion } from "../store/recovery-point-deletion.js";
import { parseRecoveryPointId } from "../store/recovery-point-id.js";
import { groupOfSnapshot, listTaggedSnapshots, type TaggedSnapshot } from "../volumes/delete-snapshots.js";
import { deletionDeps, runDeletions } from "./deletions.js";
import type { Environment } from "./environment.js";
import { RESTORES_PREFIX } from "./restore-parts.js";

/**
 * How old a manifest-less recovery point or an orphaned snapshot must be before the sweep removes
 * it: a backup in progress has no manifest yet, and none runs longer than this (its lock, see
 * store/job-locks.ts, also protects it; a lock is presumed dead after the same time).
 */
export const STORAGE_GRACE_MS = 24 * 60 * 60_000;

/** Manifests read at once when the sweep collects snapshot resource groups. */
const READ_CONCURRENCY = 16;
/** Failures named in the output; the rest are counted (activity outputs stay small). */
const MAX_LISTED_FAILURES = 20;

export interface SweepInput {
  /** The sweep's time (ISO): the day it runs for. */
  at: string;
}

export interface StorageSweepOutput {
  /** Deletions an earlier run left half-way, finished now. */
  deletionsFinished: number;
  /** Recovery point prefixes without a manifest (crashed backups) removed / kept (young or locked). */
  prefixesRemoved: number;
  prefixesKept: number;
  /** Resource groups whose snapshots were listed. */
  groupsScanned: number;
  /** Tagged snapshots whose recovery point has no manifest, deleted / kept (young or locked). */
  orphansDeleted: number;
  orphansKept: number;
  /** Restore records (`restores/<id>/`: plan, phase results, result) older than 30 days, removed. */
  restoreRecordsRemoved: number;
  /** The first MAX_LISTED_FAILURES failures; `failureCount` counts them all. */
  failures: string[];
  failureCount: number;
}

interface Sweep {
  env: Environment;
  now: number;
  isLocked: (instance: string) => Promise<boolean>;
  failures: string[];
  output: StorageSweepOutput;
}

/** The storage sweep (activity `sweepStorage`); every step is safe to repeat. */
export async function sweepStorage(_input: SweepInput, env: Environment): Promise<StorageSweepOutput> {
  const sweep: Sweep = {
    env,
    now: env.now().getTime(),
    isLocked: lockChecker(env),
    failures: [],
    output: {
      deletionsFinished: 0,
      prefixesRemoved: 0,
      prefixesKept: 0,
      groupsScanned: 0,
      orphansDeleted: 0,
      orphansKept: 0,
      restoreRecordsRemoved: 0,
      failures: [],
      failureCount: 0,
    },
  };
  const instances = (await env.definitions.list("instance")).map((stored) => stored.value);
  const points = await env.catalog.scanRecoveryPoints();
  const finished = await finishInterrupted(sweep, points);
  await removeCrashedBackups(
    sweep,
    points.filter((p) => !p.committed && !p.deleting),
  );
  const committed = points.filter((p) => p.committed && !finished.has(p.id));
  const known = new Set([...points.map((p) => p.instance), ...instances.map((i) => i.name)]);
  await deleteOrphans(sweep, await snapshotGroups(sweep, instances, committed), committed, known);
  await removeOldRestoreRecords(sweep);
  sweep.output.failureCount = sweep.failures.length;
  sweep.output.failures = sweep.failures.slice(0, MAX_LISTED_FAILURES);
  return sweep.output;
}

/** Finishes every marked deletion; returns the ids now gone. */
async function finishInterrupted(sweep: Sweep, points: readonly StoredRecoveryPoint[]): Promise<Set<string>> {
  const { env } = sweep;
  const deps = deletionDeps(env);
  const outcome = await runDeletions(
    points
      .filter((p) => p.deleting)
      .map((p) => ({ id: p.id, run: () => finishDeletion(env.catalog, p.id, deps) })),
  );
  sweep.output.deletionsFinished = outcome.deleted.length;
  for (const failure of outcome.failed) sweep.failures.push(failure.error);
  return new Set(outcome.deleted);
}

/** Blobs of backups that never committed, once nothing was written there for the grace period. */
async function removeCrashedBackups(
  sweep: Sweep,
  uncommitted: readonly StoredRecoveryPoint[],
): Promise<void> {
  const { env, output } = sweep;
  for (const point of uncommitted) {
    if (
      sweep.now - point.lastModified.getTime() < STORAGE_GRACE_MS ||
      (await sweep.isLocked(point.instance))
    ) {
      output.prefixesKept++;
      continue;
    }
    try {
      for (const name of point.blobs) {
        await env.catalog.container.getBlockBlobClient(name).deleteIfExists({ deleteSnapshots: "include" });
      }
      output.prefixesRemoved++;
    } catch (error) {
      sweep.failures.push(`cannot remove the unfinished backup ${point.id}: ${(error as Error).message}`);
    }
  }
}

/**
 * Where our snapshots may be: each stored instance's snapshot resource group (configured, or its
 * cluster's node resource group) and the group of every snapshot a committed manifest records.
 */
async function snapshotGroups(
  sweep: Sweep,
  instances: readonly BackupInstance[],
  committed: readonly StoredRecoveryPoint[],
): Promise<string[]> {
  const { env } = sweep;
  const groups = new Map<string, string>();
  const add = (id: string | undefined) => {
    if (id !== undefined && !groups.has(id.toLowerCase())) groups.set(id.toLowerCase(), id);
  };
  for (const instance of instances) add((await env.volumeDeps(instance)).snapshotResourceGroup);
  const manifests = await mapWithLimit(
    committed,
    async (point): Promise<RecoveryPointManifest | undefined> => {
      try {
        return await env.catalog.getManifest(point.id);
      } catch (error) {
        sweep.failures.push((error as Error).message);
        return undefined;
      }
    },
    { limit: READ_CONCURRENCY },
  );
  for (const manifest of manifests) {
    for (const snapshot of manifest?.volumeSnapshots ?? []) add(groupOfSnapshot(snapshot.snapshotId));
  }
  sweep.output.groupsScanned = groups.size;
  return [...groups.values()];
}

/**
 * Deletes tagged snapshots whose recovery point has no manifest, older than the grace period. Only
 * instances this catalog knows count: another deployment snapshotting into the same group keeps its own.
 */
async function deleteOrphans(
  sweep: Sweep,
  groups: readonly string[],
  committed: readonly StoredRecoveryPoint[],
  known: ReadonlySet<string>,
): Promise<void> {
  const { env, output } = sweep;
  const committedIds = new Set(committed.map((p) => p.id));
  const deps = deletionDeps(env);
  for (const group of groups) {
    for (const orphan of await orphansIn(sweep, group, committedIds, known)) {
      if (!(await isRemovable(sweep, orphan))) {
        output.orphansKept++;
        continue;
      }
      try {
        await deps.deleteSnapshot(orphan.id, {});
        output.orphansDeleted++;
      } catch (error) {
        sweep.failures.push((error as Error).message);
      }
    }
  }
}

async function orphansIn(
  sweep: Sweep,
  group: string,
  committedIds: ReadonlySet<string>,
  known: ReadonlySet<string>,
): Promise<TaggedSnapshot[]> {
  try {
    const tagged = await listTaggedSnapshots(await sweep.env.computeClients(), group);
    return tagged.filter((snapshot) => {
      const instance = parseRecoveryPointId(snapshot.recoveryPointId)?.instance;
      return instance !== undefined && known.has(instance) && !committedIds.has(snapshot.recoveryPointId);
    });
  } catch (error) {
    sweep.failures.push((error as Error).message);
    return [];
  }
}

async function isRemovable(sweep: Sweep, orphan: TaggedSnapshot): Promise<boolean> {
  const created = orphan.timeCreated?.getTime();
  if (created === undefined || sweep.now - created < STORAGE_GRACE_MS) return false;
  const instance = parseRecoveryPointId(orphan.recoveryPointId)?.instance;
  return instance !== undefined && !(await sweep.isLocked(instance));
}

/** Whether an instance's backup lock is held (any lock blob: a backup may be writing). */
function lockChecker(env: Environment): (instance: string) => Promise<boolean> {
  const jobLocks = new JobLocks(env.catalog.container);
  const seen = new Map<string, Promise<boolean>>();
  return (instance) => {
    let held = seen.get(instance);
    if (held === undefined) {
      // A lock that cannot be read counts as held: the sweep only ever errs on keeping.
      held = jobLocks.get(instance).then(
        (lock) => lock !== undefined,
        () => true,
      );
      seen.set(instance, held);
    }
    return held;
  };
}

/** How long a restore's record (its plan, phase results and result) is kept after its last write. */
export const RESTORE_RECORD_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Removes the records of restores nothing has written to for RESTORE_RECORD_RETENTION_MS. */
async function removeOldRestoreRecords(sweep: Sweep): Promise<void> {
  const { container } = sweep.env.catalog;
  const records = new Map<string, { names: string[]; newest: number }>();
  for await (const blob of container.listBlobsFlat({ prefix: RESTORES_PREFIX })) {
    const id = blob.name.slice(RESTORES_PREFIX.length).split("/")[0] ?? "";
    const record = records.get(id) ?? { names: [], newest: 0 };
    record.names.push(blob.name);
    record.newest = Math.max(record.newest, blob.properties.lastModified?.getTime() ?? sweep.now);
    records.set(id, record);
  }
  for (const [id, record] of records) {
    if (sweep.now - record.newest < RESTORE_RECORD_RETENTION_MS) continue;
    try {
      for (const name of record.names) await container.getBlockBlobClient(name).deleteIfExists();
      sweep.output.restoreRecordsRemoved++;
    } catch (error) {
      sweep.failures.push(`cannot remove the record of restore ${id}: ${(error as Error).message}`);
    }
  }
}
