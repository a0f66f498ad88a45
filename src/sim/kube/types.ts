// Shapes shared by the simulated API server's parts: stored objects and the resource types that
// discovery serves.

/** A Kubernetes object as JSON, exactly as clients send and receive it. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string | null;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: Array<Record<string, unknown>>;
  managedFields?: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/** One served resource type: what a discovery `APIResourceList` entry says about it. */
export interface ResourceInfo {
  /** API group; "" for the core group. */
  group: string;
  /** Version the request used (objects are stored once per group/resource). */
  version: string;
  /** Plural resource name, e.g. "deployments". */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Subresources served, e.g. ["status", "scale"]. */
  subresources: string[];
  verbs: string[];
}
