// `aks-backup restore <recovery-point-id>`: restores a recovery point to its own cluster or another
// registered one. It runs the same durable `restore` orchestration `serve` and Azure run, in this
// process through the local runtime (its state kept in the storage, so the job shows in `serve`'s
// job list), shows its progress, and prints what happened per outcome. Exits 1 when anything failed.
import type { Command } from "commander";
import { restoreInput, restoreInstanceId } from "../../api/restores.js";
import type { InstanceStatus } from "../../local/runtime.js";
import { formatIssuePath, parseModel } from "../../model/issues.js";
import { type RestoreRequestInput, restoreRequestSchema } from "../../model/restore-request.js";
import {
  RESTORE,
  type RestoreOutput,
  type RestoreProgress,
  readRestoreResult,
} from "../../orchestrations/restore.js";
import type { StoredRestoreResult } from "../../orchestrations/restore-parts.js";
import { isRestorePlanError } from "../../restore/errors.js";
import type { RestoreResult } from "../../restore/result.js";
import { type CliContext, openContext, UsageError } from "../context.js";
import { foregroundJob } from "../durable-job.js";
import { formatDuration, formatTable, type OutputFormat, parseOutputFormat, printJson } from "../output.js";

interface RestoreFlags {
  targetCluster?: string;
  namespaceMapping?: string;
  includeNamespaces?: string;
  conflict?: string;
  dryRun?: boolean;
  wait?: boolean;
  output: OutputFormat;
}

/** Which flag carries each request field, so a refusal names what the user typed. */
const FLAG_OF: Record<string, string> = {
  recoveryPointId: "<recovery-point-id>",
  targetCluster: "--target-cluster",
  namespaceMappings: "--namespace-mapping",
  includedNamespaces: "--include-namespaces",
  conflictPolicy: "--conflict",
};

export function registerRestoreCommand(program: Command): void {
  program
    .command("restore <recovery-point-id>")
    .description("restore a recovery point to its cluster or another registered one")
    .option("--target-cluster <name>", "registered cluster to restore into (default: the backup's own)")
    .option("--namespace-mapping <pairs>", "restore namespaces under other names: shop=shop-copy,a=b")
    .option("--include-namespaces <names>", "restore only these namespaces of the backup: shop,web-*")
    .option("--conflict <policy>", "an object that exists already: skip it or patch it (skip|patch)", "skip")
    .option("--dry-run", "validate everything on the API server (dryRun=All) and change nothing")
    .option("--wait", "wait until the restore finishes (the CLI always runs it in the foreground)")
    .option("-o, --output <format>", "table or json", parseOutputFormat, "table")
    .action(async (id: string, flags: RestoreFlags, command: Command) => {
      const request = requestOf(id, flags);
      const context = await openContext(command.optsWithGlobals());
      try {
        await runRestore(context, request, flags.output);
      } finally {
        await context.close();
      }
    });
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
}

function parseMappings(text: string): Record<string, string> {
  const mappings: Record<string, string> = {};
  for (const pair of splitList(text)) {
    const [source, target, ...rest] = pair.split("=");
    if (!source || !target || rest.length > 0) {
      throw new UsageError(`--namespace-mapping: "${pair}" is not source=target (e.g. shop=shop-copy)`);
    }
    mappings[source.trim()] = target.trim();
  }
  return mappings;
}

function conflictPolicyOf(text: string): "Skip" | "Patch" {
  const lower = text.toLowerCase();
  if (lower === "skip") return "Skip";
  if (lower === "patch") return "Patch";
  throw new UsageError(`--conflict: "${text}" is not one of skip, patch`);
}

