// The protection health rules as a table: each row an instance's recent runs at a moment, and the
// status and reasons a user sees for it.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  HEALTH_RULES,
  type HealthReasonCode,
  type HealthStatus,
  MISSED_SLOTS_CAP,
  protectionHealth,
  worstStatus,
} from "../../src/health/protection.js";
import type { RecoveryPointManifest, VolumeSnapshotRecord } from "../../src/model/recovery-point.js";

const DAILY = { schedule: ["R/2026-01-01T02:00:00+00:00/P1D"] };
let nonce = 0;

function run(
  startTime: string,
  status: RecoveryPointManifest["status"],
  extra: Partial<RecoveryPointManifest> = {},
): RecoveryPointManifest {
  const start = new Date(startTime);
  const stamp = start.toISOString().replace(/[-:]/g, "").slice(0, 15).replace("T", "-");
  return {
    formatVersion: 1,
    id: `shop-${stamp}-${(nonce++).toString(16).padStart(4, "0")}`,
    instance: "shop",
    policy: "daily",
    cluster: "prod",
    trigger: "Scheduled",
    startTime: start.toISOString(),
    endTime: new Date(start.getTime() + 60_000).toISOString(),
    status,
    itemCounts: {},
    totalItems: 10,
    volumeSnapshots: [],
    warnings: [],
    errors: status === "Succeeded" ? [] : [{ message: "cluster unreachable" }],
    ...extra,
  };
}

function snapshot(completionPercent: number, error?: string): VolumeSnapshotRecord {
  return {
    pvc: "shop/data",
    pv: "pv-data",
    diskId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/disks/d",
    snapshotId: "/subscriptions/s/resourceGroups/g/providers/Microsoft.Compute/snapshots/x",
    sizeGiB: 8,
    completionPercent,
    ...(error ? { error } : {}),
  };
}

interface Row {
  name: string;
  now: string;
  runs: RecoveryPointManifest[];
  policy?: { schedule: string[] };
  status: HealthStatus;
  reasons: HealthReasonCode[];
  missedSlots?: number;
}

const rows: Row[] = [
  {
    name: "a successful backup at the last slot is Healthy",
    now: "2026-11-25T12:00:00Z",
    runs: [run("2026-11-24T02:03:00Z", "Succeeded"), run("2026-11-25T02:03:00Z", "Succeeded")],
    status: "Healthy",
    reasons: [],
    missedSlots: 0,
  },
  {
    name: "a slot still inside the grace period is not missed",
    now: "2026-11-25T02:30:00Z",
    runs: [run("2026-11-24T02:03:00Z", "Succeeded")],
    status: "Healthy",
    reasons: [],
    missedSlots: 0,
  },
  {
    name: "one slot passed without a backup is a Warning",
    now: "2026-11-25T12:00:00Z",
    runs: [run("2026-11-24T02:03:00Z", "Succeeded")],
    status: "Warning",
    reasons: ["MissedSlot"],
    missedSlots: 1,
  },
  {
    name: "two slots passed without a backup is Unhealthy",
    now: "2026-11-25T12:00:00Z",
    runs: [run("2026-11-23T02:03:00Z", "Succeeded")],
    status: "Unhealthy",
    reasons: ["MissedSlots"],
    missedSlots: 2,
  },
  {
    name: "a last run that failed within the grace period is a Warning",
    now: "2026-11-25T02:30:00Z",
    runs: [run("2026-11-24T02:03:00Z", "Succeeded"), run("2026-11-25T02:03:00Z", "Failed")],
    status: "Warning",
    reasons: ["LastRunFailed"],
  },
  {
    name: "a failed slot is also a missed slot once its grace period is over",
    now: "2026-11-25T12:00:00Z",
    runs: [run("2026-11-24T02:03:00Z", "Succeeded"), run("2026-11-25T02:03:00Z", "Failed")],
    status: "Warning",
    reasons: ["MissedSlot", "LastRunFailed"],
  },
  {
    name: "three failed runs in a row are Unhealthy even within a slot",
    now: "2026-11-25T06:00:00Z",
    runs: [
      run("2026-11-25T02:03:00Z", "Succeeded"),
      run("2026-11-25T03:00:00Z", "Failed", { trigger: "OnDemand" }),
      run("2026-11-25T04:00:00Z", "Failed", { trigger: "OnDemand" }),
      run("2026-11-25T05:00:00Z", "Failed", { trigger: "OnDemand" }),
    ],
    status: "Unhealthy",
    reasons: ["ConsecutiveFailures"],
  },
  {
    name: "a failure among the recent runs is a Warning",
    now: "2026-11-25T06:00:00Z",
    runs: [
      run("2026-11-25T02:03:00Z", "Failed"),
      run("2026-11-25T04:00:00Z", "Succeeded", { trigger: "OnDemand" }),
    ],
    status: "Warning",
    reasons: ["RecentFailures"],
  },
  {
    name: "a last run that partially succeeded is a Warning",
    now: "2026-11-25T06:00:00Z",
    runs: [run("2026-11-25T02:03:00Z", "PartiallySucceeded")],
    status: "Warning",
    reasons: ["LastRunPartiallySucceeded"],
  },
  {
    name: "a snapshot below 100% in the last successful backup is a Warning",
    now: "2026-11-25T06:00:00Z",
    runs: [run("2026-11-25T02:03:00Z", "Succeeded", { volumeSnapshots: [snapshot(80)] })],
    status: "Warning",
    reasons: ["SnapshotsIncomplete"],
  },
  {
    name: "a snapshot recorded with an error is a Warning",
    now: "2026-11-25T06:00:00Z",
    runs: [run("2026-11-25T02:03:00Z", "Succeeded", { volumeSnapshots: [snapshot(100, "copy timed out")] })],
    status: "Warning",
    reasons: ["SnapshotsIncomplete"],
  },
  {
    name: "complete snapshots are Healthy",
    now: "2026-11-25T06:00:00Z",
    runs: [run("2026-11-25T02:03:00Z", "Succeeded", { volumeSnapshots: [snapshot(100)] })],
    status: "Healthy",
    reasons: [],
  },
  {
    name: "an instance that never ran is a Warning",
    now: "2026-11-25T06:00:00Z",
    runs: [],
    status: "Warning",
    reasons: ["NeverBackedUp"],
  },
  {
    name: "runs of other instances are not this instance's",
    now: "2026-11-25T06:00:00Z",
    runs: [
      run("2026-11-25T02:03:00Z", "Succeeded"),
      run("2026-11-25T05:00:00Z", "Failed", { instance: "other" }),
    ],
    status: "Healthy",
    reasons: [],
  },
  {
    name: "a schedule with no slot left is a Warning and nothing is missed after it",
    now: "2026-11-25T06:00:00Z",
    policy: { schedule: ["R3/2026-01-01T02:00:00+00:00/P1D"] },
    runs: [run("2026-01-03T02:03:00Z", "Succeeded")],
    status: "Warning",
    reasons: ["ScheduleEnded"],
    missedSlots: 0,
  },
  {
    name: "no successful backup ever: slots are counted from the oldest run",
    now: "2026-11-25T12:00:00Z",
    runs: [run("2026-11-24T02:03:00Z", "Failed"), run("2026-11-25T02:03:00Z", "Failed")],
    status: "Unhealthy",
    reasons: ["NoSuccessfulBackup", "MissedSlot", "LastRunFailed"],
    missedSlots: 1,
  },
];

