// Calendar arithmetic in a fixed UTC offset: month ends, leap days, offsets east and west of UTC.
import { describe, expect, it } from "vitest";
import { addDuration } from "../../src/schedule/calendar.js";
import { parseDateTime, parseDuration } from "../../src/schedule/iso8601.js";

function add(start: string, duration: string, times = 1): string {
  const { epochMs, offsetMinutes } = parseDateTime(start);
  return new Date(addDuration(epochMs, parseDuration(duration), offsetMinutes, times)).toISOString();
}

describe("addDuration", () => {
  it.each([
    ["2026-01-31T02:00:00Z", "P1M", 1, "2026-02-28T02:00:00.000Z"],
    ["2024-01-31T02:00:00Z", "P1M", 1, "2024-02-29T02:00:00.000Z"],
    ["2026-01-31T02:00:00Z", "P1M", 2, "2026-03-31T02:00:00.000Z"],
    ["2026-03-31T02:00:00Z", "P1M", 1, "2026-04-30T02:00:00.000Z"],
    ["2026-12-31T02:00:00Z", "P2M", 1, "2027-02-28T02:00:00.000Z"],
    ["2024-02-29T02:00:00Z", "P1Y", 1, "2025-02-28T02:00:00.000Z"],
    ["2024-02-29T02:00:00Z", "P1Y", 4, "2028-02-29T02:00:00.000Z"],
    ["2024-02-29T02:00:00Z", "P12M", 1, "2025-02-28T02:00:00.000Z"],
    ["2026-01-31T02:00:00Z", "P1M1D", 1, "2026-03-01T02:00:00.000Z"],
    ["2026-01-01T02:00:00Z", "P7D", 1, "2026-01-08T02:00:00.000Z"],
    ["2026-01-01T02:00:00Z", "P12W", 1, "2026-03-26T02:00:00.000Z"],
    ["2026-01-01T02:00:00Z", "PT4H", 6, "2026-01-02T02:00:00.000Z"],
    ["2026-12-31T23:00:00Z", "PT1H", 1, "2027-01-01T00:00:00.000Z"],
  ])("%s + %s × %i is %s", (start, duration, times, expected) => {
    expect(add(start, duration, times)).toBe(expected);
  });

  it.each([
    // Jan 31 23:00 at +05:30 is 17:30Z; a month later is Feb 28 23:00 at +05:30.
    ["2026-01-31T23:00:00+05:30", "P1M", "2026-02-28T17:30:00.000Z"],
    // Jan 30 20:00 at -08:00 is Jan 31 04:00Z: in UTC a month later would be Feb 28, in -08:00 it is Mar 1.
    ["2026-01-30T20:00:00-08:00", "P1M", "2026-03-01T04:00:00.000Z"],
    ["2026-01-31T20:00:00-08:00", "P1M", "2026-03-01T04:00:00.000Z"],
    ["2024-01-31T01:00:00+05:30", "P1M", "2024-02-28T19:30:00.000Z"],
  ])("reads months in the offset written: %s + %s is %s", (start, duration, expected) => {
    expect(add(start, duration)).toBe(expected);
  });

  it("keeps 24-hour days across a DST change date, since an offset has no DST", () => {
    expect(add("2026-03-07T23:30:00-08:00", "P1D", 2)).toBe("2026-03-10T07:30:00.000Z");
  });
});
