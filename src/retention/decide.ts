// Which recovery points of one instance a policy keeps, until when and why, and which have expired.
// Pure and deterministic: the same points, policy and `now` always give the same decision.
import { type Policy, policyOffsetMinutes } from "../model/policy.js";
import { addDuration } from "../schedule/calendar.js";
import { type Duration, Iso8601Error, parseDuration } from "../schedule/iso8601.js";
import { compareByStart, type RetentionSubject, startOf, tagRecoveryPoints } from "./tagging.js";

export interface KeptRecoveryPoint {
  id: string;
  /** When its retention ends; before `now` only for the protected newest successful point. */
  until: Date;
  reasons: string[];
}

export interface ExpiredRecoveryPoint {
  id: string;
  reason: string;
}

export interface RetentionDecision {
  /** Oldest first. */
  keep: KeptRecoveryPoint[];
  /** Oldest first. */
  expire: ExpiredRecoveryPoint[];
}

export interface RetentionOptions {
  /** The instance is still protected: its newest successful recovery point is never expired. */
  protected: boolean;
}

/** Beyond any retention: what a point gets when it cannot be read, so it is never deleted by guesswork. */
const FOREVER = new Date(8_640_000_000_000_000);

interface Lifetime {
  until: number;
  reason: string;
}

export function decideRetention(
  points: readonly RetentionSubject[],
  policy: Pick<Policy, "retention" | "schedule" | "timeZone">,
  now: Date,
  options: RetentionOptions,
): RetentionDecision {
  const offsetMinutes = policyOffsetMinutes(policy);
  const defaultDuration = policy.retention.default;
  const ruleDurations = new Map((policy.retention.rules ?? []).map((rule) => [rule.criteria, rule.duration]));
  const tags = tagRecoveryPoints(points, policy, offsetMinutes);
  const sorted = [...points].sort(compareByStart);
  const protectedId = options.protected ? newestSuccessful(sorted, now)?.id : undefined;
  const keep: KeptRecoveryPoint[] = [];
  const expire: ExpiredRecoveryPoint[] = [];

  for (const point of sorted) {
    const start = startOf(point);
    if (Number.isNaN(start)) {
      keep.push({
        id: point.id,
        until: FOREVER,
        reasons: [
          `startTime ${JSON.stringify(point.startTime)} is not a date-time: kept until the manifest is fixed`,
        ],
      });
      continue;
    }
    const lifetimes: Lifetime[] = [];
    const lifetime = (duration: string, reason: string): Lifetime => ({
      until: addDuration(start, parseDuration(duration), offsetMinutes),
      reason,
    });
    if (point.status === "Failed") {
      lifetimes.push(lifetime(defaultDuration, `failed backup: default retention ${defaultDuration}`));
    } else if (point.trigger === "Scheduled") {
      lifetimes.push(lifetime(defaultDuration, `default retention ${defaultDuration}`));
      for (const tag of tags.get(point.id) ?? []) {
        const duration = ruleDurations.get(tag.criteria);
        if (duration !== undefined)
          lifetimes.push(lifetime(duration, `${tag.criteria} (${tag.period}) ${duration}`));
      }
    } else {
      const label = point.trigger === "OnDemand" ? "on-demand" : "pre-upgrade";
      if (point.retention === undefined) {
        lifetimes.push(
          lifetime(defaultDuration, `${label} backup without a retention tag: default ${defaultDuration}`),
        );
      } else if (readableDuration(point.retention) === undefined) {
        keep.push({
          id: point.id,
          until: FOREVER,
          reasons: [
            `retention tag ${JSON.stringify(point.retention)} is not an ISO 8601 duration: kept until fixed`,
          ],
        });
        continue;
      } else {
        lifetimes.push(lifetime(point.retention, `${label} retention ${point.retention}`));
      }
    }

    // The longest lifetime wins and is listed first; the others stay as reasons for the record.
    lifetimes.sort((a, b) => b.until - a.until);
    const [longest] = lifetimes;
    if (longest === undefined) continue;
    const until = new Date(longest.until);
    const reasons = lifetimes.map((entry) => entry.reason);
    if (start > now.getTime()) {
      keep.push({ id: point.id, until, reasons: [...reasons, "starts after now (clock skew?): kept"] });
    } else if (longest.until > now.getTime()) {
      keep.push({ id: point.id, until, reasons });
    } else if (point.id === protectedId) {
      const guard = "newest successful recovery point of a protected instance: kept past its retention";
      keep.push({ id: point.id, until, reasons: [...reasons, guard] });
    } else {
      expire.push({ id: point.id, reason: `retention ended ${until.toISOString()} (${longest.reason})` });
    }
  }
  return { keep, expire };
}

/** The newest restorable point that has started; a point dated in the future is kept anyway. */
function newestSuccessful(sorted: readonly RetentionSubject[], now: Date): RetentionSubject | undefined {
  let newest: RetentionSubject | undefined;
  for (const point of sorted) {
    if (point.status === "Failed" || !(startOf(point) <= now.getTime())) continue;
    newest = point;
  }
  return newest;
}

function readableDuration(text: string): Duration | undefined {
  try {
    return parseDuration(text);
  } catch (error) {
    if (error instanceof Iso8601Error) return undefined;
    throw error;
  }
}
