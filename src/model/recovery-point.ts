// The recovery point manifest: the last blob written for a backup and the only proof it is
// complete. Everything restore, retention and the backup center need is in it or named by it.
import { z } from "zod";
import { RETENTION_CRITERIA } from "./policy.js";

export const recoveryPointStatuses = ["Succeeded", "PartiallySucceeded", "Failed"] as const;
export type RecoveryPointStatus = (typeof recoveryPointStatuses)[number];

/** A warning or error, located as precisely as known. */
export const itemMessageSchema = z.object({
  message: z.string(),
  namespace: z.string().optional(),
  /** Type in Velero's resourceList form, e.g. "apps/v1/Deployment". */
  type: z.string().optional(),
  name: z.string().optional(),
});
export type ItemMessage = z.infer<typeof itemMessageSchema>;

export const volumeSnapshotSchema = z.object({
  pvc: z.string(),
  pv: z.string(),
  diskId: z.string(),
  snapshotId: z.string(),
  sizeGiB: z.number(),
  zone: z.string().optional(),
  storageClass: z.string().optional(),
  completionPercent: z.number(),
  /**
   * Set when the snapshot exists but is not known to be usable (its copy did not reach 100% in
   * time, or a failed snapshot could not be deleted): it is recorded so retention removes it.
   */
  error: z.string().optional(),
});
export type VolumeSnapshotRecord = z.infer<typeof volumeSnapshotSchema>;

export const recoveryPointManifestSchema = z.object({
  formatVersion: z.literal(1),
  id: z.string(),
  instance: z.string(),
  policy: z.string().optional(),
  cluster: z.string(),
  trigger: z.enum(["Scheduled", "OnDemand", "PreUpgrade"]),
  /**
   * Retention tags (FirstOfDay, ...) given when a scheduled point was committed, so later sweeps
   * do not move them to another point once the first one is deleted (see retention/tagging.ts).
   */
  tags: z.array(z.enum(RETENTION_CRITERIA)).optional(),
  /** Retention tag an on-demand or pre-upgrade backup carries, e.g. "P30D". */
  retention: z.string().optional(),
  startTime: z.string(),
  endTime: z.string(),
  status: z.enum(recoveryPointStatuses),
  kubernetesVersion: z.string().optional(),
  archive: z.object({ blob: z.string(), sizeBytes: z.number(), sha256: z.string() }).optional(),
  /** Velero's resourceList ({"apps/v1/Deployment": ["ns/name"]}), gzip JSON in its own blob. */
  resourceListBlob: z.string().optional(),
  /** The job's log: gzip NDJSON, one event per line. */
  logBlob: z.string().optional(),
  itemCounts: z.record(z.string(), z.number()),
  totalItems: z.number(),
  volumeSnapshots: z.array(volumeSnapshotSchema),
  warnings: z.array(itemMessageSchema),
  errors: z.array(itemMessageSchema),
});
export type RecoveryPointManifest = z.infer<typeof recoveryPointManifestSchema>;
