// Which selected claims have a volume this app snapshots: Azure managed disks (CSI and in-tree).
// Every other volume type is skipped with a warning naming the claim and the type. Pure.
import type { KubeObject } from "../kube/types.js";
import type { ItemMessage } from "../model/recovery-point.js";
import { parseDiskId } from "./snapshot-identity.js";

export const AZURE_DISK_CSI_DRIVER = "disk.csi.azure.com";
const PVC_TYPE = "v1/PersistentVolumeClaim";

export interface ClaimRef {
  namespace: string;
  name: string;
}

/** A selected claim with what the cluster said about it; `pvc`/`pv` absent when not found. */
export interface ClaimVolume {
  claim: ClaimRef;
  pvc?: KubeObject;
  pv?: KubeObject;
  /** Set when reading the claim or its volume failed for this claim alone. */
  readError?: string;
}

export interface DiskVolume {
  /** "namespace/name" of the claim, as the manifest records it. */
  pvc: string;
  namespace: string;
  claimName: string;
  pv: string;
  /** ARM id of the managed disk. */
  diskId: string;
  source: "csi" | "in-tree";
  storageClass?: string;
}

export interface VolumePlan {
  disks: DiskVolume[];
  warnings: ItemMessage[];
  errors: ItemMessage[];
}

type Classified =
  | { kind: "disk"; diskId: string; source: DiskVolume["source"] }
  | { kind: "skip"; type: string; why: string }
  | { kind: "invalid"; problem: string };

const NOT_A_BLOCK_DEVICE = "it is not an Azure managed disk, which is all this app snapshots";

/** Volume sources a PV can have, with the words a warning uses for each. */
const OTHER_SOURCES: Record<string, string> = {
  azureFile: "Azure Files (in-tree kubernetes.io/azure-file)",
  nfs: "NFS",
  hostPath: "hostPath",
  local: "local",
  iscsi: "iSCSI",
  fc: "Fibre Channel",
  cephfs: "CephFS",
  rbd: "Ceph RBD",
  glusterfs: "GlusterFS",
  awsElasticBlockStore: "AWS EBS",
  gcePersistentDisk: "GCE persistent disk",
  vsphereVolume: "vSphere volume",
  flexVolume: "FlexVolume",
};

const CSI_NAMES: Record<string, string> = {
  "file.csi.azure.com": "Azure Files (CSI file.csi.azure.com)",
  "blob.csi.azure.com": "Azure Blob (CSI blob.csi.azure.com)",
  "secrets-store.csi.k8s.io": "Secrets Store (CSI secrets-store.csi.k8s.io)",
};

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}

/** What a PersistentVolume is backed by, and whether it can be snapshotted as a managed disk. */
export function classifyVolume(pv: KubeObject): Classified {
  const spec = record(pv.spec);
  if (spec.csi !== undefined) {
    const csi = record(spec.csi);
    const driver = text(csi.driver) ?? "(no driver)";
    if (driver !== AZURE_DISK_CSI_DRIVER) {
      return { kind: "skip", type: CSI_NAMES[driver] ?? `CSI driver ${driver}`, why: NOT_A_BLOCK_DEVICE };
    }
    const handle = text(csi.volumeHandle) ?? "";
    if (parseDiskId(handle) === undefined) {
      return { kind: "invalid", problem: `its volumeHandle "${handle}" is not an Azure managed disk id` };
    }
    return { kind: "disk", diskId: handle, source: "csi" };
  }
  if (spec.azureDisk !== undefined) {
    const azureDisk = record(spec.azureDisk);
    const uri = text(azureDisk.diskURI) ?? "";
    // Unmanaged (blob VHD) disks have a blob URL here; Azure cannot snapshot them as managed disks.
    if (parseDiskId(uri) === undefined) {
      return {
        kind: "skip",
        type: "unmanaged Azure disk (in-tree kubernetes.io/azure-disk, VHD blob)",
        why: "only managed disks can be snapshotted",
      };
    }
    return { kind: "disk", diskId: uri, source: "in-tree" };
  }
  for (const [field, name] of Object.entries(OTHER_SOURCES)) {
    if (spec[field] !== undefined) return { kind: "skip", type: name, why: NOT_A_BLOCK_DEVICE };
  }
  return { kind: "skip", type: "unknown volume source", why: NOT_A_BLOCK_DEVICE };
}

function claimMessage(claim: ClaimRef, message: string): ItemMessage {
  return { message, namespace: claim.namespace, type: PVC_TYPE, name: claim.name };
}

/**
 * The disks to snapshot for the selected claims, with a warning for each claim skipped and an
 * error for each claim that should have a snapshot but cannot get one. `snapshotVolumes: false`
 * gives an empty plan, without warnings.
 */
export function planVolumeSnapshots(
  claims: readonly ClaimVolume[],
  options: { snapshotVolumes: boolean },
): VolumePlan {
  const plan: VolumePlan = { disks: [], warnings: [], errors: [] };
  if (!options.snapshotVolumes) return plan;
  const byDisk = new Map<string, DiskVolume>();
  for (const { claim, pvc, pv, readError } of claims) {
    const ref = `${claim.namespace}/${claim.name}`;
    if (readError !== undefined) {
      plan.errors.push(claimMessage(claim, `cannot read ${ref} or its volume: ${readError}`));
      continue;
    }
    if (pvc === undefined) {
      plan.errors.push(claimMessage(claim, `${ref} was deleted before its volume could be snapshotted`));
      continue;
    }
    const volumeName = text(record(pvc.spec).volumeName);
    const phase = text(record(pvc.status).phase) ?? "unknown";
    if (volumeName === undefined || phase === "Pending") {
      plan.errors.push(claimMessage(claim, `${ref} is not bound to a volume yet (phase ${phase})`));
      continue;
    }
    if (pv === undefined) {
      plan.errors.push(
        claimMessage(
          claim,
          `${ref} is bound to PersistentVolume ${volumeName}, which does not exist (phase ${phase})`,
        ),
      );
      continue;
    }
    const classified = classifyVolume(pv);
    if (classified.kind === "skip") {
      plan.warnings.push(
        claimMessage(
          claim,
          `volume of ${ref} not snapshotted: ${classified.type} (PV ${volumeName}); ${classified.why}`,
        ),
      );
      continue;
    }
    if (classified.kind === "invalid") {
      plan.errors.push(
        claimMessage(
          claim,
          `volume of ${ref} cannot be snapshotted: PV ${volumeName}: ${classified.problem}`,
        ),
      );
      continue;
    }
    const key = classified.diskId.toLowerCase();
    const first = byDisk.get(key);
    if (first !== undefined) {
      plan.warnings.push(
        claimMessage(
          claim,
          `${ref} uses the same disk as ${first.pvc}; that disk is snapshotted once, for ${first.pvc}`,
        ),
      );
      continue;
    }
    const storageClass = text(record(pv.spec).storageClassName) ?? text(record(pvc.spec).storageClassName);
    const disk: DiskVolume = {
      pvc: ref,
      namespace: claim.namespace,
      claimName: claim.name,
      pv: volumeName,
      diskId: classified.diskId,
      source: classified.source,
      ...(storageClass !== undefined ? { storageClass } : {}),
    };
    byDisk.set(key, disk);
    plan.disks.push(disk);
  }
  return plan;
}
