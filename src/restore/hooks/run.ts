// Runs a restore's exec hooks once its resources are applied: waits (up to the hooks' wait-timeout)
// for each target's pods to run the hooks' containers, then execs each pod's hooks in order. A
// failed hook is an error (on-error Fail: the pod's later hooks are not run) or a warning (Continue).
import {
  type ExecFn,
  type HookOutcome,
  type HookPod,
  type HookRunner,
  runHook,
} from "../../backup/hooks/exec-hook.js";
import { formatDuration } from "../../backup/hooks/parse.js";
import { JobLog, type LogEntry } from "../../backup/job-log.js";
import type { Cluster } from "../../kube/cluster.js";
import { isKubeApiError } from "../../kube/errors.js";
import { execInPod } from "../../kube/exec.js";
import { mapWithLimit } from "../../kube/task-pool.js";
import { type Delay, realDelay } from "../../kube/timing.js";
import type { KubeObject } from "../../kube/types.js";
import { formatLabelSelector } from "../../model/label-selector.js";
import type { RestoreHookRule } from "./parse.js";
import { type HookTarget, hookCanRun, type PlannedRestoreHook, planPodHooks } from "./targets.js";

/** Targets waited for and run at once; each exec holds one API server connection open. */
export const DEFAULT_RESTORE_HOOK_CONCURRENCY = 10;

/** Looks at a target's pods after 100 ms, then ever less often, at most every 2 s. */
const POLL = { firstMs: 100, maxMs: 2_000 };

export interface RestoreHookOptions {
  /** Default: exec in the pod through the cluster's API server. */
  exec?: ExecFn;
  /** How waits and exec timeouts are waited for (tests inject their own). */
  delay?: Delay;
  now?: () => Date;
  concurrency?: number;
  abortSignal?: AbortSignal;
}

/** What running the hooks did; plain data, kept with the restore's result. */
export interface RestoreHooksOutcome {
  /** Pods in which hooks were run (or found unable to run). */
  pods: number;
  succeeded: number;
  failed: number;
  /** Failures of hooks with on-error Fail, and pods never found for them: the restore is PartiallySucceeded. */
  errors: string[];
  /** Failures of hooks with on-error Continue, and what was read with a default instead. */
  warnings: string[];
  /** One line per hook run: pod, container, command, exit code, duration, output kept. */
  log: LogEntry[];
}

interface Run {
  cluster: Cluster;
  rules: readonly RestoreHookRule[];
  runner: HookRunner;
  delay: Delay;
  now: () => Date;
  startedAt: number;
  abortSignal: AbortSignal | undefined;
  /** Pods already taken by a target (uids): a pod matched by two targets runs its hooks once. */
  claimed: Set<string>;
  outcome: RestoreHooksOutcome;
}

