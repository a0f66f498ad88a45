// The durable restore: planRestore (verify and plan the archive into a blob) -> one restoreVolume
// activity per snapshot, with retry -> attachRestoredDisks -> applyResources per phase ->
// runRestoreHooks (when there are hooks) -> reportRestore (the result blob and the output) ->
// notifyJob (when an Event Grid topic is configured). The orchestrator only decides; each activity
// (restore-activities.ts, restore-hooks.ts) does one idempotent step and hands bulk state on
// through blobs.
import * as df from "durable-functions";
import type { OrchestrationModule } from "./module.js";
import { notifyJob } from "./notify-job.js";
import {
  applyResources,
  attachRestoredDisks,
  planRestoreActivity,
  reportRestore,
} from "./restore-activities.js";
import {
  type ApplyResourcesOutput,
  type AttachDisksInput,
  type PlanRestoreOutput,
  RESTORE,
  type ReportRestoreOutput,
  type RestoreInput,
  type RestoreOutput,
  type RestoreProgress,
  type RestoreVolumeInput,
  type RestoreVolumeOutcome,
  restoreActivities,
  restoreInputSchema,
} from "./restore-contract.js";
import { reasonOf, type Step, settleAll } from "./settle.js";

export * from "./restore-activities.js";
export * from "./restore-contract.js";

/** Storage-only steps (plan, attach, report): a blip must not fail the restore. */
function storageRetry(): df.RetryOptions {
  const retry = new df.RetryOptions(2_000, 3);
  retry.backoffCoefficient = 2;
  return retry;
}

/**
 * A new disk from a snapshot after a transient failure (throttling, a snapshot still copying, 5xx):
 * 5 s, 10 s, 20 s, four attempts in all. The activity throws only such failures.
 */
function volumeRetry(): df.RetryOptions {
  const retry = new df.RetryOptions(5_000, 4);
  retry.backoffCoefficient = 2;
  return retry;
}

/** A phase is applied again only once: its items are idempotent, but a cluster that is down stays down. */
function applyRetry(): df.RetryOptions {
  return new df.RetryOptions(5_000, 2);
}

/** One run's input, start time and progress; its steps yield tasks. */
class RestoreRun {
  readonly progress: RestoreProgress;
  readonly startedAt: string;
  failure: string | undefined;
  hooksFailure: string | undefined;

  constructor(
    readonly context: df.OrchestrationContext,
    readonly input: RestoreInput,
  ) {
    this.startedAt = context.df.currentUtcDateTime.toISOString();
    this.progress = {
      phase: "plan",
      restoreId: input.restoreId,
      recoveryPointId: input.request.recoveryPointId,
      targetCluster: input.targetCluster,
      dryRun: input.request.dryRun,
    };
  }

  status(update: Partial<RestoreProgress>): void {
    Object.assign(this.progress, update);
    this.context.df.setCustomStatus({ ...this.progress });
  }

  *plan(): Step<PlanRestoreOutput> {
    this.status({ phase: "plan" });
    const { restoreId, targetCluster, request } = this.input;
    const planned = (yield this.context.df.callActivityWithRetry(
      restoreActivities.planRestore,
      storageRetry(),
      { restoreId, targetCluster, request },
    )) as PlanRestoreOutput;
    if (planned.ok) this.status({ items: planned.phases.reduce((sum, phase) => sum + phase.items, 0) });
    return planned;
  }

  /** One restoreVolume per planned volume, then the disks put into the plan; a failed volume is recorded. */
  *volumes(planned: Extract<PlanRestoreOutput, { ok: true }>): Step {
    const attach: AttachDisksInput = { restoreId: this.input.restoreId, disks: [], failures: [] };
    // A dry run creates no disk: the PVs are validated as planned.
    if (planned.volumes.length > 0 && !this.input.request.dryRun) {
      this.status({ phase: "volumes", volumesDone: 0, volumesTotal: planned.volumes.length });
      const tasks = planned.volumes.map((volume) => {
        const request: RestoreVolumeInput = {
          restoreId: this.input.restoreId,
          recoveryPointId: this.input.request.recoveryPointId,
          volume,
          targetCluster: this.input.targetCluster,
        };
        return this.context.df.callActivityWithRetry(restoreActivities.restoreVolume, volumeRetry(), request);
      });
      // A failure no retry can cure comes back as a value (ok: false); a thrown one was retried.
      const outcomes = yield* settleAll<RestoreVolumeOutcome>(this.context, tasks);
      outcomes.forEach((settled, index) => {
        const volume = planned.volumes[index];
        if (!volume) return;
        const outcome = settled.ok ? settled.value : settled;
        if (outcome.ok) {
          const { pvName, diskId, location, zone, skuName } = outcome;
          attach.disks.push({ pvName, diskId, location, skuName, ...(zone !== undefined ? { zone } : {}) });
        } else attach.failures.push({ pv: volume.pv, reason: outcome.error });
      });
      this.status({ volumesDone: attach.disks.length });
    }
    yield this.context.df.callActivityWithRetry(
      restoreActivities.attachRestoredDisks,
      storageRetry(),
      attach,
    );
  }

