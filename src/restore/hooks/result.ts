// What a restore's exec hooks did, as the restore's result keeps it, and how it bears on the
// restore's status: a failed hook with on-error Fail makes a restore PartiallySucceeded.
import type { LogEntry } from "../../backup/job-log.js";
import type { RestoreStatus } from "../result.js";

export interface RestoreHooksResult {
  /** Workloads and bare pods with hooks (in a dry run: whose hooks would have run). */
  targets: number;
  /** Pods in which hooks were run (or found unable to run). */
  pods: number;
  succeeded: number;
  failed: number;
  /** Failed hooks with on-error Fail, and pods never found for them. */
  errors: string[];
  /** One line per hook: pod, container, command, exit code, duration, the output kept. */
  log: LogEntry[];
}

/** The restore's status once its hooks ran: an error of a hook is a partial success at best. */
export function statusWithHooks(status: RestoreStatus, hooks: RestoreHooksResult | undefined): RestoreStatus {
  return status === "Succeeded" && hooks !== undefined && hooks.errors.length > 0
    ? "PartiallySucceeded"
    : status;
}
