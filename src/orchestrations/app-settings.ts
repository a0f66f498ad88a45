// The environment of the Functions app, from its app settings: the backup storage account (reached
// with the app's managed identity) or a connection string, the container, and Kubernetes limits.
import { DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { BlobServiceClient } from "@azure/storage-blob";
import { configuredDenyList } from "../backup/deny-list.js";
import { KUBE_DEFAULTS } from "../model/config.js";
import { createEnvironment, DEFAULT_CONTAINER, type Environment } from "./environment.js";

export class SettingsError extends Error {
  override name = "SettingsError";
}

type Settings = Readonly<Record<string, string | undefined>>;

/** The app's managed identity (user-assigned when AZURE_CLIENT_ID names one), or the developer's login. */
export function appCredential(settings: Settings = process.env): TokenCredential {
  const clientId = settings.AZURE_CLIENT_ID;
  return new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {});
}

export function environmentFromSettings(settings: Settings = process.env): Environment {
  const credential = appCredential(settings);
  const accountUrl = settings.AKS_BACKUP_STORAGE_ACCOUNT_URL;
  const connectionString = settings.AKS_BACKUP_STORAGE_CONNECTION_STRING;
  let service: BlobServiceClient;
  if (connectionString) service = BlobServiceClient.fromConnectionString(connectionString);
  else if (accountUrl) service = new BlobServiceClient(checkedUrl(accountUrl), credential);
  else {
    throw new SettingsError(
      "app setting AKS_BACKUP_STORAGE_ACCOUNT_URL is missing: set it to the backup storage account's blob endpoint",
    );
  }
  return createEnvironment({
    service,
    container: settings.AKS_BACKUP_CONTAINER || DEFAULT_CONTAINER,
    azure: { credential },
    settings: {
      pageSize: positive(settings, "AKS_BACKUP_KUBE_PAGE_SIZE", KUBE_DEFAULTS.pageSize),
      qps: positive(settings, "AKS_BACKUP_KUBE_QPS", KUBE_DEFAULTS.qps),
      burst: positive(settings, "AKS_BACKUP_KUBE_BURST", KUBE_DEFAULTS.burst),
      denyList: configuredDenyList(undefined),
    },
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

function positive(settings: Settings, name: string, fallback: number): number {
  const text = settings[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new SettingsError(`app setting ${name} must be a positive number, not "${text}"`);
  }
  return value;
}
