// The hook phases around a backup's volume snapshots: every pre-hook (pods at once, a pod's hooks in
// order), the snapshots of the volumes no failed pre-hook holds back, and each pod's post-hooks as
// soon as its snapshots exist.
import type { Cluster } from "../../kube/cluster.js";
import { execInPod } from "../../kube/exec.js";
import { mapWithLimit } from "../../kube/task-pool.js";
import type { Delay } from "../../kube/timing.js";
import type { HookReference } from "../../model/backup-instance.js";
import type { ItemMessage } from "../../model/recovery-point.js";
import type { DiskVolume } from "../../volumes/discovery.js";
import type { JobLog } from "../job-log.js";
import { type ExecFn, type HookRunner, runHook } from "./exec-hook.js";
import { type PodHooks, planHooks } from "./plan.js";
import { readHookSources } from "./read.js";

/** Pods whose hooks run at once; each exec is one API server connection held open. */
export const DEFAULT_HOOK_CONCURRENCY = 10;

export interface HookOptions {
  /** Default: exec in the pod through the cluster's API server. */
  exec?: ExecFn;
  /** How hook timeouts are waited for (tests inject their own). */
  delay?: Delay;
  concurrency?: number;
}

export interface HookContext extends HookOptions {
  cluster: Cluster;
  references: readonly HookReference[];
  log: JobLog;
  now: () => Date;
  abortSignal?: AbortSignal;
}

export interface AroundSnapshots<T> {
  result: T;
  warnings: ItemMessage[];
  errors: ItemMessage[];
}

/** A pod's hooks and how its pre-hooks went; plain data, so a durable activity can store it. */
export interface PodState {
  pod: PodHooks;
  /** The first failed pre-hook with on-error Fail: the pod's volumes are not snapshotted. */
  blockedBy?: string;
  /** A pre-hook succeeded, or may have done its work (timeout): the post-hooks must undo it. */
  tookEffect: boolean;
  /** The pod's pre-hook phase began (an abort can stop the phase before it reaches every pod). */
  reached: boolean;
}

function podMessage(pod: PodHooks, message: string): ItemMessage {
  return { message, namespace: pod.namespace, type: "v1/Pod", name: pod.pod };
}

interface Messages {
  warnings: ItemMessage[];
  errors: ItemMessage[];
}

async function runPre(
  runner: HookRunner,
  state: PodState,
  out: Messages,
  abortSignal: AbortSignal | undefined,
) {
  state.reached = true;
  for (const hook of state.pod.pre) {
    const outcome = await runHook(runner, "pre", state.pod, hook, abortSignal);
    if (outcome.ok || !outcome.definite) state.tookEffect = true;
    if (outcome.ok) continue;
    if (hook.onError === "Continue") {
      out.warnings.push(podMessage(state.pod, `${outcome.message} (on-error Continue)`));
      continue;
    }
    state.blockedBy = outcome.message;
    return;
  }
}

async function runPost(runner: HookRunner, state: PodState, out: Messages, started?: Set<PodState>) {
  if (started?.has(state)) return;
  started?.add(state);
  const { pod } = state;
  if (pod.post.length === 0 || !state.reached) return;
  if (state.blockedBy && !state.tookEffect) {
    runner.log.add("info", "post-hooks not run: the pod's pre-hook failed before changing anything", {
      namespace: pod.namespace,
      pod: pod.pod,
    });
    return;
  }
  // Every post-hook runs even after one failed: each may be what thaws a filesystem.
  for (const hook of pod.post) {
    const outcome = await runHook(runner, "post", pod, hook, undefined);
    if (outcome.ok) continue;
    const list = hook.onError === "Continue" ? out.warnings : out.errors;
    list.push(podMessage(pod, `${outcome.message} (on-error ${hook.onError})`));
  }
}

/** What the snapshot phase reports so a pod is thawed as soon as all of its snapshots exist. */
export interface SnapshotProgress {
  /** The volume's snapshot exists: its point in time is fixed. */
  created(volume: DiskVolume): void;
  /** The volume is finished, whatever the outcome. */
  done(volume: DiskVolume): void;
}

/** The pods whose hooks run around the snapshots of `disks`, read and planned, none run yet. */
export interface HookPhasePlan extends Messages {
  pods: PodState[];
}

/** Reads the hook sources (pods, BackupHook objects) and plans which pods get which hooks. */
export async function planHookPhase(
  context: HookContext,
  disks: readonly DiskVolume[],
): Promise<HookPhasePlan> {
  const { abortSignal } = context;
  const sources = await readHookSources(context.cluster, context.references, disks, {
    ...(abortSignal ? { abortSignal } : {}),
  });
  const plan = planHooks(sources.pods, disks, sources.rules);
  const warnings: ItemMessage[] = [...sources.warnings, ...plan.warnings].map((message) => ({ message }));
  const errors: ItemMessage[] = sources.unreadable.map(({ namespace, message }) => ({
    message: `hooks of the pods in namespace ${namespace} not run: ${message}`,
    namespace,
  }));
  const pods = plan.pods.map((pod) => ({ pod, tookEffect: false, reached: false }));
  return { pods, warnings, errors };
}

