// ISO 8601 durations, date-times and repeating intervals as Azure Backup policies write them.
import { describe, expect, it } from "vitest";
import {
  type Duration,
  durationToString,
  formatUtcOffset,
  parseDateTime,
  parseDuration,
  parseRepeatingInterval,
  parseUtcOffset,
} from "../../src/schedule/iso8601.js";

const zero: Duration = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };

describe("parseDuration", () => {
  it.each([
    ["P7D", { days: 7 }],
    ["PT4H", { hours: 4 }],
    ["P12W", { weeks: 12 }],
    ["P1Y2M", { years: 1, months: 2 }],
    ["PT30M", { minutes: 30 }],
    ["PT90S", { seconds: 90 }],
    ["P1Y2M10DT2H30M", { years: 1, months: 2, days: 10, hours: 2, minutes: 30 }],
    ["P1W2D", { weeks: 1, days: 2 }],
    ["P0DT1H", { hours: 1 }],
  ])("reads %s", (text, fields) => {
    const duration = parseDuration(text);
    expect(duration).toEqual({ ...zero, ...fields });
  });

  it.each([
    ["", /a duration is required/],
    ["P", /"P" has no duration after it/],
    ["PT", /"T" with no hours/],
    ["P1DT", /"T" with no hours/],
    ["-P7D", /negative/],
    ["P-7D", /not an ISO 8601 duration/],
    ["PT1.5H", /fraction.*PT90M/],
    ["PT0,5S", /fraction/],
    ["P4H", /follow a "T"/],
    ["p7d", /upper-case/],
    ["P7d", /upper-case/],
    ["7D", /must start with "P"/],
    ["P1D2Y", /units in that order/],
    ["P0D", /zero/],
    ["PT0S", /zero/],
    ["P99999999999999999999D", /too large/],
  ])("refuses %j", (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });

  it.each(["P7D", "PT4H", "P12W", "P1Y2M", "PT30M", "P1Y2M3W4DT5H6M7S", "P1DT12H"])(
    "writes %s back as it was",
    (text) => {
      expect(durationToString(parseDuration(text))).toBe(text);
    },
  );

  it("writes zero as PT0S and leaves zero units out", () => {
    expect(durationToString(zero)).toBe("PT0S");
    expect(durationToString({ ...zero, days: 1, seconds: 5 })).toBe("P1DT5S");
  });
});

describe("parseUtcOffset", () => {
  it.each([
    ["Z", 0],
    ["+00:00", 0],
    ["-00:00", 0],
    ["+05:30", 330],
    ["-08:00", -480],
    ["+14:00", 840],
  ])("reads %s", (text, minutes) => {
    expect(parseUtcOffset(text)).toBe(minutes);
  });

  it.each(["+5:30", "+0530", "UTC", "z", "+14:30", "+05:60"])("refuses %s", (text) => {
    expect(() => parseUtcOffset(text)).toThrow(/offset/);
  });

  it.each([0, 330, -480, -570])("formats %i minutes back", (minutes) => {
    expect(parseUtcOffset(formatUtcOffset(minutes))).toBe(minutes);
  });
});

