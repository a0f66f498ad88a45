// Protection health of one backup instance: from its policy's schedule and its recovery point
// manifests (Failed runs are committed too), how old its newest usable backup is, how many slots
// passed without one, how its recent runs ended and whether its snapshots completed. Pure: the
// clock is a parameter. The rules are a table (HEALTH_RULES) documented in docs/api.md.
import type { Policy } from "../model/policy.js";
import type { RecoveryPointManifest } from "../model/recovery-point.js";
import { nextSlot } from "../schedule/slots.js";

export const HEALTH_STATUSES = ["Healthy", "Warning", "Unhealthy"] as const;
export type HealthStatus = (typeof HEALTH_STATUSES)[number];

export type HealthReasonCode =
  | "NeverBackedUp"
  | "NoSuccessfulBackup"
  | "MissedSlots"
  | "MissedSlot"
  | "ConsecutiveFailures"
  | "LastRunFailed"
  | "RecentFailures"
  | "LastRunPartiallySucceeded"
  | "SnapshotsIncomplete"
  | "ScheduleEnded";

export interface HealthReason {
  code: HealthReasonCode;
  severity: Exclude<HealthStatus, "Healthy">;
  message: string;
}

/** The tunables of the rules. */
export interface HealthThresholds {
  /** A slot counts as missed once this long has passed after it with no successful backup since. */
  graceMs: number;
  /** How many of the newest runs are looked at for failures. */
  recentRuns: number;
  /** This many newest runs all Failed is Unhealthy. */
  consecutiveFailures: number;
  /** This many missed slots is Unhealthy (one is a Warning). */
  missedSlotsUnhealthy: number;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = {
  graceMs: 60 * 60 * 1000,
  recentRuns: 5,
  consecutiveFailures: 3,
  missedSlotsUnhealthy: 2,
};

/** Missed slots are counted up to this many (a schedule stopped for years is not walked slot by slot). */
export const MISSED_SLOTS_CAP = 1000;

/** The table of rules, in the order they are checked (documented in docs/api.md). */
export const HEALTH_RULES: readonly {
  code: HealthReasonCode;
  severity: HealthReason["severity"];
  when: string;
}[] = [
  {
    code: "MissedSlots",
    severity: "Unhealthy",
    when: "two or more schedule slots passed (plus the grace period) with no successful backup since",
  },
  {
    code: "ConsecutiveFailures",
    severity: "Unhealthy",
    when: "the newest three runs all Failed",
  },
  {
    code: "NoSuccessfulBackup",
    severity: "Unhealthy",
    when: "backups have run but none of the stored ones succeeded",
  },
  {
    code: "MissedSlot",
    severity: "Warning",
    when: "one schedule slot passed (plus the grace period) without one",
  },
  { code: "NeverBackedUp", severity: "Warning", when: "no backup has run yet" },
  { code: "LastRunFailed", severity: "Warning", when: "the newest run Failed (fewer than three in a row)" },
  { code: "RecentFailures", severity: "Warning", when: "another of the newest five runs Failed" },
  { code: "LastRunPartiallySucceeded", severity: "Warning", when: "the newest run PartiallySucceeded" },
  {
    code: "SnapshotsIncomplete",
    severity: "Warning",
    when: "the newest successful backup has a volume snapshot with an error or below 100% complete",
  },
  { code: "ScheduleEnded", severity: "Warning", when: "the policy's schedule has no slot left" },
];

export interface RunSummary {
  id: string;
  status: RecoveryPointManifest["status"];
  trigger: RecoveryPointManifest["trigger"];
  startTime: string;
  endTime: string;
}

export interface ProtectionHealth {
  status: HealthStatus;
  reasons: HealthReason[];
  /** The newest Succeeded or PartiallySucceeded recovery point. */
  lastSuccessfulBackup?: RunSummary;
  /** The newest run, whatever its outcome. */
  lastRun?: RunSummary;
  /** The policy's next slot after `now` (ISO 8601); absent once the schedule has ended. */
  nextBackup?: string;
  /** Slots passed (past the grace period) since the last successful backup, capped at MISSED_SLOTS_CAP. */
  missedSlots: number;
}

export function isSuccessful(manifest: Pick<RecoveryPointManifest, "status">): boolean {
  return manifest.status === "Succeeded" || manifest.status === "PartiallySucceeded";
}

/**
 * The health of one instance. `manifests` are its recovery points in any order (only the newest
 * `recentRuns` and the newest successful one matter); `policy` undefined = no schedule (no slot rules).
 */
export function protectionHealth(
  instance: { name: string },
  policy: Pick<Policy, "schedule"> | undefined,
  manifests: readonly RecoveryPointManifest[],
  now: Date,
  thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
): ProtectionHealth {
  const runs = manifests
    .filter((m) => m.instance === instance.name)
    .sort((a, b) => b.startTime.localeCompare(a.startTime) || b.id.localeCompare(a.id));
  const lastRun = runs[0];
  const lastSuccess = runs.find(isSuccessful);
  const next = policy === undefined ? undefined : nextSlot(policy, now);
  const reasons: HealthReason[] = [];
  const add = (code: HealthReasonCode, severity: HealthReason["severity"], message: string) =>
    reasons.push({ code, severity, message });

  // Slots since the newest successful backup (or, with none, since the oldest run we know of).
  const baseline = lastSuccess ?? runs[runs.length - 1];
  const missedSlots =
    policy === undefined || baseline === undefined
      ? 0
      : countMissedSlots(policy, new Date(baseline.startTime), now, thresholds.graceMs);
  const since = lastSuccess
    ? `since the last successful backup (${lastSuccess.endTime})`
    : "and no successful backup";
  if (missedSlots >= thresholds.missedSlotsUnhealthy) {
    const count = missedSlots >= MISSED_SLOTS_CAP ? `${MISSED_SLOTS_CAP} or more` : String(missedSlots);
    add("MissedSlots", "Unhealthy", `${count} scheduled backups missed ${since}`);
  }

  const recent = runs.slice(0, thresholds.recentRuns);
  let failedInARow = 0;
  while (failedInARow < recent.length && recent[failedInARow]?.status === "Failed") failedInARow++;
  if (failedInARow >= thresholds.consecutiveFailures) {
    add("ConsecutiveFailures", "Unhealthy", `the last ${failedInARow} runs failed: ${firstError(runs[0])}`);
  }
  if (lastRun !== undefined && lastSuccess === undefined) {
    add("NoSuccessfulBackup", "Unhealthy", `none of the ${runs.length} stored runs succeeded`);
  }
  if (missedSlots > 0 && missedSlots < thresholds.missedSlotsUnhealthy) {
    add("MissedSlot", "Warning", `1 scheduled backup missed ${since}`);
  }
  if (lastRun === undefined) add("NeverBackedUp", "Warning", "no backup has run yet");
  if (lastRun?.status === "Failed" && failedInARow < thresholds.consecutiveFailures) {
    add("LastRunFailed", "Warning", `the last run ${lastRun.id} failed: ${firstError(lastRun)}`);
  }
  const olderFailures = recent.slice(Math.max(1, failedInARow)).filter((m) => m.status === "Failed");
  if (olderFailures.length > 0) {
    add(
      "RecentFailures",
      "Warning",
      `${olderFailures.length} of the last ${recent.length} runs failed (${olderFailures.map((m) => m.id).join(", ")})`,
    );
  }
  if (lastRun?.status === "PartiallySucceeded") {
    add(
      "LastRunPartiallySucceeded",
      "Warning",
      `the last run ${lastRun.id} partially succeeded: ${lastRun.errors.length} error(s)`,
    );
  }
  const incomplete = (lastSuccess?.volumeSnapshots ?? []).filter(
    (s) => s.error !== undefined || s.completionPercent < 100,
  );
  if (lastSuccess && incomplete.length > 0) {
    const names = incomplete.map((s) => `${s.pvc} (${s.error ?? `${s.completionPercent}% complete`})`);
    add(
      "SnapshotsIncomplete",
      "Warning",
      `${incomplete.length} volume snapshot(s) of ${lastSuccess.id} are not usable: ${names.join(", ")}`,
    );
  }
  if (policy !== undefined && next === undefined)
    add("ScheduleEnded", "Warning", "the schedule has no slot left");

  const status: HealthStatus = reasons.some((r) => r.severity === "Unhealthy")
    ? "Unhealthy"
    : reasons.length > 0
      ? "Warning"
      : "Healthy";
  return {
    status,
    reasons,
    ...(lastSuccess ? { lastSuccessfulBackup: summary(lastSuccess) } : {}),
    ...(lastRun ? { lastRun: summary(lastRun) } : {}),
    ...(next ? { nextBackup: next.toISOString() } : {}),
    missedSlots,
  };
}

/** Slots strictly after `since` and at or before `now - grace`: each passed without a successful backup. */
export function countMissedSlots(
  policy: Pick<Policy, "schedule">,
  since: Date,
  now: Date,
  graceMs: number,
): number {
  const until = now.getTime() - graceMs;
  let count = 0;
  let slot = nextSlot(policy, since);
  while (slot !== undefined && slot.getTime() <= until && count < MISSED_SLOTS_CAP) {
    count++;
    slot = nextSlot(policy, slot);
  }
  return count;
}

/** The worst of several statuses; Healthy for none. */
export function worstStatus(statuses: Iterable<HealthStatus>): HealthStatus {
  let worst: HealthStatus = "Healthy";
  for (const status of statuses) {
    if (HEALTH_STATUSES.indexOf(status) > HEALTH_STATUSES.indexOf(worst)) worst = status;
  }
  return worst;
}

function summary(manifest: RecoveryPointManifest): RunSummary {
  return {
    id: manifest.id,
    status: manifest.status,
    trigger: manifest.trigger,
    startTime: manifest.startTime,
    endTime: manifest.endTime,
  };
}

function firstError(manifest: RecoveryPointManifest | undefined): string {
  return manifest?.errors[0]?.message ?? "no error recorded";
}
