// One incremental snapshot of one Azure managed disk, adopted when a retry finds it already there,
// waited for until usable (provisioned and its copy at 100%), never left failed and unrecorded.
import type { ComputeManagementClient, Disk, Snapshot } from "@azure/arm-compute";
import { type Clock, type Delay, monotonicClock, realDelay } from "../kube/timing.js";
import type { VolumeSnapshotRecord } from "../model/recovery-point.js";
import type { ComputeClients } from "./compute-clients.js";
import type { DiskVolume } from "./discovery.js";
import type { SnapshotRateGuard } from "./rate-guard.js";
import {
  classifyArmFailure,
  describeArmFailure,
  isNotFound,
  type SnapshotDiskResult,
  volumeFailure,
} from "./snapshot-errors.js";
import { type DiskId, parseDiskId, parseGroupId, snapshotName, snapshotTags } from "./snapshot-identity.js";

export type { SnapshotDiskResult } from "./snapshot-errors.js";

export interface SnapshotTarget {
  recoveryPointId: string;
  instance: string;
  cluster: string;
  /** ARM id of the group snapshots go to; see snapshotResourceGroupId for the default. */
  snapshotResourceGroup: string;
}

export interface SnapshotDiskOptions {
  abortSignal?: AbortSignal;
  /**
   * Called once the snapshot exists (provisioned): its point in time is fixed, so a frozen
   * filesystem can be thawed now rather than after the background copy, which can take hours.
   */
  onCreated?: () => void;
}

export interface SnapshotDiskRequest extends SnapshotTarget {
  volume: DiskVolume;
}

export interface SnapshotDeps {
  compute: ComputeClients;
  /** Shared by every snapshot of the process, so the per-disk count covers retries too. */
  rateGuard: SnapshotRateGuard;
  clock?: Clock;
  delay?: Delay;
  /** Poll interval of the SDK's long-running-operation poller (its default: 2000). */
  updateIntervalInMs?: number;
  /** Longest wait between reads of completionPercent (the first is after at most 1 s). Default 10 s. */
  completionPollMs?: number;
  /** How long to wait for a usable snapshot after it was created or found. Default 1 hour. */
  completionTimeoutMs?: number;
}

interface Job {
  request: SnapshotDiskRequest;
  client: ComputeManagementClient;
  group: string;
  name: string;
  snapshotId: string;
  options: { abortSignal?: AbortSignal; updateIntervalInMs?: number };
  onCreated?: () => void;
  deps: SnapshotDeps;
}

const DEFAULT_POLL_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 60 * 60_000;

/**
 * Snapshots one disk: reads it (existence, location, size, zone), adopts the snapshot a previous
 * attempt created under the same deterministic name or creates it (tags in the same PUT), and waits
 * until it is usable. One volume's problem is returned, never thrown; only an abort throws.
 */
export async function snapshotDisk(
  request: SnapshotDiskRequest,
  deps: SnapshotDeps,
  options: SnapshotDiskOptions = {},
): Promise<SnapshotDiskResult> {
  const { volume } = request;
  const disk = parseDiskId(volume.diskId);
  if (disk === undefined) {
    return volumeFailure(request.volume, "InvalidDiskId", `"${volume.diskId}" is not a managed disk id`);
  }
  const group = parseGroupId(request.snapshotResourceGroup);
  if (group === undefined) {
    return volumeFailure(volume, "InvalidResourceGroup", `"${request.snapshotResourceGroup}" is no group id`);
  }
  if (group.subscriptionId.toLowerCase() !== disk.subscriptionId.toLowerCase()) {
    return volumeFailure(
      request.volume,
      "CrossSubscription",
      `disk ${volume.diskId} is in subscription ${disk.subscriptionId}, but the snapshot resource group ` +
        `${request.snapshotResourceGroup} is not; Azure creates incremental snapshots only in the disk's ` +
        "subscription (set the instance's snapshotResourceGroup to a group there)",
    );
  }
  const client = deps.compute.forSubscription(disk.subscriptionId);
  if (client === undefined) {
    const allowed = deps.compute.subscriptions?.join(", ") ?? "";
    return volumeFailure(
      request.volume,
      "SubscriptionNotAllowed",
      `disk ${volume.diskId} is in subscription ${disk.subscriptionId}, which this app is not configured to use (allowed: ${allowed})`,
    );
  }
  const name = snapshotName(request.recoveryPointId, volume.diskId);
  const job: Job = {
    request,
    client,
    group: group.resourceGroup,
    name,
    snapshotId: `${request.snapshotResourceGroup}/providers/Microsoft.Compute/snapshots/${name}`,
    options: {
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      ...(deps.updateIntervalInMs !== undefined ? { updateIntervalInMs: deps.updateIntervalInMs } : {}),
    },
    ...(options.onCreated ? { onCreated: options.onCreated } : {}),
    deps,
  };
  try {
    return await snapshotWith(job, disk);
  } catch (error) {
    if (options.abortSignal?.aborted) throw options.abortSignal.reason ?? error;
    const { code, detail } = classifyArmFailure(error);
    return volumeFailure(request.volume, code, detail);
  }
}

