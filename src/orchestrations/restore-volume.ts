// The restoreVolume activity: one planned volume's snapshot becomes a managed disk in the target
// cluster's node resource group, in a zone its nodes use; and the pure step that points the plan's
// PersistentVolumes at the disks made, before the plan is applied.
import type { Cluster } from "../kube/cluster.js";
import { isKubeApiError, KubeApiError } from "../kube/errors.js";
import type { KubeObject } from "../kube/types.js";
import type { BackupInstance } from "../model/backup-instance.js";
import { record } from "../restore/actions/types.js";
import { type RestoredDiskRef, rewritePersistentVolume } from "../restore/rewrite-pv.js";
import type { PlannedVolume, RestorePlan } from "../restore/types.js";
import { type NodeTopology, nodeTopologyOf } from "../volumes/node-zones.js";
import { isRestoreDiskError, type RestoreDiskDeps, restoreDisk } from "../volumes/restore-disk.js";
import type { Environment } from "./environment.js";
import type { OrchestrationModule } from "./module.js";

export const RESTORE_VOLUME = "restoreVolume";

export interface RestoreVolumeInput {
  restoreId: string;
  recoveryPointId: string;
  volume: PlannedVolume;
  /** A registered cluster. */
  targetCluster: string;
  /** ARM id of the group for the disk; absent: the node resource group of the target's aksResourceId. */
  resourceGroup?: string;
  /** SKU of the new disk; absent: the source disk's, else the target storage class's, else StandardSSD_LRS. */
  skuName?: string;
}

export interface RestoreVolumeOutput {
  /** The plan's PersistentVolume that is to point at the disk. */
  pvName: string;
  diskId: string;
  location: string;
  /** Availability zone of the disk; absent for a regional disk. */
  zone?: string;
  skuName: string;
  /** A previous attempt had made the disk. */
  adopted: boolean;
}

/** What the restoreVolume activity answers: the disk, or why it cannot be made by trying again. */
export type RestoreVolumeOutcome =
  | ({ ok: true } & RestoreVolumeOutput)
  | {
      ok: false;
      pvName: string;
      /** The RestoreDiskError code, or `TargetUnusable` when the target cluster cannot take disks. */
      code: string;
      error: string;
    };

/** The target cluster cannot take restored disks as registered; no retry can change that. */
class VolumeTargetError extends Error {
  override name = "VolumeTargetError";
}

/**
 * Whether trying again may help: a RestoreDiskError says so itself; an unusable target never;
 * a refusal of the target's API server (4xx but 408/429) does not change by itself. Anything else
 * (unreachable cluster, storage, an unknown error) may be transient.
 */
function isRetriable(error: unknown): boolean {
  if (isRestoreDiskError(error)) return error.retriable;
  if (error instanceof VolumeTargetError) return false;
  if (error instanceof KubeApiError) {
    const status = error.statusCode;
    return status >= 500 || status === 408 || status === 429;
  }
  return true;
}

/**
 * The restoreVolume activity: a failure that cannot succeed later (a target without aksResourceId,
 * a snapshot that is gone, a forbidden group, ...) is answered as a value, so the orchestrator
 * reports the volume failed at once; only a failure a retry may cure is thrown (and retried).
 */
export async function restoreVolumeActivity(
  input: RestoreVolumeInput,
  env: Environment,
): Promise<RestoreVolumeOutcome> {
  try {
    return { ok: true, ...(await restoreVolume(input, env)) };
  } catch (error) {
    if (isRetriable(error)) throw error;
    const code = isRestoreDiskError(error) ? error.code : "TargetUnusable";
    return { ok: false, pvName: input.volume.pv, code, error: (error as Error).message };
  }
}

/**
 * Makes (or adopts) the disk of one volume. Throws with a message naming the claim and the snapshot;
 * a RestoreDiskError's `retriable` says whether a retry can help (a snapshot still copying, throttling).
 */
export async function restoreVolume(
  input: RestoreVolumeInput,
  env: Environment,
): Promise<RestoreVolumeOutput> {
  const { volume } = input;
  const target = await diskTarget(input, env);
  const cluster = await env.connect(input.targetCluster);
  const nodes = await readNodeTopology(cluster);
  const fallbackSkuName = await storageClassSku(cluster, volume.storageClass);
  const disk = await restoreDisk(target.deps, {
    restoreId: input.restoreId,
    recoveryPointId: input.recoveryPointId,
    pvc: `${volume.namespace}/${volume.claim}`,
    pv: volume.pv,
    snapshotId: volume.snapshotId,
    sourceDiskId: volume.sourceDiskId,
    resourceGroup: target.resourceGroup,
    sizeGiB: volume.sizeGiB,
    ...(volume.zone !== undefined ? { zone: volume.zone } : {}),
    ...(input.skuName !== undefined ? { skuName: input.skuName } : {}),
    ...(fallbackSkuName !== undefined ? { fallbackSkuName } : {}),
    ...(nodes !== undefined ? { nodes } : {}),
  });
  return {
    pvName: volume.pv,
    diskId: disk.diskId,
    location: disk.location,
    ...(disk.zone !== undefined ? { zone: disk.zone } : {}),
    skuName: disk.skuName,
    adopted: disk.adopted,
  };
}

