// What the simulated Kubernetes API server needs from the Azure fake, so the two halves of the
// simulator meet in one small interface instead of importing each other.

export interface DiskRequest {
  /** Disk name, e.g. "pvc-<uid>". */
  name: string;
  sizeGiB: number;
  /** e.g. "StandardSSD_LRS", "Premium_LRS". */
  skuName: string;
  /** Availability zone ("1", "2", "3"); omitted = regional disk. */
  zone?: string;
  tags?: Record<string, string>;
}

export interface ProvisionedDisk {
  /** ARM resource id of the disk, as AKS puts it in `spec.csi.volumeHandle`. */
  id: string;
  zone?: string;
  location: string;
}

/** The CSI driver's view of Azure: create a disk for a PVC, delete it with its PV. */
export interface DiskProvisioner {
  createDisk(request: DiskRequest): Promise<ProvisionedDisk>;
  deleteDisk(id: string): Promise<void>;
}