async function snapshotWith(job: Job, diskId: DiskId): Promise<SnapshotDiskResult> {
  const { request, client, options } = job;
  let disk: Disk;
  try {
    disk = await client.disks.get(diskId.resourceGroup, diskId.name, options);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    return volumeFailure(
      request.volume,
      "DiskNotFound",
      `disk ${request.volume.diskId} not found (deleted after the claim was bound?)`,
    );
  }
  let existing: Snapshot | undefined;
  try {
    existing = await client.snapshots.get(job.group, job.name, options);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if ((error as { code?: string }).code === "ResourceGroupNotFound") {
      return volumeFailure(
        request.volume,
        "ResourceGroupNotFound",
        `snapshot resource group ${request.snapshotResourceGroup} does not exist (create it, or fix the instance's snapshotResourceGroup)`,
      );
    }
  }
  if (existing !== undefined) {
    const source = existing.creationData?.sourceResourceId ?? "";
    if (source.toLowerCase() !== request.volume.diskId.toLowerCase()) {
      return volumeFailure(
        request.volume,
        "NameCollision",
        `snapshot ${job.snapshotId} already exists with source ${source || "(none)"}, not disk ${request.volume.diskId}; it was left alone`,
      );
    }
    if (existing.provisioningState !== "Failed") return waitUntilUsable(job, disk, existing, true);
  }
  return createSnapshot(job, disk);
}

async function createSnapshot(job: Job, disk: Disk): Promise<SnapshotDiskResult> {
  const { request, client, deps } = job;
  const decision = deps.rateGuard.take(request.volume.diskId);
  if (!decision.allowed) {
    return volumeFailure(
      request.volume,
      "RateLimited",
      `disk ${request.volume.diskId} already had ${decision.recent} snapshot attempts in the last ` +
        `${Math.round(deps.rateGuard.windowMs / 60_000)} minutes; Azure allows ${deps.rateGuard.perWindow} ` +
        `incremental snapshots per disk in that time, so none was attempted (retry in ${Math.ceil(decision.retryInMs / 1000)} s)`,
    );
  }
  const body: Snapshot = {
    location: disk.location,
    incremental: true,
    creationData: { createOption: "Copy", sourceResourceId: request.volume.diskId },
    tags: snapshotTags({
      recoveryPointId: request.recoveryPointId,
      instance: request.instance,
      cluster: request.cluster,
      pvc: request.volume.pvc,
      pv: request.volume.pv,
    }),
  };
  let created: Snapshot;
  try {
    created = await client.snapshots.createOrUpdate(job.group, job.name, body, job.options);
  } catch (error) {
    if (job.options.abortSignal?.aborted) throw error;
    return removeFailed(job, disk, error);
  }
  return waitUntilUsable(job, disk, created, false);
}

function recordOf(
  job: Job,
  disk: Disk,
  snapshot: Pick<Snapshot, "id" | "diskSizeGB"> | undefined,
  percent: number,
  error?: string,
): VolumeSnapshotRecord {
  const { volume } = job.request;
  const zone = disk.zones?.[0];
  const record: VolumeSnapshotRecord = {
    pvc: volume.pvc,
    pv: volume.pv,
    diskId: volume.diskId,
    snapshotId: snapshot?.id ?? job.snapshotId,
    sizeGiB: disk.diskSizeGB ?? snapshot?.diskSizeGB ?? 0,
    completionPercent: percent,
  };
  if (zone !== undefined) record.zone = zone;
  if (volume.storageClass !== undefined) record.storageClass = volume.storageClass;
  if (error !== undefined) record.error = error;
  return record;
}

