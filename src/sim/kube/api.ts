// The contract between the simulated API server's storage and the controllers that run beside it
// (namespace lifecycle, CRD establishment, volume provisioning, workloads, garbage collection).
// Controllers act only through this interface, as real controllers act only through the API.
import type { KubeObject, ResourceInfo } from "./types.js";

export type WatchEventType = "ADDED" | "MODIFIED" | "DELETED";

export interface StoreEvent {
  type: WatchEventType;
  /** The resource type the object belongs to (group + resource identify it; version is the preferred one). */
  resource: ResourceInfo;
  /** The object after the change (for DELETED: its last state); frozen. */
  object: KubeObject;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface DeleteOptions {
  propagationPolicy?: "Orphan" | "Background" | "Foreground";
  /** Seconds a pod on a node gets to stop (default: its terminationGracePeriodSeconds); 0 forces. */
  gracePeriodSeconds?: number;
  /** Precondition, as in DeleteOptions.preconditions.uid. */
  uid?: string;
  /** Precondition, as in DeleteOptions.preconditions.resourceVersion. */
  resourceVersion?: string;
  dryRun?: boolean;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
}

/**
 * Storage with the API server's semantics: uid/resourceVersion/generation/creationTimestamp set on
 * write, validation and admission applied, Status errors (see status.ts) thrown as `StatusError`.
 * Objects passed in are not retained. get/create/update return copies the caller may change; delete
 * results, list items and event objects are the stored objects, frozen: read them, copy to change.
 */
export interface ObjectStore {
  /** Resolves a type by group and plural resource name, or by group and kind; undefined if not served. */
  resourceFor(group: string, resourceOrKind: string): ResourceInfo | undefined;
  get(resource: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined;
  list(resource: ResourceInfo, options?: ListOptions): ListResult;
  create(resource: ResourceInfo, object: KubeObject, options?: WriteOptions): KubeObject;
  /** Full replace; honours metadata.resourceVersion as an optimistic-concurrency precondition. */
  update(resource: ResourceInfo, object: KubeObject, options?: WriteOptions): KubeObject;
  /** Replaces only `.status` (the status subresource). */
  updateStatus(resource: ResourceInfo, object: KubeObject, options?: WriteOptions): KubeObject;
  /**
   * Deletes, or with finalizers present sets deletionTimestamp and returns the object; the object
   * goes once its finalizers are removed by an update.
   */
  delete(
    resource: ResourceInfo,
    namespace: string | undefined,
    name: string,
    options?: DeleteOptions,
  ): KubeObject;
  /** Every change, in commit order, delivered synchronously after the write. Returns an unsubscribe. */
  subscribe(listener: (event: StoreEvent) => void): () => void;
}
