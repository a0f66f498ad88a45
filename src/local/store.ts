// Where the local runtime keeps instance state across restarts: one JSON document per instance,
// in memory (tests, one-shot CLI runs) or as blobs `runtime/instances/<encoded id>.json`.

import type { ContainerClient } from "@azure/storage-blob";
import { RestError } from "@azure/storage-blob";
import { z } from "zod";
import type { InstanceFilter, RuntimeStatus } from "../orchestrations/client.js";
import { readBlob } from "../store/blob-body.js";
import type { HistoryEvent } from "./history.js";
import type { Work } from "./instance.js";

export const RUNTIME_STATUSES = [
  "Pending",
  "Running",
  "Completed",
  "ContinuedAsNew",
  "Failed",
  "Terminated",
  "Canceled",
  "Suspended",
] as const satisfies readonly RuntimeStatus[];

/** Everything a restart needs: the replay inputs, the outstanding work and the status fields. */
export interface StoredInstance {
  readonly formatVersion: 1;
  readonly instanceId: string;
  readonly name: string;
  readonly input?: unknown;
  readonly parentId: string;
  readonly runtimeStatus: RuntimeStatus;
  readonly createdTime: string;
  readonly lastUpdatedTime: string;
  readonly customStatus?: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly history: readonly HistoryEvent[];
  readonly records: readonly { readonly id: number; readonly key: string }[];
  readonly nextId: number;
  readonly work: readonly ({ readonly id: number } & Work)[];
  /** Events raised but not yet in the history. */
  readonly raised: readonly HistoryEvent[];
}

export interface InstanceStore {
  save(instance: StoredInstance): Promise<void>;
  load(instanceId: string): Promise<StoredInstance | undefined>;
  /** All stored instances; the filter may be applied (callers filter again). */
  list(filter?: InstanceFilter): Promise<StoredInstance[]>;
}

const MAX_ID_LENGTH = 256;

