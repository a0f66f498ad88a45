// The documented shapes of the API's response bodies, for typing `TestServer.request<T>()` replies.
// Where src exports the type a handler answers with, it is reused here.
import type { DurableStatusLinks } from "../../src/api/deps.js";
import type { FieldError } from "../../src/api/http.js";
import type { Job } from "../../src/api/jobs.js";
import type { DeliveryReport } from "../../src/events/dispatch.js";
import type { DroppedEvent } from "../../src/events/parse.js";
import type { HealthReport, InstanceHealth, UsageReport } from "../../src/health/report.js";
import type { BackupInstance } from "../../src/model/backup-instance.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Policy } from "../../src/model/policy.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import type { RestoreRequest } from "../../src/model/restore-request.js";
import type { BackupOutput } from "../../src/orchestrations/backup-contract.js";
import type { OrchestrationStatus } from "../../src/orchestrations/client.js";
import type { RestoreOutput } from "../../src/orchestrations/restore-contract.js";
import type { StopProtectionResult } from "../../src/orchestrations/retention.js";
import type { RestoreResult } from "../../src/restore/result.js";

/** Bodies src already types: definitions (as stored, defaults filled in), jobs, manifests, reports, outputs. */
export type {
  BackupInstance,
  BackupOutput,
  Cluster,
  DeliveryReport,
  DurableStatusLinks,
  InstanceHealth,
  Job,
  Policy,
  RecoveryPointManifest,
  RestoreOutput,
  StopProtectionResult,
  UsageReport,
};

/** A backup orchestration's output once it wrote a recovery point. */
export type CompletedBackup = BackupOutput & { recoveryPointId: string };

/** application/problem+json; `errors` only for validation problems. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

/** A validation problem: `errors` names each field. */
export interface ValidationProblem extends Problem {
  errors: FieldError[];
}

/** 202 Accepted of `POST .../backup` and `POST /api/restores`: the durable management links. */
export type Accepted = DurableStatusLinks;

/** A list the test knows holds at least one element. */
export type NonEmpty<T> = [T, ...T[]];

/** A delivery report with at least one dropped event. */
export type DroppingDelivery = DeliveryReport & { dropped: NonEmpty<DroppedEvent> };

/** A validation problem with at least one field named. */
export type FieldProblem = Problem & { errors: NonEmpty<FieldError> };

/** A collection: `{ value: [...] }`. */
export interface List<T> {
  value: T[];
}

/** The durable status endpoint's body (`statusQueryGetUri`). */
export interface DurableStatus<Output = unknown, Input = unknown> {
  name: string;
  instanceId: string;
  runtimeStatus: OrchestrationStatus["runtimeStatus"];
  input: Input;
  customStatus: unknown;
  output: Output;
  createdTime: string;
  lastUpdatedTime: string;
}

/** `GET /api/jobs/{id}`: the job with its orchestration's input and output. */
export interface JobDetail extends Job {
  input: unknown;
  output: unknown;
}

/** `GET /api/restores/{id}`: the restore job, its request, and (once completed) its result. */
export interface RestoreJob extends Job {
  targetCluster?: string;
  request: RestoreRequest | null;
  output: unknown;
  result: RestoreResult | null;
}

/** `GET /api/restores/{id}` once the restore completed: its result is there. */
export type CompletedRestoreJob = RestoreJob & { result: RestoreResult };

/** `GET /api/health`. */
export interface Health extends HealthReport {
  version: string;
  mode: "demo" | "normal";
  notice?: string;
  storage: { reachable: boolean; container?: boolean; detail?: string };
  configFile?: { blob: string; status: string; at: string; error?: string };
}

/** The Event Grid subscription handshake's answer. */
export interface ValidationResponse {
  validationResponse: string;
}
