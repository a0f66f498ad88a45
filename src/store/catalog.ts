// The recovery-point catalog in a blob container: `<instance>/<id>/` holds the archive, the
// resource list and the log, and `manifest.json`, written last and only once, makes it exist;
// `deleting.json`, written first when it is deleted, takes it out of the restorable listing.
import type { Readable } from "node:stream";
import { type ContainerClient, RestError } from "@azure/storage-blob";
import { z } from "zod";
import { type RecoveryPointManifest, recoveryPointManifestSchema } from "../model/recovery-point.js";
import { parseRecoveryPointId } from "./recovery-point-id.js";

export const ARCHIVE_BLOB = "resources.tar.gz";
export const MANIFEST_BLOB = "manifest.json";
export const RESOURCE_LIST_BLOB = "resource-list.json.gz";
export const LOG_BLOB = "log.ndjson.gz";
/** The deletion marker: present while a recovery point is being deleted (see recovery-point-deletion.ts). */
export const DELETING_BLOB = "deleting.json";

const deletionMarkerSchema = z.object({
  id: z.string(),
  reason: z.string(),
  /** ISO 8601, when the deletion was decided. */
  markedAt: z.string(),
});
export type DeletionMarker = z.infer<typeof deletionMarkerSchema>;

/** A committed recovery point and, when it is being deleted, its marker. */
export interface CatalogEntry {
  manifest: RecoveryPointManifest;
  deletion?: DeletionMarker;
}

/** What a scan of the container found under one `<instance>/<id>/` prefix. */
export interface StoredRecoveryPoint {
  instance: string;
  id: string;
  /** Every blob under the prefix. */
  blobs: string[];
  committed: boolean;
  deleting: boolean;
  /** The newest Last-Modified of its blobs: how long ago anything was written there. */
  lastModified: Date;
}

/**
 * Block size of streamed uploads. 1 MiB, not the SDK's usual 4: a backup's archive is sent while it
 * is written, and what is still buffered when the export ends is sent after it (4 MiB left up to
 * 4 MiB to send at the end: a 50,000-object backup took 6% longer). 50,000 blocks of 1 MiB still
 * allow a 48 GiB archive, several times what etcd's 8 GB limit can hold.
 */
const UPLOAD_BLOCK_BYTES = 1024 * 1024;

export class CatalogError extends Error {
  constructor(
    readonly code: "RecoveryPointExists" | "RecoveryPointNotFound" | "ManifestInvalid" | "StorageUnavailable",
    message: string,
  ) {
    super(message);
    this.name = "CatalogError";
  }
}

export interface CallOptions {
  abortSignal?: AbortSignal;
}

export class Catalog {
  constructor(readonly container: ContainerClient) {}

  async ensureContainer(options: CallOptions = {}): Promise<void> {
    try {
      await this.container.createIfNotExists({ abortSignal: options.abortSignal });
    } catch (error) {
      throw this.storageError(error, "cannot create or open the container");
    }
  }

  /** A storage failure as one clear message naming the container (never a key or SAS token). */
  storageError(error: unknown, doing: string): Error {
    if (error instanceof CatalogError || isAbort(error)) return error as Error;
    const url = new URL(this.container.url);
    const where = `${url.origin}${url.pathname}`;
    const detail =
      error instanceof RestError
        ? `${error.statusCode ?? ""} ${error.code ?? ""}`.trim() || error.message
        : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    return new CatalogError("StorageUnavailable", `storage ${where}: ${doing}: ${detail}`);
  }

  blobName(id: string, file: string): string {
    const ref = parseRecoveryPointId(id);
    if (!ref) throw new CatalogError("RecoveryPointNotFound", `"${id}" is not a recovery point id`);
    return `${ref.instance}/${id}/${file}`;
  }

  /**
   * Writes a file of a recovery point (archive, resource list, log) into its blob: a stream in
   * blocks as it is produced, bytes already in memory in one request (a streamed upload takes two
   * at least: its block, then the commit).
   */
  async uploadFile(
    id: string,
    file: string,
    body: Readable | Buffer,
    options: CallOptions = {},
  ): Promise<string> {
    const name = this.blobName(id, file);
    const blob = this.container.getBlockBlobClient(name);
    const settings = {
      abortSignal: options.abortSignal,
      blobHTTPHeaders: {
        blobContentType: file.endsWith(".gz") ? "application/gzip" : "application/octet-stream",
      },
    };
    if (Buffer.isBuffer(body)) await blob.upload(body, body.length, settings);
    else await blob.uploadStream(body, UPLOAD_BLOCK_BYTES, 4, settings);
    return name;
  }

