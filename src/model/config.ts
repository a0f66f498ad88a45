// The whole configuration (storage, Azure access, Kubernetes client limits, clusters, policies,
// instances) with the checks that span lists: unique names and instances naming real clusters/policies.
import { z } from "zod";
import { guidSchema } from "./arm-id.js";
import { backupInstanceSchema } from "./backup-instance.js";
import { clusterSchema } from "./cluster.js";
import { fieldOf, type ParseResult, parseModel, repeatedValues, unknownNameMessage } from "./issues.js";
import { policySchema } from "./policy.js";
import { resourceTypeSchema } from "./resource-type.js";
import { snapshotLimitProblems } from "./snapshot-limits.js";
import { redactSecrets, storageSchema } from "./storage.js";

function httpsUrlSchema() {
  return z.string().superRefine((text, ctx) => {
    let protocol: string | undefined;
    try {
      protocol = new URL(text).protocol;
    } catch {
      protocol = undefined;
    }
    if (protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `"${redactSecrets(text)}" must be an https URL` });
    }
  });
}

/**
 * Azure access. Production leaves `credential` out and signs in with DefaultAzureCredential (managed
 * identity, workload identity, or the developer's Azure CLI login); `credential.tokenFile` is a
 * fixed bearer token for the simulator and tests only.
 */
export const azureSchema = z.strictObject({
  /** Resource Manager endpoint; absent = Azure's public cloud (https://management.azure.com). */
  resourceManagerEndpoint: httpsUrlSchema().optional(),
  /** Extra CA certificate (PEM) trusted for the Resource Manager endpoint and the notifications topic. */
  caFile: z.string().min(1).optional(),
  subscriptionId: guidSchema.optional(),
  credential: z.strictObject({ tokenFile: z.string().min(1) }).optional(),
});

/**
 * Job notifications (docs/events.md "Notifications"): each finished backup and restore publishes
 * an event to this Event Grid custom topic, signed in with the `azure` credential (the identity
 * needs "EventGrid Data Sender" on the topic; access keys are never used).
 */
export const notificationsSchema = z.strictObject({
  /** The topic's endpoint, e.g. https://jobs.westeurope-1.eventgrid.azure.net/api/events. */
  eventGridTopicEndpoint: httpsUrlSchema().superRefine((text, ctx) => {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    if (url && (url.username || url.password || url.search)) {
      ctx.addIssue({
        code: "custom",
        message: `"${url.origin}${url.pathname}" must carry no query or credentials: the app signs in with its identity, never an access key`,
      });
    }
  }),
  /** The topic's input schema; default CloudEvent (CloudEvents 1.0). */
  schema: z.enum(["CloudEvent", "EventGrid"]).optional(),
});

export const KUBE_DEFAULTS = { qps: 50, burst: 100, pageSize: 500 } as const;

/** Kubernetes client limits for every cluster (a cluster's own qps/burst override them). */
export const kubeSchema = z.strictObject({
  qps: z.number().positive().default(KUBE_DEFAULTS.qps),
  burst: z.int().min(1).default(KUBE_DEFAULTS.burst),
  /** `limit` of each list call; the API server may return fewer. */
  pageSize: z.int().min(1).max(10_000).default(KUBE_DEFAULTS.pageSize),
});

/** Settings of every backup. */
export const backupSettingsSchema = z.strictObject({
  /**
   * Resource types no backup ever contains; replaces the built-in list (events, endpoints, leases,
   * nodes, metrics, ... see src/backup/deny-list.ts) when given.
   */
  deniedResourceTypes: z.array(resourceTypeSchema()).optional(),
});

export const configSchema = z
  .strictObject({
    /** Absent: embedded Azurite with its data under `.data/`. */
    storage: storageSchema.optional(),
    azure: azureSchema.optional(),
    notifications: notificationsSchema.optional(),
    kube: kubeSchema.prefault({}),
    backup: backupSettingsSchema.prefault({}),
    clusters: z.array(clusterSchema).default([]),
    policies: z.array(policySchema).default([]),
    instances: z.array(backupInstanceSchema).default([]),
  })
  .superRefine(
    (config, ctx) => {
      if (typeof config !== "object" || config === null) return;
      for (const list of ["clusters", "policies", "instances"] as const) {
        for (const { index, value } of repeatedValues(config[list], "name")) {
          ctx.addIssue({
            code: "custom",
            path: [list, index, "name"],
            message: `"${value}" is already the name of an earlier entry; names must be unique within ${list}`,
          });
        }
      }
      const names = (list: unknown): string[] =>
        Array.isArray(list) ? list.flatMap((entry: unknown) => fieldOf(entry, "name") ?? []) : [];
      const clusters = names(config.clusters);
      const policies = names(config.policies);
      checkSnapshotLimits(config, ctx);
      if (!Array.isArray(config.instances)) return;
      config.instances.forEach((instance: unknown, index) => {
        const cluster = fieldOf(instance, "cluster");
        if (cluster !== undefined && !clusters.includes(cluster)) {
          ctx.addIssue({
            code: "custom",
            path: ["instances", index, "cluster"],
            message: unknownNameMessage("cluster", cluster, clusters),
          });
        }
        const policy = fieldOf(instance, "policy");
        if (policy !== undefined && !policies.includes(policy)) {
          ctx.addIssue({
            code: "custom",
            path: ["instances", index, "policy"],
            message: unknownNameMessage("policy", policy, policies, "policies"),
          });
        }
      });
    },
    { when: () => true },
  );

export type Config = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type AzureSettings = z.output<typeof azureSchema>;
export type NotificationsConfig = z.output<typeof notificationsSchema>;
export type KubeSettings = z.output<typeof kubeSchema>;

/**
 * Validates a configuration object read from YAML or JSON. A key with no value (`instances:` with its
 * entries commented out) counts as absent, as YAML authors expect.
 */
export function parseConfig(input: unknown): ParseResult<Config> {
  return parseModel(configSchema, withoutNullValues(input) ?? {});
}

function withoutNullValues(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNullValues);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).filter(([, child]) => child !== null);
  return Object.fromEntries(entries.map(([key, child]) => [key, withoutNullValues(child)]));
}

/** A copy safe to print or log: connection-string keys and SAS signatures replaced with `***`. */
export function redactConfig(config: Config): Config {
  if (config.storage?.connectionString === undefined) return config;
  return {
    ...config,
    storage: { ...config.storage, connectionString: redactSecrets(config.storage.connectionString) },
  };
}

/**
 * Azure's incremental snapshot limits, for every policy an instance that snapshots volumes uses:
 * reported at the policy's schedule, once, with what to change.
 */
function checkSnapshotLimits(config: unknown, ctx: z.RefinementCtx<unknown>): void {
  const { policies, instances } = config as { policies?: unknown; instances?: unknown };
  if (!Array.isArray(policies) || !Array.isArray(instances)) return;
  const snapshotting = new Set(
    instances
      .filter((instance: unknown) => (instance as { snapshotVolumes?: unknown }).snapshotVolumes !== false)
      .map((instance: unknown) => fieldOf(instance, "policy")),
  );
  policies.forEach((policy: unknown, index) => {
    const parsed = policySchema.safeParse(policy);
    if (!parsed.success || !snapshotting.has(parsed.data.name)) return;
    for (const message of snapshotLimitProblems(parsed.data)) {
      ctx.addIssue({ code: "custom", path: ["policies", index, "schedule"], message });
    }
  });
}
