// Mimics kube-controller-manager's DaemonSet controller: one pod per eligible node, pinned to it
// with a metadata.name node affinity and the usual daemon tolerations, and the set's status.
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, splitKey, typeKey } from "./context.js";
import { acceptsNewObjects } from "./namespace-state.js";
import { controllerReference, ownerReferences } from "./owner-references.js";
import { isActive, isPodReady, type PodTemplate, podFromTemplate, templateHash } from "./pod-template.js";
import { type NodeSelectorTerm, nodeSelectorTermsMatch } from "./selectors.js";
import { createIfAbsent, deleteIfPresent } from "./store-errors.js";

interface DaemonSetSpec {
  template?: PodTemplate;
}

const daemonTolerations = [
  { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
  { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
  { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
];

/** Whether the template's nodeSelector and required node affinity admit the node. */
export function nodeFits(podSpec: Record<string, unknown> | undefined, node: KubeObject): boolean {
  const selector = (podSpec?.nodeSelector ?? {}) as Record<string, string>;
  const labels = node.metadata?.labels ?? {};
  if (!Object.entries(selector).every(([k, v]) => labels[k] === v)) return false;
  const affinity = podSpec?.affinity as
    | {
        nodeAffinity?: {
          requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
        };
      }
    | undefined;
  return nodeSelectorTermsMatch(
    affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms,
    node,
  );
}

/** The node a daemon pod is meant for: its nodeName, else its metadata.name affinity. */
function targetNode(pod: KubeObject): string | undefined {
  const spec = (pod.spec ?? {}) as {
    nodeName?: string;
    affinity?: {
      nodeAffinity?: {
        requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
      };
    };
  };
  if (spec.nodeName) return spec.nodeName;
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    const field = term.matchFields?.find((f) => f.key === "metadata.name" && f.operator === "In");
    if (field?.values?.[0]) return field.values[0];
  }
  return undefined;
}

export const daemonSetController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const sets = typeKey(types.daemonSets);
  const pods = typeKey(types.pods);
  const nodes = typeKey(types.nodes);
  cache.track(sets);
  cache.track(pods);
  cache.track(nodes);
  cache.track(typeKey(types.namespaces));

  function newPod(set: KubeObject, spec: DaemonSetSpec, node: string, hash: string): KubeObject {
    const template = spec.template ?? {};
    const podSpec = (template.spec ?? {}) as Record<string, unknown>;
    const affinity = (podSpec.affinity ?? {}) as Record<string, unknown>;
    const tolerations = [...((podSpec.tolerations ?? []) as unknown[]), ...daemonTolerations];
    return podFromTemplate(template, {
      namespace: set.metadata?.namespace ?? "",
      generateName: `${set.metadata?.name}-`,
      labels: {
        "controller-revision-hash": hash,
        "pod-template-generation": String(set.metadata?.generation ?? 1),
      },
      owner: controllerReference(set, types.daemonSets),
      spec: {
        affinity: {
          ...affinity,
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchFields: [{ key: "metadata.name", operator: "In", values: [node] }] },
              ],
            },
          },
        },
        tolerations,
      },
    });
  }

  const queue = context.queue("daemonset", (key) => {
    const { namespace, name } = splitKey(key);
    const set = cache.get(sets, namespace, name);
    if (!set || set.metadata?.deletionTimestamp) return;
    const spec = (set.spec ?? {}) as DaemonSetSpec;
    const hash = templateHash(spec.template);
    const eligible = new Set<string>();
    for (const node of cache.list(nodes)) {
      if (nodeFits(spec.template?.spec, node)) eligible.add(node.metadata?.name ?? "");
    }
    const byNode = new Map<string, KubeObject>();
    for (const pod of cache.controlledBy(pods, set.metadata?.uid ?? "").filter(isActive)) {
      const node = targetNode(pod) ?? "";
      if (!eligible.has(node) || byNode.has(node)) {
        deleteIfPresent(() => store.delete(types.pods, namespace, pod.metadata?.name ?? ""));
      } else {
        byNode.set(node, pod);
      }
    }
    const creating = acceptsNewObjects(cache, types, namespace);
    for (const node of eligible) {
      if (creating && !byNode.has(node))
        createIfAbsent(() => store.create(types.pods, newPod(set, spec, node, hash)));
    }
    const current = [...byNode.values()];
    const ready = current.filter(isPodReady).length;
    const old = (set.status ?? {}) as Record<string, unknown>;
    const next: Record<string, unknown> = {
      currentNumberScheduled: byNode.size,
      desiredNumberScheduled: eligible.size,
      numberAvailable: ready,
      numberMisscheduled: 0,
      numberReady: ready,
      observedGeneration: set.metadata?.generation ?? 1,
      updatedNumberScheduled: current.filter((p) => p.metadata?.labels?.["controller-revision-hash"] === hash)
        .length,
      ...(eligible.size - ready > 0 ? { numberUnavailable: eligible.size - ready } : {}),
    };
    if (JSON.stringify(next) === JSON.stringify(old)) return;
    const fresh = store.get(types.daemonSets, namespace, name);
    if (!fresh) return;
    fresh.status = next;
    store.updateStatus(types.daemonSets, fresh);
  });

  return {
    name: "daemonset",
    watches: [sets, pods, nodes],
    observe(event: StoreEvent) {
      const meta = event.object.metadata ?? {};
      if (event.resource.resource === "daemonsets") {
        if (event.type !== "DELETED") queue.add(objectKey(meta.namespace, meta.name ?? ""));
      } else if (event.resource.resource === "nodes") {
        if (event.type !== "MODIFIED")
          for (const set of cache.list(sets))
            queue.add(objectKey(set.metadata?.namespace, set.metadata?.name ?? ""));
      } else {
        const owner = ownerReferences(event.object).find((r) => r.controller === true);
        if (owner?.kind === "DaemonSet") queue.add(objectKey(meta.namespace, owner.name));
      }
    },
  };
};
