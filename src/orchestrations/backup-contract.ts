// What the backupInstance orchestration and its activities exchange: names, the input, progress
// and output, and each activity's small input and output (ids, counts, the fan-out's volume list).
import { z } from "zod";
import { type RecoveryPointManifest, recoveryPointManifestSchema } from "../model/recovery-point.js";
import type { DiskVolume } from "../volumes/discovery.js";

export const BACKUP_INSTANCE = "backupInstance";

export const activities = {
  prepareBackup: "prepareBackup",
  exportResources: "exportResources",
  runHooks: "runHooks",
  snapshotVolume: "snapshotVolume",
  commitRecoveryPoint: "commitRecoveryPoint",
  /** Registered by the retention module (retention.ts); a failure of it never fails a backup. */
  applyRetention: "applyRetention",
  releaseBackup: "releaseBackup",
} as const;

export const backupInputSchema = z.strictObject({
  instance: z.string().min(1),
  trigger: recoveryPointManifestSchema.shape.trigger,
  /** The schedule slot (ISO) a scheduled run is for. */
  slot: z.string().optional(),
  /** Retention tag (ISO duration) of an on-demand or pre-upgrade backup. */
  retention: z.string().optional(),
});
export type BackupInput = z.infer<typeof backupInputSchema>;

/** What the orchestration shows while it runs. */
export interface BackupProgress {
  phase:
    | "prepare"
    | "export"
    | "pre-hooks"
    | "snapshots"
    | "post-hooks"
    | "commit"
    | "retention"
    | "release"
    | "done";
  recoveryPointId: string;
  items?: number;
  volumesDone?: number;
  volumesTotal?: number;
}

export interface BackupOutput {
  status: RecoveryPointManifest["status"] | "Skipped";
  reason?: string;
  recoveryPointId?: string;
  totalItems?: number;
  volumes?: { snapshotted: number; failed: number };
  warnings: number;
  errors: number;
  retention?: unknown;
}

export interface PrepareInput extends BackupInput {
  orchestrationId: string;
  recoveryPointId: string;
  startTime: string;
}

export type PrepareOutput = (
  | { status: "Ready" }
  | { status: "Busy"; holder: string }
  | { status: "UnknownInstance"; reason: string }
) & {
  /** An Event Grid topic is configured: the orchestration ends with notifyJob (absent: no topic). */
  notify?: true;
};

export interface ExportOutput {
  items: number;
  volumes: DiskVolume[];
  snapshotResourceGroup?: string;
}

export interface HooksInput {
  recoveryPointId: string;
  phase: "pre" | "post";
  volumes?: DiskVolume[];
}

export interface HooksOutput {
  pods: number;
  /** Claims ("namespace/name") a failed Fail pre-hook keeps out of the snapshots. */
  held: string[];
}

export interface SnapshotInput {
  recoveryPointId: string;
  /** Position of the volume in the export's volume list; names its part. */
  index: number;
  volume: DiskVolume;
  snapshotResourceGroup: string;
  /** "create": until the snapshot exists (then the pods may be thawed); "complete": until usable. */
  stage: "create" | "complete";
}

export interface SnapshotOutput {
  /** Finished, whatever the outcome (false: created, its copy still running). */
  done: boolean;
  ok: boolean;
}

export interface CommitInput {
  recoveryPointId: string;
  /** Indices of the volumes whose snapshot was attempted. */
  snapshotted: number[];
  /** Why a volume's activity failed, by index, for volumes that left no part. */
  volumeFailures: Record<string, string>;
  /** Set when a phase stopped the backup: the manifest is Failed with this reason. */
  failure?: string;
  /** Errors the orchestrator saw itself (post-hooks that could not run). */
  errors: string[];
}

export interface CommitOutput {
  status: RecoveryPointManifest["status"];
  totalItems: number;
  volumes: { snapshotted: number; failed: number };
  warnings: number;
  errors: number;
}

export interface ReleaseInput {
  instance: string;
  orchestrationId: string;
}

/** Snapshot failures worth another attempt: ARM hiccups outlasting the SDK's own retries, failed operations. */
