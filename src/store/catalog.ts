// The recovery-point catalog in a blob container: `<instance>/<id>/` holds the archive, the
// resource list and the log, and `manifest.json`, written last and only once, makes it exist.
import type { Readable } from "node:stream";
import { type ContainerClient, RestError } from "@azure/storage-blob";
import { type RecoveryPointManifest, recoveryPointManifestSchema } from "../model/recovery-point.js";
import { parseRecoveryPointId } from "./recovery-point-id.js";

export const ARCHIVE_BLOB = "resources.tar.gz";
export const MANIFEST_BLOB = "manifest.json";
export const RESOURCE_LIST_BLOB = "resource-list.json.gz";
export const LOG_BLOB = "log.ndjson.gz";

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

  /** Streams a file of a recovery point (archive, resource list, log) into its blob. */
  async uploadFile(id: string, file: string, body: Readable, options: CallOptions = {}): Promise<string> {
    const name = this.blobName(id, file);
    await this.container.getBlockBlobClient(name).uploadStream(body, 4 * 1024 * 1024, 4, {
      abortSignal: options.abortSignal,
      blobHTTPHeaders: {
        blobContentType: file.endsWith(".gz") ? "application/gzip" : "application/octet-stream",
      },
    });
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

  /** Committed recovery points of an instance, newest first; uncommitted ones are not listed. */
  async listRecoveryPoints(instance: string, options: CallOptions = {}): Promise<RecoveryPointManifest[]> {
    const ids: string[] = [];
    for await (const blob of this.container.listBlobsFlat({
      prefix: `${instance}/`,
      abortSignal: options.abortSignal,
    })) {
      const [owner, id, file] = blob.name.split("/");
      if (
        owner === instance &&
        id &&
        file === MANIFEST_BLOB &&
        parseRecoveryPointId(id)?.instance === instance
      ) {
        ids.push(id);
      }
    }
    const manifests = await Promise.all(ids.map((id) => this.getManifest(id, options)));
    return manifests
      .filter((m): m is RecoveryPointManifest => m !== undefined)
      .sort((a, b) => b.startTime.localeCompare(a.startTime) || b.id.localeCompare(a.id));
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

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}
