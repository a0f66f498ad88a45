// Due slots: the instants a policy's schedule names, the one a tick runs after downtime, and the next.
import { describe, expect, it } from "vitest";
import { parseRepeatingInterval } from "../../src/schedule/iso8601.js";
import { lastSlotIndex, latestDueSlot, nextSlot, slotAt, slotsBetween } from "../../src/schedule/slots.js";

const at = (text: string) => new Date(text);
const iso = (dates: Date[]) => dates.map((date) => date.toISOString());
const policy = (...schedule: string[]) => ({ schedule });

describe("slotsBetween", () => {
  it.each([
    [
      "PT4H from the start",
      "R/2026-01-01T02:00:00Z/PT4H",
      "2026-01-01T00:00:00Z",
      "2026-01-01T14:00:00Z",
      [
        "2026-01-01T02:00:00.000Z",
        "2026-01-01T06:00:00.000Z",
        "2026-01-01T10:00:00.000Z",
        "2026-01-01T14:00:00.000Z",
      ],
    ],
    [
      "PT4H, from exclusive",
      "R/2026-01-01T02:00:00Z/PT4H",
      "2026-01-01T02:00:00Z",
      "2026-01-01T10:00:00Z",
      ["2026-01-01T06:00:00.000Z", "2026-01-01T10:00:00.000Z"],
    ],
    [
      "P1D at +05:30",
      "R/2026-02-27T01:00:00+05:30/P1D",
      "2026-02-26T00:00:00Z",
      "2026-03-01T00:00:00Z",
      ["2026-02-26T19:30:00.000Z", "2026-02-27T19:30:00.000Z", "2026-02-28T19:30:00.000Z"],
    ],
    [
      "P1D at -08:00 across the US DST date (offsets have none)",
      "R/2026-03-07T23:30:00-08:00/P1D",
      "2026-03-08T00:00:00Z",
      "2026-03-10T08:00:00Z",
      ["2026-03-08T07:30:00.000Z", "2026-03-09T07:30:00.000Z", "2026-03-10T07:30:00.000Z"],
    ],
    [
      "P1W",
      "R/2026-01-05T02:00:00Z/P1W",
      "2026-01-01T00:00:00Z",
      "2026-01-26T02:00:00Z",
      [
        "2026-01-05T02:00:00.000Z",
        "2026-01-12T02:00:00.000Z",
        "2026-01-19T02:00:00.000Z",
        "2026-01-26T02:00:00.000Z",
      ],
    ],
    [
      "P1M from a month end in a leap year",
      "R/2024-01-31T02:00:00Z/P1M",
      "2024-01-01T00:00:00Z",
      "2024-06-01T00:00:00Z",
      [
        "2024-01-31T02:00:00.000Z",
        "2024-02-29T02:00:00.000Z",
        "2024-03-31T02:00:00.000Z",
        "2024-04-30T02:00:00.000Z",
        "2024-05-31T02:00:00.000Z",
      ],
    ],
    [
      "P1Y from a leap day",
      "R/2024-02-29T00:00:00Z/P1Y",
      "2024-01-01T00:00:00Z",
      "2028-12-31T00:00:00Z",
      [
        "2024-02-29T00:00:00.000Z",
        "2025-02-28T00:00:00.000Z",
        "2026-02-28T00:00:00.000Z",
        "2027-02-28T00:00:00.000Z",
        "2028-02-29T00:00:00.000Z",
      ],
    ],
    [
      "R5 ends after five",
      "R5/2026-01-01T00:00:00Z/P1D",
      "2025-12-01T00:00:00Z",
      "2026-02-01T00:00:00Z",
      [
        "2026-01-01T00:00:00.000Z",
        "2026-01-02T00:00:00.000Z",
        "2026-01-03T00:00:00.000Z",
        "2026-01-04T00:00:00.000Z",
        "2026-01-05T00:00:00.000Z",
      ],
    ],
    [
      "nothing before the start",
      "R/2026-01-01T00:00:00Z/P1D",
      "2025-01-01T00:00:00Z",
      "2025-12-31T23:59:59Z",
      [],
    ],
  ])("%s", (_name, text, from, to, expected) => {
    expect(iso(slotsBetween(parseRepeatingInterval(text), at(from), at(to)))).toEqual(expected);
  });

  it("returns at most `limit` slots, the earliest", () => {
    const schedule = parseRepeatingInterval("R/2020-01-01T00:00:00Z/PT1M");
    const slots = slotsBetween(schedule, at("2026-01-01T00:00:00Z"), at("2026-12-31T00:00:00Z"), {
      limit: 2,
    });
    expect(iso(slots)).toEqual(["2026-01-01T00:01:00.000Z", "2026-01-01T00:02:00.000Z"]);
  });
});

