// The events a finished job publishes (docs/events.md "Notifications"): their types, subjects and
// data, built from what the job recorded. Pure: the publisher (notifier.ts) only sends them.
import { createHash } from "node:crypto";

export const JOB_EVENT_TYPES = {
  backupCompleted: "AksBackup.BackupCompleted",
  backupFailed: "AksBackup.BackupFailed",
  restoreCompleted: "AksBackup.RestoreCompleted",
  restoreFailed: "AksBackup.RestoreFailed",
} as const;
export type JobEventType = (typeof JOB_EVENT_TYPES)[keyof typeof JOB_EVENT_TYPES];

/** Version of the data's shape (Event Grid `dataVersion`; CloudEvents `dataschema` stays unset). */
export const JOB_EVENT_DATA_VERSION = "1.0";
/** CloudEvents `source`: the producer; the job's object is in `subject`. */
export const JOB_EVENT_SOURCE = "aks-backup";

/** At most this many error messages, each cut to ERROR_LENGTH: an alert, not the job's report. */
export const MAX_ERRORS = 5;
export const ERROR_LENGTH = 500;

export type JobStatus = "Succeeded" | "PartiallySucceeded" | "Failed";

interface JobEventDataBase {
  /** The orchestration instance id: the job in `GET /api/jobs/<id>`. */
  jobId: string;
  status: JobStatus;
  /** Why the job stopped, when a phase stopped it. */
  reason?: string;
  startTime: string;
  endTime: string;
  durationSeconds: number;
  /** The first MAX_ERRORS errors, each at most ERROR_LENGTH characters; counts has the total. */
  errors: string[];
}

export interface BackupEventData extends JobEventDataBase {
  jobType: "Backup";
  instance: string;
  cluster?: string;
  policy?: string;
  trigger: "Scheduled" | "OnDemand" | "PreUpgrade";
  /** The schedule slot a scheduled backup ran for. */
  slot?: string;
  recoveryPointId?: string;
  counts: {
    items: number;
    volumesSnapshotted: number;
    volumesFailed: number;
    warnings: number;
    errors: number;
  };
}

export interface RestoreEventData extends JobEventDataBase {
  jobType: "Restore";
  instance?: string;
  recoveryPointId: string;
  targetCluster: string;
  dryRun: boolean;
  counts: {
    items: number;
    created: number;
    patched: number;
    skipped: number;
    failed: number;
    warnings: number;
  };
}

export interface JobEvent {
  /** The same for every publish of one job, so subscribers can drop a retried delivery. */
  id: string;
  type: JobEventType;
  subject: string;
  /** The job's end: fixed, so a retried publish sends the same event. */
  time: string;
  dataVersion: string;
  data: BackupEventData | RestoreEventData;
}

/** What a backup orchestration knows at its end, plus what the activity read from its manifest. */
export type BackupEventInput = Omit<BackupEventData, "jobType" | "durationSeconds" | "errors"> & {
  errors: readonly string[];
};
export type RestoreEventInput = Omit<RestoreEventData, "jobType" | "durationSeconds" | "errors"> & {
  errors: readonly string[];
};

export function backupEvent(input: BackupEventInput): JobEvent {
  const type = input.status === "Failed" ? JOB_EVENT_TYPES.backupFailed : JOB_EVENT_TYPES.backupCompleted;
  return {
    id: eventIdOf(input.jobId),
    type,
    subject: `backup-instances/${input.instance}`,
    time: input.endTime,
    dataVersion: JOB_EVENT_DATA_VERSION,
    data: {
      jobId: input.jobId,
      jobType: "Backup",
      instance: input.instance,
      ...optional("cluster", input.cluster),
      ...optional("policy", input.policy),
      trigger: input.trigger,
      ...optional("slot", input.slot),
      ...optional("recoveryPointId", input.recoveryPointId),
      status: input.status,
      ...optional("reason", input.reason && truncated(input.reason)),
      startTime: input.startTime,
      endTime: input.endTime,
      durationSeconds: secondsBetween(input.startTime, input.endTime),
      counts: input.counts,
      errors: firstErrors(input.errors),
    },
  };
}

export function restoreEvent(input: RestoreEventInput): JobEvent {
  const type = input.status === "Failed" ? JOB_EVENT_TYPES.restoreFailed : JOB_EVENT_TYPES.restoreCompleted;
  return {
    id: eventIdOf(input.jobId),
    type,
    subject: `restores/${input.jobId}`,
    time: input.endTime,
    dataVersion: JOB_EVENT_DATA_VERSION,
    data: {
      jobId: input.jobId,
      jobType: "Restore",
      ...optional("instance", input.instance),
      recoveryPointId: input.recoveryPointId,
      targetCluster: input.targetCluster,
      dryRun: input.dryRun,
      status: input.status,
      ...optional("reason", input.reason && truncated(input.reason)),
      startTime: input.startTime,
      endTime: input.endTime,
      durationSeconds: secondsBetween(input.startTime, input.endTime),
      counts: input.counts,
      errors: firstErrors(input.errors),
    },
  };
}

/**
 * A UUID derived from the job id (SHA-256, version 8 per RFC 9562): every publish of one job's event
 * carries the same id, whichever process or attempt sends it.
 */
export function eventIdOf(jobId: string): string {
  const bytes = createHash("sha256").update(`aks-backup/job/${jobId}`).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function firstErrors(errors: readonly string[]): string[] {
  return errors.slice(0, MAX_ERRORS).map(truncated);
}

function truncated(text: string): string {
  return text.length <= ERROR_LENGTH ? text : `${text.slice(0, ERROR_LENGTH - 1)}…`;
}

function secondsBetween(start: string, end: string): number {
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) ? Math.max(0, Math.round(ms / 1000)) : 0;
}

function optional<K extends string, V>(key: K, value: V | undefined | ""): { [P in K]?: V } {
  return value === undefined || value === "" ? {} : ({ [key]: value } as { [P in K]: V });
}
