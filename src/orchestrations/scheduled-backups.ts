// The schedule: every tick (a timer, every 5 minutes) starts one `scheduledBackups` orchestration
// under an id derived from the tick, so a timer that fires twice starts nothing twice. It asks which
// instances have a due slot, runs a `backupInstance` sub-orchestration per instance with the
// deterministic id `backup:<instance>:<slot>`, and reports every instance's outcome; one instance
// failing never stops the others. On Azure it first applies the config blob, if it changed.
import * as df from "durable-functions";
import type { Policy } from "../model/policy.js";
import { latestDueSlot, latestSlot } from "../schedule/slots.js";
import { applyConfigBlob, type ConfigBlobOutcome } from "../store/config-blob.js";
import { ScheduleStateStore } from "../store/schedule-state.js";
import { type OrchestrationClient, startOnce } from "./client.js";
import type { Environment } from "./environment.js";
import type { OrchestrationModule } from "./module.js";
import { settleAll } from "./settle.js";

/** What the tick reads of a backupInstance output. */
type BackupResult = { status?: string; recoveryPointId?: string; reason?: string };

export const TICK_MINUTES = 5;
const TICK_MS = TICK_MINUTES * 60_000;

export interface TickInput {
  /** The tick's time (ISO), rounded down to the tick interval. */
  tick: string;
  /** A config blob to apply before listing (Azure); absent locally, where `serve` seeds its file. */
  configBlob?: string;
}

export interface DueInstance {
  instance: string;
  /** The slot to back up (ISO). */
  slot: string;
  /** Earlier slots since the last run that will not run (downtime, a long backup). */
  skipped: number;
}

export interface InstanceProblem {
  instance: string;
  message: string;
}

export interface DueInstances {
  due: DueInstance[];
  /** Instances that could not be scheduled (their policy is missing, their state unreadable). */
  problems: InstanceProblem[];
  /** Instances seen for the first time: their first scheduled backup is the next slot. */
  baselined: string[];
}

export interface ListDueInput {
  tick: string;
  /** The orchestration asking; a re-run of its activity finds its own claims again. */
  claimant: string;
}

export interface InstanceOutcome {
  instance: string;
  slot: string;
  /** The backupInstance orchestration's id. */
  jobId: string;
  status: string;
  recoveryPointId?: string;
  skippedSlots: number;
  reason?: string;
}

export interface TickResult {
  tick: string;
  instances: InstanceOutcome[];
  problems: InstanceProblem[];
  baselined: string[];
  /** What applying the config blob found, when the tick was given one. */
  config?: ConfigBlobOutcome;
}

/** The id of the tick orchestration for a time: one per tick interval. */
export function tickInstanceId(at: Date): string {
  return `scheduledBackups:${roundToTick(at).toISOString()}`;
}

export function roundToTick(at: Date): Date {
  return new Date(Math.floor(at.getTime() / TICK_MS) * TICK_MS);
}

/** The id of a scheduled backup: one per instance and slot, whoever starts it. */
export function scheduledBackupId(instance: string, slot: string): string {
  return `backup:${instance}:${slot}`;
}

/** Starts the tick orchestration for `at` unless it already exists; true when it was started. */
export function startTick(
  client: OrchestrationClient,
  at: Date,
  options: { configBlob?: string } = {},
): Promise<boolean> {
  return startOnce(client, "scheduledBackups", tickInstanceId(at), {
    tick: roundToTick(at).toISOString(),
    ...(options.configBlob ? { configBlob: options.configBlob } : {}),
  } satisfies TickInput);
}

const LIST_RETRY = new df.RetryOptions(5_000, 3);
LIST_RETRY.backoffCoefficient = 2;

function* scheduledBackups(context: df.OrchestrationContext): Generator<df.Task, TickResult, unknown> {
  const { tick, configBlob } = context.df.getInput() as TickInput;
  const config =
    configBlob === undefined
      ? undefined
      : ((yield context.df.callActivity("applyConfigBlob", { blob: configBlob })) as ConfigBlobOutcome);
  const listed = (yield context.df.callActivityWithRetry("listDueInstances", LIST_RETRY, {
    tick,
    claimant: context.df.instanceId,
  } satisfies ListDueInput)) as DueInstances;
  context.df.setCustomStatus({ phase: "backing up", due: listed.due.length });

  const tasks = listed.due.map((due) =>
    context.df.callSubOrchestrator(
      "backupInstance",
      { instance: due.instance, trigger: "Scheduled", slot: due.slot },
      scheduledBackupId(due.instance, due.slot),
    ),
  );
  const settled = yield* settleAll<BackupResult | null>(context, tasks);
  const instances = settled.map((outcome, index): InstanceOutcome => {
    const due = listed.due[index] as DueInstance;
    const base = {
      instance: due.instance,
      slot: due.slot,
      jobId: scheduledBackupId(due.instance, due.slot),
      skippedSlots: due.skipped,
    };
    if (!outcome.ok) return { ...base, status: "Failed", reason: outcome.error };
    const output = outcome.value;
    return {
      ...base,
      status: output?.status ?? "Unknown",
      ...(output?.recoveryPointId ? { recoveryPointId: output.recoveryPointId } : {}),
      ...(output?.reason ? { reason: output.reason } : {}),
    };
  });
  context.df.setCustomStatus({ phase: "done", due: listed.due.length });
  return {
    tick,
    instances,
    problems: listed.problems,
    baselined: listed.baselined,
    ...(config ? { config } : {}),
  };
}

