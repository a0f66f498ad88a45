// Mimics kube-controller-manager's StatefulSet controller: pods `<set>-<ordinal>` in order, a PVC
// `<template>-<set>-<ordinal>` per claim template before each pod, a ControllerRevision, and status.
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import { adoptOrphans, indexOrphans } from "./adoption.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, splitKey, typeKey } from "./context.js";
import { acceptsNewObjects } from "./namespace-state.js";
import { controllerReference, type OwnerReference, ownerReferences } from "./owner-references.js";
import { isActive, isPodReady, type PodTemplate, podFromTemplate, templateHash } from "./pod-template.js";
import type { LabelSelector } from "./selectors.js";
import { createIfAbsent, deleteIfPresent } from "./store-errors.js";

interface ClaimTemplate {
  metadata?: { name?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
}

interface StatefulSetSpec {
  replicas?: number;
  selector?: LabelSelector;
  template?: PodTemplate;
  serviceName?: string;
  podManagementPolicy?: string;
  volumeClaimTemplates?: ClaimTemplate[];
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: string; whenScaled?: string };
}

const revisionLabel = "controller-revision-hash";

function ordinalOf(setName: string, podName: string): number {
  const suffix = podName.slice(setName.length + 1);
  return podName.startsWith(`${setName}-`) && /^\d+$/.test(suffix) ? Number(suffix) : -1;
}