/** Provisioned, then the background copy at 100%: only then can a disk be restored from it. */
async function waitUntilUsable(
  job: Job,
  disk: Disk,
  first: Snapshot,
  adopted: boolean,
): Promise<SnapshotDiskResult> {
  const { deps, options } = job;
  const clock = deps.clock ?? monotonicClock;
  const delay = deps.delay ?? realDelay;
  const timeoutMs = deps.completionTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const started = clock();
  let snapshot = first;
  let created = false;
  // Small disks finish copying in seconds, large ones in hours: poll soon, then back off to the
  // configured interval.
  let pollMs = Math.min(1_000, deps.completionPollMs ?? DEFAULT_POLL_MS);
  for (;;) {
    const state = snapshot.provisioningState ?? "Unknown";
    if (state === "Failed") return removeFailed(job, disk, new Error("provisioning state is Failed"));
    if (state === "Succeeded" && !created) {
      created = true;
      job.onCreated?.();
    }
    // Full snapshots and older API versions report no completionPercent: usable once Succeeded.
    const percent = snapshot.completionPercent ?? (state === "Succeeded" ? 100 : 0);
    if (state === "Succeeded" && percent >= 100) {
      return { ok: true, record: recordOf(job, disk, snapshot, 100), adopted };
    }
    if (clock() - started >= timeoutMs) {
      const detail =
        `snapshot ${job.snapshotId} is not usable after ${Math.round(timeoutMs / 1000)} s ` +
        `(provisioning ${state}, copy at ${percent}%); it is recorded so a later run or retention can deal with it`;
      return volumeFailure(job.request.volume, "NotComplete", detail, {
        snapshotId: job.snapshotId,
        record: recordOf(job, disk, snapshot, percent, detail),
      });
    }
    await delay(pollMs, options.abortSignal);
    pollMs = Math.min(pollMs * 2, deps.completionPollMs ?? DEFAULT_POLL_MS);
    try {
      snapshot = await job.client.snapshots.get(job.group, job.name, options);
    } catch (error) {
      if (options.abortSignal?.aborted) throw error;
      const detail =
        `snapshot ${job.snapshotId} exists, but reading its state failed (${describeArmFailure(error)}); ` +
        `it is recorded at ${percent}% so a later run or retention can deal with it`;
      return volumeFailure(job.request.volume, "NotComplete", detail, {
        snapshotId: job.snapshotId,
        record: recordOf(job, disk, snapshot, percent, detail),
      });
    }
  }
}

/**
 * After a failed create: delete what was created (it is tagged, but a failed snapshot is no use),
 * or, if that fails too, return it recorded so retention removes it later.
 */
async function removeFailed(job: Job, disk: Disk, cause: unknown): Promise<SnapshotDiskResult> {
  const { request, client, options } = job;
  const why = describeArmFailure(cause);
  const classified = classifyArmFailure(cause);
  const code = classified.code === "ArmError" ? "SnapshotFailed" : classified.code;
  let leftOver: Snapshot | undefined;
  try {
    leftOver = await client.snapshots.get(job.group, job.name, options);
  } catch (error) {
    if (isNotFound(error))
      return volumeFailure(request.volume, code, `creating snapshot ${job.snapshotId}: ${why}`);
    // Unknown whether it exists: try the delete anyway, which answers 204 when there is nothing.
  }
  try {
    await client.snapshots.delete(job.group, job.name, options);
    const deleted = leftOver === undefined ? "deleted if it existed" : "deleted";
    return volumeFailure(
      request.volume,
      code,
      `creating snapshot ${job.snapshotId}: ${why}; the failed snapshot was ${deleted}`,
    );
  } catch (error) {
    if (options.abortSignal?.aborted) throw error;
    const detail =
      `creating snapshot ${job.snapshotId}: ${why}; deleting it failed too (${describeArmFailure(error)}), ` +
      "so it is recorded (tagged with its recovery point) for retention to remove";
    return volumeFailure(request.volume, code, detail, {
      snapshotId: job.snapshotId,
      record: recordOf(job, disk, leftOver, leftOver?.completionPercent ?? 0, detail),
    });
  }
}
