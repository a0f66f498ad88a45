// Mimics kube-controller-manager's garbage collector: dependents whose owners are all gone are
// deleted, owners deleted in the foreground wait for their dependents, orphaning owners release them.
import type { StoreEvent } from "../api.js";
import type { KubeObject, ResourceInfo } from "../types.js";
import type { DependentRef } from "./cache.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, typeKey } from "./context.js";
import { type OwnerReference, ownerReferences } from "./owner-references.js";
import { deleteIfPresent } from "./store-errors.js";

const foreground = "foregroundDeletion";
const orphan = "orphan";

function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

function refId(ref: DependentRef): string {
  return `${typeKey(ref.type)}|${objectKey(ref.namespace, ref.name)}`;
}

function ownersSignature(object: KubeObject): string {
  return ownerReferences(object)
    .map((r) => r.uid)
    .join(",");
}

export const garbageCollector: ControllerFactory = (context: ControllerContext) => {
  const { store, cache } = context;
  const dependents = new Map<string, DependentRef>();
  /** Owners being deleted with a foregroundDeletion or orphan finalizer, by uid. */
  const finalizingOwners = new Map<string, DependentRef>();
  /** uid -> the owner uids last verified, so status churn does not re-check owners. */
  const verified = new Map<string, string>();

  type OwnerState = "present" | "absent" | "unknown" | "waiting";

  function ownerState(ref: OwnerReference, namespace: string | undefined): OwnerState {
    const type = store.resourceFor(groupOf(ref.apiVersion ?? ""), ref.kind ?? "");
    // A kind the server does not serve (yet) cannot be looked up; real GC retries, it never guesses.
    if (!type) return "unknown";
    const owner = store.get(type, type.namespaced ? namespace : undefined, ref.name ?? "");
    if (!owner || owner.metadata?.uid !== ref.uid) return "absent";
    const finalizers = owner.metadata?.finalizers ?? [];
    if (owner.metadata?.deletionTimestamp && finalizers.includes(foreground) && ref.blockOwnerDeletion) {
      return "waiting";
    }
    return "present";
  }

  function attemptToDelete(ref: DependentRef): void {
    const object = store.get(ref.type, ref.namespace, ref.name);
    if (!object || object.metadata?.uid !== ref.uid || object.metadata?.deletionTimestamp) return;
    const refs = ownerReferences(object);
    if (refs.length === 0) return;
    const states = refs.map((r) => ownerState(r, ref.namespace));
    if (states.includes("unknown")) return;
    verified.set(ref.uid, ownersSignature(object));
    if (states.every((s) => s === "absent" || s === "waiting")) {
      const waiting = states.includes("waiting");
      const propagationPolicy = waiting && cache.hasDependents(ref.uid) ? "Foreground" : "Background";
      deleteIfPresent(() => store.delete(ref.type, ref.namespace, ref.name, { propagationPolicy }));
      return;
    }
    if (states.includes("absent")) {
      // Some owners remain: only the references to the vanished ones are dropped.
      const kept = refs.filter((_, i) => states[i] !== "absent");
      object.metadata = {
        ...object.metadata,
        ownerReferences: kept as unknown as Array<Record<string, unknown>>,
      };
      store.update(ref.type, object);
    }
  }

  function removeFinalizer(type: ResourceInfo, owner: KubeObject, finalizer: string): void {
    owner.metadata = {
      ...owner.metadata,
      finalizers: (owner.metadata?.finalizers ?? []).filter((f) => f !== finalizer),
    };
    store.update(type, owner);
  }

  function processOwner(ref: DependentRef): void {
    const owner = store.get(ref.type, ref.namespace, ref.name);
    if (!owner || owner.metadata?.uid !== ref.uid || !owner.metadata.deletionTimestamp) {
      finalizingOwners.delete(ref.uid);
      return;
    }
    const finalizers = owner.metadata.finalizers ?? [];
    if (finalizers.includes(orphan)) {
      for (const dep of cache.dependents(ref.uid)) {
        const object = store.get(dep.type, dep.namespace, dep.name);
        if (!object || object.metadata?.uid !== dep.uid) continue;
        const kept = ownerReferences(object).filter((r) => r.uid !== ref.uid);
        object.metadata = {
          ...object.metadata,
          ownerReferences: kept as unknown as Array<Record<string, unknown>>,
        };
        store.update(dep.type, object);
      }
      removeFinalizer(ref.type, owner, orphan);
      return;
    }
    if (!finalizers.includes(foreground)) return;
    let blocking = 0;
    for (const dep of cache.dependents(ref.uid)) {
      const object = store.get(dep.type, dep.namespace, dep.name);
      if (!object || object.metadata?.uid !== dep.uid) continue;
      const blocks = ownerReferences(object).some((r) => r.uid === ref.uid && r.blockOwnerDeletion === true);
      if (blocks) blocking++;
      if (object.metadata?.deletionTimestamp) continue;
      const propagationPolicy = cache.hasDependents(dep.uid) ? "Foreground" : "Background";
      deleteIfPresent(() => store.delete(dep.type, dep.namespace, dep.name, { propagationPolicy }));
      const after = store.get(dep.type, dep.namespace, dep.name);
      if (blocks && (!after || after.metadata?.uid !== dep.uid)) blocking--;
    }
    if (blocking === 0) removeFinalizer(ref.type, owner, foreground);
  }

  const dependentQueue = context.queue("garbage-collector", (key) => {
    const ref = dependents.get(key);
    dependents.delete(key);
    if (ref) attemptToDelete(ref);
  });
  const ownerQueue = context.queue("garbage-collector-owners", (uid) => {
    const ref = finalizingOwners.get(uid);
    if (ref) processOwner(ref);
  });

  function enqueueDependent(ref: DependentRef): void {
    const id = refId(ref);
    dependents.set(id, ref);
    dependentQueue.add(id);
  }

  function refOf(event: StoreEvent): DependentRef {
    const meta = event.object.metadata ?? {};
    return { type: event.resource, namespace: meta.namespace, name: meta.name ?? "", uid: meta.uid ?? "" };
  }

  return {
    name: "garbage-collector",
    watches: "*",
    observe(event: StoreEvent) {
      const meta = event.object.metadata ?? {};
      const uid = meta.uid ?? "";
      if (event.type === "DELETED") {
        verified.delete(uid);
        for (const dep of cache.dependents(uid)) enqueueDependent(dep);
        finalizingOwners.delete(uid);
        for (const r of ownerReferences(event.object)) if (finalizingOwners.has(r.uid)) ownerQueue.add(r.uid);
        return;
      }
      if (meta.ownerReferences?.length && verified.get(uid) !== ownersSignature(event.object)) {
        enqueueDependent(refOf(event));
      }
      const finalizers = meta.finalizers ?? [];
      if (meta.deletionTimestamp && (finalizers.includes(foreground) || finalizers.includes(orphan))) {
        finalizingOwners.set(uid, refOf(event));
        ownerQueue.add(uid);
      }
      // A dependent that started or finished its own deletion may unblock a foreground owner.
      if (meta.deletionTimestamp) {
        for (const r of ownerReferences(event.object)) if (finalizingOwners.has(r.uid)) ownerQueue.add(r.uid);
      }
    },
  };
};
