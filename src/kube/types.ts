// The shapes the adapter hands to the engine: Kubernetes objects as raw JSON (unknown fields and
// timestamps kept as sent) and resource types identified by group, version and plural resource.

export interface KubeObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<Record<string, unknown>>;
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [field: string]: unknown;
}

/** One listable resource type as discovery reports it. */
export interface ResourceType {
  /** "" for the core group. */
  group: string;
  /** The preferred version of the group that serves this resource. */
  version: string;
  /** Every served version with this resource, the preferred one first. */
  versions: string[];
  /** The plural name used in paths, e.g. "deployments". */
  resource: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  categories?: string[];
}

/** "v1" for the core group, "apps/v1" otherwise. */
export function apiVersionOf(type: Pick<ResourceType, "group" | "version">): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}

/** The collection path of a type, cluster-wide or within one namespace. */
export function collectionPath(
  type: Pick<ResourceType, "group" | "version" | "resource" | "namespaced">,
  namespace?: string,
): string {
  const root = type.group === "" ? `/api/${type.version}` : `/apis/${type.group}/${type.version}`;
  const scope = type.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : "";
  return `${root}${scope}/${type.resource}`;
}
