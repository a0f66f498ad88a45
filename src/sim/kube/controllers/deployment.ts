// Mimics kube-controller-manager's Deployment controller with the rollout collapsed into one step:
// the template's ReplicaSet `<name>-<hash>` gets the replicas, older ones go to 0 and are pruned.
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import { adoptOrphans, indexOrphans } from "./adoption.js";
import { type Condition, setCondition } from "./conditions.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, splitKey, typeKey } from "./context.js";
import { controllerReference, ownerReferences } from "./owner-references.js";
import { type PodTemplate, templateHash } from "./pod-template.js";
import type { LabelSelector } from "./selectors.js";
import { createIfAbsent, deleteIfPresent } from "./store-errors.js";

interface DeploymentSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  strategy?: {
    type?: string;
    rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string };
  };
}

const hashLabel = "pod-template-hash";
const revisionAnnotation = "deployment.kubernetes.io/revision";

function revisionOf(object: KubeObject): number {
  return Number(object.metadata?.annotations?.[revisionAnnotation] ?? 0) || 0;
}

/** The template without the hash label, which is what makes two ReplicaSets "the same". */
function templateWithoutHash(template: PodTemplate | undefined): PodTemplate {
  const copy = structuredClone(template ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[hashLabel];
  return copy;
}

function scaledValue(value: number | string | undefined, total: number, roundUp: boolean): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && value.endsWith("%")) {
    const exact = (Number(value.slice(0, -1)) * total) / 100;
    return roundUp ? Math.ceil(exact) : Math.floor(exact);
  }
  return 0;
}

function status(object: KubeObject): Record<string, unknown> {
  return (object.status ?? {}) as Record<string, unknown>;
}

