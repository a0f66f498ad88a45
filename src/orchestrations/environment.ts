// What activities and API handlers reach the world through: the catalog and the definition store in
// one container, connections to the stored clusters, and Azure access for snapshots. Built once per
// process (from the config file locally, from app settings on Azure) and handed to registrations.
import { readFile } from "node:fs/promises";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import type { BlobServiceClient } from "@azure/storage-blob";
import { type ArmEndpoint, armClientOptions, StaticTokenCredential } from "../azure/arm-endpoint.js";
import { configuredDenyList, type DeniedType } from "../backup/deny-list.js";
import type { VolumeDeps } from "../backup/run.js";
import type { Cluster } from "../kube/cluster.js";
import { type ArmAccess, connectCluster } from "../kube/connect.js";
import { parseManagedClusterId, parseResourceGroupId, type ResourceGroupId } from "../model/arm-id.js";
import type { BackupInstance } from "../model/backup-instance.js";
import { type Config, KUBE_DEFAULTS } from "../model/config.js";
import { createJobNotifier, type JobNotifier, type NotificationSettings } from "../notifications/notifier.js";
import { Catalog } from "../store/catalog.js";
import { DefinitionStore } from "../store/definitions.js";
import type { SnapshotDeps } from "../volumes/azure-disk.js";
import { type ComputeClients, createComputeClients } from "../volumes/compute-clients.js";
import { nodeResourceGroupOf } from "../volumes/node-resource-group.js";
import { SnapshotRateGuard } from "../volumes/rate-guard.js";

export const DEFAULT_CONTAINER = "aks-backups";

export interface EngineSettings {
  /** `limit` of each list call. */
  readonly pageSize: number;
  readonly qps: number;
  readonly burst: number;
  readonly denyList: readonly DeniedType[];
}

export interface Environment {
  readonly catalog: Catalog;
  readonly definitions: DefinitionStore;
  readonly settings: EngineSettings;
  /** A connection to a stored cluster, opened on first use and kept until `close`. */
  connect(clusterName: string): Promise<Cluster>;
  /** Azure access for an instance's volume snapshots (never throws: problems become the reason). */
  volumeDeps(instance: BackupInstance): Promise<VolumeDeps>;
  /** Compute clients for deleting snapshots (retention, stop protection, sweep). */
  computeClients(): Promise<ComputeClients>;
  /** Publishes finished jobs' events to the configured Event Grid topic; absent: no topic. */
  readonly notifier?: JobNotifier;
  now(): Date;
  close(): Promise<void>;
}

/** How registrations get the environment: built lazily, once, on the first activity or request. */
export type EnvironmentProvider = () => Promise<Environment>;

export class UnknownClusterError extends Error {
  override name = "UnknownClusterError";
}

export interface AzureSettings {
  credential?: TokenCredential;
  /** A non-public Resource Manager endpoint (the simulator's, a sovereign cloud) and its CA. */
  endpoint?: ArmEndpoint;
}

export interface EnvironmentOptions {
  service: BlobServiceClient;
  container?: string;
  azure?: AzureSettings;
  settings?: Partial<EngineSettings>;
  /** How snapshot waits poll (tests against the Azure fake poll in milliseconds, not seconds). */
  snapshotPolling?: Pick<SnapshotDeps, "updateIntervalInMs" | "completionPollMs">;
  /**
   * Resource group id for the snapshots of instances that name none (on Azure the group infra
   * grants Disk Snapshot Contributor on); absent: the cluster's node resource group. Used only for
   * clusters in its subscription, since Azure keeps a disk's incremental snapshots in the disk's.
   */
  defaultSnapshotResourceGroup?: string;
  /** An Event Grid topic for job events, published with the Azure credential (`azure.credential`). */
  notifications?: NotificationSettings;
  now?: () => Date;
  /** Run when the environment closes (an embedded Azurite to stop, for instance). */
  onClose?: () => Promise<void>;
}

