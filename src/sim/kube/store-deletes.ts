// The delete path of the registry: preconditions, graceful deletion of pods, the CRD's two-phase
// deletion, finalizers holding an object (deletionTimestamp) and the final removal.
import { runAdmission } from "./admission.js";
import { markCrdTerminating } from "./crd-deletion.js";
import { deepEqual, kubeTime, orderedObject, tracksGeneration } from "./object-meta.js";
import { type PodDeletion, podDeletion } from "./pod-deletion.js";
import type { ServedType } from "./registry.js";
import { conflict, methodNotAllowed, notFound } from "./status.js";
import type { MemoryStore } from "./store.js";
import { type Entry, objectKey } from "./store-table.js";
import type { DeleteResult, InternalDeleteOptions, StoreWriter } from "./store-writes.js";
import type { KubeObject } from "./types.js";
import {
  isCrdType,
  isNamespaceType,
  meta,
  namespaceFinalizers,
  withPropagationFinalizers,
} from "./update-state.js";

/** Whether finalizers keep the object (for a Namespace also spec.finalizers, once deleting). */
export function isHeld(type: ServedType, object: KubeObject, deleting = false): boolean {
  if ((object.metadata?.finalizers ?? []).length > 0) return true;
  return isNamespaceType(type) && (deleting || !!object.metadata?.deletionTimestamp)
    ? namespaceFinalizers(object).length > 0
    : false;
}

function isPodType(type: ServedType): boolean {
  return type.group === "" && type.resource === "pods";
}

export class StoreDeleter {
  constructor(
    private readonly store: MemoryStore,
    private readonly writer: StoreWriter,
  ) {}

  delete(
    type: ServedType,
    namespace: string | undefined,
    name: string,
    options: InternalDeleteOptions,
  ): DeleteResult {
    if (!type.verbs.includes("delete")) throw methodNotAllowed();
    const ns = type.namespaced ? namespace : undefined;
    const key = objectKey(ns, name);
    const current = this.store.entry(type, ns, name);
    if (!current) throw notFound(type.resource, type.group, name);
    const old = current.object;
    checkPreconditions(type, name, current, options);
    if (isCrdType(type) && !old.metadata?.deletionTimestamp) {
      // The first delete of a CRD only marks it; the finalizer controller removes its instances.
      return this.commit(type, key, current, markCrdTerminating(old, this.store.now()), options);
    }
    const deletion: PodDeletion = isPodType(type)
      ? podDeletion(old, options.gracePeriodSeconds, this.store.now())
      : { kind: "now" };
    if (deletion.kind === "pending") return result(current, false);

    const next: KubeObject = { ...old, metadata: { ...(old.metadata ?? {}) } };
    const m = meta(next);
    const finalizers = withPropagationFinalizers(m.finalizers ?? [], options.propagationPolicy);
    if (finalizers.length > 0) m.finalizers = finalizers;
    else delete m.finalizers;

    if (deletion.kind === "now" && !isHeld(type, next, true)) {
      const admission = runAdmission(this.store.admissionHooks, {
        operation: "DELETE",
        type,
        object: old,
        dryRun: options.dryRun === true,
      });
      if (options.dryRun) {
        admission.abort?.();
        return result(current, true);
      }
      admission.commit?.();
      return this.remove(type, key, current, next, true);
    }
    if (!m.deletionTimestamp && tracksGeneration(type)) m.generation = (m.generation ?? 0) + 1;
    if (deletion.kind === "graceful") {
      m.deletionTimestamp = deletion.deletionTimestamp;
      m.deletionGracePeriodSeconds = deletion.gracePeriodSeconds;
    } else if (!m.deletionTimestamp || deletion.deletionTimestamp) {
      m.deletionTimestamp = deletion.deletionTimestamp ?? kubeTime(this.store.now());
      m.deletionGracePeriodSeconds = 0;
    }
    if (isNamespaceType(type)) next.status = { ...((next.status as object) ?? {}), phase: "Terminating" };
    if (deepEqual(old, next)) return result(current, false);
    return this.commit(type, key, current, next, options);
  }

  /** Removes the object for good and, for a CRD, every object of the types it served. */
  remove(type: ServedType, key: string, current: Entry, last: KubeObject, runDelete: boolean): DeleteResult {
    if (!runDelete) {
      runAdmission(this.store.admissionHooks, {
        operation: "DELETE",
        type,
        object: last,
        dryRun: false,
      }).commit?.();
    }
    if (isCrdType(type)) this.removeCustomResources(last.metadata?.name ?? "");
    const rv = this.store.nextRevision();
    const object = orderedObject(last);
    meta(object).resourceVersion = String(rv);
    const entry: Entry = { object, rv };
    this.store.table(type).remove(key);
    this.writer.record(type, key, "DELETED", entry, current);
    return result(entry, true);
  }

  private commit(
    type: ServedType,
    key: string,
    current: Entry,
    next: KubeObject,
    options: InternalDeleteOptions,
  ): DeleteResult {
    if (options.dryRun) return result({ object: orderedObject(next), rv: 0 }, false);
    return result(this.writer.commitModified(type, key, current, next), false);
  }

  /** Instances left when a CRD goes without its finalizer controller (e.g. the finalizer removed by hand). */
  private removeCustomResources(crdName: string): void {
    for (const gone of this.store.registry.removeCrd(crdName)) {
      if (this.store.registry.versionsOf(gone.group, gone.resource).length > 0) continue;
      const table = this.store.table(gone);
      for (const key of [...table.keys]) {
        const current = table.get(key);
        if (!current) continue;
        const rv = this.store.nextRevision();
        const object = orderedObject(current.object);
        meta(object).resourceVersion = String(rv);
        table.remove(key);
        this.writer.record(gone, key, "DELETED", { object, rv }, current);
      }
      this.store.dropTable(gone);
    }
  }
}

function result(entry: Entry, deleted: boolean): DeleteResult {
  return { object: entry.object, entry, deleted };
}

function checkPreconditions(
  type: ServedType,
  name: string,
  current: Entry,
  options: InternalDeleteOptions,
): void {
  const uid = current.object.metadata?.uid ?? "";
  if (options.uid && options.uid !== uid) {
    throw conflict(
      type.resource,
      type.group,
      name,
      `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${uid}`,
    );
  }
  if (options.resourceVersion && options.resourceVersion !== String(current.rv)) {
    throw conflict(
      type.resource,
      type.group,
      name,
      `Precondition failed: ResourceVersion in precondition: ${options.resourceVersion}, ResourceVersion in object meta: ${current.rv}`,
    );
  }
}