export const deploymentController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const deployments = typeKey(types.deployments);
  const replicaSets = typeKey(types.replicaSets);
  cache.track(deployments);
  cache.track(replicaSets);
  indexOrphans(cache, types.replicaSets);
  cache.addIndex(deployments, "namespace", (d) => [d.metadata?.namespace ?? ""]);

  function newReplicaSet(d: KubeObject, spec: DeploymentSpec, hash: string, revision: number): KubeObject {
    const name = `${d.metadata?.name}-${hash}`;
    const template = structuredClone(spec.template ?? {});
    template.metadata = {
      ...template.metadata,
      labels: { ...(template.metadata?.labels ?? {}), [hashLabel]: hash },
    };
    const desired = spec.replicas ?? 1;
    const surge = scaledValue(spec.strategy?.rollingUpdate?.maxSurge, desired, true);
    return {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name,
        namespace: d.metadata?.namespace,
        labels: { ...(template.metadata.labels ?? {}) },
        annotations: {
          "deployment.kubernetes.io/desired-replicas": String(desired),
          "deployment.kubernetes.io/max-replicas": String(desired + surge),
          [revisionAnnotation]: String(revision),
        },
        ownerReferences: [controllerReference(d, types.deployments) as unknown as Record<string, unknown>],
      },
      spec: {
        replicas: desired,
        ...(spec.minReadySeconds ? { minReadySeconds: spec.minReadySeconds } : {}),
        selector: {
          ...spec.selector,
          matchLabels: { ...(spec.selector?.matchLabels ?? {}), [hashLabel]: hash },
        },
        template,
      },
    };
  }

  /** Sets replicas and annotations of an owned ReplicaSet; true if it wrote. */
  function scale(rs: KubeObject, replicas: number, annotations: Record<string, string>): boolean {
    const spec = (rs.spec ?? {}) as { replicas?: number };
    const current = rs.metadata?.annotations ?? {};
    const annotationsMatch = Object.entries(annotations).every(([k, v]) => current[k] === v);
    if (spec.replicas === replicas && annotationsMatch) return false;
    const fresh = store.get(types.replicaSets, rs.metadata?.namespace, rs.metadata?.name ?? "");
    if (!fresh) return false;
    fresh.spec = { ...(fresh.spec as object), replicas };
    fresh.metadata = {
      ...fresh.metadata,
      annotations: { ...(fresh.metadata?.annotations ?? {}), ...annotations },
    };
    store.update(types.replicaSets, fresh);
    return true;
  }

  const queue = context.queue("deployment", (key) => {
    const { namespace, name } = splitKey(key);
    const d = cache.get(deployments, namespace, name);
    if (!d || d.metadata?.deletionTimestamp) return;
    const spec = (d.spec ?? {}) as DeploymentSpec;
    const uid = d.metadata?.uid ?? "";
    if (adoptOrphans(store, cache, types.replicaSets, d, types.deployments, spec.selector) > 0) return;
    const owned = cache.controlledBy(replicaSets, uid);
    const wanted = JSON.stringify(templateWithoutHash(spec.template));
    let current = owned.find(
      (rs) =>
        JSON.stringify(templateWithoutHash((rs.spec as { template?: PodTemplate }).template)) === wanted,
    );
    const maxRevision = Math.max(0, ...owned.map(revisionOf));
    const desired = spec.replicas ?? 1;
    const surge = scaledValue(spec.strategy?.rollingUpdate?.maxSurge, desired, true);
    const sizeAnnotations = {
      "deployment.kubernetes.io/desired-replicas": String(desired),
      "deployment.kubernetes.io/max-replicas": String(desired + surge),
    };
    let created = false;
    if (!current) {
      const collisionCount = Number(status(d).collisionCount ?? 0);
      const hash = templateHash(templateWithoutHash(spec.template), collisionCount);
      current = createIfAbsent(() =>
        store.create(types.replicaSets, newReplicaSet(d, spec, hash, maxRevision + 1)),
      );
      if (!current) return;
      created = true;
    } else {
      // Rolling back to an old template makes its ReplicaSet the newest revision again.
      const revision = revisionOf(current) === maxRevision ? maxRevision : maxRevision + 1;
      if (scale(current, desired, { ...sizeAnnotations, [revisionAnnotation]: String(revision) })) return;
    }
    const old = owned.filter((rs) => rs.metadata?.uid !== current?.metadata?.uid);
    for (const rs of old) if (scale(rs, 0, {})) return;
    pruneHistory(old, spec.revisionHistoryLimit ?? 10);

    const revision = String(revisionOf(current));
    if (d.metadata?.annotations?.[revisionAnnotation] !== revision) {
      const fresh = store.get(types.deployments, namespace, name);
      if (!fresh) return;
      fresh.metadata = {
        ...fresh.metadata,
        annotations: { ...(fresh.metadata?.annotations ?? {}), [revisionAnnotation]: revision },
      };
      store.update(types.deployments, fresh);
      return;
    }
    writeStatus(d, spec, current, [current, ...old], created);
  });

  function pruneHistory(old: KubeObject[], limit: number): void {
    const idle = old
      .filter((rs) => (rs.spec as { replicas?: number }).replicas === 0 && !status(rs).replicas)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      deleteIfPresent(() => store.delete(types.replicaSets, rs.metadata?.namespace, rs.metadata?.name ?? ""));
    }
  }

  function writeStatus(
    d: KubeObject,
    spec: DeploymentSpec,
    current: KubeObject,
    all: KubeObject[],
    created: boolean,
  ): void {
    const sum = (field: string, list: KubeObject[]) =>
      list.reduce((n, rs) => n + Number(status(rs)[field] ?? 0), 0);
    const desired = spec.replicas ?? 1;
    const available = sum("availableReplicas", all);
    const updated = Number(status(current).replicas ?? 0);
    const maxUnavailable =
      spec.strategy?.type === "Recreate"
        ? 0
        : scaledValue(spec.strategy?.rollingUpdate?.maxUnavailable, desired, false);
    const now = context.now();
    const rsName = current.metadata?.name ?? "";
    const minimum = available >= desired - maxUnavailable;
    const complete = updated === desired && Number(status(current).availableReplicas ?? 0) === desired;
    const availableCondition: Condition = minimum
      ? {
          type: "Available",
          status: "True",
          reason: "MinimumReplicasAvailable",
          message: "Deployment has minimum availability.",
        }
      : {
          type: "Available",
          status: "False",
          reason: "MinimumReplicasUnavailable",
          message: "Deployment does not have minimum availability.",
        };
    const progressing: Condition = complete
      ? {
          type: "Progressing",
          status: "True",
          reason: "NewReplicaSetAvailable",
          message: `ReplicaSet "${rsName}" has successfully progressed.`,
        }
      : created
        ? {
            type: "Progressing",
            status: "True",
            reason: "NewReplicaSetCreated",
            message: `Created new replica set "${rsName}"`,
          }
        : {
            type: "Progressing",
            status: "True",
            reason: "ReplicaSetUpdated",
            message: `ReplicaSet "${rsName}" is progressing.`,
          };
    const old = status(d);
    let conditions = setCondition(old.conditions, {
      ...availableCondition,
      lastUpdateTime: now,
      lastTransitionTime: now,
    });
    conditions = setCondition(conditions, { ...progressing, lastUpdateTime: now, lastTransitionTime: now });
    const replicas = sum("replicas", all);
    const next: Record<string, unknown> = {
      observedGeneration: d.metadata?.generation ?? 1,
      replicas,
      updatedReplicas: updated,
      readyReplicas: sum("readyReplicas", all),
      availableReplicas: available,
      ...(replicas - available > 0 ? { unavailableReplicas: replicas - available } : {}),
      conditions,
      ...(old.collisionCount !== undefined ? { collisionCount: old.collisionCount } : {}),
    };
    if (JSON.stringify(next) === JSON.stringify(old)) return;
    const fresh = store.get(types.deployments, d.metadata?.namespace, d.metadata?.name ?? "");
    if (!fresh) return;
    fresh.status = next;
    store.updateStatus(types.deployments, fresh);
  }

  return {
    name: "deployment",
    watches: [deployments, replicaSets],
    observe(event: StoreEvent) {
      const meta = event.object.metadata ?? {};
      if (event.resource.resource === "deployments") {
        if (event.type !== "DELETED") queue.add(objectKey(meta.namespace, meta.name ?? ""));
        return;
      }
      const owner = ownerReferences(event.object).find((r) => r.controller === true);
      if (owner?.kind === "Deployment") queue.add(objectKey(meta.namespace, owner.name));
      else if (!owner && event.type === "ADDED") {
        for (const d of cache.byIndex(deployments, "namespace", meta.namespace ?? "")) {
          queue.add(objectKey(meta.namespace, d.metadata?.name ?? ""));
        }
      }
    },
  };
};
