// Azure's incremental snapshot limits against policies (a table), and the snapshot naming rules.
import { describe, expect, it } from "vitest";
import { policySchema } from "../../src/model/policy.js";
import {
  maxRetainedRecoveryPoints,
  refineSnapshotLimits,
  snapshotLimitProblems,
} from "../../src/model/snapshot-limits.js";
import { parseDiskId, snapshotName } from "../../src/volumes/snapshot-identity.js";

const START = "2026-01-01T02:00:00+00:00";
const every = (duration: string, repetitions = "") => `R${repetitions}/${START}/${duration}`;

function policy(schedule: string[], retention: string, rules: { criteria: string; duration: string }[] = []) {
  return policySchema.parse({ name: "p", schedule, retention: { default: retention, rules } });
}

describe("snapshotLimitProblems", () => {
  it.each([
    ["daily, 7 days", policy([every("P1D")], "P7D"), []],
    [
      "daily with weekly and monthly rules",
      policy([every("P1D")], "P7D", [
        { criteria: "FirstOfWeek", duration: "P12W" },
        { criteria: "FirstOfMonth", duration: "P12M" },
      ]),
      [],
    ],
    ["every 4 hours for 30 days", policy([every("PT4H")], "P30D"), []],
    ["every minute, 7 times", policy([every("PT1M", "7")], "P1D"), []],
    ["every 43 seconds for an hour", policy([every("PT43S")], "PT1H"), []],
  ])("accepts %s", (_name, p, expected) => {
    expect(snapshotLimitProblems(p)).toEqual(expected);
  });

  it.each([
    [
      "every 30 seconds",
      policy([every("PT30S")], "PT1H"),
      /^the schedule starts up to 10 backups within 5 minutes, 3 more than the 7 incremental snapshots Azure allows per disk every 5 minutes; space backups at least PT43S apart/,
    ],
    [
      "eight schedules every 5 minutes",
      policy(
        Array.from({ length: 8 }, (_, i) => `R/2026-01-01T02:0${i}:00+00:00/PT5M`),
        "PT1H",
      ),
      /^the schedule starts up to 8 backups within 5 minutes, 1 more than/,
    ],
    [
      "hourly for 30 days",
      policy([every("PT1H")], "P30D"),
      /^the retention keeps up to 721 recovery points, so up to 721 incremental snapshots of each disk \("R\/2026-01-01T02:00:00\+00:00\/PT1H" × default P30D: 721\), 221 more than the 500 Azure allows per disk/,
    ],
    [
      "daily for a year plus 2 years of FirstOfDay",
      policy([every("P1D")], "P1Y", [{ criteria: "FirstOfDay", duration: "P2Y" }]),
      /^the retention keeps up to 734 recovery points, .*\(.*default P1Y: 367; FirstOfDay P2Y: 367\), 234 more than the 500/,
    ],
  ])("refuses %s", (_name, p, message) => {
    const problems = snapshotLimitProblems(p);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });

  it("counts a GFS rule only for the points older than the default retention, once per period", () => {
    const p = policy([every("PT4H")], "P7D", [
      { criteria: "FirstOfWeek", duration: "P12W" },
      { criteria: "FirstOfMonth", duration: "P12M" },
      { criteria: "FirstOfYear", duration: "P5D" },
    ]);
    // 43 in the default window; weekly: (84-7)/7 → 12; monthly: (372-7)/28 → 14; yearly: shorter than default → 0.
    expect(maxRetainedRecoveryPoints(p)).toEqual({
      total: 43 + 12 + 14,
      parts: [`"${every("PT4H")}" × default P7D: 43`, "FirstOfWeek P12W: 12", "FirstOfMonth P12M: 14"],
    });
  });

  it("serves as a zod refinement on the policy schema", () => {
    const strict = policySchema.superRefine(refineSnapshotLimits);
    const result = strict.safeParse({ name: "p", schedule: [every("PT1H")], retention: { default: "P30D" } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({
      path: ["schedule"],
      message: expect.stringContaining("721"),
    });
  });
});

describe("snapshotName", () => {
  const disk =
    "/subscriptions/9b1f7a54-2c4e-4d0a-8f3e-5a6b7c8d9e0f/resourceGroups/MC_rg/providers/Microsoft.Compute/disks/pvc-0d8a2f1e-1111-4000-8000-000000000000";
  const valid = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/;

  it("is the recovery point and disk name, plus a hash, within Azure's 80 characters", () => {
    const name = snapshotName("prod-shop-20260101-020000-ab12", disk);
    expect(name).toMatch(/^prod-shop-20260101-020000-ab12-pvc-0d8a2f1e-1111-4000-8[0-9-]*-[0-9a-f]{10}$/);
    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(valid);
    expect(snapshotName("prod-shop-20260101-020000-ab12", disk.toUpperCase())).toBe(name);
  });

  it("differs for two disks of the same name in different groups, and for two recovery points", () => {
    const other = disk.replace("MC_rg", "other-rg");
    expect(snapshotName("rp", disk)).not.toBe(snapshotName("rp", other));
    expect(snapshotName("rp-1", disk)).not.toBe(snapshotName("rp-2", disk));
  });

  it("stays valid for long or odd recovery point ids", () => {
    for (const rp of ["x".repeat(200), "--rp with spaces/and:colons--", "é"]) {
      const name = snapshotName(rp, disk);
      expect(name.length).toBeLessThanOrEqual(80);
      expect(name).toMatch(valid);
    }
  });

  it("parses managed disk ids only", () => {
    expect(parseDiskId(disk)).toMatchObject({ resourceGroup: "MC_rg" });
    expect(parseDiskId("https://acct.blob.core.windows.net/vhds/d.vhd")).toBeUndefined();
  });
});
