// The activities of the durable backup, one idempotent step each: a re-run overwrites its own
// blobs and parts, adopts its own snapshot, or returns what a finished run recorded.
import {
  type HookContext,
  type PodState,
  planHookPhase,
  runPostHooks,
  runPreHooks,
} from "../backup/hooks/run.js";
import { JobLog } from "../backup/job-log.js";
import {
  commitWithLog,
  completedManifest,
  exportPhase,
  failedManifest,
  manifestBase,
  planVolumePhase,
} from "../backup/phases.js";
import type { ItemMessage, RecoveryPointManifest, VolumeSnapshotRecord } from "../model/recovery-point.js";
import { tagsOnCommit } from "../retention/tagging.js";
import { CatalogError } from "../store/catalog.js";
import { JobLocks } from "../store/job-locks.js";
import { type SnapshotDiskResult, snapshotDisk } from "../volumes/azure-disk.js";
import type { DiskVolume } from "../volumes/discovery.js";
import type { VolumeErrorCode } from "../volumes/snapshot-errors.js";
import {
  activities,
  type CommitInput,
  type CommitOutput,
  type ExportOutput,
  type HooksInput,
  type HooksOutput,
  type PrepareInput,
  type PrepareOutput,
  type ReleaseInput,
  type SnapshotInput,
  type SnapshotOutput,
} from "./backup-contract.js";
import { BackupParts, type JobPart, type LogStep } from "./backup-parts.js";
import type { Environment } from "./environment.js";

const RETRIABLE: ReadonlySet<VolumeErrorCode> = new Set(["ArmError", "Throttled", "SnapshotFailed"]);

function partsOf(env: Environment, recoveryPointId: string): BackupParts {
  return new BackupParts(env.catalog, recoveryPointId);
}

/**
 * Takes the instance's lock and records the job; a re-run by the same orchestration takes it again.
 * Says whether a topic is configured, so the orchestrator's decision to notify is in its history.
 */
export async function prepareBackup(input: PrepareInput, env: Environment): Promise<PrepareOutput> {
  const prepared = await prepareJob(input, env);
  return env.notifier ? { ...prepared, notify: true } : prepared;
}

async function prepareJob(input: PrepareInput, env: Environment): Promise<PrepareOutput> {
  await env.catalog.ensureContainer();
  const stored = await env.definitions.get("instance", input.instance);
  if (!stored) {
    return { status: "UnknownInstance", reason: `backup instance "${input.instance}" does not exist` };
  }
  const instance = stored.value;
  const locks = new JobLocks(env.catalog.container, { now: () => env.now() });
  const taken = await locks.acquire(instance.name, {
    holder: input.orchestrationId,
    recoveryPointId: input.recoveryPointId,
  });
  if (!taken.acquired) return { status: "Busy", holder: taken.heldBy.holder };

  const log = new JobLog(() => env.now());
  log.add("info", `backup of ${instance.name} started`, {
    recoveryPoint: input.recoveryPointId,
    cluster: instance.cluster,
    trigger: input.trigger,
    orchestration: input.orchestrationId,
    ...(input.slot ? { slot: input.slot } : {}),
  });
  if (taken.tookOver) {
    log.add(
      "warning",
      `took over the lock of backup ${taken.tookOver.holder}, stale since ${taken.tookOver.since}`,
      { ...taken.tookOver },
    );
  }
  const parts = partsOf(env, input.recoveryPointId);
  const job: JobPart = {
    recoveryPointId: input.recoveryPointId,
    orchestrationId: input.orchestrationId,
    instance,
    trigger: input.trigger,
    ...(input.retention ? { retention: input.retention } : {}),
    ...(input.slot ? { slot: input.slot } : {}),
    startTime: input.startTime,
  };
  await parts.write("job", job);
  await parts.writeLog("prepare", log);
  return { status: "Ready" };
}

/** Exports the resources into the recovery point's blobs and plans the volume snapshots. */
export async function exportResourcesActivity(
  input: { recoveryPointId: string },
  env: Environment,
): Promise<ExportOutput> {
  const parts = partsOf(env, input.recoveryPointId);
  const job = await parts.require("job", activities.prepareBackup);
  const log = new JobLog(() => env.now());
  try {
    const cluster = await env.connect(job.instance.cluster);
    const exported = await exportPhase(
      cluster,
      job.instance,
      env.catalog,
      { id: job.recoveryPointId, startedAt: new Date(job.startTime) },
      { log, pageSize: env.settings.pageSize, denyList: env.settings.denyList },
    );
    const plan = await planVolumePhase(
      cluster,
      job.instance,
      exported.claims,
      await env.volumeDeps(job.instance),
    );
    const { claims: _claims, ...summary } = exported;
    await parts.write("export", { export: summary, volumes: plan });
    return {
      items: exported.totalItems,
      volumes: plan.disks,
      ...(plan.snapshotResourceGroup ? { snapshotResourceGroup: plan.snapshotResourceGroup } : {}),
    };
  } finally {
    await parts.writeLog("export", log).catch(() => undefined);
  }
}

