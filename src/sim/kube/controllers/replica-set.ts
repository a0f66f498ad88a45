// Mimics kube-controller-manager's ReplicaSet controller: keeps `spec.replicas` pods named
// `<rs>-<5 chars>` (generateName), adopts matching orphans and reports replica counts in status.
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import { adoptOrphans, indexOrphans } from "./adoption.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, splitKey, typeKey } from "./context.js";
import { acceptsNewObjects } from "./namespace-state.js";
import { controllerReference, ownerReferences } from "./owner-references.js";
import { isActive, isPodReady, type PodTemplate, podFromTemplate, podPhase } from "./pod-template.js";
import type { LabelSelector } from "./selectors.js";
import { createIfAbsent, deleteIfPresent } from "./store-errors.js";

interface ReplicaSetSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
}

/** Pods to give up first when scaling down: unscheduled, then pending, then not ready, then newest. */
function deletionRank(pod: KubeObject): number {
  if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName) return 0;
  if (podPhase(pod) === "Pending") return 1;
  return isPodReady(pod) ? 3 : 2;
}

export const replicaSetController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const replicaSets = typeKey(types.replicaSets);
  const pods = typeKey(types.pods);
  cache.track(replicaSets);
  cache.track(pods);
  cache.track(typeKey(types.namespaces));
  indexOrphans(cache, types.pods);
  cache.addIndex(replicaSets, "namespace", (rs) => [rs.metadata?.namespace ?? ""]);

  const queue = context.queue("replicaset", (key) => {
    const { namespace, name } = splitKey(key);
    const rs = cache.get(replicaSets, namespace, name);
    if (!rs || rs.metadata?.deletionTimestamp) return;
    const spec = (rs.spec ?? {}) as ReplicaSetSpec;
    const uid = rs.metadata?.uid ?? "";
    if (adoptOrphans(store, cache, types.pods, rs, types.replicaSets, spec.selector) > 0) return;
    const active = cache.controlledBy(pods, uid).filter(isActive);
    const desired = spec.replicas ?? 1;
    if (active.length < desired && acceptsNewObjects(cache, types, namespace)) {
      for (let i = active.length; i < desired; i++) {
        const pod = podFromTemplate(spec.template, {
          namespace: namespace ?? "",
          generateName: `${name}-`,
          owner: controllerReference(rs, types.replicaSets),
        });
        createIfAbsent(() => store.create(types.pods, pod));
      }
    } else if (active.length > desired) {
      const victims = [...active]
        .sort(
          (a, b) =>
            deletionRank(a) - deletionRank(b) ||
            String(b.metadata?.creationTimestamp ?? "").localeCompare(
              String(a.metadata?.creationTimestamp ?? ""),
            ),
        )
        .slice(0, active.length - desired);
      for (const pod of victims) {
        deleteIfPresent(() => store.delete(types.pods, namespace, pod.metadata?.name ?? ""));
      }
    }
    const now = cache.controlledBy(pods, uid).filter(isActive);
    const ready = now.filter(isPodReady).length;
    const status = {
      replicas: now.length,
      fullyLabeledReplicas: now.length,
      readyReplicas: ready,
      availableReplicas: ready,
      observedGeneration: rs.metadata?.generation ?? 1,
    };
    const old = (rs.status ?? {}) as Record<string, unknown>;
    if (Object.entries(status).every(([k, v]) => old[k] === v)) return;
    const fresh = store.get(types.replicaSets, namespace, name);
    if (!fresh) return;
    fresh.status = { ...old, ...status };
    store.updateStatus(types.replicaSets, fresh);
  });

  return {
    name: "replicaset",
    watches: [replicaSets, pods],
    observe(event: StoreEvent) {
      const meta = event.object.metadata ?? {};
      if (event.resource.resource === "replicasets") {
        if (event.type !== "DELETED") queue.add(objectKey(meta.namespace, meta.name ?? ""));
        return;
      }
      const owner = ownerReferences(event.object).find((r) => r.controller === true);
      if (owner?.kind === "ReplicaSet") queue.add(objectKey(meta.namespace, owner.name));
      else if (!owner && event.type === "ADDED") {
        // An orphan may match a ReplicaSet of its namespace (a restored pod): let those look.
        for (const rs of cache.byIndex(replicaSets, "namespace", meta.namespace ?? "")) {
          queue.add(objectKey(meta.namespace, rs.metadata?.name ?? ""));
        }
      }
    },
  };
};
