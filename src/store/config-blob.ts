// The config file on Azure: a YAML blob in the backup container (default `aks-backup.yaml`) whose
// clusters, policies and instances are seeded into the definition store as the CLI seeds its file.
// It is re-read only when its ETag changes; a broken file changes nothing and is reported instead.
import { type ContainerClient, RestError } from "@azure/storage-blob";
import { z } from "zod";
import { parseConfig } from "../model/config.js";
import {
  type ConfigIssue,
  formatConfigIssue,
  type LocatedResult,
  parseYamlModel,
} from "../model/config-text.js";
import type { ModelIssue, ParseResult } from "../model/issues.js";
import { readBlob } from "./blob-body.js";
import type { DefinitionStore } from "./definitions.js";
import type { SeedConfig, SeedReport } from "./seed-definitions.js";

export const DEFAULT_CONFIG_BLOB = "aks-backup.yaml";
/** What the last application found, so an unchanged blob is not read or applied again. */
export const CONFIG_BLOB_STATE = "state/config-blob.json";

// Folders the app writes itself: a config blob there would be mistaken for its data.
const RESERVED_FOLDERS = ["config/", "state/", "locks/", "runtime/", "restores/"];

/**
 * Keys of the CLI's config file that the blob may not set: on Azure they come from the app
 * settings and the app's identity, and a file inside the storage cannot move the storage.
 */
const REFUSED_KEYS: Record<string, string> = {
  storage:
    "is not read from the config blob: the backup storage comes from the app settings " +
    "(AKS_BACKUP_STORAGE_ACCOUNT_URL, AKS_BACKUP_CONTAINER); remove it",
  azure:
    "is not read from the config blob: Azure access uses the Functions app's managed identity " +
    "(AZURE_CLIENT_ID for a user-assigned one); remove it",
  kube:
    "is not read from the config blob: set the app settings AKS_BACKUP_KUBE_QPS, AKS_BACKUP_KUBE_BURST " +
    "and AKS_BACKUP_KUBE_PAGE_SIZE, or qps/burst on a cluster; remove it",
  backup: "is not read from the config blob: the Functions app uses the built-in deny list; remove it",
};

export type ConfigBlobIssue = ConfigIssue;

export interface ConfigBlobOutcome {
  blob: string;
  /**
   * `absent`: no such blob, nothing to do. `applied`: seeded (see `seeded`). `invalid`: refused, no
   * definition changed (see `issues`). `failed`: storage failed; tried again at the next call.
   */
  status: "absent" | "applied" | "invalid" | "failed";
  /** False when the blob is the version already handled: this is what handling it found then. */
  changed: boolean;
  /** The ETag of the version handled. */
  etag?: string;
  /** When that version was handled (ISO). */
  at: string;
  seeded?: SeedReport;
  issues?: ConfigBlobIssue[];
  /** `invalid` and `failed`: one line per problem, `<blob>:<line>:<col>: <path>: <message>`. */
  error?: string;
}

export interface ConfigBlobTarget {
  container: ContainerClient;
  definitions: DefinitionStore;
}

export interface ApplyConfigBlobOptions {
  now?: () => Date;
  abortSignal?: AbortSignal;
  /** Where an invalid file or a failure is logged (the Functions host collects console output). */
  log?: (message: string) => void;
}

// The state is only ever written by this module; checking its outline is enough to trust it.
const stateSchema = z.looseObject({
  blob: z.string(),
  status: z.enum(["absent", "applied", "invalid", "failed"]),
  changed: z.boolean(),
  etag: z.string().optional(),
  at: z.string(),
});

/** A config blob name, checked: empty means the default; names in the app's own folders are refused. */
export function checkedConfigBlobName(setting: string | undefined): string {
  const name = setting?.trim() || DEFAULT_CONFIG_BLOB;
  if (name.startsWith("/") || RESERVED_FOLDERS.some((folder) => name.startsWith(folder))) {
    throw new Error(
      `config blob "${name}" is not allowed: it must not start with "/" or lie under ${RESERVED_FOLDERS.join(", ")}`,
    );
  }
  return name;
}

/**
 * Applies the config blob `blobName` to the definition store if it changed since the last call:
 * creates what is missing, updates what the config wrote before, never touches what the API
 * edited, and never deletes. Never throws: every problem is in the outcome (and logged).
 */
