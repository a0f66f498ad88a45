// Every app setting of the Functions app in one table: who reads it (this app or the Functions
// host), whether it is required, its default, what it means, and whether `infra/` sets it (or why
// it deliberately does not). The app reads settings only through `appSetting`, so this table is
// the whole list; test/infra checks it against the Bicep templates and functions/README.md.
import { KUBE_DEFAULTS } from "../model/config.js";

export type SettingReader = "app" | "host";

/** Set by `infra/` (`infra/modules/function-app.bicep`), or left unset on purpose, with the reason. */
export type InfraSetting = { readonly sets: true } | { readonly sets: false; readonly reason: string };

export interface AppSettingSpec {
  readonly name: string;
  readonly readBy: SettingReader;
  /** Required for the app to work on Azure (an alternative may stand in: see the description). */
  readonly required: boolean;
  /** Used when the setting is absent or empty. */
  readonly default?: string;
  readonly description: string;
  readonly infra: InfraSetting;
}

const SET: InfraSetting = { sets: true };

export const APP_SETTINGS = [
  {
    name: "AKS_BACKUP_STORAGE_ACCOUNT_URL",
    readBy: "app",
    required: true,
    description:
      "the backup storage account's blob endpoint (`https://<account>.blob.core.windows.net`), reached with the app's managed identity",
    infra: SET,
  },
  {
    name: "AKS_BACKUP_STORAGE_CONNECTION_STRING",
    readBy: "app",
    required: false,
    description:
      "instead of the URL, for Azurite or a key-based account (kept out of logs and errors); local use only",
    infra: {
      sets: false,
      reason:
        "a connection string carries an account key; on Azure the app reaches storage with its managed identity and the account has shared keys disabled",
    },
  },
  {
    name: "AKS_BACKUP_CONTAINER",
    readBy: "app",
    required: false,
    default: "aks-backups",
    description: "container for recovery points, definitions and state",
    infra: SET,
  },
  {
    name: "AKS_BACKUP_CONFIG_BLOB",
    readBy: "app",
    required: false,
    default: "aks-backup.yaml",
    description:
      "name of a config file (the CLI's YAML: clusters, policies, instances) in the backup container, seeded into the stored definitions",
    infra: SET,
  },
  {
    name: "AKS_BACKUP_SNAPSHOT_RESOURCE_GROUP",
    readBy: "app",
    required: false,
    description:
      "resource group id for the volume snapshots of instances that name no snapshotResourceGroup (absent: the cluster's node resource group)",
    infra: SET,
  },
  {
    name: "AZURE_CLIENT_ID",
    readBy: "app",
    required: false,
    description: "client id of a user-assigned managed identity (absent: the system-assigned one)",
    infra: SET,
  },
  {
    name: "AKS_BACKUP_KUBE_QPS",
    readBy: "app",
    required: false,
    default: String(KUBE_DEFAULTS.qps),
    description: "Kubernetes client requests per second for every cluster (a cluster's own `qps` wins)",
    infra: SET,
  },
  {
    name: "AKS_BACKUP_KUBE_BURST",
    readBy: "app",
    required: false,
    default: String(KUBE_DEFAULTS.burst),
    description: "Kubernetes client burst for every cluster (a cluster's own `burst` wins)",
    infra: SET,
  },
  {
    name: "AKS_BACKUP_KUBE_PAGE_SIZE",
    readBy: "app",
    required: false,
    default: String(KUBE_DEFAULTS.pageSize),
    description: "items per Kubernetes list page",
    infra: SET,
  },
  {
    name: "AKS_BACKUP_ALLOWED_SUBSCRIPTIONS",
    readBy: "app",
    required: false,
    description:
      "comma list of subscription GUIDs the Event Grid triggers accept events from (absent: any); infra sets the protected clusters' subscriptions",
    infra: SET,
  },
  {
    name: "AKS_BACKUP_RESTORE_ENABLED",
    readBy: "app",
    required: false,
    default: "true",
    description:
      "`false`: `POST /api/restores` answers 403 (infra sets it from `enableRestore`, which also decides whether the identity may write to the clusters)",
    infra: SET,
  },
  {
    name: "AKS_BACKUP_EVENTGRID_TOPIC_ENDPOINT",
    readBy: "app",
    required: false,
    description:
      "endpoint of an Event Grid topic that receives job notifications (absent: none); the identity needs EventGrid Data Sender on it",
    infra: SET,
  },
  {
    name: "AKS_BACKUP_EVENTGRID_SCHEMA",
    readBy: "app",
    required: false,
    default: "CloudEvent",
    description: "input schema of that topic: `CloudEvent` or `EventGrid`",
    infra: SET,
  },
  {
    name: "AzureWebJobsStorage__accountName",
    readBy: "host",
    required: true,
    description: "the host's storage account (task hub, timers, keys), reached with the managed identity",
    infra: SET,
  },
  {
    name: "AzureWebJobsStorage__credential",
    readBy: "host",
    required: true,
    description: "`managedidentity`: identity-based host storage",
    infra: SET,
  },
  {
    name: "AzureWebJobsStorage__clientId",
    readBy: "host",
    required: true,
    description: "client id of the user-assigned identity the host uses for its storage",
    infra: SET,
  },
  {
    name: "AzureWebJobsStorage",
    readBy: "host",
    required: false,
    description: "the host's storage as a connection string: `UseDevelopmentStorage=true` locally",
    infra: {
      sets: false,
      reason:
        "a connection string carries an account key; on Azure the host uses AzureWebJobsStorage__accountName/__credential/__clientId",
    },
  },
  {
    name: "FUNCTIONS_WORKER_RUNTIME",
    readBy: "host",
    required: false,
    description: "`node`, for the local Functions host",
    infra: {
      sets: false,
      reason:
        "Flex Consumption takes the runtime from the site's functionAppConfig.runtime and rejects this setting",
    },
  },
  {
    name: "APPLICATIONINSIGHTS_CONNECTION_STRING",
    readBy: "host",
    required: false,
    description: "where the host sends logs, traces and requests (Application Insights)",
    infra: SET,
  },
  {
    name: "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
    readBy: "host",
    required: false,
    description:
      "`Authorization=AAD;ClientId=<identity>`: telemetry sent with Entra ID (the Application Insights resource has local auth disabled)",
    infra: SET,
  },
] as const satisfies readonly AppSettingSpec[];

