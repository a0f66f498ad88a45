// Retention decides the same on a second sweep, after the first sweep's expired points are deleted,
// exactly so when tags were recorded at commit.
import { describe, expect, it } from "vitest";
import { decideRetention } from "../../src/retention/decide.js";
import { tagsOnCommit } from "../../src/retention/tagging.js";
import { dailyPoints, policy } from "./builders.js";

const at = (text: string) => new Date(text);
const unprotected = { protected: false };

describe("after the expired points are deleted", () => {
  const rules = [
    { criteria: "FirstOfDay" as const, duration: "P30D" },
    { criteria: "FirstOfWeek" as const, duration: "P12W" },
    { criteria: "FirstOfMonth" as const, duration: "P12M" },
  ];
  const points = dailyPoints("2025-06-01", "2026-03-01").map((rp, index) =>
    index % 9 === 0 ? { ...rp, status: "Failed" as const } : rp,
  );
  const now = at("2026-03-01T12:00:00Z");
  const lifetimes = (decision: ReturnType<typeof decideRetention>) =>
    decision.keep.map(({ id, until }) => ({ id, until }));

  it("keeps the same points until the same instants", () => {
    const first = decideRetention(points, policy("P7D", rules), now, { protected: true });
    expect(decideRetention(points, policy("P7D", rules), now, { protected: true })).toEqual(first);
    const remaining = points.filter((rp) => first.keep.some((kept) => kept.id === rp.id));
    const second = decideRetention(remaining, policy("P7D", rules), now, { protected: true });
    expect(lifetimes(second)).toEqual(lifetimes(first));
    expect(second.expire).toEqual([]);
  });

  it("decides exactly the same, reasons included, when tags were recorded at commit", () => {
    const recorded = points.map((rp, index) => ({
      ...rp,
      tags: tagsOnCommit(points.slice(0, index), rp, policy("P7D", rules)),
    }));
    const first = decideRetention(recorded, policy("P7D", rules), now, { protected: true });
    expect(lifetimes(first)).toEqual(
      lifetimes(decideRetention(points, policy("P7D", rules), now, { protected: true })),
    );
    const remaining = recorded.filter((rp) => first.keep.some((kept) => kept.id === rp.id));
    expect(decideRetention(remaining, policy("P7D", rules), now, { protected: true })).toEqual({
      keep: first.keep,
      expire: [],
    });
  });

  it("does not let a later point inherit the week of a deleted first point when tags were recorded", () => {
    // FirstOfDay P80D keeps Saturday past Monday's 12 weeks; recomputed, Saturday would become the week's first.
    const close = policy("P7D", [
      { criteria: "FirstOfDay", duration: "P80D" },
      { criteria: "FirstOfWeek", duration: "P12W" },
    ]);
    const week = dailyPoints("2026-01-05", "2026-01-11");
    const recorded = week.map((rp, index) => ({
      ...rp,
      tags: tagsOnCommit(week.slice(0, index), rp, close),
    }));
    const now = at("2026-03-30T03:00:00Z");
    const saturday = (decision: ReturnType<typeof decideRetention>) =>
      decision.keep.find((kept) => kept.id.startsWith("rp-2026-01-10"))?.until.toISOString();
    expect(saturday(decideRetention(recorded.slice(5), close, now, unprotected))).toBe(
      "2026-03-31T02:00:00.000Z",
    );
    expect(saturday(decideRetention(week.slice(5), close, now, unprotected))).toBe(
      "2026-04-04T02:00:00.000Z",
    );
  });
});
