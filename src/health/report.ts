// Health and usage of every instance, read from the storage container: the definitions, one
// listing of the container, and the manifests each answer needs. Shared by `GET /api/health`,
// `GET /api/usage` and `aks-backup status`.
import type { Environment } from "../orchestrations/environment.js";
import {
  type InstanceInventory,
  inventory,
  limiter,
  MANIFEST_CONCURRENCY,
  newestManifests,
} from "./inventory.js";
import {
  DEFAULT_THRESHOLDS,
  type HealthStatus,
  isSuccessful,
  type ProtectionHealth,
  protectionHealth,
  worstStatus,
} from "./protection.js";
import { snapshotOutcomes, verifiedSnapshots } from "./snapshot-sizes.js";

export interface InstanceHealth extends ProtectionHealth {
  name: string;
  policy: string;
}

export interface HealthReport {
  /** The worst instance status (Healthy with no instances). */
  status: HealthStatus;
  instances: InstanceHealth[];
}

type Env = Pick<Environment, "catalog" | "definitions" | "now">;
type UsageEnv = Env & Partial<Pick<Environment, "computeClients">>;

/** Every stored instance's protection health (or only the one named `only`), by name. */
export async function healthReport(
  env: Env,
  listing?: Map<string, InstanceInventory>,
  only?: string,
): Promise<HealthReport> {
  const [stored, policies, found] = await Promise.all([
    env.definitions.list("instance"),
    env.definitions.list("policy"),
    listing ?? inventory(env.catalog),
  ]);
  const instances = only === undefined ? stored : stored.filter((i) => i.value.name === only);
  const now = env.now();
  const byPolicy = new Map(policies.map((p) => [p.value.name, p.value]));
  const limit = limiter(MANIFEST_CONCURRENCY);
  const healths = await Promise.all(
    instances.map(async ({ value: instance }): Promise<InstanceHealth> => {
      const manifests = await newestManifests(
        env.catalog,
        found.get(instance.name)?.points ?? [],
        (read) => read.length >= DEFAULT_THRESHOLDS.recentRuns && read.some(isSuccessful),
        limit,
      );
      const health = protectionHealth(instance, byPolicy.get(instance.policy), manifests, now);
      return { name: instance.name, policy: instance.policy, ...health };
    }),
  );
  healths.sort((a, b) => a.name.localeCompare(b.name));
  return { status: worstStatus(healths.map((h) => h.status)), instances: healths };
}

export interface SnapshotUsage {
  count: number;
  /** The provisioned size of the snapshotted disks (ARM's `diskSizeBytes`, recorded as `sizeGiB`). */
  provisionedBytes: number;
  /** With `snapshots: "azure"`: recorded snapshots Azure no longer has (not in provisionedBytes). */
  missing?: number;
  /** With `snapshots: "azure"`: snapshots Azure could not be asked about (manifest size used). */
  unverified?: number;
}

/** Where snapshot figures come from: the manifests alone (no Azure call), or one GET per snapshot. */
export type SnapshotSource = "manifests" | "azure";

export interface InstanceUsage {
  name: string;
  /** False for data left by an instance whose protection stopped with `retain`. */
  protected: boolean;
  /** Bytes of every blob under the instance's recovery-point prefixes (committed or not). */
  blobBytes: number;
  blobCount: number;
  /** Restorable recovery points (committed, not being deleted). */
  recoveryPoints: number;
  snapshots: SnapshotUsage;
}

export interface UsageReport {
  /** Where each figure comes from. */
  sources: { blobs: "container-listing"; snapshots: SnapshotSource };
  /** Why snapshots have no used-bytes figure. */
  note: string;
  instances: InstanceUsage[];
  totals: Omit<InstanceUsage, "name" | "protected">;
}

export const USAGE_NOTE =
  "snapshot sizes are the provisioned size of each snapshotted disk, from the manifests or, with " +
  "?snapshots=azure, ARM's Snapshot diskSizeBytes (the same figure); Azure's snapshot API does not " +
  "report the bytes an incremental snapshot actually uses, so no used-bytes figure is given";

/**
 * Blob bytes per instance from one listing; snapshot counts and sizes from the restorable points'
 * manifests, or (`source` "azure") one GET per snapshot, bounded in concurrency.
 */
export async function usageReport(
  env: UsageEnv,
  listing?: Map<string, InstanceInventory>,
  source: SnapshotSource = "manifests",
): Promise<UsageReport> {
  const [instances, found] = await Promise.all([
    env.definitions.list("instance"),
    listing ?? inventory(env.catalog),
  ]);
  const names = new Set([...instances.map((i) => i.value.name), ...found.keys()]);
  const defined = new Set(instances.map((i) => i.value.name));
  const sorted = [...names].sort();
  const limit = limiter(MANIFEST_CONCURRENCY);
  const manifestsOf = await Promise.all(
    sorted.map((name) => newestManifests(env.catalog, found.get(name)?.points ?? [], undefined, limit)),
  );
  const records = manifestsOf.map((manifests) => manifests.flatMap((m) => m.volumeSnapshots));
  const outcomes =
    source === "azure" && env.computeClients
      ? await snapshotOutcomes(
          await env.computeClients(),
          records.flat().map((r) => r.snapshotId),
        )
      : undefined;
  const usages = sorted.map((name, index): InstanceUsage => {
    const points = found.get(name)?.points ?? [];
    const snapshots = records[index] ?? [];
    let snapshotUsage: SnapshotUsage = {
      count: snapshots.length,
      provisionedBytes: snapshots.reduce((sum, s) => sum + s.sizeGiB * 1024 ** 3, 0),
    };
    if (outcomes) {
      // Only snapshots that still exist (or may: unverified) are counted and summed.
      const { found, missing, unverified, provisionedBytes } = verifiedSnapshots(snapshots, outcomes);
      snapshotUsage = { count: found + unverified, provisionedBytes, missing, unverified };
    }
    return {
      name,
      protected: defined.has(name),
      blobBytes: points.reduce((sum, p) => sum + p.bytes, 0),
      blobCount: points.reduce((sum, p) => sum + p.blobCount, 0),
      recoveryPoints: manifestsOf[index]?.length ?? 0,
      snapshots: snapshotUsage,
    };
  });
  const totals: UsageReport["totals"] = {
    blobBytes: 0,
    blobCount: 0,
    recoveryPoints: 0,
    snapshots: { count: 0, provisionedBytes: 0, ...(outcomes ? { missing: 0, unverified: 0 } : {}) },
  };
  for (const usage of usages) {
    totals.blobBytes += usage.blobBytes;
    totals.blobCount += usage.blobCount;
    totals.recoveryPoints += usage.recoveryPoints;
    totals.snapshots.count += usage.snapshots.count;
    totals.snapshots.provisionedBytes += usage.snapshots.provisionedBytes;
    if (outcomes) {
      totals.snapshots.missing = (totals.snapshots.missing ?? 0) + (usage.snapshots.missing ?? 0);
      totals.snapshots.unverified = (totals.snapshots.unverified ?? 0) + (usage.snapshots.unverified ?? 0);
    }
  }
  return {
    sources: { blobs: "container-listing", snapshots: outcomes ? "azure" : "manifests" },
    note: USAGE_NOTE,
    instances: usages,
    totals,
  };
}
