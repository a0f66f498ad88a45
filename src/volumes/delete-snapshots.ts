// Deleting our volume snapshots by ARM id (retention, stop protection) and finding them again by
// their tags in a resource group (the orphan sweep). A snapshot already gone counts as deleted.
import type { Snapshot } from "@azure/arm-compute";
import type { ComputeClients } from "./compute-clients.js";
import { armFailureOf, describeArmFailure, isNotFound } from "./snapshot-errors.js";
import { parseGroupId, SNAPSHOT_TAGS } from "./snapshot-identity.js";

export type SnapshotDeletionErrorCode =
  | "InvalidSnapshotId"
  | "InvalidResourceGroup"
  | "SubscriptionNotAllowed"
  | "Forbidden"
  | "ArmError";

export class SnapshotDeletionError extends Error {
  override name = "SnapshotDeletionError";
  constructor(
    readonly code: SnapshotDeletionErrorCode,
    /** The snapshot (or, for a listing, the resource group) concerned. */
    readonly resourceId: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SnapshotRef {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

export interface SnapshotCallOptions {
  abortSignal?: AbortSignal;
  /** Poll interval of the delete's long-running operation (the SDK's default: 2000, or Retry-After). */
  updateIntervalInMs?: number;
}

/** `deleted`: it existed and is gone now; `absent`: there was nothing to delete (ARM's 204 or 404). */
export type SnapshotDeletionOutcome = "deleted" | "absent";

const SNAPSHOT_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/snapshots\/([^/]+)$/i;

export function parseSnapshotId(id: string): SnapshotRef | undefined {
  const match = SNAPSHOT_ID.exec(id.trim());
  if (!match) return undefined;
  const [, subscriptionId = "", resourceGroup = "", name = ""] = match;
  return { subscriptionId, resourceGroup, name };
}

/** The resource group id a snapshot id lives in (lower-cased, as ARM compares ids), or undefined. */
export function groupOfSnapshot(id: string): string | undefined {
  const ref = parseSnapshotId(id);
  return ref && `/subscriptions/${ref.subscriptionId}/resourceGroups/${ref.resourceGroup}`.toLowerCase();
}

/**
 * Deletes one snapshot and waits for the long-running operation. Throttling (429 + Retry-After),
 * 5xx and dropped connections are retried by the clients' retry policy; what still fails throws a
 * SnapshotDeletionError naming the snapshot.
 */
export async function deleteSnapshot(
  compute: ComputeClients,
  snapshotId: string,
  options: SnapshotCallOptions = {},
): Promise<SnapshotDeletionOutcome> {
  const ref = parseSnapshotId(snapshotId);
  if (ref === undefined) {
    throw new SnapshotDeletionError("InvalidSnapshotId", snapshotId, `"${snapshotId}" is not a snapshot id`);
  }
  const client = compute.forSubscription(ref.subscriptionId);
  if (client === undefined) {
    throw new SnapshotDeletionError(
      "SubscriptionNotAllowed",
      snapshotId,
      `cannot delete snapshot ${snapshotId}: subscription ${ref.subscriptionId} is not one this app is configured to use (allowed: ${compute.subscriptions?.join(", ") ?? ""})`,
    );
  }
  let firstStatus: number | undefined;
  try {
    await client.snapshots.delete(ref.resourceGroup, ref.name, {
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      ...(options.updateIntervalInMs !== undefined ? { updateIntervalInMs: options.updateIntervalInMs } : {}),
      onResponse: (response) => {
        firstStatus ??= response.status;
      },
    });
  } catch (error) {
    if (options.abortSignal?.aborted) throw error;
    // A missing resource group or snapshot: nothing left to delete.
    if (isNotFound(error)) return "absent";
    throw deletionFailure(snapshotId, error);
  }
  return firstStatus === 204 ? "absent" : "deleted";
}

function deletionFailure(snapshotId: string, error: unknown): SnapshotDeletionError {
  const { statusCode } = armFailureOf(error);
  const described = describeArmFailure(error);
  if (statusCode === 401 || statusCode === 403) {
    return new SnapshotDeletionError(
      "Forbidden",
      snapshotId,
      `cannot delete snapshot ${snapshotId}: ${described} (grant the app's identity Microsoft.Compute/snapshots/delete there)`,
    );
  }
  return new SnapshotDeletionError(
    "ArmError",
    snapshotId,
    `cannot delete snapshot ${snapshotId}: ${described}`,
  );
}

/** A snapshot carrying our tags, as the orphan sweep sees it. */
export interface TaggedSnapshot {
  id: string;
  name: string;
  /** The recovery point it was taken for (its `aks-backup.recovery-point` tag). */
  recoveryPointId: string;
  instance: string | undefined;
  timeCreated: Date | undefined;
}

/**
 * The snapshots in one resource group that carry our recovery-point tag, every page of them
 * (Compute's list has no tag filter, so the filter is ours). A group that does not exist has none.
 */
export async function listTaggedSnapshots(
  compute: ComputeClients,
  resourceGroupId: string,
  options: SnapshotCallOptions = {},
): Promise<TaggedSnapshot[]> {
  const group = parseGroupId(resourceGroupId);
  if (group === undefined) {
    throw new SnapshotDeletionError(
      "InvalidResourceGroup",
      resourceGroupId,
      `"${resourceGroupId}" is not a resource group id`,
    );
  }
  const client = compute.forSubscription(group.subscriptionId);
  if (client === undefined) {
    throw new SnapshotDeletionError(
      "SubscriptionNotAllowed",
      resourceGroupId,
      `cannot list snapshots in ${resourceGroupId}: subscription ${group.subscriptionId} is not one this app is configured to use`,
    );
  }
  const found: TaggedSnapshot[] = [];
  try {
    const pages = client.snapshots
      .listByResourceGroup(
        group.resourceGroup,
        options.abortSignal ? { abortSignal: options.abortSignal } : {},
      )
      .byPage();
    for await (const page of pages) {
      for (const snapshot of page) {
        const tagged = taggedSnapshotOf(snapshot);
        if (tagged) found.push(tagged);
      }
    }
  } catch (error) {
    if (options.abortSignal?.aborted) throw error;
    if (isNotFound(error)) return [];
    throw new SnapshotDeletionError(
      statusIsForbidden(error) ? "Forbidden" : "ArmError",
      resourceGroupId,
      `cannot list snapshots in ${resourceGroupId}: ${describeArmFailure(error)}`,
    );
  }
  return found;
}

function taggedSnapshotOf(snapshot: Snapshot): TaggedSnapshot | undefined {
  const recoveryPointId = snapshot.tags?.[SNAPSHOT_TAGS.recoveryPoint];
  if (recoveryPointId === undefined || snapshot.id === undefined) return undefined;
  return {
    id: snapshot.id,
    name: snapshot.name ?? "",
    recoveryPointId,
    instance: snapshot.tags?.[SNAPSHOT_TAGS.instance],
    timeCreated: snapshot.timeCreated,
  };
}

function statusIsForbidden(error: unknown): boolean {
  const { statusCode } = armFailureOf(error);
  return statusCode === 401 || statusCode === 403;
}
