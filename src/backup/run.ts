// One backup job end to end in one process: export into streamed blobs, snapshot the volumes between
// their hooks, then commit the manifest last. A job that cannot finish still commits a Failed
// manifest saying why, so nothing half-written looks complete. The phases live in phases.ts; the
// durable backupInstance orchestration runs the same phases as activities.
import { randomInt } from "node:crypto";
import type { Cluster } from "../kube/cluster.js";
import type { RecoveryPointManifest } from "../model/recovery-point.js";
import type { Catalog } from "../store/catalog.js";
import { newRecoveryPointId } from "../store/recovery-point-id.js";
import type { ClaimRef } from "../volumes/discovery.js";
import { type SnapshotVolumesResult, snapshotVolumes } from "../volumes/snapshot-volumes.js";
import type { DeniedType } from "./deny-list.js";
import type { ExportProgress } from "./export.js";
import { aroundSnapshots, type HookOptions } from "./hooks/run.js";
import { JobLog } from "./job-log.js";
import {
  type BackupJob,
  commitWithLog,
  completedManifest,
  exportPhase,
  failedManifest,
  manifestBase,
  planVolumePhase,
  type VolumeDeps,
} from "./phases.js";

export type { BackupJob, VolumeDeps } from "./phases.js";

export interface BackupDeps {
  cluster: Cluster;
  catalog: Catalog;
  volumes?: VolumeDeps;
  /** How pre- and post-hooks run around the volume snapshots (defaults: exec through the cluster). */
  hooks?: HookOptions;
  now?: () => Date;
  pageSize?: number;
  denyList?: readonly DeniedType[];
  abortSignal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

export async function runBackup(job: BackupJob, deps: BackupDeps): Promise<RecoveryPointManifest> {
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const { instance } = job;
  const id = newRecoveryPointId(instance.name, startedAt, randomInt(0x10000));
  const base = manifestBase(job, id, startedAt);
  const signal = deps.abortSignal ? { abortSignal: deps.abortSignal } : {};

  const log = new JobLog(now);
  log.add("info", `backup of ${instance.name} started`, {
    recoveryPoint: id,
    cluster: instance.cluster,
    trigger: job.trigger,
  });
  // The container is made ready while the cluster's types are discovered: a storage round trip
  // less before the first list. A storage failure still ends the job as it would have at once.
  const storageReady = deps.catalog.ensureContainer(signal);
  const storageFailure = storageReady.then(
    () => undefined,
    (error: unknown) => error,
  );

  let manifest: RecoveryPointManifest;
  try {
    const exported = await exportPhase(
      deps.cluster,
      instance,
      deps.catalog,
      { id, startedAt },
      {
        log,
        storageReady,
        ...(deps.pageSize ? { pageSize: deps.pageSize } : {}),
        ...(deps.denyList ? { denyList: deps.denyList } : {}),
        ...signal,
        ...(deps.onProgress ? { onProgress: deps.onProgress } : {}),
      },
    );
    const volumes = await snapshotClaims(job, deps, id, exported.claims, log);
    manifest = completedManifest(base, exported, volumes, now());
  } catch (error) {
    const storageError = await storageFailure;
    if (storageError !== undefined) throw storageError;
    const reason: unknown = deps.abortSignal?.aborted ? deps.abortSignal.reason : undefined;
    const cause =
      reason instanceof Error ? reason : error instanceof Error ? error : new Error(String(error));
    manifest = failedManifest(base, cause.message, now());
  }
  return commitWithLog(deps.catalog, manifest, log);
}

/** The volume phase: the claims' Azure disks snapshotted between their hooks; others named in warnings. */
async function snapshotClaims(
  job: BackupJob,
  deps: BackupDeps,
  recoveryPointId: string,
  claims: readonly ClaimRef[],
  log: JobLog,
): Promise<Pick<SnapshotVolumesResult, "snapshots" | "warnings" | "errors">> {
  const { instance } = job;
  const signal = deps.abortSignal ? { abortSignal: deps.abortSignal } : {};
  const plan = await planVolumePhase(deps.cluster, instance, claims, deps.volumes, deps.abortSignal);
  const group = plan.snapshotResourceGroup;
  if (plan.disks.length === 0 || !deps.volumes || !group) return { ...plan, snapshots: [] };
  const snapshot = deps.volumes.snapshot;
  const hooked = await aroundSnapshots(
    {
      ...deps.hooks,
      cluster: deps.cluster,
      references: instance.backupHookReferences ?? [],
      log,
      now: deps.now ?? (() => new Date()),
      ...signal,
    },
    plan.disks,
    (disks, progress) => {
      log.add("info", `snapshotting ${disks.length} volumes`, { snapshotResourceGroup: group });
      const request = {
        volumes: disks,
        recoveryPointId,
        instance: instance.name,
        cluster: instance.cluster,
        snapshotResourceGroup: group,
      };
      return snapshotVolumes(request, snapshot, {
        ...signal,
        onCreated: progress.created,
        onVolume: (_result, _done, _total, volume) => progress.done(volume),
      });
    },
  );
  const result = hooked.result;
  return {
    snapshots: result.snapshots,
    warnings: [...plan.warnings, ...hooked.warnings, ...result.warnings],
    errors: [...plan.errors, ...hooked.errors, ...result.errors],
  };
}