/** The request from the arguments, validated by the API's schema; a refusal names the flag. */
function requestOf(id: string, flags: RestoreFlags) {
  const input: RestoreRequestInput = {
    recoveryPointId: id,
    conflictPolicy: conflictPolicyOf(flags.conflict ?? "skip"),
    dryRun: flags.dryRun ?? false,
    ...(flags.targetCluster !== undefined ? { targetCluster: flags.targetCluster } : {}),
    ...(flags.namespaceMapping !== undefined
      ? { namespaceMappings: parseMappings(flags.namespaceMapping) }
      : {}),
    ...(flags.includeNamespaces !== undefined
      ? { includedNamespaces: splitList(flags.includeNamespaces) }
      : {}),
  };
  const parsed = parseModel(restoreRequestSchema, input);
  if (parsed.ok) return parsed.value;
  const problems = parsed.issues.map((issue) => {
    const path = formatIssuePath(issue.path);
    const [field = "", ...rest] = path.split(/[.[]/);
    const where = FLAG_OF[field] ?? path;
    return `${where}${rest.length > 0 ? ` (${path.slice(field.length).replace(/^\./, "")})` : ""}: ${issue.message}`;
  });
  throw new UsageError(problems.join("; "));
}

async function runRestore(
  context: CliContext,
  request: ReturnType<typeof requestOf>,
  format: OutputFormat,
): Promise<void> {
  let input: Awaited<ReturnType<typeof restoreInput>>;
  try {
    input = await restoreInput({ env: context.env }, request, restoreInstanceId(request, new Date()));
  } catch (error) {
    if (!isRestorePlanError(error)) throw error;
    const message = error.message.replace(/^targetCluster: /, "");
    const flag = error.field === undefined ? undefined : FLAG_OF[error.field];
    throw new UsageError(flag && flag !== FLAG_OF.recoveryPointId ? `${flag}: ${message}` : message);
  }
  const job = await foregroundJob(context, "stopping the restore");
  try {
    const status = await job.run(RESTORE, input.restoreId, input, (step) => {
      const progress = step as RestoreProgress;
      return `restoring ${progress.recoveryPointId}: ${describeStep(progress)}`;
    });
    if (!status) {
      // Ctrl-C stops following and terminates the job: what was applied stays, a re-run finishes it.
      await job.runtime.terminate(input.restoreId, "cancelled").catch(() => undefined);
      console.error(`aks-backup: restore ${input.restoreId} cancelled; run it again to finish it`);
      process.exitCode = 130;
      return;
    }
    await report(context, status, format);
  } finally {
    await job.close();
  }
}

function describeStep(step: RestoreProgress): string {
  const volumes =
    step.volumesTotal === undefined ? "" : `, volumes ${step.volumesDone ?? 0}/${step.volumesTotal}`;
  const counts = step.counts ? `, ${step.counts.total}/${step.items ?? "?"} items` : "";
  return `${step.phase}${volumes}${counts}`;
}

async function report(context: CliContext, status: InstanceStatus, format: OutputFormat): Promise<void> {
  const output = status.output as RestoreOutput | null;
  const result = output ? await readRestoreResult(context.env, output.restoreId) : undefined;
  if (status.runtimeStatus !== "Completed" || !output || !result) {
    process.exitCode = 1;
    const why = status.error ?? String(status.output ?? status.runtimeStatus);
    if (format === "json")
      printJson({ restoreId: status.instanceId, status: status.runtimeStatus, error: why });
    else console.error(`aks-backup: restore ${status.instanceId} ${status.runtimeStatus}: ${why}`);
    return;
  }
  // Anything short of Succeeded (a failed item, a failed Fail hook) is a failure to a script.
  if (result.counts.failed > 0 || result.status !== "Succeeded") process.exitCode = 1;
  if (format === "json") {
    printJson(result);
    return;
  }
  printResult(result, output);
}

function printResult(result: StoredRestoreResult, output: RestoreOutput): void {
  const dry = result.dryRun ? " (dry run: nothing was changed)" : "";
  console.log(
    `restore ${output.restoreId} of ${result.recoveryPointId} into ${output.targetCluster}: ${result.status} in ${formatDuration(result.durationMs)}${dry}`,
  );
  if (output.reason) console.log(`error: ${output.reason}`);
  const row = (name: string, c: RestoreResult["counts"]) => [
    name,
    String(c.created),
    String(c.patched),
    String(c.skipped),
    String(c.failed),
    String(c.total),
  ];
  const applied = result.phases.map((phase) => row(phase.name, phase.counts));
  console.log("");
  console.log(
    formatTable(
      ["PHASE", "CREATED", "PATCHED", "SKIPPED", "FAILED", "TOTAL"],
      [...applied, row("all items", result.counts)],
    ),
  );
  const failed = result.items.filter((item) => item.outcome === "failed");
  if (failed.length > 0) {
    console.log("");
    console.log(
      formatTable(
        ["FAILED ITEM", "REASON"],
        failed.map((item) => [
          `${item.kind || item.resource} ${item.namespace ? `${item.namespace}/` : ""}${item.name}`,
          item.reason ?? "",
        ]),
      ),
    );
  }
  const hooks = result.hooks;
  if (hooks && hooks.targets > 0) {
    console.log("");
    console.log(
      `restore hooks: ${hooks.succeeded} succeeded, ${hooks.failed} failed in ${hooks.pods} pods of ${hooks.targets} workloads`,
    );
    for (const error of hooks.errors) console.log(`  error: ${error}`);
  }
  if (result.warnings.length > 0) {
    console.log("");
    console.log(`warnings (${result.warnings.length}):`);
    for (const warning of result.warnings) console.log(`  ${warning}`);
  }
}