describe("parseDateTime", () => {
  it.each([
    ["2026-01-01T02:00:00+00:00", Date.UTC(2026, 0, 1, 2), 0],
    ["2026-01-01T02:00:00Z", Date.UTC(2026, 0, 1, 2), 0],
    ["2026-01-01T02:00:00+05:30", Date.UTC(2025, 11, 31, 20, 30), 330],
    ["2026-01-01T02:00-08:00", Date.UTC(2026, 0, 1, 10), -480],
    ["2023-10-15T14:30:45.123+05:30", Date.UTC(2023, 9, 15, 9, 0, 45, 123), 330],
    ["2023-10-15T14:30:45.5Z", Date.UTC(2023, 9, 15, 14, 30, 45, 500), 0],
    ["2028-02-29T00:00:00Z", Date.UTC(2028, 1, 29), 0],
    ["2000-02-29T23:59:59Z", Date.UTC(2000, 1, 29, 23, 59, 59), 0],
  ])("reads %s", (text, epochMs, offsetMinutes) => {
    expect(parseDateTime(text)).toEqual({ epochMs, offsetMinutes });
  });

  it("uses the default offset for a date-time written without one", () => {
    expect(parseDateTime("2026-01-01T02:00:00", { defaultOffsetMinutes: 60 })).toEqual({
      epochMs: Date.UTC(2026, 0, 1, 1),
      offsetMinutes: 60,
    });
  });

  it.each([
    ["2026-01-01T02:00:00", /no UTC offset; add Z/],
    ["2026-01-01", /no time of day/],
    ["20260101T020000Z", /basic \(compact\) format/],
    ["2026-01-01T1430Z", /basic \(compact\) format/],
    ["2027-02-29T00:00:00Z", /2027-02 has no day 29/],
    ["1900-02-29T00:00:00Z", /year must be 1970 or later/],
    ["2026-04-31T00:00:00Z", /2026-04 has no day 31/],
    ["2026-13-01T00:00:00Z", /month 13 does not exist/],
    ["2026-01-01T24:00:00Z", /hour 24 is out of range/],
    ["2026-01-01T02:60:00Z", /minute 60/],
    ["2026-01-01T02:00:60Z", /second 60/],
    ["2026-01-01T02:00:00+15:00", /out of range/],
    ["2026-01-01 02:00:00Z", /not a date-time/],
  ])("refuses %s", (text, message) => {
    expect(() => parseDateTime(text)).toThrow(message);
  });
});

describe("parseRepeatingInterval", () => {
  it.each([
    ["R/2026-01-01T02:00:00+00:00/P1D", undefined, Date.UTC(2026, 0, 1, 2), 0, { days: 1 }],
    ["R/2026-01-01T02:00:00Z/PT4H", undefined, Date.UTC(2026, 0, 1, 2), 0, { hours: 4 }],
    ["R/2026-01-01T02:00:00+05:30/P1W", undefined, Date.UTC(2025, 11, 31, 20, 30), 330, { weeks: 1 }],
    ["R5/2024-02-29T23:00:00-01:00/P1Y", 5, Date.UTC(2024, 2, 1), -60, { years: 1 }],
    ["R/2023-10-15T14:30Z/P1D", undefined, Date.UTC(2023, 9, 15, 14, 30), 0, { days: 1 }],
  ])("reads %s", (text, repetitions, epochMs, offsetMinutes, fields) => {
    const interval = parseRepeatingInterval(text);
    expect(interval.repetitions).toBe(repetitions);
    expect(interval.start).toEqual({ epochMs, offsetMinutes });
    expect(interval.duration).toEqual({ ...zero, ...fields });
  });

  it.each([
    ["2026-01-01T02:00:00Z/P1D", /must start with "R\/"/],
    ["R/2026-01-01T02:00:00Z", /expected R\/<start>\/<duration>/],
    ["R/2026-01-01T02:00:00Z/P1D/x", /expected R\/<start>\/<duration>/],
    ["R0/2026-01-01T02:00:00Z/P1D", /R0 never runs/],
    ["R/P1D/2026-01-01T02:00:00Z", /the start comes before the duration/],
    ["R/2026-01-01T02:00:00Z/2026-01-02T02:00:00Z", /start\/end intervals are not supported/],
    ["R/2026-01-01T02:00:00/P1D", /start "2026-01-01T02:00:00" has no UTC offset/],
    ["R/2026-02-30T02:00:00Z/P1D", /start .*has no day 30/],
    ["R/2026-01-01T02:00:00Z/PT", /duration "PT"/],
    ["R/2026-01-01T02:00:00Z/P0D", /duration "P0D" is zero/],
    ["R/2026-01-01T02:00:00Z/-P1D", /duration "-P1D" is negative/],
    ["RX/2026-01-01T02:00:00Z/P1D", /must start with "R\/"/],
  ])("refuses %s", (text, message) => {
    expect(() => parseRepeatingInterval(text)).toThrow(message);
  });
});
