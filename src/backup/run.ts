// One backup job end to end: export into streamed blobs, then commit the manifest last. A job that
// cannot finish still commits a Failed manifest saying why, so nothing half-written looks complete.
import { randomInt } from "node:crypto";
import { Readable } from "node:stream";
import { ArchiveWriter } from "../archive/writer.js";
import type { Cluster } from "../kube/cluster.js";
import type { BackupInstance } from "../model/backup-instance.js";
import type { RecoveryPointManifest } from "../model/recovery-point.js";
import { ARCHIVE_BLOB, type Catalog, LOG_BLOB, RESOURCE_LIST_BLOB } from "../store/catalog.js";
import { newRecoveryPointId } from "../store/recovery-point-id.js";
import type { SnapshotDeps } from "../volumes/azure-disk.js";
import type { ClaimRef } from "../volumes/discovery.js";
import { discoverVolumes } from "../volumes/read-volumes.js";
import { type SnapshotVolumesResult, snapshotVolumes } from "../volumes/snapshot-volumes.js";
import type { DeniedType } from "./deny-list.js";
import { type ExportProgress, exportResources } from "./export.js";
import { aroundSnapshots, type HookOptions } from "./hooks/run.js";
import { JobLog } from "./job-log.js";
import { ResourceListWriter } from "./resource-list.js";

export interface BackupJob {
  instance: BackupInstance;
  trigger: RecoveryPointManifest["trigger"];
  /** Retention tag for on-demand and pre-upgrade backups, e.g. "P30D". */
  retention?: string;
}

/** What the volume phase needs; absent, a backup with Azure Disk volumes reports them unsnapshotted. */
export interface VolumeDeps {
  snapshot: SnapshotDeps;
  /** ARM id of the group snapshots go to (the instance's, or the cluster's node resource group). */
  snapshotResourceGroup?: string;
  /** Why there is no snapshot resource group, for the error message. */
  missingGroupReason?: string;
}

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
  const base = {
    formatVersion: 1 as const,
    id,
    instance: instance.name,
    policy: instance.policy,
    cluster: instance.cluster,
    trigger: job.trigger,
    ...(job.retention ? { retention: job.retention } : {}),
    startTime: startedAt.toISOString(),
    volumeSnapshots: [] as RecoveryPointManifest["volumeSnapshots"],
  };

  const log = new JobLog(now);
  log.add("info", `backup of ${instance.name} started`, {
    recoveryPoint: id,
    cluster: instance.cluster,
    trigger: job.trigger,
  });
  await deps.catalog.ensureContainer({ ...(deps.abortSignal ? { abortSignal: deps.abortSignal } : {}) });
  const archive = new ArchiveWriter({
    createdAt: startedAt,
    ...(deps.abortSignal ? { abortSignal: deps.abortSignal } : {}),
  });
  const resourceList = new ResourceListWriter();
  const fail = (error: Error) => {
    archive.abort(error);
    resourceList.abort(error);
  };
  const uploads = Promise.all([
    deps.catalog.uploadFile(id, ARCHIVE_BLOB, archive.stream),
    deps.catalog.uploadFile(id, RESOURCE_LIST_BLOB, resourceList.stream),
  ]);
  // An upload that fails (storage down) stops the export at its next item instead of at the end.
  uploads.catch((error: Error) => fail(error));

  let manifest: RecoveryPointManifest;
  let lastPhase: ExportProgress["phase"] | undefined;
  try {
    const outcome = await exportResources(
      deps.cluster,
      instance,
      { archive, resourceList },
      {
        ...(deps.pageSize ? { pageSize: deps.pageSize } : {}),
        ...(deps.denyList ? { denyList: deps.denyList } : {}),
        ...(deps.abortSignal ? { abortSignal: deps.abortSignal } : {}),
        onProgress: (progress) => {
          if (progress.phase !== lastPhase) log.add("info", `phase ${progress.phase}`, { ...progress });
          lastPhase = progress.phase;
          deps.onProgress?.(progress);
        },
      },
    );
    const summary = await archive.finish();
    await resourceList.finish();
    const [archiveBlob, listBlob] = await uploads;
    const volumes = await snapshotClaims(job, deps, id, outcome.claims, log);
    outcome.warnings.push(...volumes.warnings);
    outcome.errors.push(...volumes.errors);
    manifest = {
      ...base,
      volumeSnapshots: volumes.snapshots,
      endTime: now().toISOString(),
      status: outcome.errors.length > 0 ? "PartiallySucceeded" : "Succeeded",
      ...(outcome.kubernetesVersion ? { kubernetesVersion: outcome.kubernetesVersion } : {}),
      archive: { blob: archiveBlob, sizeBytes: summary.sizeBytes, sha256: summary.sha256 },
      resourceListBlob: listBlob,
      itemCounts: outcome.itemCounts,
      totalItems: outcome.totalItems,
      warnings: outcome.warnings,
      errors: outcome.errors,
    };
  } catch (error) {
    const reason: unknown = deps.abortSignal?.aborted ? deps.abortSignal.reason : undefined;
    const cause =
      reason instanceof Error ? reason : error instanceof Error ? error : new Error(String(error));
    fail(cause);
    await uploads.catch(() => undefined);
    manifest = {
      ...base,
      endTime: now().toISOString(),
      status: "Failed",
      itemCounts: {},
      totalItems: 0,
      warnings: [],
      errors: [{ message: cause.message }],
    };
  }
  for (const warning of manifest.warnings) log.add("warning", warning.message, { ...warning });
  for (const error of manifest.errors) log.add("error", error.message, { ...error });
  log.add(manifest.status === "Failed" ? "error" : "info", `backup ${manifest.status}`, {
    items: manifest.totalItems,
    itemCounts: manifest.itemCounts,
    ...(manifest.archive ? { archiveBytes: manifest.archive.sizeBytes } : {}),
  });
  try {
    manifest.logBlob = await deps.catalog.uploadFile(id, LOG_BLOB, Readable.from([log.toGzip()]));
  } catch {
    // The log helps troubleshooting; a recovery point is not lost for want of it.
  }
  await deps.catalog.commitManifest(manifest);
  return manifest;
}

/** The volume phase: the claims' Azure disks snapshotted; other volume types named in warnings. */
async function snapshotClaims(
  job: BackupJob,
  deps: BackupDeps,
  recoveryPointId: string,
  claims: readonly ClaimRef[],
  log: JobLog,
): Promise<Pick<SnapshotVolumesResult, "snapshots" | "warnings" | "errors">> {
  const { instance } = job;
  const signal = deps.abortSignal ? { abortSignal: deps.abortSignal } : {};
  const plan = await discoverVolumes(deps.cluster, claims, {
    snapshotVolumes: instance.snapshotVolumes,
    ...signal,
  });
  if (plan.disks.length === 0) return { snapshots: [], warnings: plan.warnings, errors: plan.errors };
  const group = deps.volumes?.snapshotResourceGroup;
  if (!deps.volumes || !group) {
    const why = deps.volumes?.missingGroupReason ?? "no Azure access is configured for volume snapshots";
    const errors = plan.disks.map((d) => ({
      message: `volume not snapshotted: ${why}`,
      namespace: d.namespace,
      type: "v1/PersistentVolumeClaim",
      name: d.claimName,
    }));
    return { snapshots: [], warnings: plan.warnings, errors: [...plan.errors, ...errors] };
  }
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
