// Applying a restore plan to the target cluster: phases in order, and within a phase the types in
// the plan's order (each type finished before the next starts, so namespaces precede their
// content and ServiceAccounts their pods), the items of a type at bounded concurrency. After a
// phase that asks for it, the CustomResourceDefinitions are awaited until Established. One item's
// failure never stops the others; an unreachable cluster stops the run, and the result still names
// every item, applied or not. Running the same plan again finishes what a first run left.
import type { Cluster } from "../kube/cluster.js";
import { mapWithLimit } from "../kube/task-pool.js";
import { type AppliedItem, applyItem, type ItemContext } from "./apply-item.js";
import { ExistenceHint } from "./existence-hint.js";
import { isClusterDown, mergePatchItem, serverMessage } from "./item-requests.js";
import { describeItem, typeKeyOf } from "./object-paths.js";
import { ownerUidsNamedBy, resolveOwnerReferences } from "./owners.js";
import {
  countOutcomes,
  type PhaseResult,
  type RestoreResult,
  restoreStatus,
  skippedByPlan,
} from "./result.js";
import type { ConflictPolicy, ItemResult, PlannedItem, PlannedPhase, RestorePlan } from "./types.js";
import { waitForEstablished } from "./wait.js";

export const DEFAULT_CONCURRENCY = 16;

export interface ApplyOptions {
  conflictPolicy: ConflictPolicy;
  /** Server-side dry run (`dryRun=All`): everything is validated, nothing is written. */
  dryRun: boolean;
  /** Items of one type applied at once (default 16); the cluster's QPS limit applies on top. */
  concurrency?: number;
  /** Old uid -> new uid of every item restored so far in this run; each phase adds its own. */
  uids: Map<string, string>;
  /** Old uids the plan's items name as owners (default: those named within the phase). */
  ownerUids?: ReadonlySet<string>;
  /** Types that cannot be created, by `resource.group`, with why (e.g. their CRD never got Established). */
  unavailableTypes?: ReadonlyMap<string, string>;
  /** Dry run: what earlier phases would have created; a phase adds to it. */
  dryRunCreated?: Set<string>;
  /** Longest wait for a Terminating namespace to go (default 60 s). */
  namespaceTimeoutMs?: number;
  /** Between two polls of a wait (default 250 ms). */
  pollIntervalMs?: number;
  abortSignal?: AbortSignal;
}

/** Consecutive items of the same type: the unit that runs in parallel. */
function typeRuns(items: readonly PlannedItem[]): PlannedItem[][] {
  const runs: PlannedItem[][] = [];
  for (const item of items) {
    const last = runs.at(-1);
    if (last && typeKeyOf(last[0] as PlannedItem) === typeKeyOf(item)) last.push(item);
    else runs.push([item]);
  }
  return runs;
}

function contextFor(cluster: Cluster, phase: PlannedPhase, options: ApplyOptions): ItemContext {
  return {
    cluster,
    conflictPolicy: options.conflictPolicy,
    settings: {
      dryRun: options.dryRun,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    },
    uids: options.uids,
    later: new Set(phase.items.flatMap((item) => (item.oldUid === undefined ? [] : [item.oldUid]))),
    ownerUids: options.ownerUids ?? ownerUidsNamedBy(phase.items),
    unavailableTypes: options.unavailableTypes ?? new Map(),
    blockedNamespaces: new Map(),
    dryRunCreated: options.dryRunCreated ?? new Set(),
    namespaceTimeoutMs: options.namespaceTimeoutMs ?? 60_000,
    pollIntervalMs: options.pollIntervalMs ?? 250,
    existence: new ExistenceHint(),
  };
}

function failedAsNotApplied(item: PlannedItem, why: string): ItemResult {
  return {
    group: item.group,
    resource: item.resource,
    kind: item.kind,
    ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
    name: item.name,
    outcome: "failed",
    reason: `not applied: ${why}`,
  };
}

/** Applies one phase's items; the result lists every item of the phase in plan order. */
export async function applyPhase(
  cluster: Cluster,
  phase: PlannedPhase,
  options: ApplyOptions,
): Promise<PhaseResult> {
  const started = performance.now();
  const context = contextFor(cluster, phase, options);
  const applied = new Map<PlannedItem, AppliedItem>();
  let stoppedBy: string | undefined;
  try {
    for (const run of typeRuns(phase.items)) {
      const existence = new ExistenceHint();
      await mapWithLimit(
        run,
        async (item, signal) => {
          const settings = { ...context.settings, abortSignal: signal };
          const outcome = await applyItem({ ...context, settings, existence }, item);
          applied.set(item, outcome);
          if (item.oldUid !== undefined) context.later.delete(item.oldUid);
        },
        {
          limit: options.concurrency ?? DEFAULT_CONCURRENCY,
          ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
        },
      );
    }
    await repointPendingOwners(context, applied, options.concurrency ?? DEFAULT_CONCURRENCY);
  } catch (error) {
    if (options.abortSignal?.aborted) throw error;
    stoppedBy = serverMessage(error);
  }
  const warnings: string[] = [];
  const items = phase.items.map((item) => {
    const outcome = applied.get(item);
    if (!outcome) return failedAsNotApplied(item, stoppedBy ?? "interrupted");
    warnings.push(...outcome.warnings.map((warning) => `${describeItem(item)}: ${warning}`));
    return outcome.result;
  });
  return {
    name: phase.name,
    items,
    warnings,
    durationMs: performance.now() - started,
    ...(stoppedBy !== undefined ? { stoppedBy } : {}),
  };
}

