// The calendar period (day, week, month, year) an instant falls in, read in a fixed UTC offset: the
// buckets in which FirstOfDay/Week/Month/Year pick their first recovery point.
import type { RetentionCriteria } from "../model/policy.js";

const DAY_MS = 86_400_000;

/**
 * A stable name for the period of `criteria` containing `epochMs` in the wall clock of `offsetMinutes`:
 * `2026-03-09` (day), `week of 2026-03-09` (the Monday starting it), `2026-03` (month), `2026` (year).
 * Weeks start on Monday, as ISO 8601 weeks do.
 */
export function periodOf(criteria: RetentionCriteria, epochMs: number, offsetMinutes: number): string {
  const local = new Date(epochMs + offsetMinutes * 60_000);
  switch (criteria) {
    case "FirstOfDay":
      return isoDate(local);
    case "FirstOfWeek": {
      const daysSinceMonday = (local.getUTCDay() + 6) % 7;
      return `week of ${isoDate(new Date(local.getTime() - daysSinceMonday * DAY_MS))}`;
    }
    case "FirstOfMonth":
      return isoDate(local).slice(0, 7);
    case "FirstOfYear":
      return String(local.getUTCFullYear());
  }
}

function isoDate(local: Date): string {
  return local.toISOString().slice(0, 10);
}
