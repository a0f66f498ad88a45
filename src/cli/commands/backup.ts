// `aks-backup backup <instance>`: an on-demand backup of one instance. It runs the same durable
// `backupInstance` orchestration `serve` and Azure run, in this process through the local runtime
// (its state kept in the storage, so the job shows in `serve`'s job list), shows its progress, and
// prints the recovery point it committed. Exits 1 when the backup failed or was skipped.
import type { Command } from "commander";
import { onDemandInstanceId } from "../../api/backups.js";
import type { InstanceStatus, LocalRuntime } from "../../local/runtime.js";
import { isoDurationSchema } from "../../model/policy.js";
import {
  BACKUP_INSTANCE,
  type BackupOutput,
  type BackupProgress,
  commitRecoveryPoint,
  releaseBackup,
} from "../../orchestrations/backup-instance.js";
import type { Environment } from "../../orchestrations/environment.js";
import { type CliContext, openContext, UsageError } from "../context.js";
import { foregroundJob } from "../durable-job.js";
import { formatBytes, formatDuration, type OutputFormat, parseOutputFormat, printJson } from "../output.js";
import { printManifest } from "./describe.js";

interface BackupFlags {
  wait?: boolean;
  retention?: string;
  output: OutputFormat;
}

export function registerBackupCommand(program: Command): void {
  program
    .command("backup <instance>")
    .description("back up one instance now (on demand) and print its recovery point")
    .option("--wait", "wait until the backup is committed (the CLI always runs it in the foreground)")
    .option("--retention <duration>", "keep this recovery point for an ISO 8601 duration, e.g. P30D")
    .option("-o, --output <format>", "table or json", parseOutputFormat, "table")
    .action(async (name: string, flags: BackupFlags, command: Command) => {
      const retention = flags.retention === undefined ? undefined : parseRetention(flags.retention);
      const context = await openContext(command.optsWithGlobals());
      try {
        context.instance(name);
        await backUp(context, name, flags, retention);
      } finally {
        await context.close();
      }
    });
}

async function backUp(
  context: CliContext,
  name: string,
  flags: BackupFlags,
  retention: string | undefined,
): Promise<void> {
  const job = await foregroundJob(context, "stopping the backup and recording it as Failed");
  const jobId = onDemandInstanceId(name, new Date());
  try {
    const input = { instance: name, trigger: "OnDemand", ...(retention ? { retention } : {}) };
    const status = await job.run(
      BACKUP_INSTANCE,
      jobId,
      input,
      (step) => `backing up ${name}: ${describeStep(step as BackupProgress)}`,
    );
    if (!status) {
      await cancelJob(job.runtime, context.env, jobId, name, job.reason());
      process.exitCode = 130;
      return;
    }
    await report(context, status, flags.output);
  } finally {
    await job.close();
  }
}

function describeStep(step: BackupProgress): string {
  const items = step.items === undefined ? "" : `, ${step.items} items`;
  const volumes =
    step.volumesTotal === undefined ? "" : `, volumes ${step.volumesDone ?? 0}/${step.volumesTotal}`;
  return `${step.phase}${items}${volumes}`;
}

async function report(context: CliContext, status: InstanceStatus, format: OutputFormat): Promise<void> {
  const output = status.output as BackupOutput | null;
  if (status.runtimeStatus !== "Completed" || !output) {
    process.exitCode = 1;
    const why = status.error ?? String(status.output ?? status.runtimeStatus);
    if (format === "json") printJson({ job: status.instanceId, status: status.runtimeStatus, error: why });
    else console.error(`aks-backup: backup job ${status.instanceId} ${status.runtimeStatus}: ${why}`);
    return;
  }
  const manifest = output.recoveryPointId
    ? await context.catalog.getManifest(output.recoveryPointId)
    : undefined;
  if (!manifest) {
    process.exitCode = 1;
    if (format === "json") printJson({ job: status.instanceId, ...output });
    else
      console.error(
        `aks-backup: backup ${output.status}: ${output.reason ?? "no recovery point was committed"}`,
      );
    return;
  }
  if (format === "json") {
    printJson({ recoveryPointId: manifest.id, job: status.instanceId, ...manifest });
  } else {
    const took = Date.parse(manifest.endTime) - Date.parse(manifest.startTime);
    const size = manifest.archive ? `, ${formatBytes(manifest.archive.sizeBytes)}` : "";
    console.log(
      `recovery point ${manifest.id}: ${manifest.status}, ${manifest.totalItems} items${size} in ${formatDuration(took)}`,
    );
    printManifest(manifest, { header: false });
  }
  if (manifest.status === "Failed") process.exitCode = 1;
}

/**
 * Ctrl-C stops the job and still records it: the orchestration is terminated, a Failed recovery
 * point saying why is committed (with any snapshots already taken, so retention removes them) and
 * the instance's lock is released.
 */
async function cancelJob(
  runtime: LocalRuntime,
  env: Environment,
  jobId: string,
  instance: string,
  reason: string,
): Promise<void> {
  const status = await runtime.getStatus(jobId);
  const recoveryPointId = (status?.customStatus as BackupProgress | null | undefined)?.recoveryPointId;
  await runtime.terminate(jobId, reason).catch(() => undefined);
  if (recoveryPointId) {
    try {
      const committed = await commitRecoveryPoint(
        { recoveryPointId, snapshotted: [], volumeFailures: {}, failure: reason, errors: [] },
        env,
      );
      console.error(`aks-backup: recovery point ${recoveryPointId}: ${committed.status} (${reason})`);
    } catch (error) {
      // Nothing was prepared yet (no job record): there is no recovery point to record.
      console.error(`aks-backup: no recovery point recorded: ${(error as Error).message}`);
    }
  }
  await releaseBackup({ instance, orchestrationId: jobId }, env);
}

function parseRetention(text: string): string {
  const parsed = isoDurationSchema.safeParse(text);
  if (!parsed.success) {
    throw new UsageError(`--retention: "${text}" is not an ISO 8601 duration such as P30D or P12W`);
  }
  return text;
}