async function hookContext(job: JobPart, env: Environment, log: JobLog): Promise<HookContext> {
  return {
    cluster: await env.connect(job.instance.cluster),
    references: job.instance.backupHookReferences ?? [],
    log,
    now: () => env.now(),
  };
}

function heldClaims(pods: readonly PodState[]): string[] {
  return [...new Set(pods.flatMap((state) => (state.blockedBy ? state.pod.claims : [])))];
}

/**
 * Runs the pre-hooks (recording each pod's outcome) or the post-hooks of the pods the pre-hooks
 * reached. A hook is never run twice for one recovery point: a re-run after a finished phase
 * returns what that phase recorded (freezing a frozen filesystem fails, thawing twice too).
 */
export async function runHooks(input: HooksInput, env: Environment): Promise<HooksOutput> {
  const parts = partsOf(env, input.recoveryPointId);
  const job = await parts.require("job", activities.prepareBackup);
  const pre = await parts.read("hooks-pre");
  if (input.phase === "pre" && pre?.ran) return { pods: pre.pods.length, held: heldClaims(pre.pods) };
  if (input.phase === "post" && (await parts.read("hooks-post")))
    return { pods: pre?.pods.length ?? 0, held: [] };

  const log = new JobLog(() => env.now());
  try {
    const context = await hookContext(job, env, log);
    if (input.phase === "pre") {
      const volumes = input.volumes ?? [];
      const plan = await planHookPhase(context, volumes);
      // An earlier attempt died half-way: any pod may be frozen, so each one's post-hooks must run.
      if (pre) for (const state of plan.pods) state.tookEffect = true;
      // Recorded before any hook runs: if this attempt dies half-way, the post-hooks still thaw.
      await parts.write("hooks-pre", { ran: false, ...plan });
      const held = await runPreHooks(context, plan, volumes);
      await parts.write("hooks-pre", { ran: true, ...plan });
      return { pods: plan.pods.length, held: [...held.keys()] };
    }
    // Pre-hooks cut short: any pod may be frozen, so every planned pod gets its post-hooks.
    const pods = (pre?.pods ?? []).map((state) =>
      pre?.ran ? state : { ...state, reached: true, tookEffect: true },
    );
    const out = { warnings: [] as ItemMessage[], errors: [] as ItemMessage[] };
    if (pods.length > 0) {
      log.add("info", `running the post-hooks of ${pods.length} pods`);
      await runPostHooks(context, pods, out);
    }
    await parts.write("hooks-post", out);
    return { pods: pods.length, held: [] };
  } finally {
    await parts.writeLog(input.phase === "pre" ? "hooks-pre" : "hooks-post", log).catch(() => undefined);
  }
}

/** Thrown (and caught) to stop a snapshot's wait as soon as the snapshot exists. */
class SnapshotCreated extends Error {}

/**
 * One volume's snapshot, adopted by its deterministic name when a previous attempt created it.
 * "create" returns once it exists (or finished, for a copy already complete); "complete" waits
 * until it is usable. A finished volume's result is its part; a transient failure also throws, so
 * the orchestrator's retry policy tries again.
 */
export async function snapshotVolume(input: SnapshotInput, env: Environment): Promise<SnapshotOutput> {
  const parts = partsOf(env, input.recoveryPointId);
  const job = await parts.require("job", activities.prepareBackup);
  const deps = await env.volumeDeps(job.instance);
  const request = {
    recoveryPointId: job.recoveryPointId,
    instance: job.instance.name,
    cluster: job.instance.cluster,
    snapshotResourceGroup: input.snapshotResourceGroup,
    volume: input.volume,
  };
  const log = new JobLog(() => env.now());
  const step: LogStep = `snapshot-${input.index}`;
  let result: SnapshotDiskResult;
  if (input.stage === "create") {
    const stop = new AbortController();
    try {
      result = await snapshotDisk(request, deps.snapshot, {
        abortSignal: stop.signal,
        onCreated: () => stop.abort(new SnapshotCreated()),
      });
    } catch (error) {
      if (!(error instanceof SnapshotCreated)) throw error;
      log.add("info", `snapshot of ${input.volume.pvc} created; its copy is running`, {
        pvc: input.volume.pvc,
      });
      await parts.writeLog(step, log);
      return { done: false, ok: true };
    }
  } else {
    await parts.mergeLogs([step], log); // the create stage's entries
    result = await snapshotDisk(request, deps.snapshot);
  }
  if (result.ok) {
    log.add("info", `snapshot of ${input.volume.pvc} ${result.adopted ? "adopted" : "created"} and usable`, {
      pvc: input.volume.pvc,
      snapshotId: result.record.snapshotId,
    });
  } else {
    log.add("warning", result.error.message, { pvc: input.volume.pvc, code: result.error.code });
  }
  await parts.write(`snapshot-${input.index}`, { volume: input.volume, result });
  await parts.writeLog(step, log);
  if (!result.ok && RETRIABLE.has(result.error.code)) throw new Error(result.error.message);
  return { done: true, ok: result.ok };
}