  /** Writes the manifest once; a second commit of the same id is refused, never overwritten. */
  async commitManifest(manifest: RecoveryPointManifest, options: CallOptions = {}): Promise<void> {
    const body = JSON.stringify(recoveryPointManifestSchema.parse(manifest), null, 2);
    try {
      await this.container
        .getBlockBlobClient(this.blobName(manifest.id, MANIFEST_BLOB))
        .upload(body, Buffer.byteLength(body), {
          abortSignal: options.abortSignal,
          conditions: { ifNoneMatch: "*" },
          blobHTTPHeaders: { blobContentType: "application/json" },
        });
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) {
        throw new CatalogError("RecoveryPointExists", `recovery point ${manifest.id} is already committed`);
      }
      throw this.storageError(error, `cannot commit the manifest of ${manifest.id}`);
    }
  }

  async getManifest(id: string, options: CallOptions = {}): Promise<RecoveryPointManifest | undefined> {
    const blob = this.container.getBlockBlobClient(this.blobName(id, MANIFEST_BLOB));
    try {
      const buffer = await blob.downloadToBuffer(0, undefined, { abortSignal: options.abortSignal });
      return this.parseManifest(id, buffer);
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /**
   * Restorable recovery points of an instance, newest first: committed and not being deleted
   * (`listEntries` shows those too). Uncommitted ones are never listed.
   */
  async listRecoveryPoints(instance: string, options: CallOptions = {}): Promise<RecoveryPointManifest[]> {
    const entries = await this.listEntries(instance, options);
    return entries.filter((entry) => entry.deletion === undefined).map((entry) => entry.manifest);
  }

  /** Committed recovery points of an instance, newest first, with the marker of those being deleted. */
  async listEntries(instance: string, options: CallOptions = {}): Promise<CatalogEntry[]> {
    const committed: string[] = [];
    const deleting = new Set<string>();
    for await (const blob of this.container.listBlobsFlat({
      prefix: `${instance}/`,
      abortSignal: options.abortSignal,
    })) {
      const [owner, id, file] = blob.name.split("/");
      if (owner !== instance || !id || parseRecoveryPointId(id)?.instance !== instance) continue;
      if (file === MANIFEST_BLOB) committed.push(id);
      if (file === DELETING_BLOB) deleting.add(id);
    }
    const entries = await Promise.all(
      committed.map(async (id): Promise<CatalogEntry | undefined> => {
        const manifest = await this.getManifest(id, options);
        if (manifest === undefined) return undefined;
        const deletion = deleting.has(id) ? await this.getDeletionMarker(id, options) : undefined;
        return deletion === undefined ? { manifest } : { manifest, deletion };
      }),
    );
    return entries
      .filter((entry): entry is CatalogEntry => entry !== undefined)
      .sort(
        (a, b) =>
          b.manifest.startTime.localeCompare(a.manifest.startTime) ||
          b.manifest.id.localeCompare(a.manifest.id),
      );
  }

  /**
   * Marks a recovery point as being deleted; from now on it is not restorable. A point already
   * marked keeps its first marker (reason and time), which is returned.
   */
  async markForDeletion(
    id: string,
    reason: string,
    at: Date,
    options: CallOptions = {},
  ): Promise<DeletionMarker> {
    const marker: DeletionMarker = { id, reason, markedAt: at.toISOString() };
    const body = JSON.stringify(marker, null, 2);
    try {
      await this.container
        .getBlockBlobClient(this.blobName(id, DELETING_BLOB))
        .upload(body, Buffer.byteLength(body), {
          abortSignal: options.abortSignal,
          conditions: { ifNoneMatch: "*" },
          blobHTTPHeaders: { blobContentType: "application/json" },
        });
      return marker;
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) {
        return (await this.getDeletionMarker(id, options)) ?? marker;
      }
      throw this.storageError(error, `cannot mark ${id} for deletion`);
    }
  }

  /** The marker of a recovery point being deleted, or undefined when it is not. */
  async getDeletionMarker(id: string, options: CallOptions = {}): Promise<DeletionMarker | undefined> {
    const blob = this.container.getBlockBlobClient(this.blobName(id, DELETING_BLOB));
    let buffer: Buffer;
    try {
      buffer = await blob.downloadToBuffer(0, undefined, { abortSignal: options.abortSignal });
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw this.storageError(error, `cannot read the deletion marker of ${id}`);
    }
    const parsed = deletionMarkerSchema.safeParse(safeJson(buffer));
    // An unreadable marker still means "being deleted": the reason is what is lost.
    return parsed.success ? parsed.data : { id, reason: "unreadable deletion marker", markedAt: "" };
  }

  /**
   * Every `<instance>/<id>/` prefix in the container, committed or not, in one listing: what the
   * storage sweep works from. Blobs outside recovery-point prefixes (`config/`, `locks/`) are ignored.
   */
  async scanRecoveryPoints(options: CallOptions = {}): Promise<StoredRecoveryPoint[]> {
    const found = new Map<string, StoredRecoveryPoint>();
    try {
      for await (const blob of this.container.listBlobsFlat({ abortSignal: options.abortSignal })) {
        const [instance, id, file] = blob.name.split("/");
        if (!instance || !id || !file || parseRecoveryPointId(id)?.instance !== instance) continue;
        const key = `${instance}/${id}`;
        const modified = blob.properties.lastModified;
        let point = found.get(key);
        if (point === undefined) {
          point = { instance, id, blobs: [], committed: false, deleting: false, lastModified: modified };
          found.set(key, point);
        }
        point.blobs.push(blob.name);
        if (file === MANIFEST_BLOB) point.committed = true;
        if (file === DELETING_BLOB) point.deleting = true;
        if (modified > point.lastModified) point.lastModified = modified;
      }
    } catch (error) {
      throw this.storageError(error, "cannot list the recovery points");
    }
    return [...found.values()];
  }

  private parseManifest(id: string, buffer: Buffer): RecoveryPointManifest {
    const parsed = recoveryPointManifestSchema.safeParse(JSON.parse(buffer.toString("utf8")));
    if (!parsed.success) {
      throw new CatalogError(
        "ManifestInvalid",
        `manifest of ${id} is not valid: ${parsed.error.issues[0]?.message}`,
      );
    }
    return parsed.data;
  }
}

function safeJson(buffer: Buffer): unknown {
  try {
    return JSON.parse(buffer.toString("utf8"));
  } catch {
    return undefined;
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}
