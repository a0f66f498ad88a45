// What every controller of the simulated cluster is given: the store it acts through, shared caches,
// resolved options, work queues and timers that `idle()` can account for.
import type { DiskProvisioner } from "../../contracts.js";
import type { ObjectStore, StoreEvent } from "../api.js";
import type { ResourceInfo } from "../types.js";
import type { ObjectCache } from "./cache.js";
import type { CoreTypes } from "./core-types.js";
import type { ServedTypes } from "./served-types.js";
import type { WorkQueue } from "./work-queue.js";

export interface ControllerOptions {
  /** The Azure side of the disk CSI driver; without it disk claims stay Pending. */
  provisioner?: DiskProvisioner;
  /** How long a CRD takes from NamesAccepted to Established (default 500 ms). */
  crdEstablishDelayMs?: number;
  /** How long a Job's pod runs before it succeeds (default 1000 ms). */
  jobPodRunMs?: number;
  /** Timestamps written into status (conditions, startTime); timers always use real time. */
  clock?: () => Date;
  /** Number of nodes, one per zone round-robin (default 3). */
  nodes?: number;
  location?: string;
  clusterName?: string;
  /** The MC_ resource group of the cluster: node provider ids and Azure Files volume handles. */
  nodeResourceGroup?: string;
  /** PEM published as `kube-root-ca.crt` in every namespace. */
  caCert?: string;
  /** Reports errors controllers give up on after retrying (default: silent). */
  log?: (message: string) => void;
}

export interface ResolvedOptions {
  provisioner: DiskProvisioner | undefined;
  crdEstablishDelayMs: number;
  jobPodRunMs: number;
  clock: () => Date;
  nodes: number;
  location: string;
  clusterName: string;
  nodeResourceGroup: string;
  caCert: string;
  log: (message: string) => void;
}

export interface ControllerContext {
  readonly store: ObjectStore;
  readonly options: ResolvedOptions;
  readonly types: CoreTypes;
  readonly cache: ObjectCache;
  readonly served: ServedTypes;
  /** A deduplicating queue whose handler runs on a later tick; retried on conflicts. */
  queue(name: string, handler: (key: string) => Promise<void> | void, concurrency?: number): WorkQueue;
  /** A timer `idle()` waits for; cancelled by `stop()`. */
  after(delayMs: number, callback: () => void): void;
  /** True once `stop()` ran: work that awaited something must not write afterwards. */
  stopped(): boolean;
  /** RFC 3339 timestamp (seconds precision, as the API server writes them) from the clock. */
  now(): string;
}

/** One simulated control-plane loop, e.g. the ReplicaSet controller or the PV binder. */
export interface Controller {
  readonly name: string;
  /** Types it reacts to, by `typeKey` ("pods", "deployments.apps"), or "*" for every type. */
  readonly watches: readonly string[] | "*";
  /** Called synchronously for each store event: update indexes and enqueue keys, nothing more. */
  observe(event: StoreEvent): void;
}

export type ControllerFactory = (context: ControllerContext) => Controller;

/** `<resource>.<group>` identity of a type, independent of the version. */
export function typeKey(type: Pick<ResourceInfo, "group" | "resource">): string {
  return type.group ? `${type.resource}.${type.group}` : type.resource;
}

/** Queue key of a (possibly cluster-scoped) object. */
export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function splitKey(key: string): { namespace: string | undefined; name: string } {
  const slash = key.indexOf("/");
  return slash < 0
    ? { namespace: undefined, name: key }
    : { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** A Kubernetes timestamp: RFC 3339 in UTC with whole seconds ("2024-05-01T10:00:00Z"). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, "Z");
}

export function resolveOptions(options: ControllerOptions): ResolvedOptions {
  const location = options.location ?? "westeurope";
  const clusterName = options.clusterName ?? "sim";
  return {
    provisioner: options.provisioner,
    crdEstablishDelayMs: options.crdEstablishDelayMs ?? 500,
    jobPodRunMs: options.jobPodRunMs ?? 1000,
    clock: options.clock ?? (() => new Date()),
    nodes: options.nodes ?? 3,
    location,
    clusterName,
    nodeResourceGroup: options.nodeResourceGroup ?? `MC_${clusterName}-rg_${clusterName}_${location}`,
    caCert: options.caCert ?? placeholderCa,
    log: options.log ?? (() => {}),
  };
}

// Not a usable certificate: it only gives `kube-root-ca.crt` the shape clients expect when the
// caller has no CA to publish (the simulator passes its real one).
const placeholderCa =
  "-----BEGIN CERTIFICATE-----\nMIIBdzCCAR2gAwIBAgIBADAKBggqhkjOPQQDAjAjMSEwHwYDVQQDDBhrdWJlcm5ldGVz\n-----END CERTIFICATE-----\n";