  /** The phases in order; the running counts go into the custom status after each. */
  *apply(planned: Extract<PlanRestoreOutput, { ok: true }>): Step {
    const counts = { total: 0, created: 0, patched: 0, skipped: 0, failed: 0 };
    for (const [index, phase] of planned.phases.entries()) {
      this.status({ phase: phase.name, counts: { ...counts } });
      const applied = (yield this.context.df.callActivityWithRetry(
        restoreActivities.applyResources,
        applyRetry(),
        { restoreId: this.input.restoreId, phase: index },
      )) as ApplyResourcesOutput;
      for (const key of Object.keys(counts) as (keyof typeof counts)[]) counts[key] += applied.counts[key];
      this.status({ counts: { ...counts } });
    }
  }

  /**
   * The exec hooks of the restored pods, when a RestoreHook is referenced or a planned pod (template)
   * carries a hook annotation. Never retried: a hook's command need not be idempotent.
   */
  *hooks(planned: Extract<PlanRestoreOutput, { ok: true }>): Step {
    const references = this.input.request.restoreHookReferences ?? [];
    if (references.length === 0 && !planned.annotatedHooks) return;
    this.status({ phase: "hooks" });
    try {
      yield this.context.df.callActivity(restoreActivities.runRestoreHooks, {
        restoreId: this.input.restoreId,
        references,
      });
    } catch (error) {
      this.hooksFailure = reasonOf(error);
    }
  }

  *report(): Step<ReportRestoreOutput> {
    this.status({ phase: "report" });
    const { request } = this.input;
    const output = (yield this.context.df.callActivityWithRetry(
      restoreActivities.reportRestore,
      storageRetry(),
      {
        restoreId: this.input.restoreId,
        startedAt: this.startedAt,
        recoveryPointId: request.recoveryPointId,
        targetCluster: this.input.targetCluster,
        instance: this.input.instance,
        dryRun: request.dryRun,
        conflictPolicy: request.conflictPolicy,
        ...(this.failure !== undefined ? { failure: this.failure } : {}),
        ...(this.hooksFailure !== undefined ? { hooksFailure: this.hooksFailure } : {}),
      },
    )) as ReportRestoreOutput;
    this.status({ phase: "done", counts: output.counts });
    return output;
  }

  /** The restore's event; its failed items are read from the result by the activity. */
  *notifyJob(output: RestoreOutput): Step {
    const { input } = this;
    yield* notifyJob(this.context, {
      kind: "restore",
      jobId: input.restoreId,
      instance: input.instance,
      recoveryPointId: output.recoveryPointId,
      targetCluster: output.targetCluster,
      dryRun: output.dryRun,
      status: output.status,
      ...(output.reason !== undefined ? { reason: output.reason } : {}),
      startTime: this.startedAt,
      endTime: this.context.df.currentUtcDateTime.toISOString(),
      counts: {
        items: output.counts.total,
        created: output.counts.created,
        patched: output.counts.patched,
        skipped: output.counts.skipped,
        failed: output.counts.failed,
        warnings: output.warnings,
      },
    });
  }
}

export function* restore(context: df.OrchestrationContext): Step<RestoreOutput> {
  const parsed = restoreInputSchema.safeParse(context.df.getInput());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid input: ${issue?.path.join(".") || "(root)"}: ${issue?.message}`);
  }
  const run = new RestoreRun(context, parsed.data);
  try {
    const planned = yield* run.plan();
    if (!planned.ok) {
      run.failure = planned.reason;
    } else {
      yield* run.volumes(planned);
      yield* run.apply(planned);
      yield* run.hooks(planned);
    }
  } catch (error) {
    run.failure = reasonOf(error);
  }
  const { notify, ...output } = yield* run.report();
  if (notify) yield* run.notifyJob(output);
  return output;
}

export const restoreModule: OrchestrationModule = {
  orchestrators: { [RESTORE]: restore },
  activities: {
    [restoreActivities.planRestore]: planRestoreActivity,
    [restoreActivities.attachRestoredDisks]: attachRestoredDisks,
    [restoreActivities.applyResources]: applyResources,
    [restoreActivities.reportRestore]: reportRestore,
  },
};
