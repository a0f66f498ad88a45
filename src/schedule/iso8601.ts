// ISO 8601 syntax as Azure Backup policies write it: durations (P7D, PT4H), date-times with a UTC
// offset, and repeating intervals R[n]/<start>/<duration>. Parsing and range checks only; no due slots.

export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

/** An instant as written: the UTC instant plus the offset the author used (days start at that offset). */
export interface DateTimeWithOffset {
  epochMs: number;
  offsetMinutes: number;
}

export interface RepeatingInterval {
  /** Absent for `R/...` (repeat forever). */
  repetitions?: number;
  start: DateTimeWithOffset;
  duration: Duration;
}

export class Iso8601Error extends Error {
  readonly code = "InvalidIso8601";
  override name = "Iso8601Error";
}

const DURATION_UNITS = ["years", "months", "weeks", "days", "hours", "minutes", "seconds"] as const;
const DURATION_FORM = "P[nY][nM][nW][nD][T[nH][nM][nS]] with whole numbers, e.g. P7D, PT4H, P1Y2M";
const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?$/;
const OFFSET = /^(?:Z|([+-])(\d{2}):(\d{2}))$/;
/** UTC offsets in use range from -12:00 to +14:00. */
const MAX_OFFSET_MINUTES = 14 * 60;

export function parseDuration(text: string): Duration {
  const match = DURATION.exec(text);
  if (!match) throw new Iso8601Error(explainBadDuration(text));
  if (text.endsWith("T")) {
    throw new Iso8601Error(`"${text}" has a "T" with no hours, minutes or seconds after it`);
  }
  const unit = (index: number): number => {
    const value = Number(match[index + 1] ?? 0);
    const name = DURATION_UNITS[index];
    if (!Number.isSafeInteger(value)) throw new Iso8601Error(`"${text}": the ${name} value is too large`);
    return value;
  };
  const duration: Duration = {
    years: unit(0),
    months: unit(1),
    weeks: unit(2),
    days: unit(3),
    hours: unit(4),
    minutes: unit(5),
    seconds: unit(6),
  };
  if (text === "P") throw new Iso8601Error(`"P" has no duration after it (expected ${DURATION_FORM})`);
  if (DURATION_UNITS.every((unit) => duration[unit] === 0)) {
    throw new Iso8601Error(`"${text}" is zero; a duration must be longer than zero`);
  }
  return duration;
}

function explainBadDuration(text: string): string {
  if (text.trim() === "") return `a duration is required (expected ${DURATION_FORM})`;
  if (text.startsWith("-")) return `"${text}" is negative; durations must be positive`;
  if (/[.,]\d/.test(text)) {
    return `"${text}" has a fraction; use whole numbers of a smaller unit (PT90M rather than PT1.5H)`;
  }
  if (/^P(?:\d+[YMWD])*\d+[HS]/.test(text)) {
    return `"${text}": hours, minutes and seconds follow a "T" (e.g. PT4H, P1DT12H)`;
  }
  if (!/^[Pp]/.test(text))
    return `"${text}" is not an ISO 8601 duration: it must start with "P" (${DURATION_FORM})`;
  if (/^[Pp][\dTt]/.test(text) && /[a-z]/.test(text)) {
    return `"${text}": ISO 8601 designators are upper-case (e.g. P7D, PT4H)`;
  }
  return `"${text}" is not an ISO 8601 duration: expected ${DURATION_FORM}, units in that order`;
}

/** Canonical text of a duration: zero units left out, `PT0S` for an all-zero value. */
export function durationToString(duration: Duration): string {
  const date = [
    duration.years ? `${duration.years}Y` : "",
    duration.months ? `${duration.months}M` : "",
    duration.weeks ? `${duration.weeks}W` : "",
    duration.days ? `${duration.days}D` : "",
  ].join("");
  const time = [
    duration.hours ? `${duration.hours}H` : "",
    duration.minutes ? `${duration.minutes}M` : "",
    duration.seconds ? `${duration.seconds}S` : "",
  ].join("");
  if (!date && !time) return "PT0S";
  return `P${date}${time ? `T${time}` : ""}`;
}

/** Parses a UTC offset: `Z`, `+05:30`, `-08:00`. Returns minutes east of UTC. */
export function parseUtcOffset(text: string): number {
  const match = OFFSET.exec(text);
  if (!match) throw new Iso8601Error(`"${text}" is not a UTC offset (expected Z, +hh:mm or -hh:mm)`);
  if (text === "Z") return 0;
  const [, sign, hh, mm] = match;
  const minutes = Number(hh) * 60 + Number(mm);
  if (Number(mm) > 59 || minutes > MAX_OFFSET_MINUTES) {
    throw new Iso8601Error(`"${text}" is out of range: UTC offsets run from -14:00 to +14:00`);
  }
  return sign === "-" && minutes > 0 ? -minutes : minutes;
}

