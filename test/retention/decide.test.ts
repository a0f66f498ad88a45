// Retention decisions: default duration, FirstOf tags in the policy's offset, failed and on-demand
// points, the newest-successful guard, and determinism.
import { describe, expect, it } from "vitest";
import { decideRetention } from "../../src/retention/decide.js";
import { dailyPoints, point, policy } from "./builders.js";

const at = (text: string) => new Date(text);
const unprotected = { protected: false };
const keptIds = (decision: ReturnType<typeof decideRetention>) => decision.keep.map((kept) => kept.id);

describe("decideRetention", () => {
  const monthly = policy("P7D", [{ criteria: "FirstOfMonth", duration: "P12M" }]);

  it.each([
    ["6 days old", "2026-01-04T02:00:00Z", "keep"],
    ["exactly 7 days old", "2026-01-03T02:00:00Z", "expire"],
    ["8 days old", "2026-01-02T02:00:00Z", "expire"],
  ])("keeps an untagged scheduled point for the default duration: %s → %s", (_name, start, verdict) => {
    const decision = decideRetention([point(start)], policy("P7D"), at("2026-01-10T02:00:00Z"), unprotected);
    expect(decision.keep.length).toBe(verdict === "keep" ? 1 : 0);
    expect(decision.expire.length).toBe(verdict === "expire" ? 1 : 0);
  });

  it("gives the first point of the month its rule's duration, with the reasons", () => {
    const points = dailyPoints("2026-01-31", "2026-02-03");
    const decision = decideRetention(points, monthly, at("2026-02-20T00:00:00Z"), unprotected);
    expect(decision.keep).toEqual([
      {
        id: "rp-2026-01-31T02:00:00.000Z",
        until: at("2027-01-31T02:00:00Z"),
        reasons: ["FirstOfMonth (2026-01) P12M", "default retention P7D"],
      },
      {
        id: "rp-2026-02-01T02:00:00.000Z",
        until: at("2027-02-01T02:00:00Z"),
        reasons: ["FirstOfMonth (2026-02) P12M", "default retention P7D"],
      },
    ]);
    expect(decision.expire).toEqual([
      {
        id: "rp-2026-02-02T02:00:00.000Z",
        reason: "retention ended 2026-02-09T02:00:00.000Z (default retention P7D)",
      },
      {
        id: "rp-2026-02-03T02:00:00.000Z",
        reason: "retention ended 2026-02-10T02:00:00.000Z (default retention P7D)",
      },
    ]);
  });

  it("keeps the longest duration that applies and lists it first", () => {
    const rules = [
      { criteria: "FirstOfWeek" as const, duration: "P12W" },
      { criteria: "FirstOfMonth" as const, duration: "P12M" },
      { criteria: "FirstOfYear" as const, duration: "P5Y" },
    ];
    const decision = decideRetention(
      [point("2024-02-29T02:00:00Z")],
      policy("P7D", rules),
      at("2026-01-01T00:00:00Z"),
      unprotected,
    );
    expect(decision.keep).toEqual([
      {
        id: "rp-2024-02-29T02:00:00Z",
        until: at("2029-02-28T02:00:00Z"),
        reasons: [
          "FirstOfYear (2024) P5Y",
          "FirstOfMonth (2024-02) P12M",
          "FirstOfWeek (week of 2024-02-26) P12W",
          "default retention P7D",
        ],
      },
    ]);
  });

  it("does not let a failed first-of-month backup take the monthly tag", () => {
    const points = [
      point("2026-03-01T02:00:00Z", { status: "Failed" }),
      point("2026-03-02T02:00:00Z"),
      point("2026-03-03T02:00:00Z"),
    ];
    const decision = decideRetention(points, monthly, at("2026-03-20T00:00:00Z"), unprotected);
    expect(decision.keep).toEqual([
      {
        id: "rp-2026-03-02T02:00:00Z",
        until: at("2027-03-02T02:00:00Z"),
        reasons: ["FirstOfMonth (2026-03) P12M", "default retention P7D"],
      },
    ]);
    expect(decision.expire).toEqual([
      {
        id: "rp-2026-03-01T02:00:00Z",
        reason: "retention ended 2026-03-08T02:00:00.000Z (failed backup: default retention P7D)",
      },
      {
        id: "rp-2026-03-03T02:00:00Z",
        reason: "retention ended 2026-03-10T02:00:00.000Z (default retention P7D)",
      },
    ]);
  });

  it("counts a PartiallySucceeded point as the first of its month", () => {
    const points = [
      point("2026-03-01T02:00:00Z", { status: "PartiallySucceeded" }),
      point("2026-03-02T02:00:00Z"),
    ];
    const decision = decideRetention(points, monthly, at("2026-03-20T00:00:00Z"), unprotected);
    expect(keptIds(decision)).toEqual(["rp-2026-03-01T02:00:00Z"]);
  });

  it.each([
    ["UTC", "Z", ["rp-2026-01-31T20:00:00Z", "rp-2026-02-01T02:00:00Z"]],
    // 20:00Z on Jan 31 is already Feb 1 at +05:30: it is February's first point there.
    ["+05:30", "+05:30", ["rp-2026-01-31T20:00:00Z"]],
  ])("reads the month in the policy's offset (%s)", (_name, timeZone, kept) => {
    const points = [point("2026-01-31T20:00:00Z"), point("2026-02-01T02:00:00Z")];
    const decision = decideRetention(
      points,
      policy("P1D", [{ criteria: "FirstOfMonth", duration: "P12M" }], { timeZone }),
      at("2026-02-20T00:00:00Z"),
      unprotected,
    );
    expect(keptIds(decision)).toEqual(kept);
  });

  it("takes the offset from the first schedule entry when the policy names no timeZone (-08:00)", () => {
    // 05:00Z on Feb 1 is Jan 31 at -08:00: February's first point at -08:00 is the one after it.
    const points = [
      point("2026-01-15T10:00:00Z"),
      point("2026-02-01T05:00:00Z"),
      point("2026-02-01T10:00:00Z"),
    ];
    const westCoast = policy("P1D", [{ criteria: "FirstOfMonth", duration: "P12M" }], {
      schedule: ["R/2026-01-01T02:00:00-08:00/PT8H"],
    });
    const decision = decideRetention(points, westCoast, at("2026-02-20T00:00:00Z"), unprotected);
    expect(keptIds(decision)).toEqual(["rp-2026-01-15T10:00:00Z", "rp-2026-02-01T10:00:00Z"]);
  });

  it.each([
    ["OnDemand", "P30D", "2026-01-20T00:00:00Z", "keep", "on-demand retention P30D"],
    ["OnDemand", "P30D", "2026-02-01T00:00:00Z", "expire", "on-demand retention P30D"],
    ["PreUpgrade", "P3M", "2026-03-31T00:00:00Z", "keep", "pre-upgrade retention P3M"],
    ["PreUpgrade", "P3M", "2026-04-01T00:00:00Z", "expire", "pre-upgrade retention P3M"],
    [
      "OnDemand",
      undefined,
      "2026-01-07T00:00:00Z",
      "keep",
      "on-demand backup without a retention tag: default P7D",
    ],
    [
      "OnDemand",
      undefined,
      "2026-01-08T00:00:00Z",
      "expire",
      "on-demand backup without a retention tag: default P7D",
    ],
  ] as const)(
    "gives a %s point its own retention %s (now %s → %s)",
    (trigger, retention, now, verdict, reason) => {
      const onDemand = point("2026-01-01T00:00:00Z", {
        trigger,
        ...(retention === undefined ? {} : { retention }),
      });
      const decision = decideRetention([onDemand], monthly, at(now), unprotected);
      if (verdict === "keep") expect(decision.keep[0]?.reasons).toEqual([reason]);
      else expect(decision.expire[0]?.reason).toContain(reason);
    },
  );

  it("does not count an on-demand point as the first of its month", () => {
    const points = [
      point("2026-03-01T00:30:00Z", { trigger: "OnDemand", retention: "P1D" }),
      point("2026-03-01T02:00:00Z"),
    ];
    const decision = decideRetention(points, monthly, at("2026-03-20T00:00:00Z"), unprotected);
    expect(keptIds(decision)).toEqual(["rp-2026-03-01T02:00:00Z"]);
  });

  it("gives a failed on-demand point the default duration, not its tag", () => {
    const failed = point("2026-01-01T00:00:00Z", { trigger: "OnDemand", retention: "P1Y", status: "Failed" });
    const decision = decideRetention([failed], monthly, at("2026-01-09T00:00:00Z"), unprotected);
    expect(decision.expire).toEqual([
      {
        id: failed.id,
        reason: "retention ended 2026-01-08T00:00:00.000Z (failed backup: default retention P7D)",
      },
    ]);
  });

  describe("the newest successful point of a protected instance", () => {
    const points = [
      point("2026-01-01T02:00:00Z"),
      point("2026-01-02T02:00:00Z", { status: "PartiallySucceeded" }),
      point("2026-01-03T02:00:00Z", { status: "Failed" }),
    ];
    const now = at("2026-06-01T00:00:00Z");

    it("is kept past its retention, with the reason, while failed and older points expire", () => {
      const decision = decideRetention(points, policy("P7D"), now, { protected: true });
      expect(decision.keep).toEqual([
        {
          id: "rp-2026-01-02T02:00:00Z",
          until: at("2026-01-09T02:00:00Z"),
          reasons: [
            "default retention P7D",
            "newest successful recovery point of a protected instance: kept past its retention",
          ],
        },
      ]);
      expect(decision.expire.map((expired) => expired.id)).toEqual([
        "rp-2026-01-01T02:00:00Z",
        "rp-2026-01-03T02:00:00Z",
      ]);
    });

    it("expires like any other once protection stops", () => {
      expect(decideRetention(points, policy("P7D"), now, unprotected).keep).toEqual([]);
    });

    it("may be an on-demand point", () => {
      const withOnDemand = [
        ...points,
        point("2026-01-04T00:00:00Z", { trigger: "OnDemand", retention: "P1D" }),
      ];
      expect(keptIds(decideRetention(withOnDemand, policy("P7D"), now, { protected: true }))).toEqual([
        "rp-2026-01-04T00:00:00Z",
      ]);
    });
  });

  it("keeps a point that starts after now", () => {
    const decision = decideRetention(
      [point("2026-02-01T00:00:00Z")],
      policy("P1D"),
      at("2026-01-01T00:00:00Z"),
      unprotected,
    );
    expect(decision.keep[0]?.reasons).toEqual([
      "default retention P1D",
      "starts after now (clock skew?): kept",
    ]);
  });

  it.each([
    [point("yesterday"), /startTime "yesterday" is not a date-time/],
    [
      point("2020-01-01T00:00:00Z", { trigger: "OnDemand", retention: "30 days" }),
      /retention tag "30 days" is not an ISO 8601 duration/,
    ],
  ])("never deletes a point it cannot read: %j", (unreadable, reason) => {
    const decision = decideRetention([unreadable], policy("P1D"), at("2026-01-01T00:00:00Z"), unprotected);
    expect(decision.expire).toEqual([]);
    expect(decision.keep[0]?.reasons[0]).toMatch(reason);
  });

  it("breaks ties by id, whatever the input order", () => {
    const same = "2026-01-01T02:00:00Z";
    const points = [point(same, { id: "b" }), point(same, { id: "a" }), point(same, { id: "c" })];
    const decisions = [points, [...points].reverse()].map((input) =>
      decideRetention(input, monthly, at("2026-02-01T00:00:00Z"), unprotected),
    );
    expect(decisions[0]).toEqual(decisions[1]);
    expect(keptIds(decisions[0] ?? { keep: [], expire: [] })).toEqual(["a"]);
  });
});
