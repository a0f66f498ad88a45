// The last step of a backup or restore when an Event Grid topic is configured: the notifyJob activity
// publishes the job's event (docs/events.md "Notifications"), retried; a publish that still fails is
// logged and never fails the job or changes its outcome.
import * as df from "durable-functions";
import {
  type BackupEventData,
  backupEvent,
  type JobEvent,
  type RestoreEventData,
  restoreEvent,
} from "../notifications/events.js";
import type { Environment } from "./environment.js";
import type { OrchestrationModule } from "./module.js";
import { RestoreParts } from "./restore-parts.js";
import { reasonOf, type Step } from "./settle.js";

export const NOTIFY_JOB = "notifyJob";

/** What the backup orchestrator knows at its end; the activity adds cluster, policy and errors. */
export type BackupNotice = { kind: "backup" } & Omit<
  BackupEventData,
  "jobType" | "durationSeconds" | "errors" | "cluster" | "policy"
>;
/** What the restore orchestrator knows at its end; the activity adds the failed items from the result. */
export type RestoreNotice = { kind: "restore" } & Omit<
  RestoreEventData,
  "jobType" | "durationSeconds" | "errors"
>;
export type NotifyJobInput = BackupNotice | RestoreNotice;

export type NotifyJobOutput =
  | { published: true; eventId: string; type: JobEvent["type"] }
  | { published: false; reason: string };

/** On top of the SDK's own retries (3, exponential): three attempts, 5 s and 10 s apart. */
function notifyRetry(): df.RetryOptions {
  const retry = new df.RetryOptions(5_000, 3);
  retry.backoffCoefficient = 2;
  return retry;
}

/** The orchestrators' last step. Only called when an activity reported a topic (`notify: true`). */
export function* notifyJob(context: df.OrchestrationContext, input: NotifyJobInput): Step {
  try {
    yield context.df.callActivityWithRetry(NOTIFY_JOB, notifyRetry(), input);
  } catch (error) {
    if (!context.df.isReplaying) {
      context.warn(`${input.kind} ${input.jobId}: notification not published: ${reasonOf(error)}`);
    }
  }
}

/** Builds the job's event from the notice and what storage recorded, and publishes it. */
export async function notifyJobActivity(input: NotifyJobInput, env: Environment): Promise<NotifyJobOutput> {
  // The topic was configured when the job started; a restart without it drops the notice.
  if (!env.notifier) return { published: false, reason: "no Event Grid topic is configured" };
  const event = input.kind === "backup" ? await backupEventOf(input, env) : await restoreEventOf(input, env);
  await env.notifier.publish(event);
  return { published: true, eventId: event.id, type: event.type };
}

async function backupEventOf(notice: BackupNotice, env: Environment): Promise<JobEvent> {
  const { kind: _, ...known } = notice;
  const manifest = notice.recoveryPointId ? await env.catalog.getManifest(notice.recoveryPointId) : undefined;
  if (manifest) {
    return backupEvent({
      ...known,
      cluster: manifest.cluster,
      ...(manifest.policy ? { policy: manifest.policy } : {}),
      errors: manifest.errors.map((error) => error.message),
    });
  }
  // Nothing committed (an unknown instance, storage failing at commit): the definition, if any.
  const instance = (await env.definitions.get("instance", notice.instance))?.value;
  return backupEvent({
    ...known,
    ...(instance ? { cluster: instance.cluster, policy: instance.policy } : {}),
    errors: notice.reason ? [notice.reason] : [],
  });
}

async function restoreEventOf(notice: RestoreNotice, env: Environment): Promise<JobEvent> {
  const { kind: _, ...known } = notice;
  const result = await new RestoreParts(env.catalog, notice.jobId).read("result");
  const failed = (result?.items ?? [])
    .filter((item) => item.outcome === "failed")
    .map((item) => {
      const name = item.namespace ? `${item.namespace}/${item.name}` : item.name;
      return `${item.kind} ${name}: ${item.reason ?? "failed"}`;
    });
  const errors = [...(result?.error ? [result.error] : []), ...failed];
  return restoreEvent({ ...known, errors });
}

export const notifyJobModule: OrchestrationModule = {
  activities: { [NOTIFY_JOB]: notifyJobActivity },
};
