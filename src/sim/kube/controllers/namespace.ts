// Mimics kube-controller-manager's namespace controller: a terminating namespace has every
// namespaced object deleted, reports what remains in its conditions, and is finalized once empty.
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import { type Condition, setCondition } from "./conditions.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { typeKey } from "./context.js";
import { isTerminatingNamespace } from "./namespace-state.js";
import { deleteIfPresent } from "./store-errors.js";

interface Remaining {
  /** resource -> count of objects still present. */
  resources: Map<string, number>;
  /** finalizer -> count of objects that carry it. */
  finalizers: Map<string, number>;
}

function describeCounts(counts: Map<string, number>): string {
  return [...counts.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([what, n]) => `${what} has ${n} resource instances`)
    .join(", ");
}

export const namespaceController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, served } = context;
  const terminating = new Set<string>();

  function deleteContents(namespace: string): Remaining {
    const remaining: Remaining = { resources: new Map(), finalizers: new Map() };
    for (const type of served.namespaced()) {
      if (!type.verbs.includes("delete")) continue;
      const items = store.list(type, { namespace }).items;
      if (items.length === 0) continue;
      for (const item of items) {
        const name = item.metadata?.name ?? "";
        if (!item.metadata?.deletionTimestamp) {
          deleteIfPresent(() => store.delete(type, namespace, name, { propagationPolicy: "Background" }));
        }
      }
      const left = store.list(type, { namespace }).items;
      if (left.length === 0) continue;
      remaining.resources.set(typeKey(type), left.length);
      for (const item of left) {
        for (const finalizer of item.metadata?.finalizers ?? []) {
          remaining.finalizers.set(finalizer, (remaining.finalizers.get(finalizer) ?? 0) + 1);
        }
      }
    }
    return remaining;
  }

  function conditionsFor(ns: KubeObject, remaining: Remaining): Condition[] {
    const now = context.now();
    const status = (ns.status ?? {}) as { conditions?: Condition[] };
    const contentLeft = remaining.resources.size > 0;
    const finalizersLeft = remaining.finalizers.size > 0;
    const next: Condition[] = [
      {
        type: "NamespaceDeletionDiscoveryFailure",
        status: "False",
        reason: "ResourcesDiscovered",
        message: "All resources successfully discovered",
      },
      {
        type: "NamespaceDeletionGroupVersionParsingFailure",
        status: "False",
        reason: "ParsedGroupVersions",
        message: "All legacy kube types successfully parsed",
      },
      {
        type: "NamespaceDeletionContentFailure",
        status: "False",
        reason: "ContentDeleted",
        message: "All content successfully deleted, may be waiting on finalization",
      },
      contentLeft
        ? {
            type: "NamespaceContentRemaining",
            status: "True",
            reason: "SomeResourcesRemain",
            message: `Some resources are remaining: ${describeCounts(remaining.resources)}`,
          }
        : {
            type: "NamespaceContentRemaining",
            status: "False",
            reason: "ContentRemoved",
            message: "All content successfully removed",
          },
      finalizersLeft
        ? {
            type: "NamespaceFinalizersRemaining",
            status: "True",
            reason: "SomeFinalizersRemain",
            message: `Some content in the namespace has finalizers remaining: ${[
              ...remaining.finalizers.entries(),
            ]
              .sort(([a], [b]) => (a < b ? -1 : 1))
              .map(([f, n]) => `${f} in ${n} resource instances`)
              .join(", ")}`,
          }
        : {
            type: "NamespaceFinalizersRemaining",
            status: "False",
            reason: "ContentHasNoFinalizers",
            message: "All content-preserving finalizers finished",
          },
    ];
    let conditions: Condition[] = status.conditions ?? [];
    for (const c of next) conditions = setCondition(conditions, { ...c, lastTransitionTime: now });
    return conditions;
  }

  const queue = context.queue("namespace", (name) => {
    const ns = store.get(types.namespaces, undefined, name);
    if (!ns || !isTerminatingNamespace(ns)) {
      terminating.delete(name);
      return;
    }
    terminating.add(name);
    const remaining = deleteContents(name);
    const status = (ns.status ?? {}) as { phase?: string; conditions?: Condition[] };
    const conditions = conditionsFor(ns, remaining);
    if (
      status.phase !== "Terminating" ||
      JSON.stringify(conditions) !== JSON.stringify(status.conditions ?? [])
    ) {
      ns.status = { ...status, phase: "Terminating", conditions };
      store.updateStatus(types.namespaces, ns);
      // The status write bumped the resourceVersion; the finalize below needs the fresh object.
      queue.add(name);
      return;
    }
    if (remaining.resources.size > 0) return;
    const spec = (ns.spec ?? {}) as { finalizers?: string[] };
    if ((spec.finalizers ?? []).includes("kubernetes")) {
      ns.spec = { ...spec, finalizers: (spec.finalizers ?? []).filter((f) => f !== "kubernetes") };
      store.update(types.namespaces, ns);
    }
  });

  return {
    name: "namespace",
    watches: "*",
    observe(event: StoreEvent) {
      const meta = event.object.metadata ?? {};
      if (event.resource.resource === "namespaces" && event.resource.group === "") {
        const name = meta.name ?? "";
        if (event.type === "DELETED") terminating.delete(name);
        else if (isTerminatingNamespace(event.object)) {
          terminating.add(name);
          queue.add(name);
        }
        return;
      }
      // Progress inside a terminating namespace (an object gone, a finalizer removed) is what the
      // deleter waits for; it never polls.
      if (meta.namespace && event.type !== "ADDED" && terminating.has(meta.namespace))
        queue.add(meta.namespace);
    },
  };
};
