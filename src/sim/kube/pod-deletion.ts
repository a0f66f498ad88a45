// Graceful deletion of pods as the pod strategy and the generic registry decide it: a pod on a
// node gets deletionTimestamp = now + grace period and waits for its kubelet; others go at once.
import { kubeTime } from "./object-meta.js";
import type { KubeObject } from "./types.js";

export type PodDeletion =
  /** Delete now (or, with finalizers, hold with a grace period of 0). */
  | { kind: "now"; deletionTimestamp?: string }
  /** A graceful deletion is already under way and the request does not shorten it. */
  | { kind: "pending" }
  /** Mark the pod: its kubelet stops it and finishes the deletion. */
  | { kind: "graceful"; deletionTimestamp: string; gracePeriodSeconds: number };

interface PodFields {
  spec?: { nodeName?: string; terminationGracePeriodSeconds?: number };
  status?: { phase?: string };
}

/** What a delete of `pod` with the requested gracePeriodSeconds (if any) does. */
export function podDeletion(pod: KubeObject, requested: number | undefined, now: Date): PodDeletion {
  const meta = pod.metadata ?? {};
  if (meta.deletionTimestamp) {
    const current = meta.deletionGracePeriodSeconds ?? 0;
    if (current === 0) return { kind: "now" };
    // Only a shorter grace period may be given once the deletion started.
    if (requested === undefined || requested >= current) return { kind: "pending" };
    const started = Date.parse(meta.deletionTimestamp) - current * 1000;
    const deletionTimestamp = kubeTime(new Date(started + Math.max(requested, 0) * 1000));
    if (requested <= 0) return { kind: "now", deletionTimestamp };
    return { kind: "graceful", deletionTimestamp, gracePeriodSeconds: requested };
  }
  const { spec, status } = pod as PodFields;
  let period = requested ?? spec?.terminationGracePeriodSeconds ?? 0;
  // Unscheduled pods have no kubelet to wait for; finished ones have nothing left to stop.
  if (!spec?.nodeName || status?.phase === "Succeeded" || status?.phase === "Failed") period = 0;
  // A negative request means "as soon as possible", which the server turns into one second.
  if (period < 0) period = 1;
  if (period === 0) return { kind: "now" };
  return {
    kind: "graceful",
    deletionTimestamp: kubeTime(new Date(now.getTime() + period * 1000)),
    gracePeriodSeconds: period,
  };
}
