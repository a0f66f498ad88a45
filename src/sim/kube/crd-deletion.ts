// How apiextensions-apiserver deletes a CustomResourceDefinition: the first delete only marks it
// (cleanup finalizer, Terminating condition); its resources stay served, refusing new objects.
import { kubeTime } from "./object-meta.js";
import type { ServedType } from "./registry.js";
import { StatusError } from "./status.js";
import type { MemoryStore } from "./store.js";
import type { KubeObject } from "./types.js";

export const crdCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";

interface CrdCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

function conditionsOf(crd: KubeObject): CrdCondition[] {
  return (crd.status as { conditions?: CrdCondition[] } | undefined)?.conditions ?? [];
}

/** The CRD after its first delete: deletionTimestamp, the cleanup finalizer, Terminating=True. */
export function markCrdTerminating(crd: KubeObject, now: Date): KubeObject {
  const meta = { ...(crd.metadata ?? {}) };
  const next: KubeObject = { ...crd, metadata: meta };
  meta.deletionTimestamp ??= kubeTime(now);
  const finalizers = meta.finalizers ?? [];
  if (!finalizers.includes(crdCleanupFinalizer)) meta.finalizers = [...finalizers, crdCleanupFinalizer];
  const conditions = [...conditionsOf(next)];
  const terminating: CrdCondition = {
    type: "Terminating",
    status: "True",
    lastTransitionTime: kubeTime(now),
    reason: "InstanceDeletionPending",
    message: "CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon",
  };
  const i = conditions.findIndex((c) => c.type === "Terminating");
  if (i >= 0) {
    const old = conditions[i];
    if (old?.status === "True" && old.lastTransitionTime)
      terminating.lastTransitionTime = old.lastTransitionTime;
    conditions[i] = terminating;
  } else {
    conditions.push(terminating);
  }
  next.status = { ...((next.status as object | undefined) ?? {}), conditions };
  return next;
}

/** Refuses new custom resources of a CRD whose Terminating condition is True, as the CR handler does. */
export function refuseCreateWhileTerminating(store: MemoryStore, type: ServedType): void {
  if (!type.crd) return;
  const crds = store.registry.lookup("apiextensions.k8s.io", "v1", "customresourcedefinitions");
  const crd = crds ? store.entry(crds, undefined, type.crd.name)?.object : undefined;
  if (!crd || !conditionsOf(crd).some((c) => c.type === "Terminating" && c.status === "True")) return;
  throw new StatusError(
    405,
    "MethodNotAllowed",
    "create not allowed while custom resource definition is terminating",
    { group: type.group, kind: type.resource },
  );
}
