// Deleting a recovery point in two phases so that a crash at any step is finished by the next run:
// mark it (`deleting.json`: no longer restorable), delete its volume snapshots, its other blobs,
// the manifest last (it lists the snapshots), and finally the marker.
import { mapWithLimit } from "../kube/task-pool.js";
import type { RecoveryPointManifest } from "../model/recovery-point.js";
import { type CallOptions, type Catalog, DELETING_BLOB, MANIFEST_BLOB } from "./catalog.js";

export interface DeletionDeps {
  /** Deletes one volume snapshot by ARM id; `absent` when it was already gone. Throws when it could not. */
  deleteSnapshot(snapshotId: string, options: CallOptions): Promise<"deleted" | "absent">;
}

export interface DeletionResult {
  id: string;
  /** Snapshots deleted now, and those already gone (deleted by an earlier, interrupted run). */
  snapshotsDeleted: number;
  snapshotsAbsent: number;
  blobsDeleted: number;
}

export class RecoveryPointDeletionError extends Error {
  override name = "RecoveryPointDeletionError";
  constructor(
    readonly id: string,
    message: string,
  ) {
    super(message);
  }
}

/** Snapshots deleted at once for one recovery point: ARM latency bounds each, not CPU. */
const SNAPSHOT_CONCURRENCY = 8;

/** Marks and deletes a recovery point; safe to call again after any failure or crash. */
export async function deleteRecoveryPoint(
  catalog: Catalog,
  id: string,
  marker: { reason: string; at: Date },
  deps: DeletionDeps,
  options: CallOptions = {},
): Promise<DeletionResult> {
  await catalog.markForDeletion(id, marker.reason, marker.at, options);
  return finishDeletion(catalog, id, deps, options);
}

/**
 * The second phase, for a point already marked (by this run or one that crashed): snapshots, other
 * blobs, the manifest, the marker. If a snapshot cannot be deleted, nothing else is: the manifest
 * stays to name it, the marker keeps the point out of listings, and the next sweep tries again.
 */
export async function finishDeletion(
  catalog: Catalog,
  id: string,
  deps: DeletionDeps,
  options: CallOptions = {},
): Promise<DeletionResult> {
  const manifest = await readManifest(catalog, id, options);
  const snapshots = manifest ? await deleteSnapshotsOf(manifest, deps, options) : { deleted: 0, absent: 0 };
  const prefix = catalog.blobName(id, "");
  let blobsDeleted = 0;
  const last = new Set([catalog.blobName(id, MANIFEST_BLOB), catalog.blobName(id, DELETING_BLOB)]);
  try {
    for await (const blob of catalog.container.listBlobsFlat({ prefix, abortSignal: options.abortSignal })) {
      if (last.has(blob.name)) continue;
      if (await deleteBlob(catalog, blob.name, options)) blobsDeleted++;
    }
    if (await deleteBlob(catalog, catalog.blobName(id, MANIFEST_BLOB), options)) blobsDeleted++;
    await deleteBlob(catalog, catalog.blobName(id, DELETING_BLOB), options);
  } catch (error) {
    throw catalog.storageError(error, `cannot delete the blobs of ${id}`);
  }
  return { id, snapshotsDeleted: snapshots.deleted, snapshotsAbsent: snapshots.absent, blobsDeleted };
}

async function readManifest(
  catalog: Catalog,
  id: string,
  options: CallOptions,
): Promise<RecoveryPointManifest | undefined> {
  try {
    return await catalog.getManifest(id, options);
  } catch (error) {
    throw new RecoveryPointDeletionError(
      id,
      `cannot delete ${id}: its manifest, which names its snapshots, cannot be read (${(error as Error).message}); nothing was deleted`,
    );
  }
}

async function deleteSnapshotsOf(
  manifest: RecoveryPointManifest,
  deps: DeletionDeps,
  options: CallOptions,
): Promise<{ deleted: number; absent: number }> {
  const ids = [...new Set(manifest.volumeSnapshots.map((s) => s.snapshotId))];
  const outcomes = await mapWithLimit(
    ids,
    async (snapshotId, signal) => {
      try {
        return { snapshotId, outcome: await deps.deleteSnapshot(snapshotId, { abortSignal: signal }) };
      } catch (error) {
        if (options.abortSignal?.aborted) throw error;
        return { snapshotId, error: (error as Error).message };
      }
    },
    { limit: SNAPSHOT_CONCURRENCY, ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}) },
  );
  const failures = outcomes.filter((o) => o.error !== undefined).map((o) => o.error);
  if (failures.length > 0) {
    throw new RecoveryPointDeletionError(
      manifest.id,
      `cannot delete ${manifest.id}: ${failures.length} of ${ids.length} snapshots could not be deleted ` +
        `(${failures.join("; ")}); it stays marked for deletion and the next sweep tries again`,
    );
  }
  return {
    deleted: outcomes.filter((o) => o.outcome === "deleted").length,
    absent: outcomes.filter((o) => o.outcome === "absent").length,
  };
}

/** True when the blob existed. */
async function deleteBlob(catalog: Catalog, name: string, options: CallOptions): Promise<boolean> {
  const response = await catalog.container
    .getBlockBlobClient(name)
    .deleteIfExists({ abortSignal: options.abortSignal, deleteSnapshots: "include" });
  return response.succeeded;
}
