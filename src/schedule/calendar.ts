// Adding ISO 8601 durations to instants in a fixed UTC offset: years and months move the calendar
// (clamped to the month's last day), weeks, days and times are fixed lengths because offsets have no DST.
import type { Duration } from "./iso8601.js";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** Months a duration moves the calendar by (years count as 12). */
export function calendarMonths(duration: Duration): number {
  return duration.years * 12 + duration.months;
}

/** The fixed-length part of a duration in milliseconds: weeks, days, hours, minutes, seconds. */
export function fixedMilliseconds(duration: Duration): number {
  const days = duration.weeks * 7 + duration.days;
  const seconds = duration.hours * 3600 + duration.minutes * 60 + duration.seconds;
  return days * DAY_MS + seconds * 1000;
}

/**
 * `epochMs + times × duration`, read in the wall clock of `offsetMinutes`. The months are added in one
 * step from `epochMs` (Jan 31 + 2×P1M is Mar 31, not Mar 28), then clamped to the target month's last
 * day (Jan 31 + P1M is Feb 28, or Feb 29 in a leap year), then the fixed-length part is added.
 */
export function addDuration(epochMs: number, duration: Duration, offsetMinutes: number, times = 1): number {
  const months = calendarMonths(duration) * times;
  const moved = months === 0 ? epochMs : addMonths(epochMs, months, offsetMinutes);
  return moved + fixedMilliseconds(duration) * times;
}

function addMonths(epochMs: number, months: number, offsetMinutes: number): number {
  const offsetMs = offsetMinutes * MINUTE_MS;
  const local = new Date(epochMs + offsetMs);
  const monthIndex = local.getUTCMonth() + months;
  const year = local.getUTCFullYear() + Math.floor(monthIndex / 12);
  const month = ((monthIndex % 12) + 12) % 12;
  const day = Math.min(local.getUTCDate(), daysInMonth(year, month));
  const timeOfDay = (((epochMs + offsetMs) % DAY_MS) + DAY_MS) % DAY_MS;
  return Date.UTC(year, month, day) + timeOfDay - offsetMs;
}

/** Days in a month; `month` is 0-based as in `Date`. */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
}