/** Runs the hooks of every target; only an abort or an unreachable cluster throws. */
export async function runRestoreHooks(
  cluster: Cluster,
  targets: readonly HookTarget[],
  rules: readonly RestoreHookRule[],
  options: RestoreHookOptions = {},
): Promise<RestoreHooksOutcome> {
  const now = options.now ?? (() => new Date());
  const delay = options.delay ?? realDelay;
  const log = new JobLog(now);
  const run: Run = {
    cluster,
    rules,
    runner: {
      exec: options.exec ?? ((request, execOptions) => execInPod(cluster, request, execOptions)),
      log,
      now,
      delay,
    },
    delay,
    now,
    startedAt: now().getTime(),
    abortSignal: options.abortSignal,
    claimed: new Set(),
    outcome: { pods: 0, succeeded: 0, failed: 0, errors: [], warnings: [], log: [] },
  };
  await mapWithLimit(targets, (target) => runTarget(run, target), {
    limit: options.concurrency ?? DEFAULT_RESTORE_HOOK_CONCURRENCY,
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
  run.outcome.warnings = [...new Set(run.outcome.warnings)];
  run.outcome.log = [...log.entries];
  return run.outcome;
}

function describe(target: HookTarget): string {
  return `${target.kind} ${target.namespace}/${target.name}`;
}

async function runTarget(run: Run, target: HookTarget): Promise<void> {
  const { pods, expected } = await awaitPods(run, target);
  for (const pod of pods) {
    const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (run.claimed.has(uid)) continue;
    run.claimed.add(uid);
    await runPodHooks(run, pod, target);
  }
  if (pods.length < expected) {
    const waited = formatDuration(target.waitTimeoutMs);
    const message = `restore hooks of ${describe(target)}: ${expected - pods.length} of its ${expected} pods did not appear within ${waited} (wait-timeout); their hooks were not run`;
    const fails = target.hooks.some((hook) => hook.onError === "Fail");
    (fails ? run.outcome.errors : run.outcome.warnings).push(message);
  }
}

/**
 * Looks at the target's pods until as many as it should have can run all their hooks, or its
 * wait-timeout (counted from when the hooks began) is over; returns the pods then present.
 */
async function awaitPods(run: Run, target: HookTarget): Promise<{ pods: KubeObject[]; expected: number }> {
  const deadline = run.startedAt + target.waitTimeoutMs;
  let pause = POLL.firstMs;
  for (;;) {
    const pods = await listPods(run, target);
    const expected = await expectedPods(run, target);
    const ready = pods.filter((pod) =>
      planPodHooks(pod, run.rules).value.every((hook) => hookCanRun(pod, hook)),
    );
    const left = deadline - run.now().getTime();
    if ((expected !== undefined && ready.length >= expected) || left <= 0) {
      return { pods, expected: expected ?? Math.max(1, pods.length) };
    }
    await run.delay(Math.min(pause, left), run.abortSignal);
    pause = Math.min(pause * 2, POLL.maxMs);
  }
}

async function listPods(run: Run, target: HookTarget): Promise<KubeObject[]> {
  const signal = run.abortSignal ? { abortSignal: run.abortSignal } : {};
  const base = `/api/v1/namespaces/${encodeURIComponent(target.namespace)}/pods`;
  if (target.podName !== undefined) {
    try {
      const pod = await run.cluster.request<KubeObject>(
        "GET",
        `${base}/${encodeURIComponent(target.podName)}`,
        signal,
      );
      return pod.metadata.deletionTimestamp ? [] : [pod];
    } catch (error) {
      if (isKubeApiError(error, 404)) return [];
      throw error;
    }
  }
  const list = await run.cluster.request<{ items?: KubeObject[] }>("GET", base, {
    ...signal,
    query: { labelSelector: formatLabelSelector(target.selector ?? []) },
  });
  return (list.items ?? [])
    .filter((pod) => !pod.metadata.deletionTimestamp)
    .sort((a, b) => ((a.metadata.name ?? "") < (b.metadata.name ?? "") ? -1 : 1));
}

/** How many pods the target should have; undefined while a DaemonSet's controller has not counted them. */
async function expectedPods(run: Run, target: HookTarget): Promise<number | undefined> {
  if (target.replicas !== "desiredNumberScheduled") return target.replicas;
  const path = `/apis/apps/v1/namespaces/${encodeURIComponent(target.namespace)}/daemonsets/${encodeURIComponent(target.name)}`;
  try {
    const set = await run.cluster.request<KubeObject>(
      "GET",
      path,
      run.abortSignal ? { abortSignal: run.abortSignal } : {},
    );
    const status = (set.status ?? {}) as { desiredNumberScheduled?: number; observedGeneration?: number };
    const generation = typeof set.metadata.generation === "number" ? set.metadata.generation : 1;
    const observed = (status.observedGeneration ?? 0) >= generation;
    return observed && typeof status.desiredNumberScheduled === "number"
      ? status.desiredNumberScheduled
      : undefined;
  } catch (error) {
    if (isKubeApiError(error, 404)) return undefined;
    throw error;
  }
}

/** A hook whose container did not run in time: failed without an exec, and logged like one. */
function notRun(run: Run, where: HookPod, hook: PlannedRestoreHook, target: HookTarget): HookOutcome {
  const state = hook.waitForReady ? "ready" : "running";
  const why = `container ${hook.container} of pod ${where.namespace}/${where.pod} was not ${state} within ${formatDuration(target.waitTimeoutMs)} (wait-timeout)`;
  run.runner.log.add("warning", "restore-hook not run", {
    ...where,
    container: hook.container,
    command: hook.command,
    source: hook.source,
    error: why,
  });
  const command = `[${hook.command.join(" ")}]`;
  return { ok: false, definite: true, message: `restore-hook ${command} (${hook.source}) not run: ${why}` };
}

/** A pod's hooks in order, never two at once (as Velero); a failed Fail hook stops the pod's later ones. */
async function runPodHooks(run: Run, pod: KubeObject, target: HookTarget): Promise<void> {
  const { outcome, runner } = run;
  const where = { namespace: pod.metadata.namespace ?? "", pod: pod.metadata.name ?? "" };
  const planned = planPodHooks(pod, run.rules);
  outcome.warnings.push(...planned.warnings.map((w) => `pod ${where.namespace}/${where.pod}: ${w}`));
  if (planned.value.length === 0) return;
  outcome.pods++;
  for (const [index, hook] of planned.value.entries()) {
    // A hook that cannot run as written (bad command, unknown container) is reported by runHook.
    const canRun = hook.problem !== undefined || hookCanRun(pod, hook);
    const result = canRun
      ? await runHook(runner, "restore", where, hook, run.abortSignal)
      : notRun(run, where, hook, target);
    if (result.ok) {
      outcome.succeeded++;
      continue;
    }
    outcome.failed++;
    const message = `${result.message} (on-error ${hook.onError})`;
    if (hook.onError === "Continue") {
      outcome.warnings.push(message);
      continue;
    }
    const later = planned.value.length - index - 1;
    outcome.errors.push(later > 0 ? `${message}; the pod's ${later} later hooks were not run` : message);
    return;
  }
}
