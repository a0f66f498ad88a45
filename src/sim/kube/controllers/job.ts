// Mimics kube-controller-manager's Job controller: up to `parallelism` pods until `completions`
// succeed, counted through the job-tracking finalizer and uncountedTerminatedPods, then Complete.
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import { type Condition, isTrue, setCondition } from "./conditions.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, splitKey, typeKey } from "./context.js";
import { acceptsNewObjects } from "./namespace-state.js";
import { controllerReference, ownerReferences } from "./owner-references.js";
import { isActive, isPodReady, type PodTemplate, podFromTemplate, podPhase } from "./pod-template.js";
import { createIfAbsent, deleteIfPresent } from "./store-errors.js";

interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  suspend?: boolean;
  template?: PodTemplate;
}

interface JobStatus {
  startTime?: string;
  completionTime?: string;
  active?: number;
  ready?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  conditions?: Condition[];
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
}

const trackingFinalizer = "batch.kubernetes.io/job-tracking";

export const jobController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const jobs = typeKey(types.jobs);
  const pods = typeKey(types.pods);
  cache.track(jobs);
  cache.track(pods);
  cache.track(typeKey(types.namespaces));

  function removeTrackingFinalizer(pod: KubeObject): void {
    const fresh = store.get(types.pods, pod.metadata?.namespace, pod.metadata?.name ?? "");
    if (!fresh?.metadata?.finalizers?.includes(trackingFinalizer)) return;
    fresh.metadata.finalizers = fresh.metadata.finalizers.filter((f) => f !== trackingFinalizer);
    store.update(types.pods, fresh);
  }

  const queue = context.queue("job", (key) => {
    const { namespace, name } = splitKey(key);
    const job = cache.get(jobs, namespace, name);
    if (!job || job.metadata?.deletionTimestamp) return;
    const spec = (job.spec ?? {}) as JobSpec;
    const old = (job.status ?? {}) as JobStatus;
    const owned = cache.controlledBy(pods, job.metadata?.uid ?? "");
    const uncounted = new Set(old.uncountedTerminatedPods?.succeeded ?? []);
    const finished = owned.filter(
      (p) => podPhase(p) === "Succeeded" && p.metadata?.finalizers?.includes(trackingFinalizer),
    );
    // Step 1: remember finished pods in status before releasing them, so none is counted twice.
    const newlyFinished = finished.filter((p) => !uncounted.has(p.metadata?.uid ?? ""));
    for (const p of newlyFinished) uncounted.add(p.metadata?.uid ?? "");
    // Step 2: pods already remembered lose the finalizer.
    if (newlyFinished.length === 0) {
      for (const p of finished) if (uncounted.has(p.metadata?.uid ?? "")) removeTrackingFinalizer(p);
    }
    // Step 3: remembered pods whose finalizer is gone move into `succeeded`.
    const stillTracked = new Set(
      owned
        .filter((p) => p.metadata?.finalizers?.includes(trackingFinalizer))
        .map((p) => p.metadata?.uid ?? ""),
    );
    let succeeded = old.succeeded ?? 0;
    if (newlyFinished.length === 0) {
      for (const uid of [...uncounted]) {
        if (!stillTracked.has(uid)) {
          uncounted.delete(uid);
          succeeded++;
        }
      }
    }

    const completions = spec.completions ?? 1;
    const parallelism = spec.parallelism ?? 1;
    let active = owned.filter(isActive);
    const done = succeeded + uncounted.size >= completions;
    if (done) {
      for (const p of active)
        deleteIfPresent(() => store.delete(types.pods, namespace, p.metadata?.name ?? ""));
      active = [];
    } else if (!spec.suspend && acceptsNewObjects(cache, types, namespace)) {
      const want = Math.min(parallelism, completions - succeeded - uncounted.size);
      for (let i = active.length; i < want; i++) {
        const pod = podFromTemplate(spec.template, {
          namespace: namespace ?? "",
          generateName: `${name}-`,
          owner: controllerReference(job, types.jobs),
          finalizers: [trackingFinalizer],
        });
        createIfAbsent(() => store.create(types.pods, pod));
      }
    }

    const now = context.now();
    let conditions = old.conditions ?? [];
    const complete = done && uncounted.size === 0;
    if (complete && !isTrue(conditions, "Complete")) {
      const reason = { reason: "CompletionsReached", message: "Reached expected number of succeeded pods" };
      conditions = setCondition(conditions, {
        type: "SuccessCriteriaMet",
        status: "True",
        ...reason,
        lastProbeTime: now,
        lastTransitionTime: now,
      });
      conditions = setCondition(conditions, {
        type: "Complete",
        status: "True",
        ...reason,
        lastProbeTime: now,
        lastTransitionTime: now,
      });
    }
    const next: JobStatus = {
      ...(conditions.length > 0 ? { conditions } : {}),
      startTime: old.startTime ?? now,
      ...(complete ? { completionTime: old.completionTime ?? now } : {}),
      ...(active.length > 0 ? { active: active.length } : {}),
      ...(succeeded > 0 ? { succeeded } : {}),
      terminating: 0,
      ready: active.filter(isPodReady).length,
      uncountedTerminatedPods: uncounted.size > 0 ? { succeeded: [...uncounted] } : {},
    };
    if (JSON.stringify(next) === JSON.stringify(old)) return;
    const fresh = store.get(types.jobs, namespace, name);
    if (!fresh) return;
    fresh.status = next;
    store.updateStatus(types.jobs, fresh);
  });

  // Pods whose Job is gone, or that are deleted before they finished, would keep the finalizer
  // forever; the real controller releases them too.
  const releaseQueue = context.queue("job-pod-finalizers", (key) => {
    const { namespace: ns, name: podName } = splitKey(key);
    const pod = cache.get(pods, ns, podName);
    if (!pod?.metadata?.finalizers?.includes(trackingFinalizer)) return;
    const owner = ownerReferences(pod).find((r) => r.controller === true);
    const job = owner ? cache.get(jobs, ns, owner.name) : undefined;
    const orphaned = !job || job.metadata?.uid !== owner?.uid || Boolean(job.metadata?.deletionTimestamp);
    if (orphaned || (pod.metadata.deletionTimestamp && podPhase(pod) !== "Succeeded"))
      removeTrackingFinalizer(pod);
  });

  return {
    name: "job",
    watches: [jobs, pods],
    observe(event: StoreEvent) {
      const meta = event.object.metadata ?? {};
      if (event.resource.resource === "jobs") {
        if (event.type !== "DELETED" && !meta.deletionTimestamp)
          queue.add(objectKey(meta.namespace, meta.name ?? ""));
        else
          for (const pod of cache.controlledBy(pods, meta.uid ?? ""))
            releaseQueue.add(objectKey(meta.namespace, pod.metadata?.name ?? ""));
        return;
      }
      const owner = ownerReferences(event.object).find((r) => r.controller === true);
      if (owner?.kind === "Job") queue.add(objectKey(meta.namespace, owner.name));
      if (event.type !== "DELETED" && meta.finalizers?.includes(trackingFinalizer)) {
        const job = owner ? cache.get(jobs, meta.namespace, owner.name) : undefined;
        if (!job || meta.deletionTimestamp) releaseQueue.add(objectKey(meta.namespace, meta.name ?? ""));
      }
    },
  };
};
