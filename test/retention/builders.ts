// Test builders for retention: recovery points as retention reads them, and policies.
import type { Policy, RetentionRule } from "../../src/model/policy.js";
import type { RetentionSubject } from "../../src/retention/tagging.js";

export type RetentionPolicy = Pick<Policy, "retention" | "schedule" | "timeZone">;

export function point(startTime: string, fields: Partial<RetentionSubject> = {}): RetentionSubject {
  return { id: `rp-${startTime}`, trigger: "Scheduled", status: "Succeeded", startTime, ...fields };
}

export function policy(
  defaultDuration: string,
  rules: RetentionRule[] = [],
  fields: Partial<RetentionPolicy> = {},
): RetentionPolicy {
  return {
    schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
    retention: { default: defaultDuration, rules },
    ...fields,
  };
}

/** One scheduled point a day at 02:00Z, from `first` to `last` inclusive (YYYY-MM-DD). */
export function dailyPoints(first: string, last: string): RetentionSubject[] {
  const points: RetentionSubject[] = [];
  for (
    let day = Date.parse(`${first}T02:00:00Z`);
    day <= Date.parse(`${last}T02:00:00Z`);
    day += 86_400_000
  ) {
    points.push(point(new Date(day).toISOString()));
  }
  return points;
}
