// Retention tags: the period an instant falls in (offsets, Monday weeks) and the first successful
// scheduled point of each period.
import { describe, expect, it } from "vitest";
import { periodOf } from "../../src/retention/periods.js";
import { tagRecoveryPoints } from "../../src/retention/tagging.js";
import { dailyPoints, point, policy } from "./builders.js";

describe("periodOf", () => {
  it.each([
    ["FirstOfDay", "2026-01-31T20:00:00Z", 0, "2026-01-31"],
    ["FirstOfDay", "2026-01-31T20:00:00Z", 330, "2026-02-01"],
    ["FirstOfDay", "2026-02-01T05:00:00Z", -480, "2026-01-31"],
    ["FirstOfWeek", "2026-01-04T23:59:59Z", 0, "week of 2025-12-29"],
    ["FirstOfWeek", "2026-01-05T00:00:00Z", 0, "week of 2026-01-05"],
    ["FirstOfWeek", "2026-01-04T19:00:00Z", 330, "week of 2026-01-05"],
    ["FirstOfMonth", "2024-02-29T23:00:00Z", 0, "2024-02"],
    ["FirstOfMonth", "2024-02-29T23:00:00Z", 60, "2024-03"],
    ["FirstOfYear", "2026-12-31T20:00:00Z", 330, "2027"],
    ["FirstOfYear", "2027-01-01T06:00:00Z", -480, "2026"],
  ] as const)("%s of %s at %i minutes is %s", (criteria, instant, offset, expected) => {
    expect(periodOf(criteria, Date.parse(instant), offset)).toBe(expected);
  });
});

describe("tagRecoveryPoints", () => {
  it("tags the first point of each week, weeks starting on Monday", () => {
    const points = dailyPoints("2026-01-01", "2026-01-13");
    const tags = tagRecoveryPoints(points, policy("P7D", [{ criteria: "FirstOfWeek", duration: "P12W" }]), 0);
    expect([...tags.keys()]).toEqual([
      "rp-2026-01-01T02:00:00.000Z",
      "rp-2026-01-05T02:00:00.000Z",
      "rp-2026-01-12T02:00:00.000Z",
    ]);
  });

  it("tags the first point of each day of a PT4H schedule, in the policy's offset", () => {
    const points = [0, 4, 8, 12, 16, 20, 24, 28].map((hours) =>
      point(new Date(Date.parse("2026-03-01T02:00:00Z") + hours * 3_600_000).toISOString()),
    );
    const rules = [{ criteria: "FirstOfDay" as const, duration: "P30D" }];
    expect([...tagRecoveryPoints(points, policy("P7D", rules), 0).keys()]).toEqual([
      "rp-2026-03-01T02:00:00.000Z",
      "rp-2026-03-02T02:00:00.000Z",
    ]);
    // At +05:30 the local day starts at 18:30Z.
    expect([...tagRecoveryPoints(points, policy("P7D", rules), 330).keys()]).toEqual([
      "rp-2026-03-01T02:00:00.000Z",
      "rp-2026-03-01T22:00:00.000Z",
    ]);
  });
});