describe("protectionHealth", () => {
  it("reports the last successful backup, the last run and the next slot", () => {
    const success = run("2026-11-25T02:03:00Z", "Succeeded");
    const failed = run("2026-11-25T04:00:00Z", "Failed", { trigger: "OnDemand" });
    const health = protectionHealth(
      { name: "shop" },
      DAILY,
      [failed, success],
      new Date("2026-11-25T06:00:00Z"),
    );
    expect(health.lastSuccessfulBackup).toMatchObject({ id: success.id, status: "Succeeded" });
    expect(health.lastRun).toMatchObject({ id: failed.id, status: "Failed", trigger: "OnDemand" });
    expect(health.nextBackup).toBe("2026-11-26T02:00:00.000Z");
    expect(health.reasons[0]?.message).toContain("cluster unreachable");
  });

  it("stops counting missed slots at the cap", () => {
    const everyMinute = { schedule: ["R/2026-01-01T00:00:00+00:00/PT1M"] };
    const old = run("2026-01-01T00:00:30Z", "Succeeded");
    const health = protectionHealth({ name: "shop" }, everyMinute, [old], new Date("2026-11-25T06:00:00Z"));
    expect(health.missedSlots).toBe(MISSED_SLOTS_CAP);
    expect(health.status).toBe("Unhealthy");
    expect(health.reasons[0]?.message).toMatch(/^1000 or more scheduled backups missed/);
  });

  it("documents every rule in docs/api.md, with its severity", async () => {
    const doc = await readFile(join(import.meta.dirname, "..", "..", "docs", "api.md"), "utf8");
    const documented = [...doc.matchAll(/^\| `(\w+)`\s+\| (Warning|Unhealthy)\s+\|/gm)].map((m) => [
      m[1],
      m[2],
    ]);
    expect(documented).toEqual(HEALTH_RULES.map((rule) => [rule.code, rule.severity]));
  });

  it("rates a set of instances by the worst of them", () => {
    expect(worstStatus([])).toBe("Healthy");
    expect(worstStatus(["Healthy", "Warning"])).toBe("Warning");
    expect(worstStatus(["Unhealthy", "Warning", "Healthy"])).toBe("Unhealthy");
  });

  it.each(rows)("$name", (row) => {
    const health = protectionHealth({ name: "shop" }, row.policy ?? DAILY, row.runs, new Date(row.now));
    expect(health.reasons.map((r) => r.code)).toEqual(row.reasons);
    expect(health.status).toBe(row.status);
    if (row.missedSlots !== undefined) expect(health.missedSlots).toBe(row.missedSlots);
    for (const reason of health.reasons) expect(reason.message).not.toBe("");
  });
});
