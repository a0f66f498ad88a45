// The phases of one backup, each callable on its own: export into streamed blobs, plan the volume
// snapshots, build the manifest, commit it with the job log. `runBackup` runs them in one process;
// the durable `backupInstance` orchestration runs them as separate activities.
import { ArchiveWriter } from "../archive/writer.js";
import type { Cluster } from "../kube/cluster.js";
import type { BackupInstance } from "../model/backup-instance.js";
import type { ItemMessage, RecoveryPointManifest, VolumeSnapshotRecord } from "../model/recovery-point.js";
import { ARCHIVE_BLOB, type Catalog, LOG_BLOB, RESOURCE_LIST_BLOB } from "../store/catalog.js";
import type { SnapshotDeps } from "../volumes/azure-disk.js";
import type { ClaimRef, DiskVolume } from "../volumes/discovery.js";
import { discoverVolumes } from "../volumes/read-volumes.js";
import type { DeniedType } from "./deny-list.js";
import { type ExportOutcome, type ExportProgress, exportResources } from "./export.js";
import type { JobLog } from "./job-log.js";
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

export interface PhaseMessages {
  warnings: ItemMessage[];
  errors: ItemMessage[];
}

/** The manifest fields every recovery point has, whatever its outcome. */
export type ManifestBase = Pick<
  RecoveryPointManifest,
  "formatVersion" | "id" | "instance" | "policy" | "cluster" | "trigger" | "retention" | "startTime"
>;

export function manifestBase(job: BackupJob, id: string, startedAt: Date): ManifestBase {
  const { instance } = job;
  return {
    formatVersion: 1,
    id,
    instance: instance.name,
    policy: instance.policy,
    cluster: instance.cluster,
    trigger: job.trigger,
    ...(job.retention ? { retention: job.retention } : {}),
    startTime: startedAt.toISOString(),
  };
}

/** What the export phase leaves for the manifest (the claims are for the volume phase). */
export interface ExportSummary extends PhaseMessages {
  itemCounts: Record<string, number>;
  totalItems: number;
  kubernetesVersion?: string;
  archive: { blob: string; sizeBytes: number; sha256: string };
  resourceListBlob: string;
}

export interface ExportPhaseResult extends ExportSummary {
  claims: ClaimRef[];
}