/**
 * The group and Azure access for the disk. Without an explicit group it is the target cluster's
 * node resource group, found as a backup finds its default snapshot group (env.volumeDeps reads the
 * managed cluster in ARM): AKS's own identity may attach disks from there, and its CSI driver
 * keeps the cluster's disks there too.
 */
async function diskTarget(
  input: RestoreVolumeInput,
  env: Environment,
): Promise<{ resourceGroup: string; deps: RestoreDiskDeps }> {
  const stored = await env.definitions.get("cluster", input.targetCluster);
  if (stored === undefined) {
    throw new VolumeTargetError(`target cluster "${input.targetCluster}" is not registered`);
  }
  if (input.resourceGroup === undefined && stored.value.aksResourceId === undefined) {
    throw new VolumeTargetError(
      `cluster ${input.targetCluster} is registered without aksResourceId, so the node resource group ` +
        "for its restored disks is unknown; register it with its aksResourceId",
    );
  }
  const lookup: BackupInstance = {
    name: input.targetCluster,
    cluster: input.targetCluster,
    policy: "restore",
    includeClusterScopeResources: true,
    snapshotVolumes: true,
    ...(input.resourceGroup !== undefined ? { snapshotResourceGroup: input.resourceGroup } : {}),
  };
  const found = await env.volumeDeps(lookup);
  if (found.snapshotResourceGroup === undefined) {
    throw new Error(
      `cannot find the node resource group of cluster ${input.targetCluster}: ${found.missingGroupReason ?? "unknown"}`,
    );
  }
  const { compute, updateIntervalInMs } = found.snapshot;
  return {
    resourceGroup: found.snapshotResourceGroup,
    deps: { compute, ...(updateIntervalInMs !== undefined ? { updateIntervalInMs } : {}) },
  };
}

/** The zones and region of the target's nodes; undefined when nodes may not be listed (403). */
async function readNodeTopology(cluster: Cluster): Promise<NodeTopology | undefined> {
  try {
    const list = await cluster.request<{ items?: KubeObject[] }>("GET", "/api/v1/nodes");
    return nodeTopologyOf(list.items ?? []);
  } catch (error) {
    if (isKubeApiError(error, 403)) return undefined;
    throw error;
  }
}

/** The disk SKU the target's storage class of that name provisions, if it has one. */
async function storageClassSku(cluster: Cluster, name: string | undefined): Promise<string | undefined> {
  if (name === undefined) return undefined;
  let storageClass: KubeObject;
  try {
    const path = `/apis/storage.k8s.io/v1/storageclasses/${encodeURIComponent(name)}`;
    storageClass = await cluster.request<KubeObject>("GET", path);
  } catch (error) {
    if (isKubeApiError(error, 404) || isKubeApiError(error, 403)) return undefined;
    throw error;
  }
  const parameters = record(storageClass.parameters) ?? {};
  const key = Object.keys(parameters).find((k) => /^(skuname|storageaccounttype)$/i.test(k));
  const value = key === undefined ? undefined : parameters[key];
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** What applyRestoredDisks needs of a restoreVolume result. */
export interface RestoredVolumeRef extends RestoredDiskRef {
  pvName: string;
}

/**
 * The plan with each PersistentVolume a result names (`pvName`) pointed at its new disk and bound
 * to its planned claim. Pure. PVs of volumes whose disk could not be made are left as they are: the
 * caller takes them out of the plan (they still name the source disk).
 */
export function applyRestoredDisks(plan: RestorePlan, disks: readonly RestoredVolumeRef[]): RestorePlan {
  const byPv = new Map(disks.map((disk) => [disk.pvName, disk]));
  const claims = new Map(plan.volumes.map((v) => [v.pv, { namespace: v.namespace, name: v.claim }]));
  return {
    ...plan,
    phases: plan.phases.map((phase) => ({
      ...phase,
      items: phase.items.map((item) => {
        const disk =
          item.group === "" && item.resource === "persistentvolumes" ? byPv.get(item.name) : undefined;
        if (disk === undefined) return item;
        return { ...item, object: rewritePersistentVolume(item.object, disk, claims.get(item.name)) };
      }),
    })),
  };
}

export const restoreVolumeModule: OrchestrationModule = {
  activities: { [RESTORE_VOLUME]: restoreVolumeActivity },
};
