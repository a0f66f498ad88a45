// From a cluster spec to a connected Cluster: a kubeconfig (file or YAML, optional context) or an
// AKS resource id whose cluster-user kubeconfig is fetched through Resource Manager.
import { homedir } from "node:os";
import {
  ContainerServiceClient,
  type ContainerServiceClientOptionalParams,
} from "@azure/arm-containerservice";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { KubeConfig } from "@kubernetes/client-node";
import { Cluster, type ServerWarning } from "./cluster.js";
import { type BearerTokenProvider, ClusterCredentials } from "./credentials.js";
import { ClusterConfigError } from "./errors.js";
import { defaultRetry, type RetryOptions } from "./retry-policy.js";
import { type Clock, type Delay, monotonicClock, realDelay } from "./timing.js";

export interface ClusterSpec {
  name: string;
  /** Path of a kubeconfig file ("~/" is the home directory). */
  kubeconfig?: string;
  kubeconfigYaml?: string;
  /** Context to use instead of the kubeconfig's current one. */
  context?: string;
  /** /subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name> */
  aksResourceId?: string;
}

export interface ArmAccess {
  credential: TokenCredential;
  /** e.g. `armClientOptions(...)` for another cloud or the simulator's Azure fake. */
  clientOptions?: ContainerServiceClientOptionalParams;
}

export interface ConnectOptions {
  /** Resource Manager access for `aksResourceId` (default: DefaultAzureCredential, public cloud). */
  arm?: ArmAccess;
  /** Client-side rate limit in requests per second (default 50); 0 turns it off. */
  qps?: number;
  /** Requests allowed at once above the rate (default 100). */
  burst?: number;
  /** Per attempt (default 60 s). */
  timeoutMs?: number;
  retry?: RetryOptions;
  clock?: Clock;
  delay?: Delay;
  /** Jitter source of the backoff (default Math.random). */
  random?: () => number;
  userAgent?: string;
  /** Overrides the kubeconfig user's credentials with a bearer token per request. */
  bearerToken?: BearerTokenProvider;
  /** Server `Warning` headers, e.g. deprecated API versions. */
  onWarning?: (warning: ServerWarning) => void;
  /** Aborts connecting (fetching credentials); each request takes its own signal. */
  abortSignal?: AbortSignal;
}

const aksIdPattern =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/Microsoft\.ContainerService\/managedClusters\/([^/]+)$/i;

export async function connectCluster(spec: ClusterSpec, options: ConnectOptions = {}): Promise<Cluster> {
  options.abortSignal?.throwIfAborted();
  const config = await loadKubeConfig(spec, options);
  if (spec.context !== undefined) {
    if (!config.getContextObject(spec.context)) {
      const known = config.getContexts().map((c) => c.name);
      throw new ClusterConfigError(
        spec.name,
        `context "${spec.context}" is not in the kubeconfig (contexts: ${known.join(", ") || "none"})`,
      );
    }
    config.setCurrentContext(spec.context);
  }
  const server = serverOf(spec.name, config);
  return new Cluster({
    name: spec.name,
    server,
    credentials: new ClusterCredentials(config, options.bearerToken),
    qps: options.qps ?? 50,
    burst: options.burst ?? 100,
    timeoutMs: options.timeoutMs ?? 60_000,
    retry: { ...defaultRetry, ...definedOnly(options.retry ?? {}) },
    clock: options.clock ?? monotonicClock,
    delay: options.delay ?? realDelay,
    userAgent: options.userAgent ?? "aks-backup",
    ...(options.random ? { random: options.random } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
  });
}

async function loadKubeConfig(spec: ClusterSpec, options: ConnectOptions): Promise<KubeConfig> {
  const config = new KubeConfig();
  try {
    if (spec.kubeconfigYaml !== undefined) {
      config.loadFromString(spec.kubeconfigYaml);
    } else if (spec.kubeconfig !== undefined) {
      config.loadFromFile(expandHome(spec.kubeconfig));
    } else if (spec.aksResourceId !== undefined) {
      config.loadFromString(await fetchAksKubeconfig(spec.name, spec.aksResourceId, options));
    } else {
      throw new ClusterConfigError(spec.name, "needs a kubeconfig, kubeconfigYaml or aksResourceId");
    }
  } catch (error) {
    if (error instanceof ClusterConfigError || options.abortSignal?.aborted) throw error;
    const source = spec.kubeconfig ? `kubeconfig ${spec.kubeconfig}` : "kubeconfig";
    throw new ClusterConfigError(spec.name, `cannot load ${source}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return config;
}

async function fetchAksKubeconfig(name: string, id: string, options: ConnectOptions): Promise<string> {
  const match = aksIdPattern.exec(id);
  if (!match) {
    throw new ClusterConfigError(
      name,
      `"${id}" is not an AKS resource id (/subscriptions/<sub>/resourceGroups/<rg>/providers/Microsoft.ContainerService/managedClusters/<name>)`,
    );
  }
  const [, subscriptionId = "", resourceGroup = "", clusterName = ""] = match;
  const credential = options.arm?.credential ?? new DefaultAzureCredential();
  const client = new ContainerServiceClient(credential, subscriptionId, options.arm?.clientOptions ?? {});
  let result: Awaited<ReturnType<typeof client.managedClusters.listClusterUserCredentials>>;
  try {
    result = await client.managedClusters.listClusterUserCredentials(resourceGroup, clusterName, {
      ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    });
  } catch (error) {
    if (options.abortSignal?.aborted) throw options.abortSignal.reason;
    throw new ClusterConfigError(
      name,
      `cannot get the cluster-user credentials of ${id} from Azure: ${(error as Error).message}`,
      { cause: error },
    );
  }
  const value = result.kubeconfigs?.[0]?.value;
  if (!value || value.length === 0) {
    throw new ClusterConfigError(name, `Azure returned no kubeconfig for ${id}`);
  }
  return Buffer.from(value).toString("utf8");
}

function serverOf(name: string, config: KubeConfig): URL {
  const cluster = config.getCurrentCluster();
  if (!cluster?.server) {
    throw new ClusterConfigError(
      name,
      `the kubeconfig's context "${config.getCurrentContext()}" names no cluster server`,
    );
  }
  let url: URL;
  try {
    url = new URL(cluster.server);
  } catch {
    throw new ClusterConfigError(name, `server "${cluster.server}" is not a URL`);
  }
  // Credentials are never sent in clear.
  if (url.protocol !== "https:") {
    throw new ClusterConfigError(name, `server ${cluster.server} must use https`);
  }
  return url;
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? homedir() + path.slice(1) : path;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