export type AppSettingName = (typeof APP_SETTINGS)[number]["name"];

/** Settings this app reads itself (the rest are the Functions host's). */
export type AppReadSetting = Extract<(typeof APP_SETTINGS)[number], { readBy: "app" }>["name"];

export type Settings = Readonly<Record<string, string | undefined>>;

export class SettingsError extends Error {
  override name = "SettingsError";
}

export function settingSpec(name: AppSettingName): AppSettingSpec {
  const spec = APP_SETTINGS.find((entry) => entry.name === name);
  if (!spec) throw new SettingsError(`unknown app setting ${name}`);
  return spec;
}

/** The setting's value, or its default when absent or empty. The one way the app reads a setting. */
export function appSetting(settings: Settings, name: AppReadSetting): string | undefined {
  const value = settings[name];
  if (value !== undefined && value !== "") return value;
  return settingSpec(name).default;
}

/** A positive number setting; a malformed one is an error naming it. */
export function positiveSetting(settings: Settings, name: AppReadSetting): number | undefined {
  const text = appSetting(settings, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) {
    throw new SettingsError(`app setting ${name} must be a positive number, not "${text}"`);
  }
  return value;
}

/** `true`/`false` (any case); anything else is an error naming the setting. */
export function booleanSetting(settings: Settings, name: AppReadSetting): boolean | undefined {
  const text = appSetting(settings, name);
  if (text === undefined) return undefined;
  const lower = text.trim().toLowerCase();
  if (lower === "true") return true;
  if (lower === "false") return false;
  throw new SettingsError(`app setting ${name} must be true or false, not "${text.slice(0, 40)}"`);
}
