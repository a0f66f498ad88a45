// The environment of the Functions app, from its app settings: the backup storage account (reached
// with the app's managed identity) or a connection string, the container, and Kubernetes limits.
// Every setting is read through `appSetting` (src/settings/app-settings-table.ts, the one list).
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { configuredDenyList } from "../backup/deny-list.js";
import { resourceGroupIdSchema } from "../model/arm-id.js";
import { KUBE_DEFAULTS } from "../model/config.js";
import { notificationsFromSettings } from "../notifications/app-settings.js";
import {
  appSetting,
  booleanSetting,
  positiveSetting,
  type Settings,
  SettingsError,
} from "../settings/app-settings-table.js";
import { createEnvironment, DEFAULT_CONTAINER, type Environment } from "./environment.js";

export { SettingsError };

/** The app's managed identity (user-assigned when AZURE_CLIENT_ID names one), or the developer's login. */
export function appCredential(settings: Settings = process.env): TokenCredential {
  const clientId = appSetting(settings, "AZURE_CLIENT_ID");
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}

/** AKS_BACKUP_RESTORE_ENABLED: false in a deployment made without `enableRestore`. */
export function restoreEnabled(settings: Settings = process.env): boolean {
  return booleanSetting(settings, "AKS_BACKUP_RESTORE_ENABLED") ?? true;
}

/** AKS_BACKUP_CONFIG_BLOB: the config file (YAML) in the backup container, default `aks-backup.yaml`. */
export function configBlobName(settings: Settings = process.env): string {
  return appSetting(settings, "AKS_BACKUP_CONFIG_BLOB") ?? "aks-backup.yaml";
}

export function environmentFromSettings(settings: Settings = process.env): Environment {
  const credential = appCredential(settings);
  const accountUrl = appSetting(settings, "AKS_BACKUP_STORAGE_ACCOUNT_URL");
  const connectionString = appSetting(settings, "AKS_BACKUP_STORAGE_CONNECTION_STRING");
  let service: BlobServiceClient;
  if (connectionString) service = BlobServiceClient.fromConnectionString(connectionString);
  else if (accountUrl) service = new BlobServiceClient(checkedUrl(accountUrl), credential);
  else {
    throw new SettingsError(
      "app setting AKS_BACKUP_STORAGE_ACCOUNT_URL is missing: set it to the backup storage account's blob endpoint",
    );
  }
  const notifications = notificationsFromSettings({
    topicEndpoint: appSetting(settings, "AKS_BACKUP_EVENTGRID_TOPIC_ENDPOINT"),
    schema: appSetting(settings, "AKS_BACKUP_EVENTGRID_SCHEMA"),
  });
  return createEnvironment({
    service,
    container: appSetting(settings, "AKS_BACKUP_CONTAINER") ?? DEFAULT_CONTAINER,
    azure: { credential },
    settings: {
      pageSize: positiveSetting(settings, "AKS_BACKUP_KUBE_PAGE_SIZE") ?? KUBE_DEFAULTS.pageSize,
      qps: positiveSetting(settings, "AKS_BACKUP_KUBE_QPS") ?? KUBE_DEFAULTS.qps,
      burst: positiveSetting(settings, "AKS_BACKUP_KUBE_BURST") ?? KUBE_DEFAULTS.burst,
      denyList: configuredDenyList(undefined),
    },
    ...snapshotGroupOf(settings),
    ...(notifications ? { notifications } : {}),
  });
}

function checkedUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SettingsError(`app setting AKS_BACKUP_STORAGE_ACCOUNT_URL is not a URL: "${text}"`);
  }
  if (url.protocol !== "https:") {
    throw new SettingsError(`app setting AKS_BACKUP_STORAGE_ACCOUNT_URL must be https: "${url.origin}"`);
  }
  return url.origin;
}

function snapshotGroupOf(settings: Settings): { defaultSnapshotResourceGroup?: string } {
  const id = appSetting(settings, "AKS_BACKUP_SNAPSHOT_RESOURCE_GROUP")?.trim();
  if (!id) return {};
  const parsed = resourceGroupIdSchema.safeParse(id);
  if (!parsed.success) {
    throw new SettingsError(
      `app setting AKS_BACKUP_SNAPSHOT_RESOURCE_GROUP must be a resource group id (/subscriptions/<guid>/resourceGroups/<name>), not "${id.slice(0, 200)}"`,
    );
  }
  return { defaultSnapshotResourceGroup: parsed.data };
}
