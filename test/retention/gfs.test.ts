// A year of daily backups under a grandfather-father-son policy (7 daily, 12 weekly, 12 monthly),
// swept every day as the retention timer would, checked date by date at the end of the year.
import { describe, expect, it } from "vitest";
import { decideRetention } from "../../src/retention/decide.js";
import type { RetentionSubject } from "../../src/retention/tagging.js";
import { dailyPoints, policy } from "./builders.js";

const gfs = policy("P7D", [
  { criteria: "FirstOfWeek", duration: "P12W" },
  { criteria: "FirstOfMonth", duration: "P12M" },
]);
const DAY_MS = 86_400_000;

/** Backs up at 02:00Z each day of 2026 and sweeps at 02:30Z, deleting what expired. */
function sweepAYear(backups: RetentionSubject[]): { remaining: RetentionSubject[]; deleted: number } {
  let remaining: RetentionSubject[] = [];
  let deleted = 0;
  for (const backup of backups) {
    remaining.push(backup);
    const now = new Date(Date.parse(backup.startTime) + 30 * 60_000);
    const decision = decideRetention(remaining, gfs, now, { protected: true });
    const expired = new Set(decision.expire.map((rp) => rp.id));
    deleted += expired.size;
    remaining = remaining.filter((rp) => !expired.has(rp.id));
  }
  return { remaining, deleted };
}

const dates = (points: { id: string }[]) => points.map((rp) => rp.id.slice(3, 13));

describe("GFS over a year of daily backups", () => {
  const endOfYear = new Date("2026-12-31T12:00:00Z");
  const daily = [
    "2026-12-25",
    "2026-12-26",
    "2026-12-27",
    "2026-12-28",
    "2026-12-29",
    "2026-12-30",
    "2026-12-31",
  ];
  // Mondays whose 12 weeks have not run out (Oct 5 + 84 days is Dec 28, gone); Dec 28 is also a daily.
  const weekly = ["2026-10-12", "2026-10-19", "2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"];
  const weeklyLate = ["2026-11-23", "2026-11-30", "2026-12-07", "2026-12-14", "2026-12-21"];
  const monthly = ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01", "2026-06-01"];
  const monthlyLate = ["2026-07-01", "2026-08-01", "2026-09-01", "2026-10-01", "2026-11-01", "2026-12-01"];
  const expected = [...monthly, ...monthlyLate, ...weekly, ...weeklyLate, ...daily].sort();

  it("keeps exactly 7 daily, 12 weekly and 12 monthly points (30, one Monday being a daily too)", () => {
    const { remaining, deleted } = sweepAYear(dailyPoints("2026-01-01", "2026-12-31"));
    const decision = decideRetention(remaining, gfs, endOfYear, { protected: true });
    expect(decision.expire).toEqual([]);
    expect(dates(decision.keep)).toEqual(expected);
    expect(decision.keep.length).toBe(30);
    expect(deleted).toBe(365 - 30);
  });

  it("reaches the same set in one decision over all 365 points", () => {
    const decision = decideRetention(dailyPoints("2026-01-01", "2026-12-31"), gfs, endOfYear, {
      protected: true,
    });
    expect(dates(decision.keep)).toEqual(expected);
    expect(decision.expire.length).toBe(335);
  });

  it("keeps each kind until its own end", () => {
    const decision = decideRetention(dailyPoints("2026-01-01", "2026-12-31"), gfs, endOfYear, {
      protected: true,
    });
    const until = (date: string) =>
      decision.keep.find((rp) => rp.id.startsWith(`rp-${date}`))?.until.toISOString();
    expect(until("2026-01-01")).toBe("2027-01-01T02:00:00.000Z");
    expect(until("2026-10-12")).toBe(
      new Date(Date.parse("2026-10-12T02:00:00Z") + 84 * DAY_MS).toISOString(),
    );
    expect(until("2026-12-25")).toBe("2027-01-01T02:00:00.000Z");
    expect(until("2026-12-28")).toBe("2027-03-22T02:00:00.000Z");
  });

  it("moves June's monthly tag to June 2 when the June 1 backup failed", () => {
    const backups = dailyPoints("2026-01-01", "2026-12-31").map((rp) =>
      rp.startTime.startsWith("2026-06-01") ? { ...rp, status: "Failed" as const } : rp,
    );
    const { remaining } = sweepAYear(backups);
    const kept = dates(decideRetention(remaining, gfs, endOfYear, { protected: true }).keep);
    expect(kept).toContain("2026-06-02");
    expect(kept).not.toContain("2026-06-01");
    expect(kept.length).toBe(30);
  });
});
