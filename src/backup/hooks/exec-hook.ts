// One hook run in its pod by exec, logged in the job log (pod, container, command, exit code,
// duration), and its outcome worded for the recovery point's warnings and errors.
import { ExecError, type ExecOptions, type ExecRequest, type ExecResult } from "../../kube/exec.js";
import type { Delay } from "../../kube/timing.js";
import type { JobLog } from "../job-log.js";
import { formatDuration, type HookPhase } from "./parse.js";
import type { PlannedHook } from "./plan.js";

export type ExecFn = (request: ExecRequest, options: ExecOptions) => Promise<ExecResult>;

export interface HookRunner {
  exec: ExecFn;
  log: JobLog;
  now: () => Date;
  delay?: Delay;
}

/**
 * `definite`: the command is known not to have done its work (it never started, or it exited
 * non-zero). A timeout or a lost stream is not definite: the command may have frozen something.
 */
export type HookOutcome = { ok: true } | { ok: false; definite: boolean; message: string };

const STDERR_IN_MESSAGE = 300;

function lastOutput(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > STDERR_IN_MESSAGE ? `…${trimmed.slice(-STDERR_IN_MESSAGE)}` : trimmed;
}

/** When a hook runs: around a backup's snapshots, or in a restored pod. */
export type HookStage = HookPhase | "restore";

/** The pod a hook runs in. */
export interface HookPod {
  namespace: string;
  pod: string;
}

/** "pre-hook [fsfreeze --freeze /data] (annotations) in pod db/pg, container pg" */
export function describeHook(phase: HookStage, pod: HookPod, hook: PlannedHook): string {
  const command = hook.command.length > 0 ? ` [${hook.command.join(" ")}]` : "";
  return `${phase}-hook${command} (${hook.source}) in pod ${pod.namespace}/${pod.pod}, container ${hook.container}`;
}

export async function runHook(
  runner: HookRunner,
  phase: HookStage,
  pod: HookPod,
  hook: PlannedHook,
  abortSignal: AbortSignal | undefined,
): Promise<HookOutcome> {
  const what = describeHook(phase, pod, hook);
  const fields = {
    phase,
    namespace: pod.namespace,
    pod: pod.pod,
    container: hook.container,
    command: hook.command,
    source: hook.source,
    onError: hook.onError,
  };
  if (hook.problem) {
    runner.log.add("error", `${phase}-hook not run: ${hook.problem}`, fields);
    return { ok: false, definite: true, message: `${what} not run: ${hook.problem}` };
  }
  const started = runner.now().getTime();
  const elapsed = () => runner.now().getTime() - started;
  try {
    const result = await runner.exec(
      { namespace: pod.namespace, pod: pod.pod, container: hook.container, command: hook.command },
      {
        timeoutMs: hook.timeoutMs,
        ...(abortSignal ? { abortSignal } : {}),
        ...(runner.delay ? { delay: runner.delay } : {}),
      },
    );
    const level = result.exitCode === 0 ? "info" : "warning";
    runner.log.add(level, `${phase}-hook ran`, {
      ...fields,
      exitCode: result.exitCode,
      durationMs: elapsed(),
      ...(result.stdout ? { stdout: result.stdout } : {}),
      ...(result.stderr ? { stderr: result.stderr } : {}),
    });
    if (result.exitCode === 0) return { ok: true };
    const stderr = lastOutput(result.stderr);
    return {
      ok: false,
      definite: true,
      message: `${what} failed with exit code ${result.exitCode}${stderr ? `: ${stderr}` : ""}`,
    };
  } catch (error) {
    if (abortSignal?.aborted) throw abortSignal.reason;
    const timedOut = error instanceof ExecError && error.kind === "timeout";
    const refused = error instanceof ExecError && error.kind === "refused";
    const why = timedOut
      ? `timed out after ${formatDuration(hook.timeoutMs)}`
      : `could not be run: ${error instanceof Error ? error.message : String(error)}`;
    runner.log.add("warning", `${phase}-hook ${timedOut ? "timed out" : "could not be run"}`, {
      ...fields,
      durationMs: elapsed(),
      error: why,
    });
    return { ok: false, definite: refused, message: `${what} ${why}` };
  }
}
