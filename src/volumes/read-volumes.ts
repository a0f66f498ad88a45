// Reads the selected claims and their bound PersistentVolumes from the cluster, then plans the
// snapshots. One claim's problem (gone, forbidden) is that claim's error; an unreachable cluster throws.
import type { Cluster } from "../kube/cluster.js";
import { isKubeApiError } from "../kube/errors.js";
import { mapWithLimit } from "../kube/task-pool.js";
import type { KubeObject } from "../kube/types.js";
import { type ClaimRef, type ClaimVolume, planVolumeSnapshots, type VolumePlan } from "./discovery.js";

export interface DiscoverVolumesOptions {
  /** The instance's `snapshotVolumes`; false reads nothing and plans nothing. */
  snapshotVolumes: boolean;
  /** Claims read at once. Default 8. */
  concurrency?: number;
  abortSignal?: AbortSignal;
}

async function getOrUndefined(
  cluster: Cluster,
  path: string,
  abortSignal: AbortSignal,
): Promise<KubeObject | undefined> {
  try {
    return await cluster.request<KubeObject>("GET", path, { abortSignal });
  } catch (error) {
    if (isKubeApiError(error, 404)) return undefined;
    throw error;
  }
}

/** A claim and its bound PV, as the cluster has them now. */
export async function readClaimVolume(
  cluster: Cluster,
  claim: ClaimRef,
  abortSignal: AbortSignal,
): Promise<ClaimVolume> {
  const ns = encodeURIComponent(claim.namespace);
  try {
    const pvc = await getOrUndefined(
      cluster,
      `/api/v1/namespaces/${ns}/persistentvolumeclaims/${encodeURIComponent(claim.name)}`,
      abortSignal,
    );
    const volumeName = (pvc?.spec as { volumeName?: unknown } | undefined)?.volumeName;
    if (pvc === undefined || typeof volumeName !== "string" || volumeName === "") {
      return pvc === undefined ? { claim } : { claim, pvc };
    }
    const pv = await getOrUndefined(
      cluster,
      `/api/v1/persistentvolumes/${encodeURIComponent(volumeName)}`,
      abortSignal,
    );
    return pv === undefined ? { claim, pvc } : { claim, pvc, pv };
  } catch (error) {
    // A refusal for this claim (403 on one namespace, say) must not hide the other claims' snapshots.
    if (isKubeApiError(error)) return { claim, readError: error.message };
    throw error;
  }
}

/** Reads the selected claims (from the export) and plans their snapshots. */
export async function discoverVolumes(
  cluster: Cluster,
  claims: readonly ClaimRef[],
  options: DiscoverVolumesOptions,
): Promise<VolumePlan> {
  if (!options.snapshotVolumes || claims.length === 0) {
    return planVolumeSnapshots([], { snapshotVolumes: options.snapshotVolumes });
  }
  const read = await mapWithLimit(claims, (claim, signal) => readClaimVolume(cluster, claim, signal), {
    limit: options.concurrency ?? 8,
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
  return planVolumeSnapshots(read, { snapshotVolumes: true });
}