describe("lastSlotIndex", () => {
  it.each([
    ["R/2024-01-31T02:00:00+05:30/P1M"],
    ["R/2024-02-29T23:00:00-08:00/P1Y"],
    ["R/2026-01-31T00:00:00Z/P1M1D"],
    ["R/2026-01-01T02:00:00Z/PT4H"],
  ])("finds every slot of %s exactly, and nothing a millisecond before it", (text) => {
    const schedule = parseRepeatingInterval(text);
    for (let index = 0; index < 80; index++) {
      const slot = slotAt(schedule, index);
      expect(lastSlotIndex(schedule, slot)).toBe(index);
      expect(lastSlotIndex(schedule, slot - 1)).toBe(index - 1);
    }
  });

  it("answers far from the start without walking every slot", () => {
    const minutes = parseRepeatingInterval("R/2020-01-01T00:00:00Z/PT1M");
    const months = parseRepeatingInterval("R/1970-01-31T00:00:00Z/P1M");
    const started = performance.now();
    for (let tick = 0; tick < 1000; tick++) {
      lastSlotIndex(minutes, Date.parse("2026-06-01T12:34:56Z") + tick);
      lastSlotIndex(months, Date.parse("2026-06-01T12:34:56Z") + tick);
    }
    expect(performance.now() - started).toBeLessThan(500);
    expect(
      new Date(slotAt(minutes, lastSlotIndex(minutes, Date.parse("2026-06-01T12:34:56Z")))).toISOString(),
    ).toBe("2026-06-01T12:34:00.000Z");
    expect(
      new Date(slotAt(months, lastSlotIndex(months, Date.parse("2026-06-01T12:34:56Z")))).toISOString(),
    ).toBe("2026-05-31T00:00:00.000Z");
  });
});