/** Which instances have a due slot at `tick`; claims each slot so no other tick runs it again. */
export async function listDueInstances(input: ListDueInput, env: Environment): Promise<DueInstances> {
  const tick = new Date(input.tick);
  if (Number.isNaN(tick.getTime())) throw new Error(`listDueInstances: tick "${input.tick}" is not a time`);
  const states = new ScheduleStateStore(env.catalog.container);
  const [instances, policies] = await Promise.all([
    env.definitions.list("instance"),
    env.definitions.list("policy"),
  ]);
  const policyByName = new Map(policies.map((p) => [p.value.name, p.value]));
  const result: DueInstances = { due: [], problems: [], baselined: [] };
  for (const { value: instance } of instances) {
    const policy = policyByName.get(instance.policy);
    if (!policy) {
      result.problems.push({
        instance: instance.name,
        message: `policy "${instance.policy}" does not exist`,
      });
      continue;
    }
    try {
      const outcome = await claimSlot(states, instance.name, policy, tick, input.claimant);
      if (outcome === "baselined") result.baselined.push(instance.name);
      else if (outcome) result.due.push(outcome);
    } catch (error) {
      result.problems.push({ instance: instance.name, message: (error as Error).message });
    }
  }
  return result;
}

async function claimSlot(
  states: ScheduleStateStore,
  instance: string,
  policy: Policy,
  tick: Date,
  claimant: string,
): Promise<DueInstance | "baselined" | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const stored = await states.get(instance);
    const lastSlot = stored ? new Date(stored.state.lastSlot) : undefined;
    if (stored?.state.claimedBy === claimant) {
      return { instance, slot: stored.state.lastSlot, skipped: stored.state.skipped ?? 0 };
    }
    if (!stored || !lastSlot || Number.isNaN(lastSlot.getTime())) {
      // First sight (or a damaged state): the next slot is the first, nothing is run for the past.
      const baseline = latestSlot(policy, tick) ?? tick;
      if (await states.put(instance, { lastSlot: baseline.toISOString() }, stored?.etag)) return "baselined";
      continue;
    }
    const due = latestDueSlot(policy, lastSlot, tick);
    if (!due) return undefined;
    const slot = due.slot.toISOString();
    const claim = { lastSlot: slot, claimedBy: claimant, skipped: due.skipped };
    if (await states.put(instance, claim, stored.etag)) return { instance, slot, skipped: due.skipped };
  }
  throw new Error(`the schedule state of ${instance} kept changing while it was being claimed`);
}

/** Applies the config blob if it changed (src/store/config-blob.ts); never throws. */
export function applyConfigBlobActivity(
  input: { blob: string },
  env: Environment,
): Promise<ConfigBlobOutcome> {
  return applyConfigBlob({ container: env.catalog.container, definitions: env.definitions }, input.blob, {
    now: () => env.now(),
    log: (message) => console.warn(message),
  });
}

export const scheduledBackupsModule: OrchestrationModule = {
  orchestrators: { scheduledBackups },
  activities: { listDueInstances, applyConfigBlob: applyConfigBlobActivity },
};

export interface Scheduler {
  stop(): void;
}

/**
 * Starts a tick now and then at every tick boundary (the local `serve` does what the Functions
 * timer does on Azure). Errors go to `onError`; the next tick tries again.
 */
export function startScheduler(options: {
  client: OrchestrationClient;
  now?: () => Date;
  onError?: (error: unknown) => void;
}): Scheduler {
  const now = options.now ?? (() => new Date());
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const tick = () => {
    startTick(options.client, now()).catch((error: unknown) => options.onError?.(error));
  };
  const schedule = () => {
    if (stopped) return;
    const wait = TICK_MS - (now().getTime() % TICK_MS) + 1_000;
    timer = setTimeout(() => {
      tick();
      schedule();
    }, wait);
    timer.unref();
  };
  tick();
  schedule();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
