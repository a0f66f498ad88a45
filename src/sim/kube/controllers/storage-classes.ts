// Which StorageClass a claim or volume means: its storageClassName, the legacy beta annotation,
// or (for a claim that names none) the cluster's default class.
import type { KubeObject } from "../types.js";
import type { ObjectCache } from "./cache.js";
import { typeKey } from "./context.js";
import type { CoreTypes } from "./core-types.js";

export const defaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";

export interface StorageClass extends KubeObject {
  provisioner?: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  volumeBindingMode?: string;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
}

/** The default class; with several, the newest wins, as kube-apiserver picks it. */
export function defaultStorageClass(cache: ObjectCache, types: CoreTypes): StorageClass | undefined {
  let best: StorageClass | undefined;
  for (const sc of cache.list(typeKey(types.storageClasses))) {
    if (sc.metadata?.annotations?.[defaultClassAnnotation] !== "true") continue;
    if (
      !best ||
      String(sc.metadata?.creationTimestamp ?? "") > String(best.metadata?.creationTimestamp ?? "")
    ) {
      best = sc as StorageClass;
    }
  }
  return best;
}

/** The class name a claim asks for: undefined = none given (default applies), "" = explicitly none. */
export function requestedClassName(pvc: KubeObject): string | undefined {
  const spec = (pvc.spec ?? {}) as { storageClassName?: string | null };
  if (typeof spec.storageClassName === "string") return spec.storageClassName;
  return pvc.metadata?.annotations?.["volume.beta.kubernetes.io/storage-class"];
}

export function storageClassOf(
  cache: ObjectCache,
  types: CoreTypes,
  pvc: KubeObject,
): StorageClass | undefined {
  const name = requestedClassName(pvc);
  if (name === undefined) return defaultStorageClass(cache, types);
  if (name === "") return undefined;
  return cache.get(typeKey(types.storageClasses), undefined, name) as StorageClass | undefined;
}