export function formatUtcOffset(offsetMinutes: number): string {
  if (offsetMinutes === 0) return "+00:00";
  const abs = Math.abs(offsetMinutes);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `${offsetMinutes < 0 ? "-" : "+"}${hh}:${mm}`;
}

export interface DateTimeOptions {
  /** Offset for a date-time written without one; without it such a date-time is an error. */
  defaultOffsetMinutes?: number;
}

/** Extended-format date-time `YYYY-MM-DDThh:mm[:ss[.fff]][Z|±hh:mm]`, the forms Azure Backup accepts. */
export function parseDateTime(text: string, options: DateTimeOptions = {}): DateTimeWithOffset {
  const match = DATE_TIME.exec(text);
  if (!match) throw new Iso8601Error(explainBadDateTime(text));
  const [, year = "", month = "", day = "", hour = "", minute = "", second = "0", fraction = "0", offset] =
    match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  const ms = Number(fraction.padEnd(3, "0"));
  if (y < 1970) throw new Iso8601Error(`"${text}": the year must be 1970 or later`);
  if (mo < 1 || mo > 12) throw new Iso8601Error(`"${text}": month ${month} does not exist`);
  if (d < 1 || d > daysInMonth(y, mo)) {
    throw new Iso8601Error(`"${text}": ${year}-${month} has no day ${day}`);
  }
  if (h > 23) throw new Iso8601Error(`"${text}": hour ${hour} is out of range (00-23)`);
  if (mi > 59) throw new Iso8601Error(`"${text}": minute ${minute} is out of range (00-59)`);
  if (s > 59) throw new Iso8601Error(`"${text}": second ${second} is out of range (00-59)`);
  let offsetMinutes: number;
  if (offset !== undefined) {
    try {
      offsetMinutes = parseUtcOffset(offset);
    } catch (error) {
      throw new Iso8601Error(`"${text}": ${(error as Error).message}`);
    }
  } else if (options.defaultOffsetMinutes !== undefined) {
    offsetMinutes = options.defaultOffsetMinutes;
  } else {
    throw new Iso8601Error(`"${text}" has no UTC offset; add Z or ±hh:mm (e.g. ${text}+00:00)`);
  }
  const epochMs = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000;
  return { epochMs, offsetMinutes };
}

function explainBadDateTime(text: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    return `"${text}" has no time of day (expected e.g. ${text}T02:00:00+00:00)`;
  }
  if (/^\d{8}T/.test(text) || /T\d{4}/.test(text)) {
    return `"${text}": the basic (compact) format is not supported; write YYYY-MM-DDThh:mm:ss±hh:mm`;
  }
  return `"${text}" is not a date-time: expected YYYY-MM-DDThh:mm[:ss[.fff]] followed by Z or ±hh:mm, e.g. 2026-01-01T02:00:00+00:00`;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** `R/<start>/<duration>` (forever) or `Rn/<start>/<duration>` (n times), as in Azure's repeatingTimeIntervals. */
export function parseRepeatingInterval(text: string, options: DateTimeOptions = {}): RepeatingInterval {
  const example = "R/2026-01-01T02:00:00+00:00/P1D";
  const parts = text.split("/");
  const head = parts[0] ?? "";
  if (!/^R\d*$/.test(head)) {
    throw new Iso8601Error(
      `"${text}" is not a repeating interval: it must start with "R/" (e.g. ${example})`,
    );
  }
  if (parts.length !== 3) {
    throw new Iso8601Error(
      `"${text}" is not a repeating interval: expected R/<start>/<duration>, e.g. ${example}`,
    );
  }
  const [, startText = "", durationText = ""] = parts;
  let repetitions: number | undefined;
  if (head.length > 1) {
    repetitions = Number(head.slice(1));
    if (repetitions < 1 || !Number.isSafeInteger(repetitions)) {
      throw new Iso8601Error(`"${text}": ${head} never runs; use R/ to repeat forever or R<n> with n ≥ 1`);
    }
  }
  if (startText.startsWith("P")) {
    throw new Iso8601Error(
      `"${text}": the start comes before the duration (R/<start>/<duration>, e.g. ${example})`,
    );
  }
  if (/^\d{4}-/.test(durationText)) {
    throw new Iso8601Error(`"${text}": start/end intervals are not supported; write R/<start>/<duration>`);
  }
  let start: DateTimeWithOffset;
  let duration: Duration;
  try {
    start = parseDateTime(startText, options);
  } catch (error) {
    throw new Iso8601Error(`"${text}": start ${(error as Error).message}`);
  }
  try {
    duration = parseDuration(durationText);
  } catch (error) {
    throw new Iso8601Error(`"${text}": duration ${(error as Error).message}`);
  }
  return repetitions === undefined ? { start, duration } : { repetitions, start, duration };
}
