// The state an update leads to, before admission and validation: what a status or finalize write
// may change, the server-owned metadata carried over, and the finalizers a deletion policy adds.
import { applyDefaults } from "./defaults.js";
import { deepEqual, dropNulls, hasStatusSubresource } from "./object-meta.js";
import type { ServedType } from "./registry.js";
import { invalid } from "./status.js";
import type { InternalWriteOptions } from "./store-writes.js";
import type { KubeObject, ObjectMeta } from "./types.js";

const crdGroup = "apiextensions.k8s.io";

export function apiVersionOf(type: ServedType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function isCrdType(type: ServedType): boolean {
  return type.group === crdGroup && type.resource === "customresourcedefinitions";
}

export function isNamespaceType(type: ServedType): boolean {
  return type.group === "" && type.resource === "namespaces";
}

export function meta(object: KubeObject): ObjectMeta {
  object.metadata ??= {};
  return object.metadata;
}

export function namespaceFinalizers(object: KubeObject): string[] {
  return ((object.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).slice();
}

export function nextState(
  type: ServedType,
  old: KubeObject,
  input: KubeObject,
  options: InternalWriteOptions,
): KubeObject {
  if (options.subresource === "status") {
    // Stored objects are frozen: copy only the levels this write changes.
    const next: KubeObject = { ...old, metadata: { ...(old.metadata ?? {}) } };
    if (input.status === undefined || input.status === null) delete next.status;
    else next.status = input.status;
    dropNulls(next.status);
    // The CRD status strategy resets spec, labels, annotations and owners but not finalizers: the
    // apiextensions finalizer controller removes its finalizer with a status write.
    if (isCrdType(type)) {
      const finalizers = input.metadata?.finalizers ?? [];
      if (finalizers.length > 0) meta(next).finalizers = finalizers;
      else delete meta(next).finalizers;
    }
    return next;
  }
  if (options.subresource === "finalize") {
    const next: KubeObject = { ...old, metadata: { ...(old.metadata ?? {}) } };
    next.spec = { ...((next.spec as object) ?? {}), finalizers: namespaceFinalizers(input) };
    return next;
  }
  const next = input;
  dropNulls(next);
  const m = meta(next);
  const o = old.metadata ?? {};
  m.uid = o.uid;
  m.creationTimestamp = o.creationTimestamp;
  if (o.deletionTimestamp) {
    m.deletionTimestamp = o.deletionTimestamp;
    m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
    const added = (m.finalizers ?? []).filter((f) => !(o.finalizers ?? []).includes(f));
    if (added.length > 0) {
      throw invalid(type.kind, type.group, m.name ?? "", [
        {
          reason: "FieldValueForbidden",
          message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => `"${f}"`).join(", ")}}`,
          field: "metadata.finalizers",
        },
      ]);
    }
  } else {
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
  }
  if (o.generation !== undefined) m.generation = o.generation;
  else delete m.generation;
  if (hasStatusSubresource(type)) {
    if (old.status === undefined) delete next.status;
    else next.status = old.status;
  }
  if (isNamespaceType(type) && options.viaMainResourcePut) {
    next.spec = { ...((next.spec as object) ?? {}), finalizers: namespaceFinalizers(old) };
  }
  applyDefaults(type.group, type.resource, next);
  return next;
}

/** The finalizers after a delete with `policy`: Orphan and Foreground add theirs, Background drops both. */
export function withPropagationFinalizers(finalizers: string[], policy: string | undefined): string[] {
  const others = finalizers.filter((f) => f !== "foregroundDeletion" && f !== "orphan");
  if (policy === "Orphan") return [...others, "orphan"];
  if (policy === "Foreground") return [...others, "foregroundDeletion"];
  if (policy === "Background") return others;
  return finalizers;
}

export function isUnchanged(old: KubeObject, next: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, metadata: { ...(o.metadata ?? {}), managedFields: undefined } });
  return (
    deepEqual(strip(old), strip(next)) && deepEqual(old.metadata?.managedFields, next.metadata?.managedFields)
  );
}

export function initialCrdStatus(crd: KubeObject): Record<string, unknown> {
  const versions = (
    (crd.spec as { versions?: Array<{ name?: string; storage?: boolean }> })?.versions ?? []
  ).filter((v) => v.storage);
  return {
    acceptedNames: { kind: "", plural: "" },
    storedVersions: versions.map((v) => v.name ?? ""),
  };
}
