// One ComputeManagementClient per subscription the app may snapshot in, with bounded retries: the
// SDK honours Retry-After on 429 and backs off on 5xx, but each request is retried a fixed number of times.
import { ComputeManagementClient } from "@azure/arm-compute";
import type { TokenCredential } from "@azure/identity";
import { type ArmEndpoint, armClientOptions } from "../azure/arm-endpoint.js";

export interface ComputeClients {
  /** The client for a subscription, or undefined when this app is not configured to use it. */
  forSubscription(subscriptionId: string): ComputeManagementClient | undefined;
  /** The subscriptions allowed, for error messages; undefined = any. */
  readonly subscriptions: readonly string[] | undefined;
}

export interface ComputeRetryOptions {
  /** Retries per request after the first attempt (429, 5xx, dropped connections). Default 3. */
  maxRetries?: number;
  /** Base delay of the exponential backoff on 5xx and network errors. Default 1000. */
  retryDelayInMs?: number;
  maxRetryDelayInMs?: number;
}

export interface ComputeClientsOptions {
  credential: TokenCredential;
  /** Resource Manager endpoint; default the public cloud. */
  arm?: ArmEndpoint;
  /** Subscriptions whose disks may be snapshotted; undefined = any the credential can reach. */
  subscriptions?: readonly string[];
  retry?: ComputeRetryOptions;
}

export const DEFAULT_MAX_RETRIES = 3;

export function createComputeClients(options: ComputeClientsOptions): ComputeClients {
  const clients = new Map<string, ComputeManagementClient>();
  const allowed = options.subscriptions?.map((s) => s.toLowerCase());
  const endpointOptions = options.arm === undefined ? {} : armClientOptions(options.arm);
  const retryOptions = {
    maxRetries: options.retry?.maxRetries ?? DEFAULT_MAX_RETRIES,
    ...(options.retry?.retryDelayInMs !== undefined ? { retryDelayInMs: options.retry.retryDelayInMs } : {}),
    ...(options.retry?.maxRetryDelayInMs !== undefined
      ? { maxRetryDelayInMs: options.retry.maxRetryDelayInMs }
      : {}),
  };
  return {
    subscriptions: options.subscriptions,
    forSubscription(subscriptionId) {
      const key = subscriptionId.toLowerCase();
      if (allowed !== undefined && !allowed.includes(key)) return undefined;
      let client = clients.get(key);
      if (client === undefined) {
        client = new ComputeManagementClient(options.credential, subscriptionId, {
          ...endpointOptions,
          retryOptions,
        });
        clients.set(key, client);
      }
      return client;
    },
  };
}