export interface ExportPhaseOptions {
  log: JobLog;
  /** Settles when the catalog's container exists; the uploads start then (default: at once). */
  storageReady?: Promise<void>;
  pageSize?: number;
  denyList?: readonly DeniedType[];
  abortSignal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

/**
 * Exports the instance's resources into `<instance>/<id>/resources.tar.gz` and the resource list,
 * both streamed as written. Throws what stops a backup (cluster unreachable, storage failing,
 * abort); a re-run overwrites both blobs.
 */
export async function exportPhase(
  cluster: Cluster,
  instance: BackupInstance,
  catalog: Catalog,
  target: { id: string; startedAt: Date },
  options: ExportPhaseOptions,
): Promise<ExportPhaseResult> {
  const { log, abortSignal } = options;
  const signal = abortSignal ? { abortSignal } : {};
  const archive = new ArchiveWriter({ createdAt: target.startedAt, ...signal });
  const resourceList = new ResourceListWriter();
  let failure: Error | undefined;
  // Ends the listing too, with the requests in flight: nothing it reads could still be stored.
  const stop = new AbortController();
  const fail = (error: Error) => {
    failure ??= error;
    archive.abort(error);
    resourceList.abort(error);
    stop.abort(error);
  };
  const listingSignal = abortSignal ? AbortSignal.any([abortSignal, stop.signal]) : stop.signal;
  // Until the uploads start, the writers hold back the export once their small buffers fill. An
  // export that failed before then uploads nothing.
  const uploads = (options.storageReady ?? Promise.resolve()).then(() => {
    if (failure) throw failure;
    return Promise.all([
      catalog.uploadFile(target.id, ARCHIVE_BLOB, archive.stream),
      catalog.uploadFile(target.id, RESOURCE_LIST_BLOB, resourceList.stream),
    ]);
  });
  // An upload that fails (storage down) stops the export at once instead of at the end.
  uploads.catch((error: Error) => fail(error));
  let lastPhase: ExportProgress["phase"] | undefined;
  try {
    const outcome: ExportOutcome = await exportResources(
      cluster,
      instance,
      { archive, resourceList },
      {
        ...(options.pageSize ? { pageSize: options.pageSize } : {}),
        ...(options.denyList ? { denyList: options.denyList } : {}),
        abortSignal: listingSignal,
        onProgress: (progress) => {
          if (progress.phase !== lastPhase) log.add("info", `phase ${progress.phase}`, { ...progress });
          lastPhase = progress.phase;
          options.onProgress?.(progress);
        },
      },
    );
    const summary = await archive.finish();
    await resourceList.finish();
    const [archiveBlob, listBlob] = await uploads;
    return {
      itemCounts: outcome.itemCounts,
      totalItems: outcome.totalItems,
      warnings: outcome.warnings,
      errors: outcome.errors,
      claims: outcome.claims,
      ...(outcome.kubernetesVersion ? { kubernetesVersion: outcome.kubernetesVersion } : {}),
      archive: { blob: archiveBlob, sizeBytes: summary.sizeBytes, sha256: summary.sha256 },
      resourceListBlob: listBlob,
    };
  } catch (error) {
    fail(error instanceof Error ? error : new Error(String(error)));
    await uploads.catch(() => undefined);
    throw error;
  }
}

/** The disks to snapshot, and the messages about the claims that will not be. */
export interface VolumePhasePlan extends PhaseMessages {
  disks: DiskVolume[];
  snapshotResourceGroup?: string;
}

/**
 * Reads the exported claims' volumes and plans their snapshots. Without a snapshot resource group
 * every Azure disk gets an error saying why, and nothing is left to snapshot.
 */
export async function planVolumePhase(
  cluster: Cluster,
  instance: BackupInstance,
  claims: readonly ClaimRef[],
  volumes: VolumeDeps | undefined,
  abortSignal?: AbortSignal,
): Promise<VolumePhasePlan> {
  const plan = await discoverVolumes(cluster, claims, {
    snapshotVolumes: instance.snapshotVolumes,
    ...(abortSignal ? { abortSignal } : {}),
  });
  if (plan.disks.length === 0) return plan;
  const group = volumes?.snapshotResourceGroup;
  if (!volumes || !group) {
    const why = volumes?.missingGroupReason ?? "no Azure access is configured for volume snapshots";
    const errors = plan.disks.map((d) => ({
      message: `volume not snapshotted: ${why}`,
      namespace: d.namespace,
      type: "v1/PersistentVolumeClaim",
      name: d.claimName,
    }));
    return { disks: [], warnings: plan.warnings, errors: [...plan.errors, ...errors] };
  }
  return { ...plan, snapshotResourceGroup: group };
}

/** The manifest of a backup whose phases all ran: PartiallySucceeded when anything is an error. */
export function completedManifest(
  base: ManifestBase,
  exported: ExportSummary,
  volumes: PhaseMessages & { snapshots: VolumeSnapshotRecord[] },
  endTime: Date,
): RecoveryPointManifest {
  const errors = [...exported.errors, ...volumes.errors];
  return {
    ...base,
    volumeSnapshots: volumes.snapshots,
    endTime: endTime.toISOString(),
    status: errors.length > 0 ? "PartiallySucceeded" : "Succeeded",
    ...(exported.kubernetesVersion ? { kubernetesVersion: exported.kubernetesVersion } : {}),
    archive: exported.archive,
    resourceListBlob: exported.resourceListBlob,
    itemCounts: exported.itemCounts,
    totalItems: exported.totalItems,
    warnings: [...exported.warnings, ...volumes.warnings],
    errors,
  };
}

/**
 * The manifest of a backup a phase stopped: Failed, with the reason. Snapshots that already exist
 * are recorded (they carry this recovery point's tag) so retention deletes them with it.
 */
export function failedManifest(
  base: ManifestBase,
  reason: string,
  endTime: Date,
  snapshots: VolumeSnapshotRecord[] = [],
): RecoveryPointManifest {
  return {
    ...base,
    volumeSnapshots: snapshots,
    endTime: endTime.toISOString(),
    status: "Failed",
    itemCounts: {},
    totalItems: 0,
    warnings: [],
    errors: [{ message: reason }],
  };
}

/**
 * Logs the outcome (every warning and error, then the end), uploads the log (best effort: a
 * recovery point is not lost for want of it) and commits the manifest last, create-only.
 */
export async function commitWithLog(
  catalog: Catalog,
  manifest: RecoveryPointManifest,
  log: JobLog,
): Promise<RecoveryPointManifest> {
  for (const warning of manifest.warnings) log.add("warning", warning.message, { ...warning });
  for (const error of manifest.errors) log.add("error", error.message, { ...error });
  log.add(manifest.status === "Failed" ? "error" : "info", `backup ${manifest.status}`, {
    items: manifest.totalItems,
    itemCounts: manifest.itemCounts,
    ...(manifest.archive ? { archiveBytes: manifest.archive.sizeBytes } : {}),
  });
  try {
    manifest.logBlob = await catalog.uploadFile(manifest.id, LOG_BLOB, log.toGzip());
  } catch {
    // The log helps troubleshooting; a recovery point is not lost for want of it.
  }
  await catalog.commitManifest(manifest);
  return manifest;
}
