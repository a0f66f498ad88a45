// The durable backup of one instance: prepare (lock) -> export -> pre-hooks -> one snapshot activity
// per volume -> post-hooks -> commit -> retention -> release -> notify (when a topic is configured).
// The orchestrator only decides; each activity (backup-activities.ts) does one idempotent step and
// hands bulk state on through blobs (backup-parts.ts).
import * as df from "durable-functions";
import { nameProblem } from "../model/names.js";
import { newRecoveryPointId } from "../store/recovery-point-id.js";
import type { DiskVolume } from "../volumes/discovery.js";
import {
  commitRecoveryPoint,
  exportResourcesActivity,
  prepareBackup,
  releaseBackup,
  runHooks,
  snapshotVolume,
} from "./backup-activities.js";
import {
  activities,
  BACKUP_INSTANCE,
  type BackupInput,
  type BackupOutput,
  type BackupProgress,
  backupInputSchema,
  type CommitInput,
  type CommitOutput,
  type ExportOutput,
  type HooksInput,
  type HooksOutput,
  type PrepareInput,
  type PrepareOutput,
  type ReleaseInput,
  type SnapshotInput,
  type SnapshotOutput,
} from "./backup-contract.js";
import type { OrchestrationModule } from "./module.js";
import { type BackupNotice, notifyJob } from "./notify-job.js";
import { reasonOf, type Step, settleAll } from "./settle.js";

export * from "./backup-activities.js";
export * from "./backup-contract.js";

/**
 * A snapshot after a transient failure: 5 s, 10 s, 20 s, four attempts in all. Each attempt's PUT
 * passes the process's SnapshotRateGuard, so retries never break Azure's per-disk limit.
 */
function snapshotRetry(): df.RetryOptions {
  const retry = new df.RetryOptions(5_000, 4);
  retry.backoffCoefficient = 2;
  return retry;
}

/** Storage-only steps (lock, commit): retried so a blip neither loses a backup nor strands the lock. */
function storageRetry(): df.RetryOptions {
  const retry = new df.RetryOptions(2_000, 3);
  retry.backoffCoefficient = 2;
  return retry;
}

function failedBeforeStart(reason: string): BackupOutput {
  return { status: "Failed", reason, warnings: 0, errors: 1 };
}

/** One run's identity, progress and what commitRecoveryPoint will be told; its steps yield tasks. */
class BackupRun {
  readonly progress: BackupProgress;
  readonly commit: CommitInput;
  /** The pre-hooks began and the post-hooks have not run yet: they must, whatever happens. */
  hooksPending = false;
  /** prepareBackup reported an Event Grid topic: the job's event is published at its end. */
  notify = false;
  readonly startTime: string;

  constructor(
    readonly context: df.OrchestrationContext,
    readonly input: BackupInput,
    readonly recoveryPointId: string,
  ) {
    this.startTime = context.df.currentUtcDateTime.toISOString();
    this.progress = { phase: "prepare", recoveryPointId };
    this.commit = { recoveryPointId, snapshotted: [], volumeFailures: {}, errors: [] };
  }

  status(update: Partial<BackupProgress>): void {
    Object.assign(this.progress, update);
    this.context.df.setCustomStatus({ ...this.progress });
  }

  *prepare(): Step<PrepareOutput> {
    this.status({ phase: "prepare" });
    const input: PrepareInput = {
      ...this.input,
      orchestrationId: this.context.df.instanceId,
      recoveryPointId: this.recoveryPointId,
      startTime: this.startTime,
    };
    return (yield this.context.df.callActivityWithRetry(
      activities.prepareBackup,
      storageRetry(),
      input,
    )) as PrepareOutput;
  }

  *exportResources(): Step<ExportOutput> {
    this.status({ phase: "export" });
    const exported = (yield this.context.df.callActivity(activities.exportResources, {
      recoveryPointId: this.recoveryPointId,
    })) as ExportOutput;
    this.status({ items: exported.items });
    return exported;
  }