function runnerOf(context: HookContext): HookRunner {
  return {
    exec: context.exec ?? ((request, options) => execInPod(context.cluster, request, options)),
    log: context.log,
    now: context.now,
    ...(context.delay ? { delay: context.delay } : {}),
  };
}

/**
 * Runs every planned pre-hook (pods at once, a pod's hooks in order), recording each pod's outcome
 * in its state and the messages in `plan`; returns the claims a failed Fail pre-hook holds back,
 * with why, after adding an error for each of those disks.
 */
export async function runPreHooks(
  context: HookContext,
  plan: HookPhasePlan,
  disks: readonly DiskVolume[],
): Promise<Map<string, string>> {
  const { abortSignal } = context;
  const runner = runnerOf(context);
  context.log.add("info", `running the pre-hooks of ${plan.pods.length} pods`);
  await mapWithLimit(plan.pods, (state) => runPre(runner, state, plan, abortSignal), {
    limit: context.concurrency ?? DEFAULT_HOOK_CONCURRENCY,
    ...(abortSignal ? { abortSignal } : {}),
  });
  const held = new Map<string, string>();
  for (const state of plan.pods) {
    for (const claim of state.blockedBy ? state.pod.claims : []) {
      if (!held.has(claim)) held.set(claim, state.blockedBy ?? "");
    }
  }
  for (const disk of disks) {
    const why = held.get(disk.pvc);
    if (why === undefined) continue;
    plan.errors.push({
      message: `volume not snapshotted: ${why}`,
      namespace: disk.namespace,
      type: "v1/PersistentVolumeClaim",
      name: disk.claimName,
    });
  }
  return held;
}

/**
 * Runs the post-hooks of the given pods (those whose pre-hook phase began), adding failures to
 * `out`. They ignore any abort (each is bounded by its own timeout): a frozen filesystem must be thawed.
 */
export async function runPostHooks(
  context: HookContext,
  pods: readonly PodState[],
  out: Messages,
): Promise<void> {
  const runner = runnerOf(context);
  await mapWithLimit([...pods], (state) => runPost(runner, state, out), {
    limit: context.concurrency ?? DEFAULT_HOOK_CONCURRENCY,
  });
}

/**
 * Runs `snapshot` on the disks between the pre- and post-hooks of the pods that mount them. A disk
 * a failed Fail pre-hook holds back gets an error naming the hook. Post-hooks run even when the
 * snapshots throw, and ignore the job's abort (each is bounded by its own timeout): a frozen
 * filesystem must be thawed.
 */
export async function aroundSnapshots<T>(
  context: HookContext,
  disks: readonly DiskVolume[],
  snapshot: (disks: DiskVolume[], progress: SnapshotProgress) => Promise<T>,
): Promise<AroundSnapshots<T>> {
  const { log } = context;
  const plan = await planHookPhase(context, disks);
  const out = { warnings: plan.warnings, errors: plan.errors };
  if (plan.pods.length === 0)
    return { ...out, result: await snapshot([...disks], { created() {}, done() {} }) };

  const runner = runnerOf(context);
  const limit = context.concurrency ?? DEFAULT_HOOK_CONCURRENCY;
  const states = plan.pods;
  const posts: Promise<void>[] = [];
  const started = new Set<PodState>();
  const pending = () => states.length - started.size;
  try {
    const held = await runPreHooks(context, plan, disks);
    // A pod's post-hooks run as soon as every snapshot of its volumes exists (or failed): a frozen
    // filesystem must not wait for the background copies, which can take hours.
    const snapshotted = disks.filter((d) => !held.has(d.pvc));
    const waitingFor = new Map(
      states.map((state) => [
        state,
        new Set(state.pod.claims.filter((c) => snapshotted.some((d) => d.pvc === c))),
      ]),
    );
    const release = (volume: DiskVolume) => {
      for (const [state, claims] of waitingFor) {
        if (!claims.delete(volume.pvc) || claims.size > 0) continue;
        waitingFor.delete(state);
        posts.push(runPost(runner, state, out, started));
      }
    };
    for (const [state, claims] of waitingFor) {
      if (claims.size > 0) continue;
      waitingFor.delete(state);
      posts.push(runPost(runner, state, out, started));
    }
    const result = await snapshot(snapshotted, { created: release, done: release });
    return { ...out, result };
  } finally {
    log.add("info", `running the post-hooks of the ${pending()} pods not thawed yet`);
    await mapWithLimit(
      states.filter((state) => !started.has(state)),
      (state) => runPost(runner, state, out, started),
      { limit },
    );
    await Promise.all(posts);
  }
}
