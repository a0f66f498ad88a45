// The two halves of a PV/PVC binding as the persistentvolume-binder writes them (PV claimRef and
// phase first, then the claim's volumeName, annotations and status), each step idempotent.
import type { KubeObject, ResourceInfo } from "../types.js";
import type { ControllerContext } from "./context.js";
import type { LabelSelector } from "./selectors.js";

export interface ClaimRef {
  kind?: string;
  apiVersion?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

export interface PvSpec {
  claimRef?: ClaimRef;
  storageClassName?: string;
  accessModes?: string[];
  capacity?: { storage?: string };
  persistentVolumeReclaimPolicy?: string;
}

export interface PvcSpec {
  volumeName?: string;
  storageClassName?: string | null;
  accessModes?: string[];
  selector?: LabelSelector;
  resources?: { requests?: { storage?: string } };
}

export const pvSpec = (pv: KubeObject) => (pv.spec ?? {}) as PvSpec;
export const pvcSpec = (pvc: KubeObject) => (pvc.spec ?? {}) as PvcSpec;
export const phaseOf = (o: KubeObject) => (o.status as { phase?: string } | undefined)?.phase;

export function setPhase(
  context: ControllerContext,
  type: ResourceInfo,
  object: KubeObject,
  phase: string,
  extra: Record<string, unknown> = {},
): void {
  const { store, types } = context;
  const fresh = store.get(type, object.metadata?.namespace, object.metadata?.name ?? "");
  if (!fresh) return;
  const status = (fresh.status ?? {}) as Record<string, unknown>;
  const changed =
    status.phase !== phase ||
    Object.entries(extra).some(([k, v]) => JSON.stringify(status[k]) !== JSON.stringify(v));
  if (!changed) return;
  fresh.status = {
    ...status,
    ...extra,
    phase,
    ...(type === types.pvs && status.phase !== phase ? { lastPhaseTransitionTime: context.now() } : {}),
  };
  store.updateStatus(type, fresh);
}

/** Both halves of a binding, each step idempotent, PV first as the real controller does. */
export function bindVolume(
  context: ControllerContext,
  pvName: string,
  claim: KubeObject,
  byController: boolean,
): void {
  const { store, types } = context;
  const pv = store.get(types.pvs, undefined, pvName);
  if (!pv) return;
  const ref = pvSpec(pv).claimRef;
  if (!ref?.uid || ref.resourceVersion === undefined) {
    pv.spec = {
      ...pvSpec(pv),
      claimRef: {
        kind: "PersistentVolumeClaim",
        namespace: claim.metadata?.namespace,
        name: claim.metadata?.name,
        uid: claim.metadata?.uid,
        apiVersion: "v1",
        resourceVersion: claim.metadata?.resourceVersion,
      },
    };
    if (!ref)
      pv.metadata = {
        ...pv.metadata,
        annotations: { ...(pv.metadata?.annotations ?? {}), "pv.kubernetes.io/bound-by-controller": "yes" },
      };
    store.update(types.pvs, pv);
  }
  setPhase(context, types.pvs, pv, "Bound");
  const pvc = store.get(types.pvcs, claim.metadata?.namespace, claim.metadata?.name ?? "");
  if (!pvc || pvc.metadata?.uid !== claim.metadata?.uid) return;
  const annotations = pvc.metadata?.annotations ?? {};
  if (pvcSpec(pvc).volumeName !== pvName || annotations["pv.kubernetes.io/bind-completed"] !== "yes") {
    pvc.spec = { ...pvcSpec(pvc), volumeName: pvName };
    pvc.metadata = {
      ...pvc.metadata,
      annotations: {
        ...annotations,
        "pv.kubernetes.io/bind-completed": "yes",
        ...(byController ? { "pv.kubernetes.io/bound-by-controller": "yes" } : {}),
      },
    };
    store.update(types.pvcs, pvc);
  }
  const bound = store.get(types.pvs, undefined, pvName) ?? pv;
  setPhase(context, types.pvcs, pvc, "Bound", {
    accessModes: pvSpec(bound).accessModes ?? [],
    capacity: pvSpec(bound).capacity ?? {},
  });
}
