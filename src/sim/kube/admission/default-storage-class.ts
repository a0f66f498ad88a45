// The DefaultStorageClass admission plugin: a claim created without storageClassName gets the
// class annotated as default (the newest when several are, then by name), or stays without one.
import type { AdmissionHook } from "../admission.js";
import type { MemoryStore } from "../store.js";
import type { KubeObject } from "../types.js";

const defaultAnnotations = [
  "storageclass.kubernetes.io/is-default-class",
  "storageclass.beta.kubernetes.io/is-default-class",
];

function isDefault(storageClass: KubeObject): boolean {
  const annotations = storageClass.metadata?.annotations ?? {};
  return defaultAnnotations.some((a) => annotations[a] === "true");
}

/** The default StorageClass as the plugin picks it: newest creationTimestamp, then lowest name. */
export function defaultStorageClassName(store: MemoryStore): string | undefined {
  const type = store.registry.lookup("storage.k8s.io", "v1", "storageclasses");
  if (!type) return undefined;
  let best: KubeObject | undefined;
  for (const entry of store.table(type).entries.values()) {
    const candidate = entry.object;
    if (!isDefault(candidate)) continue;
    if (!best) {
      best = candidate;
      continue;
    }
    const a = candidate.metadata?.creationTimestamp ?? "";
    const b = best.metadata?.creationTimestamp ?? "";
    if (a > b || (a === b && (candidate.metadata?.name ?? "") < (best.metadata?.name ?? "")))
      best = candidate;
  }
  return best?.metadata?.name;
}

export function defaultStorageClassAdmission(store: MemoryStore): AdmissionHook {
  return (request) => {
    const { type, object } = request;
    if (request.operation !== "CREATE" || type.group !== "" || type.resource !== "persistentvolumeclaims") {
      return undefined;
    }
    const spec = (object.spec ?? {}) as { storageClassName?: string };
    object.spec = spec;
    // An explicit name (even "") or the legacy beta annotation means the claim chose already.
    if (spec.storageClassName !== undefined) return undefined;
    if (object.metadata?.annotations?.["volume.beta.kubernetes.io/storage-class"] !== undefined)
      return undefined;
    const name = defaultStorageClassName(store);
    if (name !== undefined) spec.storageClassName = name;
    return undefined;
  };
}