/** Durable Functions' rules for instance ids: 1–256 characters, no `/ \ # ?` or control characters. */
export function instanceIdProblem(instanceId: string): string | undefined {
  if (instanceId.length === 0) return "an instance id cannot be empty";
  if (instanceId.length > MAX_ID_LENGTH)
    return `instance id ${instanceId.slice(0, 40)}… is longer than ${MAX_ID_LENGTH} characters`;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we refuse
  if (/[/\\#?\u0000-\u001f\u007f]/.test(instanceId))
    return `instance id ${JSON.stringify(instanceId)} contains / \\ # ? or a control character`;
  return undefined;
}

export function matchesFilter(
  status: { runtimeStatus: RuntimeStatus; createdTime: string },
  filter: InstanceFilter = {},
): boolean {
  const created = Date.parse(status.createdTime);
  if (filter.createdFrom && created < filter.createdFrom.getTime()) return false;
  if (filter.createdTo && created > filter.createdTo.getTime()) return false;
  return !filter.runtimeStatus || filter.runtimeStatus.includes(status.runtimeStatus);
}

const eventSchema = z.looseObject({
  EventType: z.number().int(),
  EventId: z.number().int(),
  IsPlayed: z.boolean(),
  Timestamp: z.string(),
});
const actionSchema = z.looseObject({ actionType: z.number().int() });
const retrySchema = z.object({ action: actionSchema, attempt: z.number().int() });
const workSchema = z.discriminatedUnion("kind", [
  z.object({ id: z.number().int(), kind: z.literal("activity"), action: actionSchema, attempt: z.number() }),
  z.object({
    id: z.number().int(),
    kind: z.literal("timer"),
    fireAt: z.number(),
    retry: retrySchema.optional(),
  }),
  z.object({
    id: z.number().int(),
    kind: z.literal("child"),
    action: actionSchema,
    childId: z.string(),
    attempt: z.number(),
  }),
]);
const storedSchema = z.object({
  formatVersion: z.literal(1),
  instanceId: z.string(),
  name: z.string(),
  input: z.unknown().optional(),
  parentId: z.string(),
  runtimeStatus: z.enum(RUNTIME_STATUSES),
  createdTime: z.iso.datetime(),
  lastUpdatedTime: z.iso.datetime(),
  customStatus: z.unknown().optional(),
  output: z.unknown().optional(),
  error: z.string().optional(),
  history: z.array(eventSchema),
  records: z.array(z.object({ id: z.number().int(), key: z.string() })),
  nextId: z.number().int(),
  work: z.array(workSchema),
  raised: z.array(eventSchema),
});

/** Parses a stored document; the error names where it came from. */
export function parseStoredInstance(json: string, source: string): StoredInstance {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = storedSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${source} is not a runtime instance document: ${issue?.path.join(".")}: ${issue?.message}`,
    );
  }
  // The schema checks the shape; event types and actions are the runtime's own writes.
  return parsed.data as unknown as StoredInstance;
}

/** Keeps documents in this process only (JSON copies, so callers never share state with it). */
export class MemoryInstanceStore implements InstanceStore {
  readonly #documents = new Map<string, string>();

  async save(instance: StoredInstance): Promise<void> {
    this.#documents.set(instance.instanceId, JSON.stringify(instance));
  }

  async load(instanceId: string): Promise<StoredInstance | undefined> {
    const json = this.#documents.get(instanceId);
    return json === undefined ? undefined : parseStoredInstance(json, `instance ${instanceId}`);
  }

  async list(filter?: InstanceFilter): Promise<StoredInstance[]> {
    return [...this.#documents.entries()]
      .map(([id, json]) => parseStoredInstance(json, `instance ${id}`))
      .filter((s) => matchesFilter(s, filter));
  }
}

export const INSTANCE_PREFIX = "runtime/instances/";
const SUFFIX = ".json";
const LIST_DOWNLOADS = 16;

/**
 * The blob of an instance. encodeURIComponent leaves no `/` and the `.json` suffix means a segment
 * is never `.` or `..`, so no id can name a blob outside the prefix.
 */
export function instanceBlobName(instanceId: string): string {
  const problem = instanceIdProblem(instanceId);
  if (problem) throw new Error(`Cannot store instance: ${problem}`);
  return `${INSTANCE_PREFIX}${encodeURIComponent(instanceId)}${SUFFIX}`;
}

/** One block blob per instance, with status and creation time as metadata for cheap filtering. */
export class BlobInstanceStore implements InstanceStore {
  #ensured?: Promise<unknown>;

  constructor(private readonly container: ContainerClient) {}

  async save(instance: StoredInstance): Promise<void> {
    await this.#ensureContainer();
    const body = JSON.stringify(instance);
    const blob = this.container.getBlockBlobClient(instanceBlobName(instance.instanceId));
    await blob.upload(body, Buffer.byteLength(body), {
      blobHTTPHeaders: { blobContentType: "application/json" },
      metadata: { runtimestatus: instance.runtimeStatus, createdtime: instance.createdTime },
    });
  }

  async load(instanceId: string): Promise<StoredInstance | undefined> {
    return this.#download(instanceBlobName(instanceId));
  }

  async list(filter?: InstanceFilter): Promise<StoredInstance[]> {
    const names: string[] = [];
    try {
      for await (const blob of this.container.listBlobsFlat({
        prefix: INSTANCE_PREFIX,
        includeMetadata: true,
      })) {
        const meta = blob.metadata ?? {};
        const status = meta.runtimestatus as RuntimeStatus | undefined;
        const created = meta.createdtime;
        if (status && created && !matchesFilter({ runtimeStatus: status, createdTime: created }, filter))
          continue;
        names.push(blob.name);
      }
    } catch (error) {
      if (error instanceof RestError && error.code === "ContainerNotFound") return [];
      throw error;
    }
    const found: StoredInstance[] = [];
    for (let i = 0; i < names.length; i += LIST_DOWNLOADS) {
      const batch = await Promise.all(names.slice(i, i + LIST_DOWNLOADS).map((n) => this.#download(n)));
      for (const stored of batch) if (stored && matchesFilter(stored, filter)) found.push(stored);
    }
    return found;
  }

  async #download(blobName: string): Promise<StoredInstance | undefined> {
    let body: Buffer;
    try {
      // One GET reads one version whole (an instance saved meanwhile can no longer cut it off).
      ({ body } = await readBlob(this.container.getBlobClient(blobName)));
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
    return parseStoredInstance(
      body.toString("utf8"),
      `blob ${blobName} in container ${this.container.containerName}`,
    );
  }

  #ensureContainer(): Promise<unknown> {
    this.#ensured ??= this.container.createIfNotExists().catch((error: unknown) => {
      this.#ensured = undefined;
      throw error;
    });
    return this.#ensured;
  }
}
