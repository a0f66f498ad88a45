// Snapshot sizes as Azure reports them (`GET /api/usage?snapshots=azure`): one GET per recorded
// snapshot, a few at a time. ARM's Snapshot gives `diskSizeBytes`, the provisioned size of the
// source disk; it says nothing about the bytes an incremental snapshot really uses, so that is what
// is summed. A 404 is a snapshot deleted outside aks-backup; any other failure keeps the manifest's
// size and counts the snapshot as unverified.
import type { VolumeSnapshotRecord } from "../model/recovery-point.js";
import type { ComputeClients } from "../volumes/compute-clients.js";
import { parseSnapshotId } from "../volumes/delete-snapshots.js";
import { armFailureOf, isNotFound } from "../volumes/snapshot-errors.js";

/** Snapshot GETs in flight at once (ARM's read limits are generous, but shared with backups). */
export const SNAPSHOT_GET_CONCURRENCY = 4;

export interface VerifiedSnapshots {
  /** Snapshots Azure answered for. */
  found: number;
  /** Recorded, but Azure says they no longer exist. */
  missing: number;
  /** Azure could not be asked (not allowed, unreachable, throttled past retries): manifest size used. */
  unverified: number;
  /** `diskSizeBytes` of those found plus the manifest size of the unverified ones. */
  provisionedBytes: number;
}

export type SnapshotOutcome =
  | { state: "found"; bytes: number }
  | { state: "missing" }
  | { state: "unverified"; unreachable?: boolean };

/** Asks Azure about each snapshot id once, SNAPSHOT_GET_CONCURRENCY at a time. */
export async function snapshotOutcomes(
  compute: ComputeClients,
  snapshotIds: readonly string[],
): Promise<Map<string, SnapshotOutcome>> {
  const unique = [...new Set(snapshotIds)];
  const outcomes = new Map<string, SnapshotOutcome>();
  let next = 0;
  // Once Azure cannot be reached at all (no HTTP answer), the rest are not asked: each would only
  // wait out the same retries.
  let unreachable = false;
  const worker = async () => {
    while (next < unique.length) {
      const id = unique[next++] as string;
      const outcome = unreachable ? { state: "unverified" as const } : await snapshotOutcome(compute, id);
      if (outcome.state === "unverified" && outcome.unreachable) unreachable = true;
      outcomes.set(id, outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SNAPSHOT_GET_CONCURRENCY, unique.length) }, worker));
  return outcomes;
}

async function snapshotOutcome(compute: ComputeClients, id: string): Promise<SnapshotOutcome> {
  const ref = parseSnapshotId(id);
  const client = ref && compute.forSubscription(ref.subscriptionId);
  if (!ref || !client) return { state: "unverified" };
  try {
    const snapshot = await client.snapshots.get(ref.resourceGroup, ref.name);
    return snapshot.diskSizeBytes === undefined
      ? { state: "unverified" }
      : { state: "found", bytes: snapshot.diskSizeBytes };
  } catch (error) {
    if (isNotFound(error)) return { state: "missing" };
    return { state: "unverified", unreachable: armFailureOf(error).statusCode === undefined };
  }
}

/** One instance's snapshots summed from the outcomes (the manifest's size for unverified ones). */
export function verifiedSnapshots(
  records: readonly VolumeSnapshotRecord[],
  outcomes: ReadonlyMap<string, SnapshotOutcome>,
): VerifiedSnapshots {
  const result: VerifiedSnapshots = { found: 0, missing: 0, unverified: 0, provisionedBytes: 0 };
  for (const record of records) {
    const outcome = outcomes.get(record.snapshotId) ?? { state: "unverified" };
    if (outcome.state === "found") {
      result.found++;
      result.provisionedBytes += outcome.bytes;
    } else if (outcome.state === "missing") {
      result.missing++;
    } else {
      result.unverified++;
      result.provisionedBytes += record.sizeGiB * 1024 ** 3;
    }
  }
  return result;
}
