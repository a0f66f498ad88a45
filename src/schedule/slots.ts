// Due slots of a policy's schedule: the instants its repeating intervals name, which one a timer
// tick should run (the latest missed one, once), and the next. Pure: every instant is a parameter.
import type { Policy } from "../model/policy.js";
import { addDuration, calendarMonths, fixedMilliseconds } from "./calendar.js";
import { parseRepeatingInterval, type RepeatingInterval } from "./iso8601.js";

/** Slot `index` (0-based) of a schedule, in epoch milliseconds, ignoring its repetitions limit. */
export function slotAt(schedule: RepeatingInterval, index: number): number {
  return addDuration(schedule.start.epochMs, schedule.duration, schedule.start.offsetMinutes, index);
}

/**
 * Index of the last slot at or before `epochMs`, or -1 when there is none (before the start). Fixed
 * durations divide; calendar durations binary-search, so a tick years after the start costs
 * O(log n) slot computations, never a walk through every slot.
 */
export function lastSlotIndex(schedule: RepeatingInterval, epochMs: number): number {
  const elapsed = epochMs - schedule.start.epochMs;
  if (elapsed < 0) return -1;
  const fixed = fixedMilliseconds(schedule.duration);
  const months = calendarMonths(schedule.duration);
  let index: number;
  if (months === 0) {
    index = Math.floor(elapsed / fixed);
  } else {
    // Adding n months (clamped) never moves a date by less than 28n days, so this bound is past `epochMs`.
    const shortest = months * 28 * 86_400_000 + fixed;
    let low = 0;
    let high = Math.floor(elapsed / shortest) + 1;
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (slotAt(schedule, middle) <= epochMs) low = middle;
      else high = middle;
    }
    index = low;
  }
  return schedule.repetitions === undefined ? index : Math.min(index, schedule.repetitions - 1);
}

export interface SlotsOptions {
  /** At most this many slots, the earliest first. */
  limit?: number;
}

/** The slots of one schedule after `from` (exclusive) up to `to` (inclusive), oldest first. */
export function slotsBetween(
  schedule: RepeatingInterval,
  from: Date,
  to: Date,
  options: SlotsOptions = {},
): Date[] {
  const first = lastSlotIndex(schedule, from.getTime()) + 1;
  const last = lastSlotIndex(schedule, to.getTime());
  const end = options.limit === undefined ? last : Math.min(last, first + options.limit - 1);
  const slots: Date[] = [];
  for (let index = first; index <= end; index++) slots.push(new Date(slotAt(schedule, index)));
  return slots;
}

/** Parses a validated policy's schedule entries. */
export function policySchedules(policy: Pick<Policy, "schedule">): RepeatingInterval[] {
  return policy.schedule.map((text) => parseRepeatingInterval(text));
}

/** The earliest slot of any of the policy's schedule entries strictly after `after`; none once all have ended. */
export function nextSlot(policy: Pick<Policy, "schedule">, after: Date): Date | undefined {
  let next: number | undefined;
  for (const schedule of policySchedules(policy)) {
    const index = lastSlotIndex(schedule, after.getTime()) + 1;
    if (schedule.repetitions !== undefined && index >= schedule.repetitions) continue;
    const slot = slotAt(schedule, index);
    if (next === undefined || slot < next) next = slot;
  }
  return next === undefined ? undefined : new Date(next);
}

/** The latest slot of any of the policy's schedule entries at or before `at`; none before the first start. */
export function latestSlot(policy: Pick<Policy, "schedule">, at: Date): Date | undefined {
  let latest: number | undefined;
  for (const schedule of policySchedules(policy)) {
    const index = lastSlotIndex(schedule, at.getTime());
    if (index < 0) continue;
    const slot = slotAt(schedule, index);
    if (latest === undefined || slot > latest) latest = slot;
  }
  return latest === undefined ? undefined : new Date(latest);
}

export interface DueSlot {
  /** The slot to run now: the latest one at or before the tick. */
  slot: Date;
  /** Slots after the last run and before `slot` that will not run (downtime, a long backup). */
  skipped: number;
  /** The earliest skipped slot, when any was skipped. */
  firstSkipped?: Date;
}

/**
 * The slot a tick should run, if any: the latest slot at or before `tick` and after `lastRunSlot`.
 * Missed slots are not caught up one by one; the latest runs once and the others are counted as
 * skipped (each schedule entry counts its own, so an instant two entries share counts twice). An
 * instance that never ran (`lastRunSlot` undefined) gets the latest slot with nothing counted as
 * skipped; pass its creation time as `lastRunSlot` to wait for the first slot after it instead.
 */
export function latestDueSlot(
  policy: Pick<Policy, "schedule">,
  lastRunSlot: Date | undefined,
  tick: Date,
): DueSlot | undefined {
  const slot = latestSlot(policy, tick);
  if (slot === undefined) return undefined;
  if (lastRunSlot === undefined) return { slot, skipped: 0 };
  const lastRun = lastRunSlot.getTime();
  if (slot.getTime() <= lastRun) return undefined;
  let skipped = 0;
  let firstSkipped: number | undefined;
  for (const schedule of policySchedules(policy)) {
    const afterLastRun = lastSlotIndex(schedule, lastRun) + 1;
    const beforeSlot = lastSlotIndex(schedule, slot.getTime() - 1);
    if (beforeSlot < afterLastRun) continue;
    skipped += beforeSlot - afterLastRun + 1;
    const earliest = slotAt(schedule, afterLastRun);
    if (firstSkipped === undefined || earliest < firstSkipped) firstSkipped = earliest;
  }
  return firstSkipped === undefined
    ? { slot, skipped }
    : { slot, skipped, firstSkipped: new Date(firstSkipped) };
}