  *preHooks(volumes: DiskVolume[]): Step<HooksOutput> {
    this.status({ phase: "pre-hooks" });
    this.hooksPending = true;
    const input: HooksInput = { recoveryPointId: this.recoveryPointId, phase: "pre", volumes };
    return (yield this.context.df.callActivity(activities.runHooks, input)) as HooksOutput;
  }

  /** Post-hooks that cannot run are an error of the backup, never its failure. */
  *postHooks(): Step {
    this.hooksPending = false;
    this.status({ phase: "post-hooks" });
    const input: HooksInput = { recoveryPointId: this.recoveryPointId, phase: "post" };
    try {
      yield this.context.df.callActivity(activities.runHooks, input);
    } catch (error) {
      this.commit.errors.push(`post-hooks not run: ${reasonOf(error)}`);
    }
  }

  /** One snapshotVolume per volume and stage, retried; each volume's failure is recorded, not thrown. */
  *snapshots(exported: ExportOutput, indices: number[], stage: SnapshotInput["stage"]): Step<number[]> {
    const group = exported.snapshotResourceGroup ?? "";
    const tasks = indices.map((index) => {
      const volume = exported.volumes[index] as DiskVolume;
      const request: SnapshotInput = {
        recoveryPointId: this.recoveryPointId,
        index,
        volume,
        snapshotResourceGroup: group,
        stage,
      };
      return this.context.df.callActivityWithRetry(activities.snapshotVolume, snapshotRetry(), request);
    });
    const outcomes = yield* settleAll<SnapshotOutput>(this.context, tasks);
    const unfinished: number[] = [];
    outcomes.forEach((outcome, position) => {
      const index = indices[position] as number;
      if (!outcome.ok) this.commit.volumeFailures[index] = outcome.error;
      else if (!outcome.value.done) unfinished.push(index);
    });
    return unfinished;
  }

  /** Pre-hooks, every snapshot created, post-hooks (thaw), then the background copies awaited. */
  *volumes(exported: ExportOutput): Step {
    const pre = yield* this.preHooks(exported.volumes);
    const held = new Set(pre.held);
    const indices = exported.volumes.flatMap((volume, index) => (held.has(volume.pvc) ? [] : [index]));
    this.commit.snapshotted = indices;
    this.status({ phase: "snapshots", volumesDone: 0, volumesTotal: indices.length });
    const copying = yield* this.snapshots(exported, indices, "create");
    // Every snapshot exists (or failed): thaw now, not after the copies, which can take hours.
    yield* this.postHooks();
    this.status({ phase: "snapshots", volumesDone: indices.length - copying.length });
    yield* this.snapshots(exported, copying, "complete");
    this.status({ volumesDone: indices.length });
  }

  *commitRecoveryPoint(): Step<CommitOutput> {
    this.status({ phase: "commit" });
    return (yield this.context.df.callActivityWithRetry(
      activities.commitRecoveryPoint,
      storageRetry(),
      this.commit,
    )) as CommitOutput;
  }

  /** Retention's outcome, or its error: a retention failure never fails the backup. */
  *applyRetention(): Step<unknown> {
    this.status({ phase: "retention" });
    try {
      return yield this.context.df.callActivity(activities.applyRetention, { instance: this.input.instance });
    } catch (error) {
      return { error: reasonOf(error) };
    }
  }

  *release(): Step {
    this.status({ phase: "release" });
    const input: ReleaseInput = {
      instance: this.input.instance,
      orchestrationId: this.context.df.instanceId,
    };
    try {
      yield this.context.df.callActivityWithRetry(activities.releaseBackup, storageRetry(), input);
    } catch {
      // The lock then expires as stale; nothing else depends on it.
    }
  }

  /** The job's event (a Skipped run publishes none: the run holding the lock publishes its own). */
  *notifyJob(output: BackupOutput & { status: BackupNotice["status"] }): Step {
    const { input } = this;
    const notice: BackupNotice = {
      kind: "backup",
      jobId: this.context.df.instanceId,
      instance: input.instance,
      trigger: input.trigger,
      ...(input.slot ? { slot: input.slot } : {}),
      ...(output.recoveryPointId ? { recoveryPointId: output.recoveryPointId } : {}),
      status: output.status,
      ...(output.reason ? { reason: output.reason } : {}),
      startTime: this.startTime,
      endTime: this.context.df.currentUtcDateTime.toISOString(),
      counts: {
        items: output.totalItems ?? 0,
        volumesSnapshotted: output.volumes?.snapshotted ?? 0,
        volumesFailed: output.volumes?.failed ?? 0,
        warnings: output.warnings,
        errors: output.errors,
      },
    };
    yield* notifyJob(this.context, notice);
  }
}

