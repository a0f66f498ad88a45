// Retention as durable activities: `applyRetention` deletes an instance's expired recovery points
// (two-phase, see store/recovery-point-deletion.ts), the daily `retentionSweep` runs it for every
// instance after `sweepStorage` has finished interrupted deletions, removed what crashed backups
// left and deleted orphaned snapshots. Stopping protection retains or deletes an instance's data.
import * as df from "durable-functions";
import { decideRetention } from "../retention/decide.js";
import { CatalogError } from "../store/catalog.js";
import type { WriteOptions } from "../store/definitions.js";
import {
  type DeletionResult,
  deleteRecoveryPoint,
  finishDeletion,
} from "../store/recovery-point-deletion.js";
import { type OrchestrationClient, startOnce } from "./client.js";
import { type DeletionWork, deletionDeps, type PointFailure, runDeletions } from "./deletions.js";
import type { Environment } from "./environment.js";
import type { OrchestrationModule } from "./module.js";
import { type StorageSweepOutput, type SweepInput, sweepStorage } from "./storage-sweep.js";

export type { PointFailure } from "./deletions.js";
export { STORAGE_GRACE_MS, type StorageSweepOutput, type SweepInput, sweepStorage } from "./storage-sweep.js";

export interface ApplyRetentionInput {
  instance: string;
}

export interface ApplyRetentionOutput {
  instance: string;
  /** Restorable recovery points kept. */
  kept: number;
  /** Deleted now: expired ones and deletions an earlier run left unfinished. */
  deleted: string[];
  /** Could not be deleted (they stay marked; the next run tries again). */
  failed: PointFailure[];
  /** Why nothing was decided (no stored definition: protection stopped with `retain`). */
  skipped?: string;
}

/** Deletes an instance's expired recovery points, its newest successful one never. Idempotent. */
export async function applyRetention(
  input: ApplyRetentionInput,
  env: Environment,
): Promise<ApplyRetentionOutput> {
  const { instance } = input;
  const result: ApplyRetentionOutput = { instance, kept: 0, deleted: [], failed: [] };
  const stored = await env.definitions.get("instance", instance);
  if (stored === undefined) {
    return {
      ...result,
      skipped: `instance ${instance} has no stored definition: its recovery points are retained`,
    };
  }
  const policy = await env.definitions.get("policy", stored.value.policy);
  if (policy === undefined) {
    return { ...result, skipped: `policy "${stored.value.policy}" of instance ${instance} does not exist` };
  }
  const now = env.now();
  const entries = await env.catalog.listEntries(instance);
  const restorable = entries.filter((e) => e.deletion === undefined).map((e) => e.manifest);
  const decision = decideRetention(restorable, policy.value, now, { protected: true });
  const deps = deletionDeps(env);
  const work: DeletionWork[] = [
    ...entries
      .filter((e) => e.deletion !== undefined)
      .map(({ manifest }) => ({
        id: manifest.id,
        run: () => finishDeletion(env.catalog, manifest.id, deps),
      })),
    ...decision.expire.map(({ id, reason }) => ({
      id,
      run: () => deleteRecoveryPoint(env.catalog, id, { reason, at: now }, deps),
    })),
  ];
  const outcomes = await runDeletions(work);
  return { ...result, kept: decision.keep.length, ...outcomes };
}

export interface DeleteInstanceDataOutput {
  instance: string;
  deleted: string[];
  failed: PointFailure[];
}

/** Deletes every recovery point of an instance, the newest included (stop protection with `delete`). */
export async function deleteInstanceData(
  input: ApplyRetentionInput,
  env: Environment,
): Promise<DeleteInstanceDataOutput> {
  const { instance } = input;
  const at = env.now();
  const reason = `protection of ${instance} stopped with data: delete`;
  const deps = deletionDeps(env);
  const entries = await env.catalog.listEntries(instance);
  // Every point is marked first, so all of them leave the listing at once, then deleted one by one.
  for (const { manifest, deletion } of entries) {
    if (deletion === undefined) await env.catalog.markForDeletion(manifest.id, reason, at);
  }
  const outcomes = await runDeletions(
    entries.map(({ manifest }) => ({
      id: manifest.id,
      run: () => finishDeletion(env.catalog, manifest.id, deps),
    })),
  );
  return { instance, ...outcomes };
}

/**
 * Deletes one recovery point now (the API's delete of a single point), two-phase like retention.
 * Throws CatalogError `RecoveryPointNotFound` when it is neither committed nor being deleted.
 */
export async function removeRecoveryPoint(
  env: Environment,
  id: string,
  reason = "deleted on request",
): Promise<DeletionResult> {
  const [manifest, marker] = await Promise.all([
    env.catalog.getManifest(id),
    env.catalog.getDeletionMarker(id),
  ]);
  if (manifest === undefined && marker === undefined) {
    throw new CatalogError("RecoveryPointNotFound", `recovery point ${id} does not exist`);
  }
  return deleteRecoveryPoint(env.catalog, id, { reason, at: env.now() }, deletionDeps(env));
}

