// What health and usage read from storage: one flat listing of the container (every recovery
// point's blobs with their sizes, committed or not, being deleted or not), and manifests downloaded
// with bounded concurrency, newest first, only as many as a question needs.

import type { RecoveryPointManifest } from "../model/recovery-point.js";
import type { Catalog } from "../store/catalog.js";
import { DELETING_BLOB, MANIFEST_BLOB } from "../store/catalog.js";
import { parseRecoveryPointId } from "../store/recovery-point-id.js";

export interface PointInventory {
  id: string;
  committed: boolean;
  deleting: boolean;
  blobCount: number;
  bytes: number;
}

export interface InstanceInventory {
  instance: string;
  /** Every `<instance>/<id>/` prefix, newest id first (ids sort by time within an instance). */
  points: PointInventory[];
}

/** Manifest downloads in flight at once. */
export const MANIFEST_CONCURRENCY = 8;

/** One listing of the container, grouped by instance; blobs outside recovery-point prefixes are ignored. */
export async function inventory(catalog: Catalog): Promise<Map<string, InstanceInventory>> {
  const points = new Map<string, PointInventory & { instance: string }>();
  try {
    for await (const blob of catalog.container.listBlobsFlat()) {
      const [instance, id, file] = blob.name.split("/");
      if (!instance || !id || !file || parseRecoveryPointId(id)?.instance !== instance) continue;
      const key = `${instance}/${id}`;
      let point = points.get(key);
      if (point === undefined) {
        point = { instance, id, committed: false, deleting: false, blobCount: 0, bytes: 0 };
        points.set(key, point);
      }
      point.blobCount++;
      point.bytes += blob.properties.contentLength ?? 0;
      if (file === MANIFEST_BLOB) point.committed = true;
      if (file === DELETING_BLOB) point.deleting = true;
    }
  } catch (error) {
    throw catalog.storageError(error, "cannot list the recovery points");
  }
  const byInstance = new Map<string, InstanceInventory>();
  for (const { instance, ...point } of points.values()) {
    let entry = byInstance.get(instance);
    if (entry === undefined) {
      entry = { instance, points: [] };
      byInstance.set(instance, entry);
    }
    entry.points.push(point);
  }
  for (const entry of byInstance.values()) entry.points.sort((a, b) => b.id.localeCompare(a.id));
  return byInstance;
}

/** Runs at most `concurrency` of the functions it is given at once, the others waiting their turn. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function limiter(concurrency: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A finishing task hands its slot straight to the next waiting one, so none can slip in between.
    if (running >= concurrency) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * The manifests of restorable points (committed, not being deleted), newest first, downloaded in
 * batches until `enough` says the ones read so far answer the question (or none are left). Pass one
 * `limit` to every call of a report so that all its instances together stay within it.
 */
export async function newestManifests(
  catalog: Catalog,
  points: readonly PointInventory[],
  enough: (read: readonly RecoveryPointManifest[]) => boolean = () => false,
  limit: Limiter = limiter(MANIFEST_CONCURRENCY),
): Promise<RecoveryPointManifest[]> {
  const ids = points.filter((p) => p.committed && !p.deleting).map((p) => p.id);
  const read: RecoveryPointManifest[] = [];
  for (let start = 0; start < ids.length && !enough(read); start += MANIFEST_CONCURRENCY) {
    const batch = await Promise.all(
      ids.slice(start, start + MANIFEST_CONCURRENCY).map((id) => limit(() => catalog.getManifest(id))),
    );
    for (const manifest of batch) if (manifest !== undefined) read.push(manifest);
  }
  return read;
}