/** The input, checked, and the recovery point id: the same on every replay (first episode's time, a replay-stable guid). */
function startOf(context: df.OrchestrationContext): BackupRun | BackupOutput {
  const parsed = backupInputSchema.safeParse(context.df.getInput());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return failedBeforeStart(`invalid input: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  const input = parsed.data;
  const problem = nameProblem(input.instance);
  if (problem) return failedBeforeStart(`invalid input: instance: ${problem}`);
  const guid = context.df.newGuid(`${context.df.instanceId}/recovery-point`);
  const id = newRecoveryPointId(
    input.instance,
    context.df.currentUtcDateTime,
    Number.parseInt(guid.slice(0, 4), 16),
  );
  return new BackupRun(context, input, id);
}

export function* backupInstance(context: df.OrchestrationContext): Step<BackupOutput> {
  const run = startOf(context);
  if (!(run instanceof BackupRun)) return run;
  let output: BackupOutput;
  try {
    output = yield* backupJob(run);
  } catch (error) {
    // The commit failed for good: the orchestration fails, and subscribers still hear of it.
    if (run.notify) yield* run.notifyJob({ ...failedBeforeStart(reasonOf(error)), status: "Failed" });
    throw error;
  }
  if (run.notify && output.status !== "Skipped") yield* run.notifyJob({ ...output, status: output.status });
  return output;
}

function* backupJob(run: BackupRun): Step<BackupOutput> {
  const { input, commit } = run;

  let prepared: PrepareOutput;
  try {
    prepared = yield* run.prepare();
  } catch (error) {
    yield* run.release();
    return failedBeforeStart(`backup of ${input.instance} could not start: ${reasonOf(error)}`);
  }
  run.notify = prepared.notify === true;
  if (prepared.status === "UnknownInstance") return failedBeforeStart(prepared.reason);
  if (prepared.status === "Busy") {
    run.status({ phase: "done" });
    const reason = `backup ${prepared.holder} of ${input.instance} is still running`;
    return { status: "Skipped", reason, warnings: 0, errors: 0 };
  }

  try {
    // Export comes before the pre-hooks (DESIGN's layout has it after): a freeze hook then holds
    // the application only while its snapshots are created, not for the whole export.
    const exported = yield* run.exportResources();
    if (exported.volumes.length > 0 && exported.snapshotResourceGroup !== undefined) {
      yield* run.volumes(exported);
    }
  } catch (error) {
    commit.failure = reasonOf(error);
  }
  if (run.hooksPending) yield* run.postHooks();

  let committed: CommitOutput;
  try {
    committed = yield* run.commitRecoveryPoint();
  } catch (error) {
    yield* run.release();
    throw error;
  }
  const retention = yield* run.applyRetention();
  yield* run.release();
  run.status({ phase: "done" });
  return {
    status: committed.status,
    ...(commit.failure ? { reason: commit.failure } : {}),
    recoveryPointId: run.recoveryPointId,
    totalItems: committed.totalItems,
    volumes: committed.volumes,
    warnings: committed.warnings,
    errors: committed.errors,
    retention,
  };
}

export const backupInstanceModule: OrchestrationModule = {
  orchestrators: { [BACKUP_INSTANCE]: backupInstance },
  activities: {
    [activities.prepareBackup]: prepareBackup,
    [activities.exportResources]: exportResourcesActivity,
    [activities.runHooks]: runHooks,
    [activities.snapshotVolume]: snapshotVolume,
    [activities.commitRecoveryPoint]: commitRecoveryPoint,
    [activities.releaseBackup]: releaseBackup,
  },
};
