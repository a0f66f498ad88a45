// The registry semantics of every write, as kube-apiserver's generic registry applies them:
// server-set metadata, defaults, admission, validation, optimistic concurrency, finalizers, dry run.

import { runAdmission } from "./admission.js";
import type { DeleteOptions, WriteOptions } from "./api.js";
import { refuseCreateWhileTerminating } from "./crd-deletion.js";
import { applyDefaults, initialStatus } from "./defaults.js";
import {
  dropNulls,
  generateName,
  hasStatusSubresource,
  kubeTime,
  orderedObject,
  specChanged,
  tracksGeneration,
} from "./object-meta.js";
import { recordUpdateManagedFields } from "./patch.js";
import { type ServedType, storageKey } from "./registry.js";
import {
  alreadyExists,
  badRequest,
  conflict,
  invalid,
  methodNotAllowed,
  namespaceTerminating,
  notFound,
} from "./status.js";
import type { MemoryStore } from "./store.js";
import { isHeld, StoreDeleter } from "./store-deletes.js";
import { type Entry, objectKey } from "./store-table.js";
import type { KubeObject } from "./types.js";
import { apiVersionOf, initialCrdStatus, isCrdType, isUnchanged, meta, nextState } from "./update-state.js";
import { validateObjectMetaUpdate } from "./validation/metadata.js";
import { objectAt } from "./validation/object-access.js";
import { validateObject } from "./validation.js";

export interface InternalWriteOptions extends WriteOptions {
  /** "status" writes only `.status`; "finalize" only a Namespace's spec.finalizers. */
  subresource?: "status" | "finalize";
  /** managedFields were already computed (server-side apply); store them as given. */
  managedFieldsComputed?: boolean;
  /** A PUT of the main resource: Namespace spec.finalizers change only through /finalize. */
  viaMainResourcePut?: boolean;
  /** The object is the store's to change (decoded from a request body), so it is not copied first. */
  owned?: boolean;
}

export interface InternalDeleteOptions extends DeleteOptions {
  /** Precondition, as in DeleteOptions.preconditions.uid. */
  uid?: string;
}

export interface DeleteResult {
  /** The deleted object's last state, or the object now waiting for its finalizers (frozen). */
  object: KubeObject;
  /** Its entry: JSON cached for the response. */
  entry: Entry;
  /** False while finalizers (or a Namespace's spec.finalizers) hold the object. */
  deleted: boolean;
}

/** The manager recorded when a store caller (a controller) gives none. */
const defaultManager = "kube-controller-manager";

/** Types whose PUT creates a missing object (their strategies' AllowCreateOnUpdate). */
const createOnUpdate = new Set([
  "/endpoints",
  "/events",
  "events.k8s.io/events",
  "coordination.k8s.io/leases",
]);

export class StoreWriter {
  private readonly deleter: StoreDeleter;
  constructor(private readonly store: MemoryStore) {
    this.deleter = new StoreDeleter(store, this);
  }

