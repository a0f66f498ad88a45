// Policies, backup instances and clusters as JSON blobs under `config/` with ETag preconditions:
// create only if absent, update only with the caller's ETag, so a concurrent edit is a 409, never lost.
import type { ContainerClient } from "@azure/storage-blob";
import type { z } from "zod";
import { type BackupInstance, backupInstanceSchema } from "../model/backup-instance.js";
import { type Cluster, clusterSchema } from "../model/cluster.js";
import { parseModel, unknownNameMessage } from "../model/issues.js";
import { nameProblem } from "../model/names.js";
import { type Policy, policySchema } from "../model/policy.js";
import { readBlob } from "./blob-body.js";
import { Catalog, CatalogError } from "./catalog.js";
import {
  DefinitionConflictError,
  DefinitionError,
  DefinitionInUseError,
  DefinitionInvalidError,
  type DefinitionKind,
  isMissingBlob,
  isPreconditionFailure,
} from "./definition-errors.js";
import { type SeedConfig, type SeedReport, seedDefinitions } from "./seed-definitions.js";

export * from "./definition-errors.js";
export type { SeedConfig, SeedReport } from "./seed-definitions.js";

export interface DefinitionTypes {
  policy: Policy;
  instance: BackupInstance;
  cluster: Cluster;
}

/** Who wrote a definition last: the config file's seeding, or a user through the API. */
export type DefinitionOrigin = "config" | "api";

export interface Stored<T> {
  value: T;
  /** Absent for definitions written before origins were recorded (treated as API edits). */
  origin?: DefinitionOrigin;
  /** The blob's ETag, quoted as storage returns it; pass it back as `ifMatch` to update or delete. */
  etag: string;
}

export interface CallOptions {
  abortSignal?: AbortSignal;
}

export interface WriteOptions extends CallOptions {
  /** Absent: create, refused if the name exists. An ETag: update that version only. `*`: any version. */
  ifMatch?: string;
  /** Recorded with the blob (default `api`); seeding updates only what it wrote itself. */
  origin?: DefinitionOrigin;
}

const FOLDERS: Record<DefinitionKind, string> = {
  policy: "config/policies/",
  instance: "config/instances/",
  cluster: "config/clusters/",
};

const SCHEMAS: { [K in DefinitionKind]: z.ZodType<DefinitionTypes[K], unknown> } = {
  policy: policySchema,
  instance: backupInstanceSchema,
  cluster: clusterSchema,
};

const RETRY = "re-read it and apply your change again";

export class DefinitionStore {
  private readonly catalog: Catalog;

  constructor(readonly container: ContainerClient) {
    this.catalog = new Catalog(container);
  }

  async ensureContainer(options: CallOptions = {}): Promise<void> {
    await this.catalog.ensureContainer(options);
  }

  /** The blob of a definition; throws DefinitionInvalidError for a name that is not DNS-1123. */
  blobName(kind: DefinitionKind, name: string): string {
    const problem = nameProblem(name);
    if (problem) throw new DefinitionInvalidError(kind, name, [{ path: ["name"], message: problem }]);
    return `${FOLDERS[kind]}${name}.json`;
  }

  async get<K extends DefinitionKind>(
    kind: K,
    name: string,
    options: CallOptions = {},
  ): Promise<Stored<DefinitionTypes[K]> | undefined> {
    const blob = this.container.getBlockBlobClient(this.blobName(kind, name));
    let body: Buffer;
    let etag: string;
    let origin: string | undefined;
    try {
      ({
        body,
        etag,
        metadata: { origin },
      } = await readBlob(blob, options));
    } catch (error) {
      if (isMissingBlob(error)) return undefined;
      throw this.storageError(error, `cannot read ${kind} "${name}"`);
    }
    const value = this.decode(kind, name, body);
    return origin === "config" || origin === "api" ? { value, etag, origin } : { value, etag };
  }

  /** Every stored definition of a kind, by name. */
  async list<K extends DefinitionKind>(
    kind: K,
    options: CallOptions = {},
  ): Promise<Stored<DefinitionTypes[K]>[]> {
    const names = await this.listNames(kind, options);
    const found = await Promise.all(names.map((name) => this.get(kind, name, options)));
    return found.filter((entry): entry is Stored<DefinitionTypes[K]> => entry !== undefined);
  }

  /**
   * Validates and writes a definition. Instances must name a stored policy and cluster. Throws
   * DefinitionInvalidError (nothing written) or DefinitionConflictError (a concurrent edit).
   */
  async put<K extends DefinitionKind>(
    kind: K,
    input: unknown,
    options: WriteOptions = {},
  ): Promise<Stored<DefinitionTypes[K]>> {
    const parsed = parseModel(SCHEMAS[kind], input);
    const shownName = nameOf(input);
    if (!parsed.ok) throw new DefinitionInvalidError(kind, shownName, parsed.issues);
    const value = parsed.value;
    const name = (value as { name: string }).name;
    const blobName = this.blobName(kind, name);
    if (kind === "instance") await this.checkReferences(value as BackupInstance, options);
    const body = JSON.stringify(value, null, 2);
    const { ifMatch } = options;
    try {
      const response = await this.container
        .getBlockBlobClient(blobName)
        .upload(body, Buffer.byteLength(body), {
          abortSignal: options.abortSignal,
          conditions: ifMatch === undefined ? { ifNoneMatch: "*" } : { ifMatch },
          blobHTTPHeaders: { blobContentType: "application/json" },
          metadata: {
            origin: options.origin ?? "api",
            ...(kind === "instance" ? referencesMetadata(value as BackupInstance) : {}),
          },
        });
      return { value, etag: response.etag ?? "", origin: options.origin ?? "api" };
    } catch (error) {
      if (isPreconditionFailure(error) || (ifMatch !== undefined && isMissingBlob(error))) {
        throw new DefinitionConflictError(
          kind,
          name,
          ifMatch === undefined
            ? "already exists; to change it, read it and send it back with its ETag (If-Match)"
            : `was changed or deleted since you read it; ${RETRY}`,
        );
      }
      throw this.storageError(error, `cannot write ${kind} "${name}"`);
    }
  }

