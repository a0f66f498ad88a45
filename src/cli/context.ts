// What every engine command needs from the config: the engine's environment (catalog, definition
// store seeded from the config file, cluster connections, Azure access) over the configured or the
// embedded storage, opened once and closed when the command ends.
import { dirname, join, resolve } from "node:path";
import { DefaultAzureCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import type { VolumeDeps } from "../backup/run.js";
import type { Cluster } from "../kube/cluster.js";
import type { BackupInstance } from "../model/backup-instance.js";
import type { Config } from "../model/config.js";
import { unknownNameMessage } from "../model/issues.js";
import {
  azureSettingsOf,
  createEnvironment,
  DEFAULT_CONTAINER,
  type Environment,
  notificationSettingsOf,
  settingsOf,
} from "../orchestrations/environment.js";
import { type EmbeddedAzurite, startAzurite } from "../store/azurite.js";
import type { Catalog } from "../store/catalog.js";
import type { SeedReport } from "../store/definitions.js";
import { DEFAULT_CONFIG_FILE, loadConfig } from "./config-file.js";

export class UsageError extends Error {
  readonly code = "UsageError";
  override name = "UsageError";
}

export interface CliContext {
  config: Config;
  configPath: string;
  env: Environment;
  catalog: Catalog;
  /** What seeding the definition store from the config file did. */
  seeded: SeedReport;
  instance(name: string): BackupInstance;
  connect(clusterName: string): Promise<Cluster>;
  /** Azure access for an instance's volume snapshots (never throws: problems become the reason). */
  volumeDeps(instance: BackupInstance): Promise<VolumeDeps>;
  close(): Promise<void>;
}

export async function openContext(options: { config?: string }): Promise<CliContext> {
  const configPath = resolve(options.config ?? DEFAULT_CONFIG_FILE);
  const config = await loadConfig(configPath);
  const env = await environmentFor(config, configPath);
  let seeded: SeedReport;
  try {
    await env.definitions.ensureContainer();
    // The config file's definitions are stored (never overwriting what the API has edited since),
    // so the CLI, `serve` and the orchestrations all read one set of definitions.
    seeded = await env.definitions.seedFromConfig(config);
    for (const { kind, name } of seeded.differsFromFile) {
      process.stderr.write(
        `aks-backup: ${kind} ${name} was edited through the API; its stored version is used, not ${configPath}'s\n`,
      );
    }
  } catch (error) {
    await env.close();
    throw error;
  }

  return {
    config,
    configPath,
    env,
    catalog: env.catalog,
    seeded,
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
      if (!config.clusters.some((c) => c.name === clusterName)) {
        throw new UsageError(
          unknownNameMessage(
            "cluster",
            clusterName,
            config.clusters.map((c) => c.name),
          ),
        );
      }
      return env.connect(clusterName);
    },
    volumeDeps: (instance) => env.volumeDeps(instance),
    close: () => env.close(),
  };
}

/** The engine environment over the config's storage, or an embedded Azurite under `.data/` beside it. */
export async function environmentFor(config: Config, configPath: string): Promise<Environment> {
  // Read before an embedded Azurite starts: an unreadable caFile then leaves nothing running.
  const notifications = await notificationSettingsOf(config);
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
  const embedded = azurite;
  return createEnvironment({
    service,
    container: config.storage?.container ?? DEFAULT_CONTAINER,
    azure: await azureSettingsOf(config),
    settings: settingsOf(config),
    ...(notifications ? { notifications } : {}),
    ...(embedded ? { onClose: () => embedded.stop() } : {}),
  });
}
