// What makes a volume snapshot findable again: its deterministic name (recovery point + disk, so a
// retried activity adopts instead of duplicating), its tags, and the ARM ids it is built from.
import { createHash } from "node:crypto";

/** Tag keys every snapshot carries; retention and the orphan sweep find snapshots by them. */
export const SNAPSHOT_TAGS = {
  recoveryPoint: "aks-backup.recovery-point",
  instance: "aks-backup.instance",
  cluster: "aks-backup.cluster",
  pvc: "aks-backup.pvc",
  pv: "aks-backup.pv",
} as const;

export interface DiskId {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

const DISK_ID =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/disks\/([^/]+)$/i;
const GROUP_ID = /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)$/i;
const MAX_NAME = 80;
const MAX_TAG_VALUE = 256;
const HASH_LENGTH = 10;

/** The parts of a managed disk's ARM id, or undefined when it is not one. */
export function parseDiskId(id: string): DiskId | undefined {
  const match = DISK_ID.exec(id.trim());
  if (!match) return undefined;
  const [, subscriptionId = "", resourceGroup = "", name = ""] = match;
  return { subscriptionId, resourceGroup, name };
}

export function parseGroupId(id: string): { subscriptionId: string; resourceGroup: string } | undefined {
  const match = GROUP_ID.exec(id.trim());
  if (!match) return undefined;
  const [, subscriptionId = "", resourceGroup = ""] = match;
  return { subscriptionId, resourceGroup };
}

/**
 * The resource group snapshots go to: the instance's `snapshotResourceGroup` when set, else the
 * cluster's node resource group (where AKS puts the disks, and which every AKS identity can write).
 */
export function snapshotResourceGroupId(
  configured: string | undefined,
  cluster: { subscriptionId: string; nodeResourceGroup: string },
): string {
  return configured ?? `/subscriptions/${cluster.subscriptionId}/resourceGroups/${cluster.nodeResourceGroup}`;
}

/**
 * `<recovery point>-<disk name>-<hash>`, cut to Azure's 80 characters. The hash covers the
 * recovery point and the full disk id (case-insensitive, as ARM compares ids), so two disks with
 * the same name in different groups never share a snapshot name, and the same pair always does.
 */
export function snapshotName(recoveryPointId: string, diskId: string): string {
  const hash = createHash("sha256")
    .update(`${recoveryPointId}\n${diskId.toLowerCase()}`)
    .digest("hex")
    .slice(0, HASH_LENGTH);
  const diskName = (parseDiskId(diskId)?.name ?? "disk").toLowerCase();
  const readable = `${recoveryPointId}-${diskName}`
    .replace(/[^A-Za-z0-9_.-]/g, "-")
    .replace(/^[^A-Za-z0-9_]+/, "")
    .slice(0, MAX_NAME - HASH_LENGTH - 1)
    .replace(/[.-]+$/, "");
  return readable === "" ? `s-${hash}` : `${readable}-${hash}`;
}

export interface SnapshotLabels {
  recoveryPointId: string;
  instance: string;
  cluster: string;
  /** "namespace/name" of the claim. */
  pvc: string;
  pv: string;
}

/** The tags set in the creating PUT itself, so no snapshot ever exists without them. */
export function snapshotTags(labels: SnapshotLabels): Record<string, string> {
  const value = (text: string) => text.slice(0, MAX_TAG_VALUE);
  return {
    [SNAPSHOT_TAGS.recoveryPoint]: value(labels.recoveryPointId),
    [SNAPSHOT_TAGS.instance]: value(labels.instance),
    [SNAPSHOT_TAGS.cluster]: value(labels.cluster),
    [SNAPSHOT_TAGS.pvc]: value(labels.pvc),
    [SNAPSHOT_TAGS.pv]: value(labels.pv),
  };
}