  /**
   * Deletes a definition; false when there was none (and no `ifMatch` was given). A policy or
   * cluster still used by an instance is refused with DefinitionInUseError naming the instances.
   */
  async delete(kind: DefinitionKind, name: string, options: WriteOptions = {}): Promise<boolean> {
    const blobName = this.blobName(kind, name);
    if (kind !== "instance") {
      const users = await this.instancesUsing(kind, name, options);
      if (users.length > 0) throw new DefinitionInUseError(kind, name, users);
    }
    const { ifMatch } = options;
    try {
      await this.container.getBlockBlobClient(blobName).delete({
        abortSignal: options.abortSignal,
        conditions: ifMatch === undefined || ifMatch === "*" ? undefined : { ifMatch },
      });
      return true;
    } catch (error) {
      if (isMissingBlob(error) && ifMatch === undefined) return false;
      if (isMissingBlob(error) || isPreconditionFailure(error)) {
        throw new DefinitionConflictError(kind, name, `was changed or deleted since you read it; ${RETRY}`);
      }
      throw this.storageError(error, `cannot delete ${kind} "${name}"`);
    }
  }

  /** Names of the instances that use a policy or a cluster (from blob metadata, else the body). */
  async instancesUsing(
    kind: "policy" | "cluster",
    name: string,
    options: CallOptions = {},
  ): Promise<string[]> {
    const users: string[] = [];
    try {
      for await (const blob of this.container.listBlobsFlat({
        prefix: FOLDERS.instance,
        includeMetadata: true,
        abortSignal: options.abortSignal,
      })) {
        const instance = nameInFolder(blob.name, FOLDERS.instance);
        if (instance === undefined) continue;
        let used = blob.metadata?.[kind];
        if (used === undefined) used = (await this.get("instance", instance, options))?.value[kind];
        if (used === name) users.push(instance);
      }
    } catch (error) {
      throw this.storageError(error, "cannot list backup instances");
    }
    return users.sort();
  }

  /**
   * Creates the config file's clusters, policies and instances that are not stored yet; one that
   * exists (perhaps edited through the API since) is never overwritten. Safe to run at every start.
   */
  seedFromConfig(config: SeedConfig, options: CallOptions = {}): Promise<SeedReport> {
    return seedDefinitions(this, config, options);
  }

  private async listNames(kind: DefinitionKind, options: CallOptions): Promise<string[]> {
    const names: string[] = [];
    try {
      for await (const blob of this.container.listBlobsFlat({
        prefix: FOLDERS[kind],
        abortSignal: options.abortSignal,
      })) {
        const name = nameInFolder(blob.name, FOLDERS[kind]);
        if (name !== undefined) names.push(name);
      }
    } catch (error) {
      throw this.storageError(error, `cannot list ${kind} definitions`);
    }
    return names.sort();
  }

  private async checkReferences(instance: BackupInstance, options: CallOptions): Promise<void> {
    const issues = [];
    for (const kind of ["policy", "cluster"] as const) {
      if (await this.get(kind, instance[kind], options)) continue;
      const known = await this.listNames(kind, options);
      const plural = kind === "policy" ? "policies" : "clusters";
      issues.push({ path: [kind], message: unknownNameMessage(kind, instance[kind], known, plural) });
    }
    if (issues.length > 0) throw new DefinitionInvalidError("instance", instance.name, issues);
  }

  private decode<K extends DefinitionKind>(kind: K, name: string, body: Buffer): DefinitionTypes[K] {
    let json: unknown;
    try {
      json = JSON.parse(body.toString("utf8"));
    } catch {
      json = undefined;
    }
    const parsed = parseModel(SCHEMAS[kind], json);
    if (parsed.ok && (parsed.value as { name: string }).name === name) return parsed.value;
    const detail = parsed.ok ? "its name does not match its blob" : parsed.issues[0]?.message;
    throw new DefinitionError(
      "StoredInvalid",
      kind,
      name,
      `stored ${kind} "${name}" is not valid: ${detail}`,
    );
  }

  private storageError(error: unknown, doing: string): Error {
    if (error instanceof DefinitionError || error instanceof CatalogError) return error;
    return this.catalog.storageError(error, doing);
  }
}

function nameInFolder(blobName: string, folder: string): string | undefined {
  if (!blobName.startsWith(folder) || !blobName.endsWith(".json")) return undefined;
  const name = blobName.slice(folder.length, -".json".length);
  return nameProblem(name) === undefined ? name : undefined;
}

function nameOf(input: unknown): string {
  const name = typeof input === "object" && input !== null ? (input as { name?: unknown }).name : undefined;
  return typeof name === "string" ? name : "(unnamed)";
}

function referencesMetadata(instance: BackupInstance): Record<string, string> {
  return { policy: instance.policy, cluster: instance.cluster };
}
