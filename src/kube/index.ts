// The Kubernetes adapter's public surface: connect to a cluster, discover its types, list them in
// pages with bounded parallelism; everything else in src/kube is internal to it.
export type { ClusterStats, HttpMethod, KubeRequestOptions, ServerWarning } from "./cluster.js";
export { Cluster } from "./cluster.js";
export type { ArmAccess, ClusterSpec, ConnectOptions } from "./connect.js";
export { connectCluster } from "./connect.js";
export type { BearerTokenProvider } from "./credentials.js";
export type { DiscoverOptions, DiscoveryResult, DiscoveryWarning } from "./discovery.js";
export { discoverResources } from "./discovery.js";
export type { KubeStatus } from "./errors.js";
export { ClusterConfigError, ClusterUnreachableError, isKubeApiError, KubeApiError } from "./errors.js";
export type { JsonPage, ListOptions, ListWarning } from "./list.js";
export { listPagesWithJson, listResources } from "./list.js";
export type { RetryOptions } from "./retry-policy.js";
export type { TaskPoolOptions } from "./task-pool.js";
export { mapWithLimit } from "./task-pool.js";
export type { Clock, Delay } from "./timing.js";
export type { KubeObject, KubeObjectMeta, ResourceType } from "./types.js";
export { apiVersionOf, collectionPath } from "./types.js";
