// From a cluster spec to a connected Cluster: a kubeconfig (file or YAML, optional context) or an
// AKS resource id reached through Resource Manager (aks-access.ts: Entra token or cluster user).
import { homedir } from "node:os";
import { KubeConfig } from "@kubernetes/client-node";
import { type ArmAccess, aksAccess } from "./aks-access.js";
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

export type { ArmAccess } from "./aks-access.js";

export interface ConnectOptions {
  /**
   * Resource Manager access for `aksResourceId` (default: DefaultAzureCredential, public cloud); its
   * credential also signs in to an Entra-integrated cluster.
   */
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
  /** Overrides the kubeconfig user's credentials (and an Entra cluster's token) per request. */
  bearerToken?: BearerTokenProvider;
  /** Server `Warning` headers, e.g. deprecated API versions. */
  onWarning?: (warning: ServerWarning) => void;
  /** Aborts connecting (fetching credentials); each request takes its own signal. */
  abortSignal?: AbortSignal;
}

export async function connectCluster(spec: ClusterSpec, options: ConnectOptions = {}): Promise<Cluster> {
  options.abortSignal?.throwIfAborted();
  const { config, bearerToken } = await loadKubeConfig(spec, options);
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
    credentials: new ClusterCredentials(config, options.bearerToken ?? bearerToken),
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

async function loadKubeConfig(
  spec: ClusterSpec,
  options: ConnectOptions,
): Promise<{ config: KubeConfig; bearerToken?: BearerTokenProvider }> {
  const config = new KubeConfig();
  try {
    if (spec.kubeconfigYaml !== undefined) {
      config.loadFromString(spec.kubeconfigYaml);
    } else if (spec.kubeconfig !== undefined) {
      config.loadFromFile(expandHome(spec.kubeconfig));
    } else if (spec.aksResourceId !== undefined) {
      const access = await aksAccess(spec.name, spec.aksResourceId, {
        ...(options.arm ? { arm: options.arm } : {}),
        ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
      });
      return {
        config: access.kubeconfig,
        ...(access.bearerToken ? { bearerToken: access.bearerToken } : {}),
      };
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
  return { config };
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
