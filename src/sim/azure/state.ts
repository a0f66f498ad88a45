// The Azure fake's in-memory world: one subscription with its resource groups, disks, snapshots
// and managed clusters, keyed case-insensitively as ARM compares names.
import { resourceGroupNotFound } from "./arm-error.js";
import type { FaultInjector } from "./faults.js";
import type { Operations } from "./operations.js";

export interface SnapshotLimits {
  /** Incremental snapshots one disk may get per window (Azure: 7 per 5 minutes). */
  perWindow: number;
  windowMs: number;
  /** Incremental snapshots one disk may have in total (Azure: 500). */
  perDisk: number;
}

export interface ResourceGroupRecord {
  name: string;
  location: string;
  tags: Record<string, string>;
}

export interface DiskRecord {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  zones: string[] | undefined;
  tags: Record<string, string>;
  skuName: string;
  sizeGiB: number;
  createOption: string;
  sourceResourceId: string | undefined;
  sourceUniqueId: string | undefined;
  provisioningState: string;
  timeCreated: Date;
  uniqueId: string;
  managedBy: string | undefined;
}

export interface SnapshotRecord {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  skuName: string;
  sizeGiB: number;
  incremental: boolean;
  sourceResourceId: string;
  sourceUniqueId: string;
  provisioningState: string;
  timeCreated: Date;
  uniqueId: string;
  /** GETs answered since provisioning succeeded: what moves an incremental copy's completionPercent. */
  readsSinceProvisioned: number;
}

export interface ManagedClusterRecord {
  id: string;
  name: string;
  resourceGroup: string;
  location: string;
  tags: Record<string, string>;
  nodeResourceGroup: string;
  kubernetesVersion: string;
  zones: string[] | undefined;
  kubeconfig: string;
  dnsPrefix: string;
  fqdn: string;
  /** Set for a private cluster: the API server's name inside the virtual network. */
  privateFqdn: string | undefined;
  /** AKS-managed Entra ID integration with Azure RBAC; local accounts are then disabled. */
  entra: { tenantId: string } | undefined;
  disableLocalAccounts: boolean;
}

export interface ArmWorld {
  subscriptionId: string;
  location: string;
  clock: () => Date;
  /** Polls for an operation to finish, and GETs for an incremental snapshot's copy to reach 100%. */
  steps: number;
  pageSize: number;
  limits: SnapshotLimits;
  faults: FaultInjector;
  operations: Operations;
  resourceGroups: Map<string, ResourceGroupRecord>;
  disks: Map<string, DiskRecord>;
  snapshots: Map<string, SnapshotRecord>;
  clusters: Map<string, ManagedClusterRecord>;
  /** Creation times of incremental snapshots per source disk uniqueId, for the rate limit. */
  snapshotCreations: Map<string, Date[]>;
}

export function ensureResourceGroup(
  world: ArmWorld,
  name: string,
  location?: string,
  tags: Record<string, string> = {},
): ResourceGroupRecord {
  const key = name.toLowerCase();
  const existing = world.resourceGroups.get(key);
  if (existing !== undefined) return existing;
  const group = { name, location: location ?? world.location, tags };
  world.resourceGroups.set(key, group);
  return group;
}

/** The group as it was created (its casing), or ARM's 404 ResourceGroupNotFound. */
export function requireResourceGroup(world: ArmWorld, name: string): ResourceGroupRecord {
  const group = world.resourceGroups.get(name.toLowerCase());
  if (group === undefined) throw resourceGroupNotFound(name);
  return group;
}

/** Disk and snapshot names: 1-80 word characters, '.', '-', '_'; word character first, no '.'/'-' last. */
export function isValidComputeName(name: string): boolean {
  return /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,78}[A-Za-z0-9_])?$/.test(name);
}
