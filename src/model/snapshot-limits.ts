// Azure's incremental snapshot limits checked against a policy before it runs: at most 7 per disk
// every 5 minutes, and 500 per disk in total. Pure; upper bounds, so a policy that passes is safe.
import type { z } from "zod";
import {
  type Duration,
  durationToString,
  parseDuration,
  parseRepeatingInterval,
} from "../schedule/iso8601.js";
import type { Policy } from "./policy.js";

export interface SnapshotLimits {
  perWindow: number;
  windowMs: number;
  perDisk: number;
}

export const AZURE_SNAPSHOT_LIMITS: SnapshotLimits = { perWindow: 7, windowMs: 5 * 60_000, perDisk: 500 };

const SECOND = 1000;
const DAY = 86_400 * SECOND;

/** Shortest and longest calendar lengths, so counts derived from them are upper bounds. */
function durationMs(duration: Duration, bound: "shortest" | "longest"): number {
  const month = bound === "shortest" ? 28 * DAY : 31 * DAY;
  const year = bound === "shortest" ? 365 * DAY : 366 * DAY;
  return (
    duration.years * year +
    duration.months * month +
    duration.weeks * 7 * DAY +
    duration.days * DAY +
    duration.hours * 3_600 * SECOND +
    duration.minutes * 60 * SECOND +
    duration.seconds * SECOND
  );
}

/** Shortest time between two recovery points a retention criteria tags. */
const CRITERIA_PERIOD_MS: Record<Policy["retention"]["rules"][number]["criteria"], number> = {
  FirstOfDay: DAY,
  FirstOfWeek: 7 * DAY,
  FirstOfMonth: 28 * DAY,
  FirstOfYear: 365 * DAY,
};

interface Entry {
  text: string;
  intervalMs: number;
  repetitions: number;
}

function entriesOf(schedule: readonly string[]): Entry[] {
  const entries: Entry[] = [];
  for (const text of schedule) {
    try {
      const parsed = parseRepeatingInterval(text);
      entries.push({
        text,
        intervalMs: durationMs(parsed.duration, "shortest"),
        repetitions: parsed.repetitions ?? Number.POSITIVE_INFINITY,
      });
    } catch {
      // The policy schema reports a malformed entry; the limits only judge the valid ones.
    }
  }
  return entries;
}

/** Most backups the schedule starts in any window of `windowMs` (entries may coincide). */
export function maxBackupsPerWindow(schedule: readonly string[], windowMs: number): number {
  return entriesOf(schedule).reduce(
    (sum, entry) => sum + Math.min(entry.repetitions, Math.ceil(windowMs / entry.intervalMs)),
    0,
  );
}

export interface RetainedCount {
  total: number;
  /** Where the count comes from, e.g. `"R/…/PT1H" × default P30D: 721`. */
  parts: string[];
}

/** Most recovery points the policy keeps at once: hence snapshots of each disk. */
export function maxRetainedRecoveryPoints(policy: Pick<Policy, "schedule" | "retention">): RetainedCount {
  const entries = entriesOf(policy.schedule);
  const parts: string[] = [];
  let total = 0;
  const defaultMs = durationMs(parseDuration(policy.retention.default), "longest");
  for (const entry of entries) {
    const count = Math.min(entry.repetitions, Math.floor(defaultMs / entry.intervalMs) + 1);
    total += count;
    parts.push(`"${entry.text}" × default ${policy.retention.default}: ${count}`);
  }
  if (entries.length === 0) return { total, parts };
  const shortestInterval = Math.min(...entries.map((e) => e.intervalMs));
  const repetitions = entries.reduce((sum, e) => sum + e.repetitions, 0);
  for (const rule of policy.retention.rules) {
    // Only points older than the default retention are extra; younger ones are counted above.
    const extraMs = durationMs(parseDuration(rule.duration), "longest") - defaultMs;
    if (extraMs <= 0) continue;
    const spacing = Math.max(CRITERIA_PERIOD_MS[rule.criteria], shortestInterval);
    const count = Math.min(repetitions, Math.floor(extraMs / spacing) + 1);
    total += count;
    parts.push(`${rule.criteria} ${rule.duration}: ${count}`);
  }
  return { total, parts };
}

function shortestAllowedInterval(limits: SnapshotLimits): string {
  const seconds = Math.ceil(limits.windowMs / SECOND / limits.perWindow);
  return durationToString({ years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds });
}

/**
 * Why this policy would break Azure's incremental snapshot limits; empty when it cannot. Each
 * message names the limit and by how much the policy exceeds it.
 */
export function snapshotLimitProblems(
  policy: Pick<Policy, "schedule" | "retention">,
  limits: SnapshotLimits = AZURE_SNAPSHOT_LIMITS,
): string[] {
  const problems: string[] = [];
  const minutes = limits.windowMs / 60_000;
  const burst = maxBackupsPerWindow(policy.schedule, limits.windowMs);
  if (burst > limits.perWindow) {
    problems.push(
      `the schedule starts up to ${burst} backups within ${minutes} minutes, ${burst - limits.perWindow} more ` +
        `than the ${limits.perWindow} incremental snapshots Azure allows per disk every ${minutes} minutes; ` +
        `space backups at least ${shortestAllowedInterval(limits)} apart (leaving room for on-demand backups)`,
    );
  }
  let retained: RetainedCount;
  try {
    retained = maxRetainedRecoveryPoints(policy);
  } catch {
    return problems;
  }
  if (retained.total > limits.perDisk) {
    problems.push(
      `the retention keeps up to ${retained.total} recovery points, so up to ${retained.total} incremental ` +
        `snapshots of each disk (${retained.parts.join("; ")}), ${retained.total - limits.perDisk} more than ` +
        `the ${limits.perDisk} Azure allows per disk; shorten the retention or run backups less often`,
    );
  }
  return problems;
}

/** For `policySchema.superRefine(...)`: one issue per problem. */
export function refineSnapshotLimits(
  policy: Pick<Policy, "schedule" | "retention">,
  ctx: z.RefinementCtx<Pick<Policy, "schedule" | "retention">>,
): void {
  for (const message of snapshotLimitProblems(policy)) {
    ctx.addIssue({ code: "custom", message, path: ["schedule"] });
  }
}