  /** Creates; returns the stored entry (for a dry run, an entry that was not stored). */
  create(type: ServedType, object: KubeObject, options: InternalWriteOptions): Entry {
    if (!type.verbs.includes("create")) throw methodNotAllowed();
    refuseCreateWhileTerminating(this.store, type);
    dropNulls(object);
    object.apiVersion = apiVersionOf(type);
    object.kind = type.kind;
    const m = meta(object);
    if (m.resourceVersion) throw badRequest("resourceVersion should not be set on objects to be created");
    if (type.namespaced) {
      if (!m.namespace) throw badRequest("an empty namespace may not be set during creation");
    } else {
      delete m.namespace;
    }
    if (!m.name && m.generateName) {
      m.name = generateName(m.generateName);
      for (let i = 0; i < 8 && this.store.entry(type, m.namespace, m.name); i++)
        m.name = generateName(m.generateName);
    }
    if (!m.name) {
      throw invalid(type.kind, type.group, "", [
        {
          reason: "FieldValueRequired",
          message: "Required value: name or generateName is required",
          field: "metadata.name",
        },
      ]);
    }
    this.checkNamespace(type, m.namespace, m.name);
    if (this.store.entry(type, m.namespace, m.name)) throw alreadyExists(type.resource, type.group, m.name);

    m.uid = crypto.randomUUID();
    m.creationTimestamp = kubeTime(this.store.now());
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    if (tracksGeneration(type)) m.generation = 1;
    else delete m.generation;
    if (hasStatusSubresource(type)) {
      const status = type.crd ? undefined : (initialStatus(type.group, type.resource, object) ?? {});
      if (status) object.status = status;
      else delete object.status;
    }
    if (isCrdType(type)) object.status = initialCrdStatus(object);
    applyDefaults(type.group, type.resource, object);

    // As in kube-apiserver, the field manager records the request (defaults included) before
    // mutating admission and the storage allocate anything: an allocated clusterIP or nodePort is
    // owned by no manager, so a restore can tell it from one the user asked for.
    const managed = this.managedFieldsOf(type, undefined, object, options);
    const admission = runAdmission(this.store.admissionHooks, {
      operation: "CREATE",
      type,
      object,
      dryRun: options.dryRun === true,
    });
    try {
      this.validate(type, object, undefined);
    } catch (err) {
      admission.abort?.();
      throw err;
    }
    const stored = withRecorded(object, managed);
    if (options.dryRun) {
      admission.abort?.();
      return { object: orderedObject(stored), rv: 0 };
    }
    const rv = this.store.nextRevision();
    meta(stored).resourceVersion = String(rv);
    const entry: Entry = { object: orderedObject(stored), rv };
    const key = objectKey(m.namespace, m.name);
    this.store.table(type).put(key, entry);
    admission.commit?.();
    if (isCrdType(type)) this.store.registry.setCrd(entry.object);
    this.record(type, key, "ADDED", entry, undefined);
    return entry;
  }

  /** Updates; returns the stored entry (unchanged: the current one; dry run: one not stored). */
  update(type: ServedType, input: KubeObject, options: InternalWriteOptions): Entry {
    if (!type.verbs.includes("update")) throw methodNotAllowed();
    input.apiVersion = apiVersionOf(type);
    input.kind = type.kind;
    const m = meta(input);
    const name = m.name ?? "";
    const namespace = type.namespaced ? m.namespace : undefined;
    if (!type.namespaced) delete m.namespace;
    const key = objectKey(namespace, name);
    const current = this.store.entry(type, namespace, name);
    if (!current) {
      if (!options.subresource && createOnUpdate.has(`${type.group}/${type.resource}`)) {
        delete m.resourceVersion;
        return this.create(type, input, options);
      }
      throw notFound(type.resource, type.group, name);
    }
    const old = current.object;
    if (m.resourceVersion) {
      if (m.resourceVersion !== String(current.rv)) throw conflict(type.resource, type.group, name);
    } else if (type.crd && !options.subresource) {
      throw invalid(type.kind, type.group, name, [
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: 0x0: must be specified for an update",
          field: "metadata.resourceVersion",
        },
      ]);
    }

