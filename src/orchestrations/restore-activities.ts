// The activities of the durable restore, one idempotent step each: plan (verify and plan the archive
// into a blob), put the new disks into the plan, apply one phase (a re-run returns what the phase
// recorded), and report (assemble the result from the phase blobs, keep it, return a summary).
import { isArchiveFormatError, isArchiveIntegrityError } from "../archive/index.js";
import type { Cluster } from "../kube/cluster.js";
import { type ApplyOptions, applyPhase } from "../restore/apply.js";
import { isRestorePlanError } from "../restore/errors.js";
import { statusWithHooks } from "../restore/hooks/result.js";
import { hasRestoreHookAnnotations } from "../restore/hooks/targets.js";
import { loadRestorePlan } from "../restore/load.js";
import { ownerUidsNamedBy } from "../restore/owners.js";
import { countOutcomes, type PhaseResult, restoreStatus, skippedByPlan } from "../restore/result.js";
import type { ItemResult, PlannedItem, PlannedPhase, RestorePlan } from "../restore/types.js";
import { waitForEstablished } from "../restore/wait.js";
import type { Environment } from "./environment.js";
import {
  type ApplyResourcesInput,
  type ApplyResourcesOutput,
  type AttachDisksInput,
  type PlanRestoreInput,
  type PlanRestoreOutput,
  type ReportRestoreInput,
  type ReportRestoreOutput,
  type RestoreOutput,
  restoreActivities,
} from "./restore-contract.js";
import {
  type PhasePart,
  RestoreParts,
  type RestorePartTypes,
  type StoredRestoreResult,
} from "./restore-parts.js";
import { applyRestoredDisks } from "./restore-volume.js";

/** Longest wait for restored CustomResourceDefinitions to be Established. */
const ESTABLISH_TIMEOUT_MS = 60_000;

function partsOf(env: Environment, restoreId: string): RestoreParts {
  return new RestoreParts(env.catalog, restoreId);
}

/**
 * Loads the recovery point, verifies its archive and plans the restore into `plan.json`. A recovery
 * point that cannot be restored (refused, tampered, unreadable) is an answer, not a throw: retrying
 * cannot change it. Storage failures throw, so the orchestrator's retry tries again.
 */
export async function planRestoreActivity(
  input: PlanRestoreInput,
  env: Environment,
): Promise<PlanRestoreOutput> {
  let loaded: Awaited<ReturnType<typeof loadRestorePlan>>;
  try {
    loaded = await loadRestorePlan(env.catalog, input.request);
  } catch (error) {
    if (isRestorePlanError(error) || isArchiveIntegrityError(error) || isArchiveFormatError(error)) {
      return { ok: false, code: error.code, reason: error.message };
    }
    throw error;
  }
  const { manifest, plan } = loaded;
  const existing = await keepExistingVolumes(env, input.targetCluster, plan);
  await partsOf(env, input.restoreId).write("plan", {
    restoreId: input.restoreId,
    instance: manifest.instance,
    targetCluster: input.targetCluster,
    dryRun: input.request.dryRun,
    plan,
    notApplied: existing,
    disksAttached: plan.volumes.length === 0,
  });
  return {
    ok: true,
    phases: plan.phases.map((phase) => ({ name: phase.name, items: phase.items.length })),
    volumes: plan.volumes,
    skipped: plan.skipped.length,
    unselected: plan.unselected,
    annotatedHooks: hasRestoreHookAnnotations(plan.phases.flatMap((phase) => phase.items)),
  };
}

/**
 * A planned volume whose PersistentVolume is in the target already (a restore run again) keeps its
 * disk: no new disk is made, the PV is left out as skipped, and the claim binds to it as before.
 * Without this, every re-run would leave a new, unused disk behind. When the target cannot be read,
 * the plan stays as it is (applying reports what happens).
 */
async function keepExistingVolumes(env: Environment, targetCluster: string, plan: RestorePlan) {
  if (plan.volumes.length === 0) return [];
  let cluster: Cluster;
  try {
    cluster = await env.connect(targetCluster);
  } catch {
    return [];
  }
  const present = new Set<string>();
  await Promise.all(
    plan.volumes.map(async (volume) => {
      try {
        await cluster.request("GET", `/api/v1/persistentvolumes/${encodeURIComponent(volume.pv)}`);
        present.add(volume.pv);
      } catch {
        // Absent (404) or unreadable: the volume is restored from its snapshot.
      }
    }),
  );
  plan.volumes = plan.volumes.filter((volume) => !present.has(volume.pv));
  const taken = takeItems(plan, (item) => item.resource === "persistentvolumes" && present.has(item.name));
  const reason =
    "exists in the target cluster already: its disk is kept, no new disk is made from the snapshot";
  return taken.map((item) => resultOf(item, "skipped", reason));
}

/**
 * Points the plan's PersistentVolumes at the disks restoreVolume made. A volume whose disk could
 * not be made is taken out of the plan with its claim, both reported failed with the reason, so a
 * claim never binds to the original disk or waits for one that never comes.
 */
