// How controllers read a Namespace's lifecycle: active, or terminating (deletionTimestamp set or
// phase Terminating), in which case nothing new may be created in it.
import type { KubeObject } from "../types.js";
import type { ObjectCache } from "./cache.js";
import { typeKey } from "./context.js";
import type { CoreTypes } from "./core-types.js";

export function isTerminatingNamespace(ns: KubeObject): boolean {
  return (
    Boolean(ns.metadata?.deletionTimestamp) ||
    (ns.status as { phase?: string } | undefined)?.phase === "Terminating"
  );
}

export function isActiveNamespace(ns: KubeObject): boolean {
  return !isTerminatingNamespace(ns);
}

/** Whether new objects may be created in the namespace (it exists, per the cache, and is not terminating). */
export function acceptsNewObjects(
  cache: ObjectCache,
  types: CoreTypes,
  namespace: string | undefined,
): boolean {
  const ns = namespace ? cache.get(typeKey(types.namespaces), undefined, namespace) : undefined;
  return ns !== undefined && isActiveNamespace(ns);
}
