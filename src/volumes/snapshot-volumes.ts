// The snapshot phase of one backup in one call (the local runtime's fan-out; the durable one calls
// snapshotDisk per volume): bounded concurrency, and a partial failure is a result, not an exception.
import { setMaxListeners } from "node:events";
import { mapWithLimit } from "../kube/task-pool.js";
import type { ItemMessage, VolumeSnapshotRecord } from "../model/recovery-point.js";
import {
  type SnapshotDeps,
  type SnapshotDiskResult,
  type SnapshotTarget,
  snapshotDisk,
} from "./azure-disk.js";
import type { DiskVolume } from "./discovery.js";

/**
 * Snapshots at once. ARM latency, not our CPU, bounds a snapshot (five or so requests, each waited
 * for); 25 keeps 50 volumes within two rounds while staying far below ARM's write throttling.
 */
export const DEFAULT_SNAPSHOT_CONCURRENCY = 25;

export interface SnapshotVolumesRequest extends SnapshotTarget {
  volumes: readonly DiskVolume[];
}

export interface SnapshotVolumesOptions {
  concurrency?: number;
  abortSignal?: AbortSignal;
  /** Called when a volume's snapshot exists (before its copy completes); see SnapshotDiskOptions. */
  onCreated?: (volume: DiskVolume) => void;
  /** Called after each volume, for progress. */
  onVolume?: (result: SnapshotDiskResult, done: number, total: number, volume: DiskVolume) => void;
}

export interface SnapshotVolumesResult {
  /** Every snapshot that exists for this recovery point: usable ones, and unusable ones with `error`. */
  snapshots: VolumeSnapshotRecord[];
  warnings: ItemMessage[];
  errors: ItemMessage[];
  /** Volumes whose snapshot a previous attempt had already created. */
  adopted: number;
}

function messageFor(volume: DiskVolume, message: string): ItemMessage {
  return { message, namespace: volume.namespace, type: "v1/PersistentVolumeClaim", name: volume.claimName };
}

export async function snapshotVolumes(
  request: SnapshotVolumesRequest,
  deps: SnapshotDeps,
  options: SnapshotVolumesOptions = {},
): Promise<SnapshotVolumesResult> {
  const { volumes, ...target } = request;
  const limit = options.concurrency ?? DEFAULT_SNAPSHOT_CONCURRENCY;
  let done = 0;
  const results = await mapWithLimit(
    volumes,
    async (volume, abortSignal) => {
      // Every running snapshot's SDK calls listen on the pool's one signal; that is not a leak.
      setMaxListeners(Math.max(10, limit * 4), abortSignal);
      const onCreated = options.onCreated;
      const result = await snapshotDisk({ ...target, volume }, deps, {
        abortSignal,
        ...(onCreated ? { onCreated: () => onCreated(volume) } : {}),
      });
      done += 1;
      options.onVolume?.(result, done, volumes.length, volume);
      return result;
    },
    {
      limit,
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    },
  );
  const outcome: SnapshotVolumesResult = { snapshots: [], warnings: [], errors: [], adopted: 0 };
  results.forEach((result, index) => {
    const volume = volumes[index] as DiskVolume;
    if (result.ok) {
      outcome.snapshots.push(result.record);
      if (result.adopted) outcome.adopted += 1;
      return;
    }
    if (result.record !== undefined) outcome.snapshots.push(result.record);
    outcome.errors.push(messageFor(volume, result.error.message));
  });
  return outcome;
}