export async function attachRestoredDisks(
  input: AttachDisksInput,
  env: Environment,
): Promise<{ pvs: number }> {
  const parts = partsOf(env, input.restoreId);
  const stored = await parts.require("plan", restoreActivities.planRestore);
  if (stored.disksAttached) return { pvs: input.disks.length };
  const notApplied = [...stored.notApplied];
  for (const failure of input.failures) {
    const volume = stored.plan.volumes.find((candidate) => candidate.pv === failure.pv);
    const reason = `volume not restored: ${failure.reason}`;
    const taken = takeItems(stored.plan, (item) => {
      if (item.resource === "persistentvolumes" && item.name === failure.pv) return true;
      return (
        volume !== undefined &&
        item.resource === "persistentvolumeclaims" &&
        item.namespace === volume.namespace &&
        item.name === volume.claim
      );
    });
    notApplied.push(...taken.map((item) => resultOf(item, "failed", reason)));
  }
  const plan = applyRestoredDisks(stored.plan, input.disks);
  await parts.write("plan", { ...stored, plan, notApplied, disksAttached: true });
  return { pvs: input.disks.length };
}

/** Removes the matching items from the plan's phases and returns them. */
function takeItems(plan: RestorePlan, matches: (item: PlannedItem) => boolean): PlannedItem[] {
  const taken: PlannedItem[] = [];
  for (const phase of plan.phases) {
    phase.items = phase.items.filter((item) => {
      if (!matches(item)) return true;
      taken.push(item);
      return false;
    });
  }
  return taken;
}

function resultOf(item: PlannedItem, outcome: ItemResult["outcome"], reason: string): ItemResult {
  return {
    group: item.group,
    resource: item.resource,
    kind: item.kind,
    ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
    name: item.name,
    outcome,
    reason,
  };
}

function notAppliedPhase(phase: PlannedPhase, why: string): PhaseResult {
  return {
    name: phase.name,
    items: phase.items.map((item) => resultOf(item, "failed", `not applied: ${why}`)),
    warnings: [],
    durationMs: 0,
    stoppedBy: why,
  };
}

const CRD_GROUP = "apiextensions.k8s.io";

/** The CRDs of a phase to wait for: those that are (or, in a dry run, already were) in the cluster. */
function crdsToAwait(phase: PlannedPhase, items: readonly ItemResult[], dryRun: boolean): string[] {
  return items.flatMap((result, index) => {
    const item = phase.items[index];
    if (item?.group !== CRD_GROUP || item.resource !== "customresourcedefinitions") return [];
    if (result.outcome === "failed" || (dryRun && result.outcome === "created")) return [];
    return [item.name];
  });
}

function phaseSummary(part: PhasePart): ApplyResourcesOutput {
  return {
    name: part.result.name as ApplyResourcesOutput["name"],
    counts: countOutcomes(part.result.items),
    warnings: part.result.warnings.length,
    ...(part.result.stoppedBy !== undefined ? { stoppedBy: part.result.stoppedBy } : {}),
  };
}

/**
 * Applies one phase of the stored plan, carrying on the earlier phases' uid map, unavailable types
 * and dry-run bookkeeping, and records the phase's result. A phase already recorded is returned as
 * it was (its answer got lost); after a phase that lost the cluster, nothing more is applied.
 */
export async function applyResources(
  input: ApplyResourcesInput,
  env: Environment,
): Promise<ApplyResourcesOutput> {
  const parts = partsOf(env, input.restoreId);
  const done = await parts.read(`phase-${input.phase}`);
  if (done) return phaseSummary(done);
  const stored = await parts.require("plan", restoreActivities.planRestore);
  const { plan, dryRun, targetCluster } = stored;
  const phase = plan.phases[input.phase];
  if (!phase) throw new Error(`restore ${input.restoreId} has no phase ${input.phase}`);
  const previous =
    input.phase > 0
      ? await parts.require(`phase-${input.phase - 1}`, restoreActivities.applyResources)
      : undefined;
  const options = {
    conflictPolicy: plan.conflictPolicy,
    dryRun,
    uids: new Map(previous?.uids ?? []),
    ownerUids: ownerUidsNamedBy(plan.phases.flatMap((each) => each.items)),
    unavailableTypes: new Map(previous?.unavailableTypes ?? []),
    dryRunCreated: new Set(previous?.dryRunCreated ?? []),
  };
  const result =
    previous?.result.stoppedBy !== undefined
      ? notAppliedPhase(phase, previous.result.stoppedBy)
      : await applyToTarget(env, targetCluster, phase, options);
  const part: PhasePart = {
    result,
    uids: [...options.uids],
    unavailableTypes: [...options.unavailableTypes],
    dryRunCreated: [...options.dryRunCreated],
  };
  await parts.write(`phase-${input.phase}`, part);
  return phaseSummary(part);
}