export function createEnvironment(options: EnvironmentOptions): Environment {
  const container = options.service.getContainerClient(options.container ?? DEFAULT_CONTAINER);
  const catalog = new Catalog(container);
  const definitions = new DefinitionStore(container);
  const settings: EngineSettings = {
    pageSize: options.settings?.pageSize ?? KUBE_DEFAULTS.pageSize,
    qps: options.settings?.qps ?? KUBE_DEFAULTS.qps,
    burst: options.settings?.burst ?? KUBE_DEFAULTS.burst,
    denyList: options.settings?.denyList ?? configuredDenyList(undefined),
  };
  const credential = options.azure?.credential ?? lazyDefaultCredential();
  const endpoint = options.azure?.endpoint;
  const arm: ArmAccess = endpoint
    ? { credential, clientOptions: armClientOptions(endpoint) }
    : { credential };
  const notifier = options.notifications
    ? createJobNotifier({ ...options.notifications, credential })
    : undefined;
  const clusters = new Map<string, Promise<Cluster>>();
  const rateGuard = new SnapshotRateGuard({ clock: () => Date.now() });
  let compute: ComputeClients | undefined;
  const computeClients = () => {
    compute ??= createComputeClients({ credential, ...(endpoint ? { arm: endpoint } : {}) });
    return compute;
  };

  const open = async (clusterName: string): Promise<Cluster> => {
    const stored = await definitions.get("cluster", clusterName);
    if (!stored) throw new UnknownClusterError(`cluster "${clusterName}" is not registered`);
    const spec = stored.value;
    return connectCluster(
      {
        name: spec.name,
        ...(spec.kubeconfig ? { kubeconfig: spec.kubeconfig } : {}),
        ...(spec.context ? { context: spec.context } : {}),
        ...(spec.aksResourceId ? { aksResourceId: spec.aksResourceId } : {}),
      },
      { arm, qps: spec.qps ?? settings.qps, burst: spec.burst ?? settings.burst },
    );
  };

  return {
    catalog,
    definitions,
    settings,
    connect(clusterName) {
      let found = clusters.get(clusterName);
      if (!found) {
        found = open(clusterName);
        clusters.set(clusterName, found);
        // A failed connection is not cached: the next activity (or retry) tries again.
        found.catch(() => clusters.delete(clusterName));
      }
      return found;
    },
    async volumeDeps(instance) {
      const snapshot: SnapshotDeps = { compute: computeClients(), rateGuard, ...options.snapshotPolling };
      if (instance.snapshotResourceGroup) {
        return { snapshot, snapshotResourceGroup: instance.snapshotResourceGroup };
      }
      const aksId = (await definitions.get("cluster", instance.cluster))?.value.aksResourceId;
      const fallback = options.defaultSnapshotResourceGroup;
      if (
        fallback &&
        (!aksId || sameSubscription(parseManagedClusterId(aksId), parseResourceGroupId(fallback)))
      ) {
        return { snapshot, snapshotResourceGroup: fallback };
      }
      if (!aksId) {
        return {
          snapshot,
          missingGroupReason: `instance ${instance.name} has no snapshotResourceGroup and cluster ${instance.cluster} no aksResourceId to find its node resource group`,
        };
      }
      try {
        return { snapshot, snapshotResourceGroup: await nodeResourceGroupOf(aksId, arm) };
      } catch (error) {
        return {
          snapshot,
          missingGroupReason: `cannot read the node resource group of ${aksId}: ${(error as Error).message}`,
        };
      }
    },
    async computeClients() {
      return computeClients();
    },
    ...(notifier ? { notifier } : {}),
    now: options.now ?? (() => new Date()),
    async close() {
      const open = [...clusters.values()];
      clusters.clear();
      for (const settled of await Promise.allSettled(open)) {
        if (settled.status === "fulfilled") settled.value.close();
      }
      await options.onClose?.();
    },
  };
}

/** The Azure part of a config file: a token file (simulator, tests) or DefaultAzureCredential. */
export async function azureSettingsOf(config: Pick<Config, "azure">): Promise<AzureSettings> {
  const azure = config.azure;
  const credential: TokenCredential | undefined = azure?.credential
    ? new StaticTokenCredential((await readFile(azure.credential.tokenFile, "utf8")).trim())
    : undefined;
  if (!azure?.resourceManagerEndpoint) return credential ? { credential } : {};
  const caCert = azure.caFile ? await readFile(azure.caFile, "utf8") : undefined;
  const endpoint: ArmEndpoint = { endpoint: azure.resourceManagerEndpoint, ...(caCert ? { caCert } : {}) };
  return { ...(credential ? { credential } : {}), endpoint };
}

/**
 * The config file's Event Grid topic for job events (docs/configuration.md `notifications`); the
 * `azure.caFile` CA (the simulator's) is trusted for it too.
 */
export async function notificationSettingsOf(
  config: Pick<Config, "notifications" | "azure">,
): Promise<NotificationSettings | undefined> {
  const notifications = config.notifications;
  if (!notifications) return undefined;
  const caFile = config.azure?.caFile;
  const caCert = caFile ? await readFile(caFile, "utf8") : undefined;
  return {
    topicEndpoint: notifications.eventGridTopicEndpoint,
    ...(notifications.schema ? { schema: notifications.schema } : {}),
    ...(caCert ? { caCert } : {}),
  };
}

/** Engine settings from a config file's `kube` and `backup` sections. */
export function settingsOf(config: Pick<Config, "kube" | "backup">): EngineSettings {
  return {
    pageSize: config.kube.pageSize,
    qps: config.kube.qps,
    burst: config.kube.burst,
    denyList: configuredDenyList(config.backup.deniedResourceTypes),
  };
}

// DefaultAzureCredential probes its sources when first asked for a token, not when built; building
// it lazily keeps environments that never touch Azure (the simulator with a token file) quiet.
function lazyDefaultCredential(): TokenCredential {
  let inner: DefaultAzureCredential | undefined;
  return {
    getToken(scopes, options) {
      inner ??= new DefaultAzureCredential();
      return inner.getToken(scopes, options);
    },
  };
}

/** ARM compares ids ignoring case. */
function sameSubscription(a: ResourceGroupId, b: ResourceGroupId): boolean {
  return a.subscriptionId.toLowerCase() === b.subscriptionId.toLowerCase();
}
