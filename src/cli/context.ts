// What every engine command needs from the config: the catalog in the configured (or embedded)
// storage and connections to registered clusters, opened once and closed when the command ends.
import { readFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { type ArmEndpoint, armClientOptions, StaticTokenCredential } from "../azure/arm-endpoint.js";
import type { VolumeDeps } from "../backup/run.js";
import type { Cluster } from "../kube/cluster.js";
import { type ArmAccess, connectCluster } from "../kube/connect.js";
import type { BackupInstance } from "../model/backup-instance.js";
import type { Config } from "../model/config.js";
import { unknownNameMessage } from "../model/issues.js";
import { type EmbeddedAzurite, startAzurite } from "../store/azurite.js";
import { Catalog } from "../store/catalog.js";
import { createComputeClients } from "../volumes/compute-clients.js";
import { nodeResourceGroupOf } from "../volumes/node-resource-group.js";
import { SnapshotRateGuard } from "../volumes/rate-guard.js";
import { DEFAULT_CONFIG_FILE, loadConfig } from "./config-file.js";

export class UsageError extends Error {
  readonly code = "UsageError";
  override name = "UsageError";
}

export interface CliContext {
  config: Config;
  catalog: Catalog;
  instance(name: string): BackupInstance;
  connect(clusterName: string): Promise<Cluster>;
  /** Azure access for an instance's volume snapshots (never throws: problems become the reason). */
  volumeDeps(instance: BackupInstance): Promise<VolumeDeps>;
  close(): Promise<void>;
}

export async function openContext(options: { config?: string }): Promise<CliContext> {
  const configPath = resolve(options.config ?? DEFAULT_CONFIG_FILE);
  const config = await loadConfig(configPath);
  let azurite: EmbeddedAzurite | undefined;
  let service: BlobServiceClient;
  if (config.storage?.connectionString) {
    service = BlobServiceClient.fromConnectionString(config.storage.connectionString);
  } else if (config.storage?.accountUrl) {
    service = new BlobServiceClient(config.storage.accountUrl, new DefaultAzureCredential());
  } else {
    azurite = await startAzurite({ dataDir: join(dirname(configPath), ".data", "azurite") });
    service = BlobServiceClient.fromConnectionString(azurite.connectionString);
  }
  const catalog = new Catalog(service.getContainerClient(config.storage?.container ?? "aks-backups"));
  const clusters: Cluster[] = [];
  let arm: Promise<AzureAccess> | undefined;
  const rateGuard = new SnapshotRateGuard({ clock: () => Date.now() });

  return {
    config,
    catalog,
    instance(name) {
      const found = config.instances.find((i) => i.name === name);
      if (!found) {
        throw new UsageError(
          unknownNameMessage(
            "instance",
            name,
            config.instances.map((i) => i.name),
          ),
        );
      }
      return found;
    },
    async connect(clusterName) {
      const spec = config.clusters.find((c) => c.name === clusterName);
      if (!spec)
        throw new UsageError(
          unknownNameMessage(
            "cluster",
            clusterName,
            config.clusters.map((c) => c.name),
          ),
        );
      arm ??= armAccess(config);
      const cluster = await connectCluster(
        {
          name: spec.name,
          ...(spec.kubeconfig ? { kubeconfig: spec.kubeconfig } : {}),
          ...(spec.context ? { context: spec.context } : {}),
          ...(spec.aksResourceId ? { aksResourceId: spec.aksResourceId } : {}),
        },
        { arm: await arm, qps: spec.qps ?? config.kube.qps, burst: spec.burst ?? config.kube.burst },
      );
      clusters.push(cluster);
      return cluster;
    },
    async volumeDeps(instance) {
      arm ??= armAccess(config);
      const access = await arm;
      const snapshot = {
        compute: createComputeClients({
          credential: access.credential,
          ...(access.endpoint ? { arm: access.endpoint } : {}),
        }),
        rateGuard,
      };
      if (instance.snapshotResourceGroup)
        return { snapshot, snapshotResourceGroup: instance.snapshotResourceGroup };
      const aksId = config.clusters.find((c) => c.name === instance.cluster)?.aksResourceId;
      if (!aksId) {
        return {
          snapshot,
          missingGroupReason: `instance ${instance.name} has no snapshotResourceGroup and cluster ${instance.cluster} no aksResourceId to find its node resource group`,
        };
      }
      try {
        return { snapshot, snapshotResourceGroup: await nodeResourceGroupOf(aksId, access) };
      } catch (error) {
        return {
          snapshot,
          missingGroupReason: `cannot read the node resource group of ${aksId}: ${(error as Error).message}`,
        };
      }
    },
    async close() {
      for (const cluster of clusters) cluster.close();
      await azurite?.stop();
    },
  };
}

interface AzureAccess extends ArmAccess {
  /** A non-public Resource Manager endpoint (the simulator's, a sovereign cloud) and its CA. */
  endpoint?: ArmEndpoint;
}

async function armAccess(config: Config): Promise<AzureAccess> {
  const azure = config.azure;
  const credential: TokenCredential = azure?.credential
    ? new StaticTokenCredential((await readFile(azure.credential.tokenFile, "utf8")).trim())
    : new DefaultAzureCredential();
  if (!azure?.resourceManagerEndpoint) return { credential };
  const caCert = azure.caFile ? await readFile(azure.caFile, "utf8") : undefined;
  const endpoint: ArmEndpoint = { endpoint: azure.resourceManagerEndpoint, ...(caCert ? { caCert } : {}) };
  return { credential, endpoint, clientOptions: armClientOptions(endpoint) };
}