export async function applyConfigBlob(
  target: ConfigBlobTarget,
  blobName: string,
  options: ApplyConfigBlobOptions = {},
): Promise<ConfigBlobOutcome> {
  const at = (options.now ?? (() => new Date()))().toISOString();
  const call = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  let name = blobName;
  let etag: string | undefined;
  try {
    name = checkedConfigBlobName(blobName);
    const previous = await readConfigBlobState(target.container, call);
    const blob = target.container.getBlockBlobClient(name);
    let properties: Awaited<ReturnType<typeof blob.getProperties>>;
    try {
      properties = await blob.getProperties(call);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404)
        return { blob: name, status: "absent", changed: false, at };
      throw error;
    }
    if (previous?.blob === name && previous.etag !== undefined && previous.etag === properties.etag) {
      return { ...previous, changed: false };
    }
    const read = await readBlob(blob, call);
    etag = read.etag;
    const parsed = parseConfigBlob(read.body.toString("utf8"));
    let outcome: ConfigBlobOutcome;
    if (!parsed.ok) {
      const error = parsed.issues.map((issue) => formatConfigIssue(name, issue)).join("\n");
      outcome = { blob: name, status: "invalid", changed: true, etag, at, issues: parsed.issues, error };
      options.log?.(`config blob ${name} is invalid; stored definitions are unchanged:\n${error}`);
    } else {
      const seeded = await target.definitions.seedFromConfig(parsed.value, call);
      outcome = { blob: name, status: "applied", changed: true, etag, at, seeded };
      for (const failed of seeded.failed) {
        options.log?.(`config blob ${name}: ${failed.kind} ${failed.name} was not stored: ${failed.message}`);
      }
    }
    await writeConfigBlobState(target.container, outcome, call);
    return outcome;
  } catch (error) {
    // Not recorded: the next call reads the blob again.
    const message = `cannot apply config blob ${name}: ${(error as Error).message}`;
    options.log?.(message);
    return { blob: name, status: "failed", changed: true, ...(etag ? { etag } : {}), at, error: message };
  }
}

/** What the last application of a config blob found (for health reports), if any. */
export async function readConfigBlobState(
  container: ContainerClient,
  options: { abortSignal?: AbortSignal } = {},
): Promise<ConfigBlobOutcome | undefined> {
  try {
    const { body } = await readBlob(container.getBlockBlobClient(CONFIG_BLOB_STATE), options);
    const parsed = stateSchema.safeParse(JSON.parse(body.toString("utf8")));
    // A damaged state only costs one more reading of the blob.
    return parsed.success ? (parsed.data as ConfigBlobOutcome) : undefined;
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) return undefined;
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

async function writeConfigBlobState(
  container: ContainerClient,
  outcome: ConfigBlobOutcome,
  options: { abortSignal?: AbortSignal },
): Promise<void> {
  const body = JSON.stringify(outcome);
  await container.getBlockBlobClient(CONFIG_BLOB_STATE).upload(body, Buffer.byteLength(body), {
    ...options,
    blobHTTPHeaders: { blobContentType: "application/json" },
  });
}

/** YAML text to the clusters, policies and instances it defines, or every problem with its place. */
export function parseConfigBlob(text: string): LocatedResult<SeedConfig> {
  return parseYamlModel(text, (data): ParseResult<SeedConfig> => {
    // Keys the blob may not set are reported next to the schema's own problems, in one pass.
    const refused: ModelIssue[] = [];
    let input = data ?? {};
    if (typeof input === "object" && !Array.isArray(input)) {
      for (const [key, reason] of Object.entries(REFUSED_KEYS)) {
        if (key in input) refused.push({ path: [key], message: `"${key}" ${reason}` });
      }
      input = Object.fromEntries(Object.entries(input).filter(([key]) => !(key in REFUSED_KEYS)));
    }
    const result = parseConfig(input);
    if (!result.ok) return { ok: false, issues: [...refused, ...result.issues] };
    if (refused.length > 0) return { ok: false, issues: refused };
    const { clusters, policies, instances } = result.value;
    return { ok: true, value: { clusters, policies, instances } };
  });
}