describe("latestDueSlot", () => {
  it.each([
    {
      name: "P1D after a 3-day downtime runs the latest slot once and counts two skipped",
      schedule: ["R/2026-01-01T02:00:00Z/P1D"],
      lastRun: "2026-01-10T02:00:00Z",
      tick: "2026-01-13T05:00:00Z",
      expected: { slot: "2026-01-13T02:00:00.000Z", skipped: 2, firstSkipped: "2026-01-11T02:00:00.000Z" },
    },
    {
      name: "PT4H after a 3-day downtime skips 17",
      schedule: ["R/2026-01-01T02:00:00Z/PT4H"],
      lastRun: "2026-01-10T02:00:00Z",
      tick: "2026-01-13T03:00:00Z",
      expected: { slot: "2026-01-13T02:00:00.000Z", skipped: 17, firstSkipped: "2026-01-10T06:00:00.000Z" },
    },
    {
      name: "the next slot after the last run, on time, skips none",
      schedule: ["R/2026-01-01T02:00:00Z/PT4H"],
      lastRun: "2026-01-10T02:00:00Z",
      tick: "2026-01-10T06:05:00Z",
      expected: { slot: "2026-01-10T06:00:00.000Z", skipped: 0 },
    },
    {
      name: "two entries: the union, each entry counting its own skipped slots",
      schedule: ["R/2026-01-01T02:00:00Z/P1D", "R/2026-01-01T14:00:00Z/P1D"],
      lastRun: "2026-01-01T02:00:00Z",
      tick: "2026-01-03T15:00:00Z",
      expected: { slot: "2026-01-03T14:00:00.000Z", skipped: 4, firstSkipped: "2026-01-01T14:00:00.000Z" },
    },
    {
      name: "a P1M slot on a month end in a leap year, at +05:30",
      schedule: ["R/2024-01-31T01:00:00+05:30/P1M"],
      lastRun: "2024-01-30T19:30:00Z",
      tick: "2024-03-01T00:00:00Z",
      expected: { slot: "2024-02-28T19:30:00.000Z", skipped: 0 },
    },
    {
      name: "a new instance runs the latest slot and counts nothing as skipped",
      schedule: ["R/2020-01-01T02:00:00Z/PT1M"],
      lastRun: undefined,
      tick: "2026-05-05T05:05:30Z",
      expected: { slot: "2026-05-05T05:05:00.000Z", skipped: 0 },
    },
    {
      name: "an R3 schedule that ended still names its last slot",
      schedule: ["R3/2026-01-01T00:00:00Z/P1D"],
      lastRun: "2026-01-01T00:00:00Z",
      tick: "2026-02-01T00:00:00Z",
      expected: { slot: "2026-01-03T00:00:00.000Z", skipped: 1, firstSkipped: "2026-01-02T00:00:00.000Z" },
    },
  ])("$name", ({ schedule, lastRun, tick, expected }) => {
    const due = latestDueSlot(policy(...schedule), lastRun === undefined ? undefined : at(lastRun), at(tick));
    expect(due).toEqual({
      slot: at(expected.slot),
      skipped: expected.skipped,
      ...(expected.firstSkipped === undefined ? {} : { firstSkipped: at(expected.firstSkipped) }),
    });
  });

  it.each([
    ["the tick comes before the start", ["R/2026-01-01T02:00:00Z/P1D"], undefined, "2026-01-01T01:59:59Z"],
    [
      "the timer fires twice for one slot",
      ["R/2026-01-01T02:00:00Z/P1D"],
      "2026-01-05T02:00:00Z",
      "2026-01-05T02:05:00Z",
    ],
    [
      "the slot after the last run is not due yet",
      ["R/2026-01-01T02:00:00Z/PT4H"],
      "2026-01-05T02:00:00Z",
      "2026-01-05T05:59:59.999Z",
    ],
    [
      "an R3 schedule ran its last slot",
      ["R3/2026-01-01T00:00:00Z/P1D"],
      "2026-01-03T00:00:00Z",
      "2027-01-01T00:00:00Z",
    ],
  ])("runs nothing when %s", (_name, schedule, lastRun, tick) => {
    expect(
      latestDueSlot(policy(...schedule), lastRun === undefined ? undefined : at(lastRun), at(tick)),
    ).toBe(undefined);
  });
});

describe("nextSlot", () => {
  it.each([
    [["R/2026-01-01T02:00:00Z/P1D"], "2025-06-01T00:00:00Z", "2026-01-01T02:00:00.000Z"],
    [["R/2026-01-01T02:00:00Z/P1D"], "2026-01-01T02:00:00Z", "2026-01-02T02:00:00.000Z"],
    [
      ["R/2026-01-01T02:00:00Z/P1D", "R/2026-01-01T14:00:00Z/P1D"],
      "2026-01-01T03:00:00Z",
      "2026-01-01T14:00:00.000Z",
    ],
    [["R/2026-01-31T00:00:00Z/P1M"], "2026-01-31T00:00:00Z", "2026-02-28T00:00:00.000Z"],
    [["R/2023-03-31T10:00:00-08:00/P1M"], "2024-02-01T00:00:00Z", "2024-02-29T18:00:00.000Z"],
    [["R/2026-01-05T02:00:00Z/P1W"], "2026-01-06T00:00:00Z", "2026-01-12T02:00:00.000Z"],
    [
      ["R2/2026-01-01T00:00:00Z/P1D", "R/2026-06-01T00:00:00Z/P1M"],
      "2026-01-02T00:00:00Z",
      "2026-06-01T00:00:00.000Z",
    ],
  ])("%j after %s is %s", (schedule, after, expected) => {
    expect(nextSlot(policy(...schedule), at(after))?.toISOString()).toBe(expected);
  });

  it("is undefined once every entry has run its repetitions", () => {
    expect(nextSlot(policy("R5/2026-01-01T00:00:00Z/P1D"), at("2026-01-05T00:00:00Z"))).toBe(undefined);
  });
});
