// What a restore did, as the orchestration returns it and the catalog keeps it: every item of the
// backup with its outcome (planned items as applied, items the plan left out as skipped), counts,
// warnings and timings, and a status that says at a glance whether it all came back.
import type { ConflictPolicy, ItemOutcome, ItemResult, SkippedItem } from "./types.js";

export type OutcomeCounts = Record<ItemOutcome, number> & { total: number };

export interface PhaseResult {
  name: string;
  items: ItemResult[];
  /** Each prefixed with the item it concerns. */
  warnings: string[];
  durationMs: number;
  /** Set when the cluster could not be worked with: items after that are failed as not applied. */
  stoppedBy?: string;
}

export type RestoreStatus = "Succeeded" | "PartiallySucceeded" | "Failed";

export interface RestoreResult {
  recoveryPointId: string;
  /** Succeeded: nothing failed; Failed: nothing was restored although something was planned. */
  status: RestoreStatus;
  dryRun: boolean;
  conflictPolicy: ConflictPolicy;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  counts: OutcomeCounts;
  phases: Array<{ name: string; durationMs: number; counts: OutcomeCounts }>;
  /** Applied items in order, then the items the plan left out (outcome skipped, reason why). */
  items: ItemResult[];
  /** Items of the backup the request's selection left out (not listed one by one). */
  unselected: number;
  /** The plan's warnings, then the apply step's. */
  warnings: string[];
}

export function countOutcomes(items: readonly ItemResult[]): OutcomeCounts {
  const counts: OutcomeCounts = { total: items.length, created: 0, patched: 0, skipped: 0, failed: 0 };
  for (const item of items) counts[item.outcome]++;
  return counts;
}

/** An item the plan left out, as a result. */
export function skippedByPlan(item: SkippedItem): ItemResult {
  return {
    group: item.group,
    resource: item.resource,
    kind: item.kind ?? "",
    ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
    name: item.name,
    outcome: "skipped",
    reason: item.action ? `${item.action}: ${item.reason}` : item.reason,
  };
}

export function restoreStatus(applied: OutcomeCounts): RestoreStatus {
  if (applied.failed === 0) return "Succeeded";
  return applied.failed === applied.total ? "Failed" : "PartiallySucceeded";
}
