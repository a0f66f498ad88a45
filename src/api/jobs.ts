// Jobs are orchestration instances seen from the backup center: one per backup, restore, retention
// sweep and schedule tick, with the outcome from the orchestration's output and its progress.
import { nameProblem } from "../model/names.js";
import { redactSecrets } from "../model/storage.js";
import { BACKUP_INSTANCE } from "../orchestrations/backup-instance.js";
import type { OrchestrationStatus, RuntimeStatus } from "../orchestrations/client.js";
import type { ApiDeps } from "./deps.js";
import { type FieldError, invalid, json, notFound } from "./http.js";
import type { Route } from "./router.js";

/** Which orchestrations are jobs, and their job type. */
export const JOB_TYPES = {
  [BACKUP_INSTANCE]: "Backup",
  restore: "Restore",
  retentionSweep: "Retention",
  /** Stop protection with `delete`, when run as a job. */
  instanceDataDeletion: "Retention",
  scheduledBackups: "Schedule",
} as const;

export type JobType = (typeof JOB_TYPES)[keyof typeof JOB_TYPES];

export const JOB_STATUSES = [
  "InProgress",
  "Succeeded",
  "PartiallySucceeded",
  "Failed",
  "Skipped",
  "Cancelled",
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export interface Job {
  id: string;
  type: JobType;
  instance?: string;
  runtimeStatus: RuntimeStatus;
  status: JobStatus;
  recoveryPointId?: string;
  /** The orchestration's custom status: phase and counts. */
  progress?: unknown;
  error?: string;
  createdTime: string;
  lastUpdatedTime: string;
}

interface JobFilter {
  type?: JobType;
  status?: JobStatus;
  instance?: string;
  /** Only jobs created at or after this time: the store is asked for these alone. */
  createdFrom?: Date;
  /** At most this many, newest first. */
  top?: number;
}

/** The most `top` may ask for. */
export const MAX_JOBS_TOP = 1000;

export function jobRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: "GET",
      pattern: "/api/jobs",
      handler: async (request) => {
        const filter = jobFilter(request.query);
        // With months of schedule ticks an unbounded list reads thousands of instances; createdFrom
        // lets the orchestration store skip the old ones, which the backup center asks for.
        const listed = await deps.client.listInstances(
          filter.createdFrom ? { createdFrom: filter.createdFrom } : {},
        );
        const jobs = listed
          .flatMap((status) => jobOf(status) ?? [])
          .filter((job) => matches(job, filter))
          .sort((a, b) => b.createdTime.localeCompare(a.createdTime) || b.id.localeCompare(a.id));
        return json(200, { value: filter.top === undefined ? jobs : jobs.slice(0, filter.top) });
      },
    },
    {
      method: "GET",
      pattern: "/api/jobs/{id}",
      handler: async (_request, params) => {
        const id = params.id ?? "";
        const status = await deps.client.getStatus(id);
        const job = status && jobOf(status);
        if (!status || !job) throw notFound(`job "${id.slice(0, 200)}" does not exist`);
        return json(200, { ...job, input: status.input ?? null, output: status.output ?? null });
      },
    },
  ];
}

/** The job an orchestration instance is, or undefined when it is not one (an activity helper, say). */
export function jobOf(status: OrchestrationStatus): Job | undefined {
  const type = (JOB_TYPES as Record<string, JobType | undefined>)[status.name];
  if (!type) return undefined;
  const output = record(status.output);
  const progress = record(status.customStatus);
  const instance = stringField(record(status.input), "instance");
  const recoveryPointId = stringField(output, "recoveryPointId") ?? stringField(progress, "recoveryPointId");
  const error = status.runtimeStatus === "Failed" ? failureText(status.output) : undefined;
  return {
    id: status.instanceId,
    type,
    ...(instance ? { instance } : {}),
    runtimeStatus: status.runtimeStatus,
    status: jobStatus(status),
    ...(recoveryPointId ? { recoveryPointId } : {}),
    ...(status.customStatus !== undefined && status.customStatus !== null
      ? { progress: status.customStatus }
      : {}),
    ...(error ? { error } : {}),
    createdTime: status.createdTime,
    lastUpdatedTime: status.lastUpdatedTime,
  };
}

