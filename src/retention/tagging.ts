// Retention tags as Azure Backup gives them: the first successful scheduled recovery point of each
// day, week, month or year (in the policy's UTC offset) meets FirstOfDay/Week/Month/Year.
import { type Policy, policyOffsetMinutes, type RetentionCriteria } from "../model/policy.js";
import type { RecoveryPointManifest } from "../model/recovery-point.js";
import { periodOf } from "./periods.js";

/** What retention reads of a manifest. */
export type RetentionSubject = Pick<
  RecoveryPointManifest,
  "id" | "trigger" | "retention" | "startTime" | "status"
> & {
  /**
   * The criteria the point met when it was committed, if recorded then (as Azure tags a point when it
   * is created). Recorded tags are facts; without them tags are recomputed from the points still
   * present, and a later point may inherit a period whose first point was already deleted.
   */
  tags?: readonly RetentionCriteria[];
};

export interface RetentionTag {
  criteria: RetentionCriteria;
  /** The period the point is first of, e.g. `2026-03` for FirstOfMonth. */
  period: string;
}

/** Oldest first; ties (same start) broken by id so every run picks the same point. */
export function compareByStart(a: RetentionSubject, b: RetentionSubject): number {
  const startA = sortableStart(a);
  const startB = sortableStart(b);
  if (startA !== startB) return startA < startB ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

export function startOf(point: RetentionSubject): number {
  return Date.parse(point.startTime);
}

/** Unreadable start times sort last. */
function sortableStart(point: RetentionSubject): number {
  const start = startOf(point);
  return Number.isNaN(start) ? Number.POSITIVE_INFINITY : start;
}

/**
 * The tags each point meets for the policy's rules. Only Scheduled points that did not fail compete:
 * a failed backup cannot restore anything, so it must not take the month's tag from the next good
 * one; PartiallySucceeded points are restorable (Azure's "completed with warnings") and do compete.
 * On-demand and pre-upgrade points carry their own retention and are not "first of" anything.
 */
export function tagRecoveryPoints(
  points: readonly RetentionSubject[],
  policy: Pick<Policy, "retention">,
  offsetMinutes: number,
): Map<string, RetentionTag[]> {
  const tags = new Map<string, RetentionTag[]>();
  const rules = policy.retention.rules ?? [];
  if (rules.length === 0) return tags;
  const competing = points
    .filter((point) => point.trigger === "Scheduled" && point.status !== "Failed")
    .filter((point) => !Number.isNaN(startOf(point)))
    .sort(compareByStart);
  for (const { criteria } of rules) {
    const periodOfPoint = (point: RetentionSubject) => periodOf(criteria, startOf(point), offsetMinutes);
    const recorded = competing.filter((point) => point.tags !== undefined);
    const taken = new Set(recorded.filter((point) => point.tags?.includes(criteria)).map(periodOfPoint));
    for (const point of competing) {
      const period = periodOfPoint(point);
      const meets = point.tags === undefined ? !taken.has(period) : point.tags.includes(criteria);
      if (!meets) continue;
      taken.add(period);
      const list = tags.get(point.id) ?? [];
      list.push({ criteria, period });
      tags.set(point.id, list);
    }
  }
  return tags;
}

/** The criteria a just-committed point meets among the instance's points, to record in its manifest. */
export function tagsOnCommit(
  existing: readonly RetentionSubject[],
  committed: RetentionSubject,
  policy: Pick<Policy, "retention" | "schedule" | "timeZone">,
): RetentionCriteria[] {
  const tags = tagRecoveryPoints([...existing, committed], policy, policyOffsetMinutes(policy));
  return (tags.get(committed.id) ?? []).map((tag) => tag.criteria);
}
