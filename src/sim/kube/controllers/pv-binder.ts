// Mimics kube-controller-manager's persistentvolume-binder: binds claims to named, pre-bound or
// matching volumes, hands the rest to their class's provisioner, and moves volumes through phases.
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, splitKey, typeKey } from "./context.js";
import { eventRecorder } from "./events.js";
import { parseQuantity } from "./quantity.js";
import { selectedNodeAnnotation } from "./scheduler.js";
import { selectorMatches } from "./selectors.js";
import { defaultStorageClass, requestedClassName, storageClassOf } from "./storage-classes.js";
import { isInvalid } from "./store-errors.js";
import { bindVolume, phaseOf, pvcSpec, pvSpec, setPhase } from "./volume-binding.js";

export const provisionerAnnotations = [
  "volume.beta.kubernetes.io/storage-provisioner",
  "volume.kubernetes.io/storage-provisioner",
];

export const pvBinder: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache } = context;
  const pvcs = typeKey(types.pvcs);
  const pvs = typeKey(types.pvs);
  for (const t of [pvcs, pvs, typeKey(types.storageClasses)]) cache.track(t);
  cache.addIndex(pvs, "claim", (pv) => {
    const ref = pvSpec(pv).claimRef;
    return ref?.name ? [objectKey(ref.namespace, ref.name)] : [];
  });
  cache.addIndex(pvs, "unclaimed-by-class", (pv) =>
    pvSpec(pv).claimRef || pv.metadata?.deletionTimestamp ? [] : [pvSpec(pv).storageClassName ?? ""],
  );
  cache.addIndex(pvcs, "unbound", (pvc) => (pvcSpec(pvc).volumeName ? [] : ["unbound"]));
  const unboundClaims = () => cache.byIndex(pvcs, "unbound", "unbound");
  const refusedDefault = new Set<string>();
  const events = eventRecorder(store, types, "persistentvolume-controller", context.now);

  /** An unclaimed volume of the claim's class that satisfies its modes, size and selector. */
  function matchingVolume(pvc: KubeObject, className: string): KubeObject | undefined {
    const spec = pvcSpec(pvc);
    const wanted = parseQuantity(spec.resources?.requests?.storage) ?? 0;
    let best: KubeObject | undefined;
    let bestSize = Number.POSITIVE_INFINITY;
    for (const pv of cache.byIndex(pvs, "unclaimed-by-class", className)) {
      if (phaseOf(pv) !== "Available") continue;
      const size = parseQuantity(pvSpec(pv).capacity?.storage) ?? 0;
      const modes = pvSpec(pv).accessModes ?? [];
      if (size < wanted || !(spec.accessModes ?? []).every((m) => modes.includes(m))) continue;
      if (spec.selector && !selectorMatches(spec.selector, pv.metadata?.labels)) continue;
      if (size < bestSize) {
        best = pv;
        bestSize = size;
      }
    }
    return best;
  }

  function syncClaim(namespace: string | undefined, name: string): void {
    const pvc = cache.get(pvcs, namespace, name);
    if (!pvc || pvc.metadata?.deletionTimestamp) return;
    const spec = pvcSpec(pvc);
    const uid = pvc.metadata?.uid;
    if (spec.volumeName) {
      const pv = cache.get(pvs, undefined, spec.volumeName);
      if (!pv) {
        if (phaseOf(pvc) === "Bound") setPhase(context, types.pvcs, pvc, "Lost");
        return;
      }
      const ref = pvSpec(pv).claimRef;
      const mine = ref?.namespace === namespace && ref?.name === name && (!ref?.uid || ref.uid === uid);
      if (!ref || mine) bindVolume(context, spec.volumeName, pvc, false);
      else
        events.record(
          pvc,
          "Warning",
          "FailedBinding",
          'volume "' + spec.volumeName + '" already bound to a different claim.',
        );
      return;
    }
    if (spec.storageClassName === undefined || spec.storageClassName === null) {
      // Retroactive default class assignment (GA in 1.28) for claims made before a default existed;
      // a server that refuses it still leaves the default class in effect (storageClassOf).
      const fallback = requestedClassName(pvc) === undefined ? defaultStorageClass(cache, types) : undefined;
      const fresh =
        fallback && !refusedDefault.has(uid ?? "") ? store.get(types.pvcs, namespace, name) : undefined;
      if (fresh) {
        fresh.spec = { ...pvcSpec(fresh), storageClassName: fallback?.metadata?.name };
        try {
          store.update(types.pvcs, fresh);
          return;
        } catch (error) {
          if (!isInvalid(error)) throw error;
          refusedDefault.add(uid ?? "");
        }
      }
    }
    const preBound = cache
      .byIndex(pvs, "claim", objectKey(namespace, name))
      .find((pv) => !pvSpec(pv).claimRef?.uid || pvSpec(pv).claimRef?.uid === uid);
    if (preBound) {
      bindVolume(context, preBound.metadata?.name ?? "", pvc, true);
      return;
    }
    const storageClass = storageClassOf(cache, types, pvc);
    const className = requestedClassName(pvc) ?? storageClass?.metadata?.name ?? "";
    const delayed = storageClass?.volumeBindingMode === "WaitForFirstConsumer";
    const selectedNode = pvc.metadata?.annotations?.[selectedNodeAnnotation];
    if (!delayed || selectedNode) {
      const match = matchingVolume(pvc, className);
      if (match) {
        bindVolume(context, match.metadata?.name ?? "", pvc, true);
        return;
      }
    }
    if (!storageClass) {
      if (className)
        events.record(
          pvc,
          "Warning",
          "ProvisioningFailed",
          `storageclass.storage.k8s.io "${className}" not found`,
        );
      return;
    }
    if (delayed && !selectedNode) {
      events.record(
        pvc,
        "Normal",
        "WaitForFirstConsumer",
        "waiting for first consumer to be created before binding",
      );
      return;
    }
    const provisioner = storageClass.provisioner ?? "";
    const annotations = pvc.metadata?.annotations ?? {};
    if (provisionerAnnotations.every((a) => annotations[a] === provisioner)) return;
    const fresh = store.get(types.pvcs, namespace, name);
    if (!fresh) return;
    const added = Object.fromEntries(provisionerAnnotations.map((a) => [a, provisioner]));
    fresh.metadata = { ...fresh.metadata, annotations: { ...(fresh.metadata?.annotations ?? {}), ...added } };
    store.update(types.pvcs, fresh);
    events.record(
      fresh,
      "Normal",
      "ExternalProvisioning",
      `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
  }

  function syncVolume(name: string): void {
    const pv = cache.get(pvs, undefined, name);
    if (!pv || pv.metadata?.deletionTimestamp) return;
    const ref = pvSpec(pv).claimRef;
    if (!ref?.uid) {
      if (phaseOf(pv) !== "Available") setPhase(context, types.pvs, pv, "Available");
      if (ref?.name) claims.add(objectKey(ref.namespace, ref.name));
      return;
    }
    const pvc = cache.get(pvcs, ref.namespace, ref.name ?? "");
    if (pvc && pvc.metadata?.uid === ref.uid) {
      if (pvcSpec(pvc).volumeName === name || !pvcSpec(pvc).volumeName) {
        setPhase(context, types.pvs, pv, "Bound");
        claims.add(objectKey(ref.namespace, ref.name ?? ""));
        return;
      }
    }
    // The claim it was bound to is gone: the volume is released and waits for its reclaim policy
    // (Delete is carried out by the CSI provisioner that made it; Retain keeps it Released).
    if (phaseOf(pv) !== "Released" && phaseOf(pv) !== "Failed") setPhase(context, types.pvs, pv, "Released");
  }

  const claims = context.queue("persistentvolume-binder-claims", (key) => {
    const { namespace, name } = splitKey(key);
    syncClaim(namespace, name);
  });
  const volumes = context.queue("persistentvolume-binder-volumes", (name) => syncVolume(name));

  return {
    name: "persistentvolume-binder",
    watches: [pvcs, pvs, typeKey(types.storageClasses)],
    observe(event: StoreEvent) {
      const meta = event.object.metadata ?? {};
      switch (event.resource.resource) {
        case "persistentvolumeclaims": {
          const key = objectKey(meta.namespace, meta.name ?? "");
          if (event.type !== "DELETED") claims.add(key);
          // A claim that appears, changes or goes may bind, release or unblock its volume.
          const volumeName = pvcSpec(event.object).volumeName;
          if (volumeName) volumes.add(volumeName);
          for (const pv of cache.byIndex(pvs, "claim", key)) volumes.add(pv.metadata?.name ?? "");
          return;
        }
        case "persistentvolumes": {
          if (event.type !== "DELETED") volumes.add(meta.name ?? "");
          const ref = pvSpec(event.object).claimRef;
          if (ref?.name) claims.add(objectKey(ref.namespace, ref.name));
          else if (event.type !== "DELETED" && phaseOf(event.object) === "Available") {
            // A newly available volume may satisfy a pending claim of its class.
            for (const pvc of unboundClaims())
              claims.add(objectKey(pvc.metadata?.namespace, pvc.metadata?.name ?? ""));
          }
          return;
        }
        default:
          // A new default class may adopt claims that named none.
          for (const pvc of unboundClaims())
            claims.add(objectKey(pvc.metadata?.namespace, pvc.metadata?.name ?? ""));
      }
    },
  };
};
