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

interface PodState {
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

async function runPre(
  runner: HookRunner,
  state: PodState,
  out: AroundSnapshots<unknown>,
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

async function runPost(
  runner: HookRunner,
  state: PodState,
  out: AroundSnapshots<unknown>,
  started?: Set<PodState>,
) {
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

/**
 * Runs `snapshot` on the disks between the pre- and post-hooks of the pods that mount them. A disk
 * a failed Fail pre-hook holds back gets an error naming the hook. Post-hooks run even when the
 * snapshots throw, and ignore the job's abort (each is bounded by its own timeout): a frozen
 * filesystem must be thawed.
 */
/** What the snapshot phase reports so a pod is thawed as soon as all of its snapshots exist. */
export interface SnapshotProgress {
  /** The volume's snapshot exists: its point in time is fixed. */
  created(volume: DiskVolume): void;
  /** The volume is finished, whatever the outcome. */
  done(volume: DiskVolume): void;
}

export async function aroundSnapshots<T>(
  context: HookContext,
  disks: readonly DiskVolume[],
  snapshot: (disks: DiskVolume[], progress: SnapshotProgress) => Promise<T>,
): Promise<AroundSnapshots<T>> {
  const { log, abortSignal } = context;
  const sources = await readHookSources(context.cluster, context.references, disks, {
    ...(abortSignal ? { abortSignal } : {}),
  });
  const plan = planHooks(sources.pods, disks, sources.rules);
  const warnings: ItemMessage[] = [...sources.warnings, ...plan.warnings].map((message) => ({ message }));
  const errors: ItemMessage[] = sources.unreadable.map(({ namespace, message }) => ({
    message: `hooks of the pods in namespace ${namespace} not run: ${message}`,
    namespace,
  }));
  const out: AroundSnapshots<undefined> = { result: undefined, warnings, errors };
  if (plan.pods.length === 0)
    return { ...out, result: await snapshot([...disks], { created() {}, done() {} }) };

  const runner: HookRunner = {
    exec: context.exec ?? ((request, options) => execInPod(context.cluster, request, options)),
    log,
    now: context.now,
    ...(context.delay ? { delay: context.delay } : {}),
  };
  const limit = context.concurrency ?? DEFAULT_HOOK_CONCURRENCY;
  const states: PodState[] = plan.pods.map((pod) => ({ pod, tookEffect: false, reached: false }));
  const posts: Promise<void>[] = [];
  const started = new Set<PodState>();
  const pending = () => states.length - started.size;
  log.add("info", `running the pre-hooks of ${states.length} pods`);
  try {
    await mapWithLimit(states, (state) => runPre(runner, state, out, abortSignal), {
      limit,
      ...(abortSignal ? { abortSignal } : {}),
    });
    const held = new Map<string, string>();
    for (const state of states) {
      for (const claim of state.blockedBy ? state.pod.claims : []) {
        if (!held.has(claim)) held.set(claim, state.blockedBy ?? "");
      }
    }
    for (const disk of disks) {
      const why = held.get(disk.pvc);
      if (why === undefined) continue;
      errors.push({
        message: `volume not snapshotted: ${why}`,
        namespace: disk.namespace,
        type: "v1/PersistentVolumeClaim",
        name: disk.claimName,
      });
    }
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