export const statefulSetController: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const sets = typeKey(types.statefulSets);
  const pods = typeKey(types.pods);
  const pvcs = typeKey(types.pvcs);
  cache.track(sets);
  cache.track(pods);
  cache.track(pvcs);
  cache.track(typeKey(types.namespaces));
  cache.track(typeKey(types.controllerRevisions));
  indexOrphans(cache, types.pods);
  cache.addIndex(sets, "namespace", (set) => [set.metadata?.namespace ?? ""]);

  function ensureRevision(set: KubeObject, spec: StatefulSetSpec): string {
    const name = `${set.metadata?.name}-${templateHash(spec.template)}`;
    const namespace = set.metadata?.namespace;
    if (!store.get(types.controllerRevisions, namespace, name)) {
      const revision: KubeObject = {
        apiVersion: "apps/v1",
        kind: "ControllerRevision",
        metadata: {
          name,
          namespace,
          labels: { ...(spec.selector?.matchLabels ?? {}), [revisionLabel]: name },
          ownerReferences: [
            controllerReference(set, types.statefulSets) as unknown as Record<string, unknown>,
          ],
        },
        data: { spec: { template: { ...structuredClone(spec.template ?? {}), $patch: "replace" } } },
        revision: 1 + cache.controlledBy(typeKey(types.controllerRevisions), set.metadata?.uid ?? "").length,
      };
      createIfAbsent(() => store.create(types.controllerRevisions, revision));
    }
    return name;
  }

  function ensureClaims(set: KubeObject, spec: StatefulSetSpec, ordinal: number): void {
    const namespace = set.metadata?.namespace ?? "";
    const deleteWithSet = spec.persistentVolumeClaimRetentionPolicy?.whenDeleted === "Delete";
    for (const template of spec.volumeClaimTemplates ?? []) {
      const name = `${template.metadata?.name}-${set.metadata?.name}-${ordinal}`;
      if (cache.get(pvcs, namespace, name)) continue;
      const owner: OwnerReference = { ...controllerReference(set, types.statefulSets), controller: false };
      const claim: KubeObject = {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        metadata: {
          name,
          namespace,
          // Claims carry the set's selector labels so they can be found again by it.
          labels: { ...(template.metadata?.labels ?? {}), ...(spec.selector?.matchLabels ?? {}) },
          ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
          ...(deleteWithSet ? { ownerReferences: [owner as unknown as Record<string, unknown>] } : {}),
        },
        spec: structuredClone(template.spec ?? {}),
      };
      createIfAbsent(() => store.create(types.pvcs, claim));
    }
  }

  function newPod(set: KubeObject, spec: StatefulSetSpec, ordinal: number, revision: string): KubeObject {
    const setName = set.metadata?.name ?? "";
    const name = `${setName}-${ordinal}`;
    const templateVolumes = ((spec.template?.spec?.volumes ?? []) as Array<{ name?: string }>).filter(
      (v) => !(spec.volumeClaimTemplates ?? []).some((t) => t.metadata?.name === v.name),
    );
    const claimVolumes = (spec.volumeClaimTemplates ?? []).map((t) => ({
      name: t.metadata?.name,
      persistentVolumeClaim: { claimName: `${t.metadata?.name}-${setName}-${ordinal}` },
    }));
    const volumes = [...claimVolumes, ...templateVolumes];
    return podFromTemplate(spec.template, {
      namespace: set.metadata?.namespace ?? "",
      name,
      labels: {
        [revisionLabel]: revision,
        "statefulset.kubernetes.io/pod-name": name,
        "apps.kubernetes.io/pod-index": String(ordinal),
      },
      owner: controllerReference(set, types.statefulSets),
      spec: {
        hostname: name,
        ...(spec.serviceName ? { subdomain: spec.serviceName } : {}),
        ...(volumes.length > 0 ? { volumes } : {}),
      },
    });
  }

  const queue = context.queue("statefulset", (key) => {
    const { namespace, name } = splitKey(key);
    const set = cache.get(sets, namespace, name);
    if (!set || set.metadata?.deletionTimestamp) return;
    const spec = (set.spec ?? {}) as StatefulSetSpec;
    const uid = set.metadata?.uid ?? "";
    const accept = (pod: KubeObject) => ordinalOf(name, pod.metadata?.name ?? "") >= 0;
    if (adoptOrphans(store, cache, types.pods, set, types.statefulSets, spec.selector, accept) > 0) return;
    const revision = ensureRevision(set, spec);
    const replicas = spec.replicas ?? 1;
    const ordered = spec.podManagementPolicy !== "Parallel";
    const byOrdinal = new Map<number, KubeObject>();
    for (const pod of cache.controlledBy(pods, uid))
      byOrdinal.set(ordinalOf(name, pod.metadata?.name ?? ""), pod);

    for (let ordinal = 0; ordinal < replicas; ordinal++) {
      const pod = byOrdinal.get(ordinal);
      if (!pod) {
        if (!acceptsNewObjects(cache, types, namespace)) break;
        ensureClaims(set, spec, ordinal);
        createIfAbsent(() => store.create(types.pods, newPod(set, spec, ordinal, revision)));
        if (ordered) break;
        continue;
      }
      // OrderedReady: the next ordinal waits until this one runs and is ready.
      if (ordered && (!isActive(pod) || !isPodReady(pod))) break;
    }
    const extra = [...byOrdinal.entries()].filter(
      ([o, p]) => o >= replicas && !p.metadata?.deletionTimestamp,
    );
    extra.sort(([a], [b]) => b - a);
    for (const [, pod] of ordered ? extra.slice(0, 1) : extra) {
      deleteIfPresent(() => store.delete(types.pods, namespace, pod.metadata?.name ?? ""));
    }
    writeStatus(set, revision);
  });

  function writeStatus(set: KubeObject, revision: string): void {
    const current = cache.controlledBy(pods, set.metadata?.uid ?? "").filter(isActive);
    const ready = current.filter(isPodReady).length;
    const updated = current.filter((p) => p.metadata?.labels?.[revisionLabel] === revision).length;
    const old = (set.status ?? {}) as Record<string, unknown>;
    const next: Record<string, unknown> = {
      observedGeneration: set.metadata?.generation ?? 1,
      replicas: current.length,
      readyReplicas: ready,
      currentReplicas: updated,
      updatedReplicas: updated,
      currentRevision: revision,
      updateRevision: revision,
      collisionCount: Number(old.collisionCount ?? 0),
      availableReplicas: ready,
    };
    if (Object.entries(next).every(([k, v]) => old[k] === v)) return;
    const fresh = store.get(types.statefulSets, set.metadata?.namespace, set.metadata?.name ?? "");
    if (!fresh) return;
    fresh.status = { ...old, ...next };
    store.updateStatus(types.statefulSets, fresh);
  }

  return {
    name: "statefulset",
    watches: [sets, pods],
    observe(event: StoreEvent) {
      const meta = event.object.metadata ?? {};
      if (event.resource.resource === "statefulsets") {
        if (event.type !== "DELETED") queue.add(objectKey(meta.namespace, meta.name ?? ""));
        return;
      }
      const owner = ownerReferences(event.object).find((r) => r.controller === true);
      if (owner?.kind === "StatefulSet") queue.add(objectKey(meta.namespace, owner.name));
      else if (!owner && event.type === "ADDED") {
        for (const set of cache.byIndex(sets, "namespace", meta.namespace ?? "")) {
          queue.add(objectKey(meta.namespace, set.metadata?.name ?? ""));
        }
      }
    },
  };
};