    const next = nextState(type, old, input, options);
    const managed = this.managedFieldsOf(type, old, next, options);
    const admission = runAdmission(this.store.admissionHooks, {
      operation: "UPDATE",
      type,
      object: next,
      old,
      ...(options.subresource ? { subresource: options.subresource } : {}),
      dryRun: options.dryRun === true,
    });
    try {
      // A status write leaves spec alone (the strategy reset it), so only what it may change is checked.
      if (options.subresource === "status") this.validateMetadataUpdate(type, next, old);
      else this.validate(type, next, old);
    } catch (err) {
      admission.abort?.();
      throw err;
    }
    if (tracksGeneration(type) && specChanged(type, old, next)) {
      meta(next).generation = (old.metadata?.generation ?? 0) + 1;
    }
    const stored = withRecorded(next, managed);
    meta(stored).resourceVersion = String(current.rv);
    if (isUnchanged(old, stored)) {
      admission.abort?.();
      return current;
    }
    if (stored.metadata?.deletionTimestamp && !isHeld(type, stored)) {
      if (options.dryRun) {
        admission.abort?.();
        return { object: orderedObject(stored), rv: 0 };
      }
      admission.commit?.();
      return this.deleter.remove(type, key, current, stored, false).entry;
    }
    if (options.dryRun) {
      admission.abort?.();
      return { object: orderedObject(stored), rv: 0 };
    }
    admission.commit?.();
    return this.commitModified(type, key, current, stored);
  }

  /** Stores `next` as the new state of an existing object, with no further checks. */
  commitModified(type: ServedType, key: string, current: Entry, next: KubeObject): Entry {
    const rv = this.store.nextRevision();
    meta(next).resourceVersion = String(rv);
    const entry: Entry = { object: orderedObject(next), rv };
    this.store.table(type).put(key, entry);
    if (isCrdType(type)) this.store.registry.setCrd(entry.object);
    this.record(type, key, "MODIFIED", entry, current);
    return entry;
  }

  delete(
    type: ServedType,
    namespace: string | undefined,
    name: string,
    options: InternalDeleteOptions,
  ): DeleteResult {
    return this.deleter.delete(type, namespace, name, options);
  }

  private checkNamespace(type: ServedType, namespace: string | undefined, name: string): void {
    if (!type.namespaced || !namespace) return;
    const namespaces = this.store.registry.lookup("", "v1", "namespaces");
    const ns = namespaces ? this.store.entry(namespaces, undefined, namespace) : undefined;
    if (!ns) throw notFound("namespaces", "", namespace);
    if (ns.object.metadata?.deletionTimestamp)
      throw namespaceTerminating(type.resource, type.group, name, namespace);
  }

  private validateMetadataUpdate(type: ServedType, object: KubeObject, old: KubeObject): void {
    const causes = validateObjectMetaUpdate(objectAt(object.metadata), objectAt(old.metadata));
    if (causes.length > 0) throw invalid(type.kind, type.group, object.metadata?.name ?? "", causes);
  }

  private validate(type: ServedType, object: KubeObject, old: KubeObject | undefined): void {
    const causes = validateObject(type, object, old);
    if (causes.length > 0) throw invalid(type.kind, type.group, object.metadata?.name ?? "", causes);
  }

  /** The managedFields for `next` as requested, computed on a copy (undefined: the caller set them). */
  private managedFieldsOf(
    type: ServedType,
    old: KubeObject | undefined,
    next: KubeObject,
    options: InternalWriteOptions,
  ): unknown[] | undefined {
    if (options.managedFieldsComputed) return undefined;
    const recorded = this.withManagedFields(type, old, structuredClone(next), options);
    return (recorded.metadata?.managedFields as unknown[] | undefined) ?? [];
  }

  private withManagedFields(
    type: ServedType,
    old: KubeObject | undefined,
    next: KubeObject,
    options: InternalWriteOptions,
  ): KubeObject {
    if (options.managedFieldsComputed) return next;
    const manager = options.fieldManager ?? defaultManager;
    return recordUpdateManagedFields(
      old,
      next,
      manager,
      "Update",
      apiVersionOf(type),
      kubeTime(this.store.now()),
      {
        ...(options.subresource === "status" ? { subresource: "status" } : {}),
        trackStatus: !hasStatusSubresource(type),
      },
    );
  }

  record(type: ServedType, key: string, event: "ADDED" | "MODIFIED" | "DELETED", entry: Entry, prev?: Entry) {
    this.store.commit({
      rv: entry.rv,
      table: storageKey(type.group, type.resource),
      type: this.store.preferred(type),
      key,
      event,
      entry,
      ...(prev ? { prev } : {}),
      at: Date.now(),
    });
  }
}

function withRecorded(object: KubeObject, managedFields: unknown[] | undefined): KubeObject {
  if (managedFields === undefined) return object;
  const m = meta(object);
  if (managedFields.length > 0) m.managedFields = managedFields as NonNullable<typeof m.managedFields>;
  else delete m.managedFields;
  return object;
}
