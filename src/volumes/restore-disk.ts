// One snapshot back into a managed disk: created in the target cluster's group and in a zone its
// nodes use, under a name derived from the restore and the source disk so a retry adopts it.
import { createHash } from "node:crypto";
import type { ComputeManagementClient, Disk, Snapshot } from "@azure/arm-compute";
import type { ComputeClients } from "./compute-clients.js";
import { type NodeTopology, pickDiskZone } from "./node-zones.js";
import { armFailureOf, describeArmFailure, isNotFound } from "./snapshot-errors.js";
import { parseDiskId, parseGroupId } from "./snapshot-identity.js";

/** Tag keys of a restored disk: what it was made from and by which restore. */
export const RESTORED_DISK_TAGS = {
  restore: "aks-backup.restore",
  recoveryPoint: "aks-backup.recovery-point",
  restoredFrom: "aks-backup.restored-from",
  pvc: "aks-backup.pvc",
  pv: "aks-backup.pv",
} as const;

/** The SKU of AKS's default `managed-csi` class: used when nothing says what the source disk was. */
export const DEFAULT_DISK_SKU = "StandardSSD_LRS";

export interface RestoreDiskRequest {
  restoreId: string;
  recoveryPointId: string;
  /** "namespace/name" of the claim the disk is for (after mapping): tags and messages. */
  pvc: string;
  /** Name of the PersistentVolume that will point at the disk. */
  pv: string;
  snapshotId: string;
  /** The disk that was snapshotted; it names the new disk and, when it still exists, gives the SKU. */
  sourceDiskId: string;
  /** ARM id of the resource group the disk goes to (the target cluster's node resource group). */
  resourceGroup: string;
  /** Size recorded at backup; the disk gets at least this and at least the snapshot's size. */
  sizeGiB?: number;
  /** Zone ("1".."3") of the source disk, kept when the target has nodes there. */
  zone?: string;
  /** SKU to create (the source PV's `skuname`); absent: the source disk's, else `fallbackSkuName`. */
  skuName?: string;
  /** SKU when neither `skuName` nor the source disk tells (the target's storage class); else the default. */
  fallbackSkuName?: string;
  /** Where the target cluster's nodes are; absent: a disk in the source zone (or regional). */
  nodes?: NodeTopology;
}

export interface RestoreDiskDeps {
  compute: ComputeClients;
  /** Poll interval of the SDK's long-running-operation poller (its default: 2000). */
  updateIntervalInMs?: number;
}

export interface RestoredDisk {
  diskId: string;
  name: string;
  location: string;
  zone?: string;
  skuName: string;
  sizeGiB: number;
  /** A previous attempt had created it: nothing was written. */
  adopted: boolean;
}

export type RestoreDiskErrorCode =
  | "InvalidSnapshotId"
  | "InvalidResourceGroup"
  | "SubscriptionNotAllowed"
  | "ResourceGroupNotFound"
  | "SnapshotNotFound"
  | "SnapshotNotReady"
  | "SnapshotFailed"
  | "CrossRegion"
  | "NameCollision"
  | "DiskFailed"
  | "Forbidden"
  | "Throttled"
  | "ArmError";