function jobStatus(status: OrchestrationStatus): JobStatus {
  switch (status.runtimeStatus) {
    case "Completed": {
      const outcome = stringField(record(status.output), "status");
      return JOB_STATUSES.find((known) => known === outcome && known !== "InProgress") ?? "Succeeded";
    }
    case "Failed":
      return "Failed";
    case "Terminated":
    case "Canceled":
      return "Cancelled";
    default:
      return "InProgress";
  }
}

function jobFilter(query: URLSearchParams): JobFilter {
  const errors: FieldError[] = [];
  const filter: JobFilter = {};
  const types = [...new Set(Object.values(JOB_TYPES))];
  const type = query.get("type");
  if (type !== null) {
    const found = types.find((known) => known === type);
    if (found) filter.type = found;
    else errors.push({ field: "type", message: `"${type.slice(0, 40)}" is not one of ${types.join(", ")}` });
  }
  const status = query.get("status");
  if (status !== null) {
    const found = JOB_STATUSES.find((known) => known === status);
    if (found) filter.status = found;
    else
      errors.push({
        field: "status",
        message: `"${status.slice(0, 40)}" is not one of ${JOB_STATUSES.join(", ")}`,
      });
  }
  const instance = query.get("instance");
  if (instance !== null) {
    const problem = nameProblem(instance);
    if (problem) errors.push({ field: "instance", message: problem });
    else filter.instance = instance;
  }
  const createdFrom = query.get("createdFrom");
  if (createdFrom !== null) {
    const at = ISO_TIME.test(createdFrom) ? new Date(createdFrom) : undefined;
    if (at && !Number.isNaN(at.getTime())) filter.createdFrom = at;
    else
      errors.push({
        field: "createdFrom",
        message: `"${createdFrom.slice(0, 40)}" is not a UTC or offset date-time such as 2026-11-25T00:00:00Z`,
      });
  }
  const top = query.get("top");
  if (top !== null) {
    const count = /^\d{1,4}$/.test(top) ? Number(top) : Number.NaN;
    if (count >= 1 && count <= MAX_JOBS_TOP) filter.top = count;
    else
      errors.push({
        field: "top",
        message: `"${top.slice(0, 40)}" is not a whole number from 1 to ${MAX_JOBS_TOP}`,
      });
  }
  const known = new Set(["type", "status", "instance", "createdFrom", "top"]);
  for (const key of new Set(query.keys())) {
    if (!known.has(key)) {
      errors.push({
        field: key.slice(0, 40),
        message: "is not a filter of jobs; use type, status, instance, createdFrom or top",
      });
    }
  }
  if (errors.length > 0) throw invalid("the job filter is not valid", errors);
  return filter;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

function matches(job: Job, filter: JobFilter): boolean {
  return (
    (filter.createdFrom === undefined || Date.parse(job.createdTime) >= filter.createdFrom.getTime()) &&
    (filter.type === undefined || job.type === filter.type) &&
    (filter.status === undefined || job.status === filter.status) &&
    (filter.instance === undefined || job.instance === filter.instance)
  );
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function stringField(value: Record<string, unknown> | undefined, key: string): string | undefined {
  const field = value?.[key];
  return typeof field === "string" ? field : undefined;
}

// A failed orchestration's output is its error message (the host's shape), or an object holding one.
function failureText(output: unknown): string | undefined {
  const text =
    typeof output === "string"
      ? output
      : (stringField(record(output), "message") ?? stringField(record(output), "error"));
  return text === undefined ? undefined : redactSecrets(text);
}
