// The hooks step of the durable restore, after its last phase: the exec hooks of the pods the
// restore created (src/restore/hooks), run once — a re-run returns what the first run recorded,
// since a hook's command need not be idempotent. A dry run only says which hooks would run.
import type { Cluster } from "../kube/cluster.js";
import { readRestoreHookRules } from "../restore/hooks/read.js";
import { runRestoreHooks } from "../restore/hooks/run.js";
import { type AppliedItem, describeTarget, planHookTargets } from "../restore/hooks/targets.js";
import type { Environment } from "./environment.js";
import type { OrchestrationModule } from "./module.js";
import {
  type RunRestoreHooksInput,
  type RunRestoreHooksOutput,
  restoreActivities,
} from "./restore-contract.js";
import { RestoreParts, type RestorePartTypes } from "./restore-parts.js";
import { reasonOf } from "./settle.js";

type HooksPart = RestorePartTypes["hooks"];

function summaryOf(part: HooksPart): RunRestoreHooksOutput {
  const { targets, pods, succeeded, failed } = part;
  return { targets, pods, succeeded, failed, errors: part.errors.length };
}

/** Every item of the stored plan with what applying it did (phases not recorded are left out). */
async function appliedItems(
  parts: RestoreParts,
): Promise<{ applied: AppliedItem[]; targetCluster: string; dryRun: boolean }> {
  const stored = await parts.require("plan", restoreActivities.planRestore);
  const applied: AppliedItem[] = [];
  for (const [index, phase] of stored.plan.phases.entries()) {
    const part = await parts.read(`phase-${index}`);
    part?.result.items.forEach((result, at) => {
      const item = phase.items[at];
      if (item) applied.push({ item, outcome: result.outcome });
    });
  }
  return { applied, targetCluster: stored.targetCluster, dryRun: stored.dryRun };
}

/**
 * Reads the referenced RestoreHook objects from the target cluster, finds the pods with hooks among
 * what the restore created, waits for them and runs their hooks, and records the outcome in
 * `hooks.json`. What goes wrong with a hook is recorded, not thrown; only storage failures throw.
 */
export async function runRestoreHooksActivity(
  input: RunRestoreHooksInput,
  env: Environment,
): Promise<RunRestoreHooksOutput> {
  const parts = new RestoreParts(env.catalog, input.restoreId);
  const done = await parts.read("hooks");
  if (done) return summaryOf(done);
  const { applied, targetCluster, dryRun } = await appliedItems(parts);
  const part: HooksPart = { targets: 0, pods: 0, succeeded: 0, failed: 0, errors: [], warnings: [], log: [] };
  try {
    let cluster: Cluster | undefined;
    let rules: Awaited<ReturnType<typeof readRestoreHookRules>>["rules"] = [];
    if (input.references.length > 0) {
      cluster = await env.connect(targetCluster);
      const read = await readRestoreHookRules(cluster, input.references);
      rules = read.rules;
      part.warnings.push(...read.warnings);
    }
    const planned = planHookTargets(applied, rules);
    part.targets = planned.targets.length;
    part.warnings.push(...planned.warnings);
    if (dryRun) {
      part.warnings.push(
        ...planned.targets.map((target) => `dry run: restore hooks would run in ${describeTarget(target)}`),
      );
    } else if (planned.targets.length > 0) {
      cluster ??= await env.connect(targetCluster);
      const outcome = await runRestoreHooks(cluster, planned.targets, rules);
      Object.assign(part, {
        pods: outcome.pods,
        succeeded: outcome.succeeded,
        failed: outcome.failed,
        log: outcome.log,
      });
      part.errors.push(...outcome.errors);
      part.warnings.push(...outcome.warnings);
    }
  } catch (error) {
    part.errors.push(`restore hooks not run: ${reasonOf(error)}`);
  }
  await parts.write("hooks", part);
  return summaryOf(part);
}

export const restoreHooksModule: OrchestrationModule = {
  activities: { [restoreActivities.runRestoreHooks]: runRestoreHooksActivity },
};