/** Why a disk could not be restored; `retriable` says whether the same call may succeed later. */
export class RestoreDiskError extends Error {
  override name = "RestoreDiskError";
  constructor(
    readonly code: RestoreDiskErrorCode,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

export function isRestoreDiskError(error: unknown): error is RestoreDiskError {
  return error instanceof Error && error.name === "RestoreDiskError" && "retriable" in error;
}

const SNAPSHOT_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/snapshots\/([^/]+)$/i;
const MAX_NAME = 80;
const MAX_TAG_VALUE = 256;
const HASH_LENGTH = 10;

/**
 * `restored-<source disk name>-<hash>`, cut to Azure's 80 characters. The hash covers the restore
 * id and the source disk id (case-insensitive), so a retried restore finds the disk it created and
 * two restores of the same snapshot never share one.
 */
export function restoredDiskName(restoreId: string, sourceDiskId: string): string {
  const hash = createHash("sha256")
    .update(`restore\n${restoreId}\n${sourceDiskId.toLowerCase()}`)
    .digest("hex")
    .slice(0, HASH_LENGTH);
  const diskName = (parseDiskId(sourceDiskId)?.name ?? "disk").toLowerCase();
  const readable = `restored-${diskName}`
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .slice(0, MAX_NAME - HASH_LENGTH - 1)
    .replace(/[.-]+$/, "");
  return `${readable}-${hash}`;
}

export function restoredDiskTags(request: RestoreDiskRequest): Record<string, string> {
  const value = (text: string) => text.slice(0, MAX_TAG_VALUE);
  return {
    [RESTORED_DISK_TAGS.restore]: value(request.restoreId),
    [RESTORED_DISK_TAGS.recoveryPoint]: value(request.recoveryPointId),
    [RESTORED_DISK_TAGS.restoredFrom]: value(request.snapshotId),
    [RESTORED_DISK_TAGS.pvc]: value(request.pvc),
    [RESTORED_DISK_TAGS.pv]: value(request.pv),
  };
}

interface Job {
  request: RestoreDiskRequest;
  deps: RestoreDiskDeps;
  client: ComputeManagementClient;
  group: string;
  name: string;
  diskId: string;
  options: { abortSignal?: AbortSignal; updateIntervalInMs?: number };
}

/**
 * Creates a managed disk from a snapshot (`createOption: Copy`) and waits for it, or adopts the one
 * a previous attempt made. Throws a RestoreDiskError naming the claim, the snapshot and the next step.
 */
export async function restoreDisk(
  deps: RestoreDiskDeps,
  request: RestoreDiskRequest,
  options: { abortSignal?: AbortSignal } = {},
): Promise<RestoredDisk> {
  const job = jobOf(deps, request, options);
  try {
    const existing = await readDisk(job, job.group, job.name);
    if (existing !== undefined) checkSource(job, existing);
    if (existing?.provisioningState === "Succeeded") return restoredOf(job, existing, true);
    const snapshot = await readSnapshot(job);
    return await createDisk(job, snapshot, existing);
  } catch (error) {
    if (options.abortSignal?.aborted) throw options.abortSignal.reason ?? error;
    if (isRestoreDiskError(error)) throw error;
    throw fromArm(request, error);
  }
}

function fail(request: RestoreDiskRequest, code: RestoreDiskErrorCode, detail: string, retriable = false) {
  return new RestoreDiskError(code, `claim ${request.pvc}: ${detail}`, retriable);
}

function jobOf(
  deps: RestoreDiskDeps,
  request: RestoreDiskRequest,
  options: { abortSignal?: AbortSignal },
): Job {
  if (!SNAPSHOT_ID.test(request.snapshotId.trim())) {
    throw fail(request, "InvalidSnapshotId", `"${request.snapshotId}" is not a managed disk snapshot id`);
  }
  const group = parseGroupId(request.resourceGroup);
  if (group === undefined) {
    throw fail(request, "InvalidResourceGroup", `"${request.resourceGroup}" is not a resource group id`);
  }
  const client = clientFor(deps, request, group.subscriptionId);
  const name = restoredDiskName(request.restoreId, request.sourceDiskId);
  return {
    request,
    deps,
    client,
    group: group.resourceGroup,
    name,
    diskId: `${request.resourceGroup}/providers/Microsoft.Compute/disks/${name}`,
    options: {
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      ...(deps.updateIntervalInMs !== undefined ? { updateIntervalInMs: deps.updateIntervalInMs } : {}),
    },
  };
}

function clientFor(deps: RestoreDiskDeps, request: RestoreDiskRequest, subscriptionId: string) {
  const client = deps.compute.forSubscription(subscriptionId);
  if (client !== undefined) return client;
  const allowed = deps.compute.subscriptions?.join(", ") ?? "";
  throw fail(
    request,
    "SubscriptionNotAllowed",
    `subscription ${subscriptionId} is not one this app is configured to use (allowed: ${allowed})`,
  );
}

/** A disk under our name made from another source is not ours to adopt or finish. */
function checkSource(job: Job, disk: Disk): void {
  const source = disk.creationData?.sourceResourceId ?? "";
  if (source.toLowerCase() !== job.request.snapshotId.toLowerCase()) {
    throw fail(
      job.request,
      "NameCollision",
      `disk ${job.diskId} already exists with source ${source || "(none)"}, not snapshot ${job.request.snapshotId}; it was left alone`,
    );
  }
}

function restoredOf(job: Job, disk: Disk, adopted: boolean): RestoredDisk {
  const zone = disk.zones?.[0];
  return {
    diskId: disk.id ?? job.diskId,
    name: disk.name ?? job.name,
    location: disk.location,
    ...(zone !== undefined ? { zone } : {}),
    skuName: disk.sku?.name ?? DEFAULT_DISK_SKU,
    sizeGiB: disk.diskSizeGB ?? 0,
    adopted,
  };
}

/** The disk, or undefined when there is none (a missing group is an error of its own). */
async function readDisk(job: Job, group: string, name: string): Promise<Disk | undefined> {
  try {
    return await job.client.disks.get(group, name, job.options);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    if (armFailureOf(error).code === "ResourceGroupNotFound") {
      throw fail(
        job.request,
        "ResourceGroupNotFound",
        `resource group ${job.request.resourceGroup} does not exist (is it the target cluster's node resource group?)`,
      );
    }
    return undefined;
  }
}

/** The snapshot, checked usable: it exists, is provisioned and its background copy is complete. */
async function readSnapshot(job: Job): Promise<Snapshot> {
  const { request } = job;
  const [, subscriptionId = "", group = "", name = ""] = SNAPSHOT_ID.exec(request.snapshotId.trim()) ?? [];
  const client = clientFor(job.deps, request, subscriptionId);
  let snapshot: Snapshot;
  try {
    snapshot = await client.snapshots.get(group, name, job.options);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    throw fail(
      request,
      "SnapshotNotFound",
      `snapshot ${request.snapshotId} no longer exists (deleted by retention or by hand?); restore from another recovery point`,
    );
  }
  const state = snapshot.provisioningState ?? "Unknown";
  const percent = snapshot.completionPercent ?? (state === "Succeeded" ? 100 : 0);
  if (state === "Failed") {
    throw fail(
      request,
      "SnapshotNotFound",
      `snapshot ${request.snapshotId} is Failed and cannot be restored`,
    );
  }
  if (state !== "Succeeded" || percent < 100) {
    throw fail(
      request,
      "SnapshotNotReady",
      `snapshot ${request.snapshotId} is still being copied (provisioning ${state}, copy at ${percent}%); ` +
        "Azure creates a disk from it once the copy reaches 100%, so try again later",
      true,
    );
  }
  return snapshot;
}

/** The SKU: the request's, the source disk's when it still exists, the fallback, the default. */
async function skuOf(job: Job): Promise<string> {
  if (job.request.skuName !== undefined) return job.request.skuName;
  const source = parseDiskId(job.request.sourceDiskId);
  const client = source && job.deps.compute.forSubscription(source.subscriptionId);
  if (source && client) {
    try {
      const disk = await client.disks.get(source.resourceGroup, source.name, job.options);
      if (disk.sku?.name) return disk.sku.name;
    } catch (error) {
      // Gone (the usual case once its cluster or claim is deleted) or unreadable: fall back.
      if (job.options.abortSignal?.aborted) throw error;
    }
  }
  return job.request.fallbackSkuName ?? DEFAULT_DISK_SKU;
}

async function createDisk(job: Job, snapshot: Snapshot, existing: Disk | undefined): Promise<RestoredDisk> {
  const { request } = job;
  const location = snapshot.location;
  const region = request.nodes?.region?.replace(/\s+/g, "").toLowerCase();
  if (region !== undefined && region !== location.toLowerCase()) {
    throw fail(
      request,
      "CrossRegion",
      `snapshot ${request.snapshotId} is in ${location}, but the target cluster's nodes are in ${region}; ` +
        `Azure creates a disk only in its snapshot's region (copy the snapshot to ${region} first)`,
    );
  }
  const skuName = existing?.sku?.name ?? (await skuOf(job));
  // A disk left half-made by an earlier attempt keeps its zone: Azure cannot move a disk.
  const zone = existing
    ? existing.zones?.[0]
    : pickDiskZone({ sourceZone: request.zone, skuName, nodes: request.nodes, key: request.sourceDiskId });
  const sizeGiB = Math.max(snapshot.diskSizeGB ?? 0, request.sizeGiB ?? 0, existing?.diskSizeGB ?? 0);
  const body: Disk = {
    location,
    sku: { name: skuName },
    ...(zone !== undefined ? { zones: [zone] } : {}),
    ...(sizeGiB > 0 ? { diskSizeGB: sizeGiB } : {}),
    creationData: { createOption: "Copy", sourceResourceId: request.snapshotId },
    tags: restoredDiskTags(request),
  };
  try {
    const created = await job.client.disks.beginCreateOrUpdateAndWait(job.group, job.name, body, job.options);
    return restoredOf(job, created, false);
  } catch (error) {
    if (job.options.abortSignal?.aborted) throw error;
    throw await afterFailedCreate(job, error);
  }
}

/**
 * A refused PUT (4xx) created nothing. Anything else may have left a disk: a Failed one is deleted
 * (best effort) so the retry starts clean; one still being made is adopted by the retry.
 */
async function afterFailedCreate(job: Job, cause: unknown): Promise<RestoreDiskError> {
  const { statusCode } = armFailureOf(cause);
  if (statusCode !== undefined && statusCode >= 400 && statusCode < 500) return fromArm(job.request, cause);
  let left: Disk | undefined;
  let deleted = false;
  try {
    left = await readDisk(job, job.group, job.name);
    if (left?.provisioningState === "Failed") {
      await job.client.disks.beginDeleteAndWait(job.group, job.name, job.options);
      deleted = true;
    }
  } catch {
    // The retry finds it again, whatever its state.
  }
  if (left?.provisioningState !== "Failed" && statusCode !== undefined) return fromArm(job.request, cause);
  const next = deleted
    ? "the failed disk was deleted, so a retry creates it afresh"
    : left === undefined
      ? "a retry creates it"
      : `the disk is left ${left.provisioningState ?? "in an unknown state"}; a retry finishes it or starts afresh`;
  return fail(
    job.request,
    "DiskFailed",
    `creating disk ${job.diskId} from snapshot ${job.request.snapshotId} failed (${describeArmFailure(cause)}); ${next}`,
    true,
  );
}

/** An ARM failure as a RestoreDiskError: throttling, 5xx and dropped connections are retriable. */
export function fromArm(request: RestoreDiskRequest, error: unknown): RestoreDiskError {
  const failure = armFailureOf(error);
  const described = describeArmFailure(error);
  const status = failure.statusCode;
  if (status === 429) {
    return fail(
      request,
      "Throttled",
      `Azure Resource Manager kept throttling after the retries: ${described}`,
      true,
    );
  }
  if (status === 401 || status === 403) {
    return fail(
      request,
      "Forbidden",
      `${described} (grant the app's identity Microsoft.Compute/snapshots/read and disks/read+write there)`,
    );
  }
  const retriable = status === undefined || status >= 500;
  return fail(request, "ArmError", `restoring snapshot ${request.snapshotId}: ${described}`, retriable);
}