export interface StopProtectionResult {
  instance: string;
  /** False when there was no stored definition (already stopped); data is still handled as asked. */
  definitionDeleted: boolean;
  data: "retain" | "delete";
  /** For `delete`: what was deleted. */
  deletion?: DeleteInstanceDataOutput;
}

/**
 * Stops protecting an instance: its definition is deleted (with `ifMatch`, a concurrent edit is a
 * DefinitionConflictError), so no schedule or sweep applies to it any more. `retain` keeps its
 * recovery points, still listed under its name and deletable one by one; `delete` deletes them all.
 * The deletion runs inline here; a caller that must answer quickly can run `deleteInstanceData`
 * through the `instanceDataDeletion` orchestration instead (`deleteData: false`), and a crash
 * half-way is finished by the next sweep either way once the points are marked.
 */
export async function stopProtection(
  env: Environment,
  name: string,
  data: "retain" | "delete",
  options: Pick<WriteOptions, "ifMatch"> & { deleteData?: boolean } = {},
): Promise<StopProtectionResult> {
  const definitionDeleted = await env.definitions.delete(
    "instance",
    name,
    options.ifMatch === undefined ? {} : { ifMatch: options.ifMatch },
  );
  const result: StopProtectionResult = { instance: name, definitionDeleted, data };
  if (data === "delete" && options.deleteData !== false) {
    result.deletion = await deleteInstanceData({ instance: name }, env);
  }
  return result;
}

export interface RetentionWork {
  /** Instances with a stored definition: the ones retention applies to. */
  instances: string[];
}

/** The instances the sweep applies retention to. */
export async function listRetentionWork(_input: SweepInput, env: Environment): Promise<RetentionWork> {
  const names = (await env.definitions.list("instance")).map((stored) => stored.value.name);
  return { instances: names };
}

export interface SweepResult {
  at: string;
  storage: StorageSweepOutput;
  instances: (ApplyRetentionOutput | { instance: string; error: string })[];
}

const SWEEP_RETRY = new df.RetryOptions(60_000, 3);
SWEEP_RETRY.backoffCoefficient = 2;

function* retentionSweep(context: df.OrchestrationContext): Generator<df.Task, SweepResult, unknown> {
  const input = context.df.getInput() as SweepInput;
  context.df.setCustomStatus({ phase: "storage" });
  const storage = (yield context.df.callActivityWithRetry(
    "sweepStorage",
    SWEEP_RETRY,
    input,
  )) as StorageSweepOutput;
  const work = (yield context.df.callActivityWithRetry(
    "listRetentionWork",
    SWEEP_RETRY,
    input,
  )) as RetentionWork;
  context.df.setCustomStatus({ phase: "retention", instances: work.instances.length });
  const tasks = work.instances.map((instance) =>
    context.df.callActivity("applyRetention", { instance } satisfies ApplyRetentionInput),
  );
  if (tasks.length > 0) {
    try {
      yield context.df.Task.all(tasks);
    } catch {
      // Fail-fast: each task is read below, so one instance's failure never hides the others.
    }
  }
  const instances: SweepResult["instances"] = [];
  for (const [index, task] of tasks.entries()) {
    const instance = work.instances[index] as string;
    try {
      instances.push((yield task) as ApplyRetentionOutput);
    } catch (error) {
      instances.push({ instance, error: error instanceof Error ? error.message : String(error) });
    }
  }
  context.df.setCustomStatus({ phase: "done", instances: work.instances.length });
  return { at: input.at, storage, instances };
}

/** Stop protection with `delete`, as a job with status URLs (the API's alternative to running it inline). */
function* instanceDataDeletion(context: df.OrchestrationContext): Generator<df.Task, unknown, unknown> {
  const input = context.df.getInput() as ApplyRetentionInput;
  return yield context.df.callActivityWithRetry("deleteInstanceData", SWEEP_RETRY, input);
}

/** The sweep's orchestration id for a time: one per UTC day, so a timer firing twice starts one. */
export function retentionSweepId(at: Date): string {
  return `retentionSweep:${at.toISOString().slice(0, 10)}`;
}

/** Starts the day's sweep unless it already exists; true when it was started. */
export function startRetentionSweep(client: OrchestrationClient, at: Date): Promise<boolean> {
  return startOnce(client, "retentionSweep", retentionSweepId(at), {
    at: at.toISOString(),
  } satisfies SweepInput);
}

export const retentionModule: OrchestrationModule = {
  orchestrators: { retentionSweep, instanceDataDeletion },
  activities: { applyRetention, deleteInstanceData, listRetentionWork, sweepStorage },
};