function claimMessage(volume: DiskVolume, message: string): ItemMessage {
  return { message, namespace: volume.namespace, type: "v1/PersistentVolumeClaim", name: volume.claimName };
}

function summaryOf(manifest: RecoveryPointManifest, failedVolumes: number): CommitOutput {
  return {
    status: manifest.status,
    totalItems: manifest.totalItems,
    volumes: {
      snapshotted: manifest.volumeSnapshots.filter((s) => s.error === undefined).length,
      failed: failedVolumes,
    },
    warnings: manifest.warnings.length,
    errors: manifest.errors.length,
  };
}

function countFailedVolumes(manifest: RecoveryPointManifest): number {
  return manifest.errors.filter((e) => e.type === "v1/PersistentVolumeClaim").length;
}

/**
 * Builds the manifest from the parts exactly as runBackup does, merges the step logs into the
 * log blob, and commits; a re-run after the commit returns the committed manifest's summary.
 */
export async function commitRecoveryPoint(input: CommitInput, env: Environment): Promise<CommitOutput> {
  const parts = partsOf(env, input.recoveryPointId);
  const existing = await env.catalog.getManifest(input.recoveryPointId);
  if (existing) {
    await parts.remove().catch(() => undefined);
    return summaryOf(existing, countFailedVolumes(existing));
  }
  const job = await parts.require("job", activities.prepareBackup);
  const base = manifestBase(job, job.recoveryPointId, new Date(job.startTime));
  const exported = await parts.read("export");
  const disks = exported?.volumes.disks ?? [];

  const records: VolumeSnapshotRecord[] = [];
  const volumeErrors: ItemMessage[] = [];
  const snapshotSteps: LogStep[] = [];
  for (const index of input.snapshotted) {
    snapshotSteps.push(`snapshot-${index}`);
    const part = await parts.read(`snapshot-${index}`);
    const volume = part?.volume ?? disks[index];
    if (part?.result.record) records.push(part.result.record);
    if (part && !part.result.ok) volumeErrors.push(claimMessage(part.volume, part.result.error.message));
    if (!part && volume) {
      const why = input.volumeFailures[String(index)] ?? "its snapshot activity did not finish";
      volumeErrors.push(claimMessage(volume, `volume not snapshotted: ${why}`));
    }
  }
  const log = new JobLog(() => env.now());
  await parts.mergeLogs(["prepare", "export", "hooks-pre", ...snapshotSteps, "hooks-post"], log);

  let manifest: RecoveryPointManifest;
  const failure = input.failure ?? (exported ? undefined : "the export did not finish");
  if (failure !== undefined || !exported) {
    manifest = failedManifest(base, failure ?? "the export did not finish", env.now(), records);
  } else {
    const pre = await parts.read("hooks-pre");
    const post = await parts.read("hooks-post");
    const extra = input.errors.map((message) => ({ message }));
    manifest = completedManifest(
      base,
      exported.export,
      {
        snapshots: records,
        warnings: [...exported.volumes.warnings, ...(pre?.warnings ?? []), ...(post?.warnings ?? [])],
        errors: [
          ...exported.volumes.errors,
          ...(pre?.errors ?? []),
          ...(post?.errors ?? []),
          ...volumeErrors,
          ...extra,
        ],
      },
      env.now(),
    );
  }
  await recordRetentionTags(manifest, job, env, log);
  try {
    await commitWithLog(env.catalog, manifest, log);
  } catch (error) {
    // A re-run whose first attempt committed after all: the committed manifest is the truth.
    if (!(error instanceof CatalogError && error.code === "RecoveryPointExists")) throw error;
    manifest = (await env.catalog.getManifest(input.recoveryPointId)) ?? manifest;
  }
  await parts.remove().catch(() => undefined);
  return summaryOf(manifest, countFailedVolumes(manifest));
}

/** A scheduled point records the retention tags it meets when committed, as Azure tags a point. */
async function recordRetentionTags(
  manifest: RecoveryPointManifest,
  job: JobPart,
  env: Environment,
  log: JobLog,
): Promise<void> {
  if (manifest.trigger !== "Scheduled" || manifest.status === "Failed") return;
  const policy = await env.definitions.get("policy", job.instance.policy);
  if (!policy) {
    log.add("warning", `policy ${job.instance.policy} not found: no retention tags recorded`);
    return;
  }
  const existing = await env.catalog.listRecoveryPoints(job.instance.name);
  manifest.tags = tagsOnCommit(existing, manifest, policy.value);
}

/** Deletes the instance's lock if this orchestration still holds it. */
export async function releaseBackup(input: ReleaseInput, env: Environment): Promise<{ released: boolean }> {
  const locks = new JobLocks(env.catalog.container, { now: () => env.now() });
  return { released: await locks.release(input.instance, input.orchestrationId) };
}
