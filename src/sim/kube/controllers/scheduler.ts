// Mimics kube-scheduler: binds pending pods to the least loaded fitting node (selectors, affinity,
// volume zones); WaitForFirstConsumer claims get the chosen node first and the pod binds once bound.
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import { type Condition, isTrue, setCondition } from "./conditions.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, splitKey, typeKey } from "./context.js";
import { nodeFits } from "./daemon-set.js";
import { podBinder } from "./pod-binding.js";
import { claimNames, isActive } from "./pod-template.js";
import { type NodeSelectorTerm, nodeSelectorTermsMatch } from "./selectors.js";
import { storageClassOf } from "./storage-classes.js";

export const selectedNodeAnnotation = "volume.kubernetes.io/selected-node";

function nodeName(pod: KubeObject): string | undefined {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName || undefined;
}

function schedulable(node: KubeObject): boolean {
  const spec = (node.spec ?? {}) as { unschedulable?: boolean };
  return (
    !spec.unschedulable && isTrue((node.status as { conditions?: unknown } | undefined)?.conditions, "Ready")
  );
}

export const scheduler: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const pods = typeKey(types.pods);
  const nodes = typeKey(types.nodes);
  const pvcs = typeKey(types.pvcs);
  const pvs = typeKey(types.pvs);
  for (const t of [pods, nodes, pvcs, pvs, typeKey(types.storageClasses)]) cache.track(t);
  cache.addIndex(pods, "node", (p) => (nodeName(p) ? [nodeName(p) ?? ""] : []));
  cache.addIndex(pods, "claim", (p) => claimNames(p).map((c) => objectKey(p.metadata?.namespace, c)));
  const pending = new Set<string>();
  const bind = podBinder(context);

  function unschedulable(pod: KubeObject, message: string): void {
    const status = (pod.status ?? {}) as { conditions?: Condition[] };
    const now = context.now();
    const conditions = setCondition(status.conditions, {
      type: "PodScheduled",
      status: "False",
      lastProbeTime: null,
      lastTransitionTime: now,
      reason: "Unschedulable",
      message,
    });
    if (JSON.stringify(conditions) === JSON.stringify(status.conditions ?? [])) return;
    const fresh = store.get(types.pods, pod.metadata?.namespace, pod.metadata?.name ?? "");
    if (!fresh || nodeName(fresh)) return;
    fresh.status = { ...(fresh.status as object), conditions };
    store.updateStatus(types.pods, fresh);
  }

  const queue = context.queue("scheduler", (key) => {
    const { namespace, name } = splitKey(key);
    const pod = cache.get(pods, namespace, name);
    if (!pod || nodeName(pod) || !isActive(pod)) {
      pending.delete(key);
      return;
    }
    const spec = (pod.spec ?? {}) as Record<string, unknown>;
    const allNodes = [...cache.list(nodes)];
    let candidates = allNodes.filter((n) => schedulable(n) && nodeFits(spec, n));
    const waitingClaims: KubeObject[] = [];
    let preferred: string | undefined;
    for (const claim of claimNames(pod)) {
      const pvc = cache.get(pvcs, namespace, claim);
      if (!pvc) return unschedulable(pod, `persistentvolumeclaim "${claim}" not found`);
      if (pvc.metadata?.deletionTimestamp)
        return unschedulable(pod, `persistentvolumeclaim "${claim}" is being deleted`);
      const volumeName = (pvc.spec as { volumeName?: string } | undefined)?.volumeName;
      const bound = (pvc.status as { phase?: string } | undefined)?.phase === "Bound";
      const pv = bound && volumeName ? cache.get(pvs, undefined, volumeName) : undefined;
      if (pv) {
        const terms = (
          pv.spec as {
            nodeAffinity?: { required?: { nodeSelectorTerms?: NodeSelectorTerm[] } };
          }
        ).nodeAffinity?.required?.nodeSelectorTerms;
        candidates = candidates.filter((n) => nodeSelectorTermsMatch(terms, n));
        continue;
      }
      const storageClass = storageClassOf(cache, types, pvc);
      if ((storageClass?.volumeBindingMode as string | undefined) !== "WaitForFirstConsumer") {
        return unschedulable(
          pod,
          "pod has unbound immediate PersistentVolumeClaims. preemption: 0/" +
            `${allNodes.length} nodes are available: ${allNodes.length} Preemption is not helpful for scheduling.`,
        );
      }
      const selected = pvc.metadata?.annotations?.[selectedNodeAnnotation];
      if (selected) {
        candidates = candidates.filter((n) => n.metadata?.name === selected);
        preferred = selected;
      }
      waitingClaims.push(pvc);
    }
    if (candidates.length === 0) {
      return unschedulable(
        pod,
        `0/${allNodes.length} nodes are available: ${allNodes.length} node(s) didn't match Pod's node affinity/selector, or had volume node affinity conflict.`,
      );
    }
    const load = (n: KubeObject) => cache.countByIndex(pods, "node", n.metadata?.name ?? "");
    const chosen =
      candidates.find((n) => n.metadata?.name === preferred) ??
      [...candidates].sort(
        (a, b) => load(a) - load(b) || String(a.metadata?.name).localeCompare(String(b.metadata?.name)),
      )[0];
    const target = chosen?.metadata?.name ?? "";
    if (waitingClaims.length > 0) {
      // The volume binder provisions in the chosen node's zone; the claim event brings us back.
      for (const pvc of waitingClaims) {
        if (pvc.metadata?.annotations?.[selectedNodeAnnotation]) continue;
        const fresh = store.get(types.pvcs, namespace, pvc.metadata?.name ?? "");
        if (!fresh) continue;
        fresh.metadata = {
          ...fresh.metadata,
          annotations: { ...(fresh.metadata?.annotations ?? {}), [selectedNodeAnnotation]: target },
        };
        store.update(types.pvcs, fresh);
      }
      return;
    }
    bind(namespace ?? "", name, target);
    pending.delete(key);
  });

  return {
    name: "scheduler",
    watches: [pods, nodes, pvcs],
    observe(event: StoreEvent) {
      const meta = event.object.metadata ?? {};
      const key = objectKey(meta.namespace, meta.name ?? "");
      switch (event.resource.resource) {
        case "pods":
          if (event.type === "DELETED" || nodeName(event.object)) pending.delete(key);
          else if (isActive(event.object)) {
            pending.add(key);
            if (
              event.type === "ADDED" ||
              !event.object.status ||
              !isTrue((event.object.status as { conditions?: unknown }).conditions, "PodScheduled")
            )
              queue.add(key);
          }
          return;
        case "persistentvolumeclaims":
          for (const pod of cache.byIndex(pods, "claim", key)) {
            if (!nodeName(pod)) queue.add(objectKey(pod.metadata?.namespace, pod.metadata?.name ?? ""));
          }
          return;
        case "nodes":
          // New or changed capacity: every waiting pod gets another chance.
          if (event.type !== "DELETED") for (const k of pending) queue.add(k);
          return;
        default:
          return;
      }
    },
  };
};