/** One phase applied to the target cluster, then its CRDs awaited; a cluster not reached fails it. */
async function applyToTarget(
  env: Environment,
  targetCluster: string,
  phase: PlannedPhase,
  options: ApplyOptions & { unavailableTypes: Map<string, string> },
): Promise<PhaseResult> {
  let cluster: Cluster;
  try {
    cluster = await env.connect(targetCluster);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return notAppliedPhase(phase, `cannot connect to cluster ${targetCluster}: ${why}`);
  }
  const result = await applyPhase(cluster, phase, options);
  if (phase.waitForEstablished && result.stoppedBy === undefined) {
    const started = performance.now();
    const crds = crdsToAwait(phase, result.items, options.dryRun);
    const notReady = await waitForEstablished(cluster, crds, { timeoutMs: ESTABLISH_TIMEOUT_MS });
    for (const [crd, why] of notReady) options.unavailableTypes.set(crd, why);
    result.durationMs += performance.now() - started;
  }
  return result;
}

/**
 * The restore's result from the plan and the phase blobs: every item of the backup with its
 * outcome (phases that never ran: failed, "not applied", with why), written to `result.json`;
 * returns the summary the orchestration outputs. A re-run returns the written result's summary.
 */
export async function reportRestore(
  input: ReportRestoreInput,
  env: Environment,
): Promise<ReportRestoreOutput> {
  const output = await reportResult(input, env);
  // Whether a topic is configured, recorded in the history so the orchestrator decides the same on replay.
  return env.notifier ? { ...output, notify: true } : output;
}

async function reportResult(input: ReportRestoreInput, env: Environment): Promise<RestoreOutput> {
  const parts = partsOf(env, input.restoreId);
  const existing = await parts.read("result");
  if (existing) return outputOf(existing, parts.blobName("result"));
  const stored = await parts.read("plan");
  const finishedAt = env.now();
  const phases: PhaseResult[] = [];
  const warnings: string[] = [];
  let skipped: ItemResult[] = [];
  let notApplied: ItemResult[] = [];
  if (stored) {
    const { plan } = stored;
    warnings.push(...plan.warnings);
    if (stored.dryRun && plan.volumes.length > 0) {
      warnings.push(
        `dry run: ${plan.volumes.length} volumes would be restored from their snapshots as new disks; no disk was created`,
      );
    }
    for (const [index, phase] of plan.phases.entries()) {
      const part = await parts.read(`phase-${index}`);
      phases.push(part?.result ?? notAppliedPhase(phase, input.failure ?? "the restore stopped first"));
    }
    skipped = plan.skipped.map(skippedByPlan);
    notApplied = stored.notApplied;
  }
  const applied = [...phases.flatMap((phase) => phase.items), ...notApplied];
  warnings.push(...phases.flatMap((phase) => phase.warnings));
  const hooks = await hooksOf(parts, input.hooksFailure);
  warnings.push(...(hooks?.warnings ?? []));
  const appliedCounts = countOutcomes(applied);
  const status =
    input.failure !== undefined && appliedCounts.created + appliedCounts.patched === 0
      ? "Failed"
      : statusWithHooks(restoreStatus(appliedCounts), hooks);
  const result: StoredRestoreResult = {
    restoreId: input.restoreId,
    ...(input.instance ? { instance: input.instance } : {}),
    targetCluster: input.targetCluster,
    recoveryPointId: input.recoveryPointId,
    status,
    dryRun: input.dryRun,
    conflictPolicy: input.conflictPolicy,
    startedAt: input.startedAt,
    finishedAt: finishedAt.toISOString(),
    durationMs: Math.max(0, finishedAt.getTime() - Date.parse(input.startedAt)),
    counts: countOutcomes([...applied, ...skipped]),
    phases: phases.map((phase) => ({
      name: phase.name,
      durationMs: phase.durationMs,
      counts: countOutcomes(phase.items),
    })),
    items: [...applied, ...skipped],
    unselected: stored?.plan.unselected ?? 0,
    warnings,
    ...(input.failure !== undefined ? { error: input.failure } : {}),
  };
  if (hooks && (hooks.targets > 0 || hooks.errors.length > 0)) {
    const { warnings: _, ...summary } = hooks;
    result.hooks = summary;
  }
  await parts.write("result", result);
  return outputOf(result, parts.blobName("result"));
}

/** What runRestoreHooks recorded; an activity that failed outright is one error. */
async function hooksOf(
  parts: RestoreParts,
  failure: string | undefined,
): Promise<RestorePartTypes["hooks"] | undefined> {
  const recorded = await parts.read("hooks");
  if (recorded || failure === undefined) return recorded;
  return {
    targets: 0,
    pods: 0,
    succeeded: 0,
    failed: 0,
    errors: [`restore hooks not run: ${failure}`],
    warnings: [],
    log: [],
  };
}

function outputOf(result: StoredRestoreResult, resultBlob: string): RestoreOutput {
  return {
    status: result.status,
    restoreId: result.restoreId,
    recoveryPointId: result.recoveryPointId,
    targetCluster: result.targetCluster,
    dryRun: result.dryRun,
    counts: result.counts,
    warnings: result.warnings.length,
    ...(result.error !== undefined ? { reason: result.error } : {}),
    resultBlob,
  };
}

/** The stored result of a restore, or undefined while it has none. */
export async function readRestoreResult(
  env: Environment,
  restoreId: string,
): Promise<StoredRestoreResult | undefined> {
  return partsOf(env, restoreId).read("result");
}