/** Adds the references to owners that were created after their dependents, now that they exist. */
async function repointPendingOwners(
  context: ItemContext,
  applied: Map<PlannedItem, AppliedItem>,
  concurrency: number,
): Promise<void> {
  const pending = [...applied].filter(([, outcome]) => outcome.ownersPending);
  await mapWithLimit(
    pending,
    async ([item, outcome]) => {
      const owners = resolveOwnerReferences(
        item.object.metadata.ownerReferences ?? [],
        context.uids,
        new Set(),
      );
      outcome.warnings.push(...owners.dropped);
      if (owners.current.length === 0) return;
      const patch = { metadata: { ownerReferences: owners.current } };
      try {
        await mergePatchItem(context.cluster, item, patch, context.settings);
      } catch (error) {
        if (context.settings.abortSignal?.aborted || isClusterDown(error)) throw error;
        outcome.warnings.push(`owner references could not be re-pointed: ${serverMessage(error)}`);
      }
    },
    {
      limit: concurrency,
      ...(context.settings.abortSignal ? { abortSignal: context.settings.abortSignal } : {}),
    },
  );
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

export interface ApplyPlanOptions {
  /** Default: the plan's. */
  conflictPolicy?: ConflictPolicy;
  dryRun?: boolean;
  concurrency?: number;
  /** Longest wait for CustomResourceDefinitions to be Established (default 60 s). */
  establishTimeoutMs?: number;
  namespaceTimeoutMs?: number;
  pollIntervalMs?: number;
  abortSignal?: AbortSignal;
  /** Called after each phase, e.g. for progress in a custom status. */
  onPhase?: (phase: PhaseResult) => void;
}

/** Applies every phase in order and reports what happened to every item of the backup. */
export async function applyPlan(
  cluster: Cluster,
  plan: RestorePlan,
  options: ApplyPlanOptions = {},
): Promise<RestoreResult> {
  const startedAt = new Date();
  const started = performance.now();
  const dryRun = options.dryRun ?? false;
  const conflictPolicy = options.conflictPolicy ?? plan.conflictPolicy;
  const shared = {
    conflictPolicy,
    dryRun,
    uids: new Map<string, string>(),
    ownerUids: ownerUidsNamedBy(plan.phases.flatMap((phase) => phase.items)),
    unavailableTypes: new Map<string, string>(),
    dryRunCreated: new Set<string>(),
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    ...(options.namespaceTimeoutMs !== undefined ? { namespaceTimeoutMs: options.namespaceTimeoutMs } : {}),
    ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  };
  const phases: PhaseResult[] = [];
  let stoppedBy: string | undefined;
  for (const phase of plan.phases) {
    if (stoppedBy !== undefined) {
      phases.push({
        name: phase.name,
        items: phase.items.map((item) => failedAsNotApplied(item, stoppedBy ?? "")),
        warnings: [],
        durationMs: 0,
      });
      continue;
    }
    const result = await applyPhase(cluster, phase, shared);
    stoppedBy = result.stoppedBy;
    if (phase.waitForEstablished && stoppedBy === undefined) {
      const waitStarted = performance.now();
      const notReady = await waitForEstablished(cluster, crdsToAwait(phase, result.items, dryRun), {
        timeoutMs: options.establishTimeoutMs ?? 60_000,
        ...(options.pollIntervalMs !== undefined ? { pollIntervalMs: options.pollIntervalMs } : {}),
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      for (const [crd, why] of notReady) shared.unavailableTypes.set(crd, why);
      result.durationMs += performance.now() - waitStarted;
    }
    phases.push(result);
    options.onPhase?.(result);
  }
  const applied = phases.flatMap((phase) => phase.items);
  const finished = new Date();
  return {
    recoveryPointId: plan.recoveryPointId,
    status: restoreStatus(countOutcomes(applied)),
    dryRun,
    conflictPolicy,
    startedAt: startedAt.toISOString(),
    finishedAt: finished.toISOString(),
    durationMs: performance.now() - started,
    counts: countOutcomes([...applied, ...plan.skipped.map(skippedByPlan)]),
    phases: phases.map((phase) => ({
      name: phase.name,
      durationMs: phase.durationMs,
      counts: countOutcomes(phase.items),
    })),
    items: [...applied, ...plan.skipped.map(skippedByPlan)],
    unselected: plan.unselected,
    warnings: [...plan.warnings, ...phases.flatMap((phase) => phase.warnings)],
  };
}
