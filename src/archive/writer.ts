// Writes a backup archive in Velero's format 1.1.0 as a gzip stream, one item at a time: add()
// waits while the consumer is behind, so memory stays flat however large the cluster.
import { createHash } from "node:crypto";
import { PassThrough, type Readable, Transform } from "node:stream";
import { finished } from "node:stream/promises";
import { constants, createGzip, type Gzip } from "node:zlib";
import { checkItemIdentity, FORMAT_VERSION, itemPaths, VERSION_FILE } from "./layout.js";
import { END_OF_ARCHIVE, fileHeaderEncoder, paddingFor } from "./tar-header.js";

export interface ArchiveItem {
  /** "" for the core group. */
  group: string;
  /** The version the item was listed at: the resource's preferred version. */
  version: string;
  /** Plural resource name, e.g. "deployments". */
  resource: string;
  kind: string;
  /** Absent or "" for cluster-scoped items. */
  namespace?: string;
  name: string;
  object: unknown;
}

export interface ArchiveSummary {
  /** Hex SHA-256 of the compressed bytes. */
  sha256: string;
  sizeBytes: number;
  itemCount: number;
  /** Items per type in Velero's resourceList form: "apps/v1/Deployment", "v1/Namespace". */
  countsByType: Record<string, number>;
}

export interface ArchiveWriterOptions {
  /** Modification time of every entry (Velero uses the time of writing; we take it from the job). */
  createdAt: Date;
  abortSignal?: AbortSignal;
  /** zlib level; default as Go's gzip.NewWriter (DefaultCompression, i.e. 6). */
  gzipLevel?: number;
}

// pkg/backup/item_backupper.go getFileForArchive and backup.go writeBackupVersion: Mode 0755,
// uid/gid 0, no user or group names, ModTime rounded to the second by Go's tar.Writer.
const ENTRY_MODE = 0o755;
// Entries are handed to zlib in batches: one write per small item would cost a thread-pool round
// trip each and make compression, not listing, the bottleneck.
const BATCH_BYTES = 64 * 1024;
const ZEROS = Buffer.alloc(512);

/**
 * The archive is `stream`: hand it to the upload and call add() for each item, awaiting each
 * call; then finish(). A failed or aborted writer destroys `stream` with the error, so an upload
 * reading it fails rather than committing a truncated archive.
 */
export class ArchiveWriter {
  /** The gzip bytes of the archive. */
  readonly stream: Readable;
  readonly #input: PassThrough;
  readonly #gzip: Gzip;
  readonly #output: Transform;
  readonly #header: (path: string, size: number) => Buffer;
  readonly #counts = new Map<string, number>();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.abort(abortReason(this.#signal));
  readonly #digest: () => string;
  #batch: Buffer[] = [];
  #batchBytes = 0;
  #itemCount = 0;
  #sizeBytes = 0;
  #failure: Error | undefined;
  #finishing: Promise<ArchiveSummary> | undefined;

  constructor(options: ArchiveWriterOptions) {
    const time = options.createdAt.getTime();
    if (Number.isNaN(time)) throw new RangeError("ArchiveWriter needs a valid createdAt date");
    this.#header = fileHeaderEncoder({ mode: ENTRY_MODE, mtime: Math.round(time / 1000) });
    this.#gzip = createGzip({ level: options.gzipLevel ?? constants.Z_DEFAULT_COMPRESSION });
    // Room for a few batches in front of zlib, so JavaScript builds the next while zlib compresses.
    this.#input = new PassThrough({ highWaterMark: 4 * BATCH_BYTES });
    this.#input.on("error", (error) => this.abort(error));
    this.#input.pipe(this.#gzip);
    const hash = createHash("sha256");
    this.#output = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        hash.update(chunk);
        this.#sizeBytes += chunk.length;
        callback(null, chunk);
      },
    });
    this.#digest = () => hash.digest("hex");
    this.stream = this.#output;
    this.#gzip.on("error", (error) => this.abort(error));
    // The consumer gave up (a failed upload): stop compressing and fail pending and later calls.
    this.#output.on("error", (error) => this.#fail(error));
    this.#output.on("close", () => {
      if (this.#output.writableFinished) return;
      this.#fail(new Error("the archive stream was closed before the archive was complete"));
      this.#input.destroy();
      this.#gzip.destroy();
    });
    this.#gzip.pipe(this.#output);
    this.#signal = options.abortSignal;
    if (this.#signal?.aborted) this.abort(abortReason(this.#signal));
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    // Velero writes metadata/version before any item.
    this.#pushEntry(VERSION_FILE, Buffer.from(`${FORMAT_VERSION}\n`));
  }

  /**
   * Adds an item at both of Velero's paths. Resolves once the bytes are accepted; await it before
   * the next call. Throws UnsafeItemError (and writes nothing) for a name that could escape its
   * directory; the writer stays usable.
   */
  async add(item: ArchiveItem): Promise<void> {
    this.#checkOpen();
    checkItemIdentity(item);
    const json = JSON.stringify(item.object);
    if (json === undefined) throw new TypeError(`item ${item.name} has no JSON representation`);
    // Velero marshals with json.Marshal: compact, no trailing newline.
    const body = Buffer.from(json);
    const [groupResourcePath, preferredPath] = itemPaths(item);
    this.#pushEntry(groupResourcePath, body);
    this.#pushEntry(preferredPath, body);
    const key = `${item.group === "" ? "" : `${item.group}/`}${item.version}/${item.kind}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
    this.#itemCount++;
    if (this.#batchBytes >= BATCH_BYTES && !this.#input.write(this.#takeBatch())) await this.#drained();
  }

  /**
   * Ends the archive. Resolves when every compressed byte has passed through `stream` (so it
   * needs a reader); await the upload separately.
   */
  finish(): Promise<ArchiveSummary> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#finishing ??= (async () => {
      this.#push(END_OF_ARCHIVE);
      this.#input.end(this.#takeBatch());
      try {
        await finished(this.#output, { readable: false });
      } catch (error) {
        throw this.#failure ?? error;
      }
      if (this.#failure) throw this.#failure;
      this.#signal?.removeEventListener("abort", this.#onAbort);
      return {
        sha256: this.#digest(),
        sizeBytes: this.#sizeBytes,
        itemCount: this.#itemCount,
        countsByType: Object.fromEntries(this.#counts),
      };
    })();
    return this.#finishing;
  }

  /** Stops the archive: `stream` is destroyed with the error, pending and later calls reject. */
  abort(error: Error): void {
    if (this.#failure || this.#output.writableFinished) return;
    this.#fail(error);
    this.#input.destroy();
    this.#gzip.destroy();
    this.#output.destroy(error);
  }

  #fail(error: Error): void {
    this.#failure ??= error;
    this.#signal?.removeEventListener("abort", this.#onAbort);
  }

  #checkOpen(): void {
    if (this.#failure) throw this.#failure;
    if (this.#finishing) throw new Error("the archive is finished; no more items can be added");
  }

  #push(bytes: Buffer): void {
    this.#batch.push(bytes);
    this.#batchBytes += bytes.length;
  }

  #takeBatch(): Buffer {
    const bytes = Buffer.concat(this.#batch, this.#batchBytes);
    this.#batch = [];
    this.#batchBytes = 0;
    return bytes;
  }

  #pushEntry(path: string, body: Buffer): void {
    this.#push(this.#header(path, body.length));
    this.#push(body);
    const padding = paddingFor(body.length);
    if (padding > 0) this.#push(ZEROS.subarray(0, padding));
  }

  #drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = () => {
        this.#input.off("drain", settle);
        this.#input.off("close", settle);
        if (this.#failure) reject(this.#failure);
        else resolve();
      };
      this.#input.on("drain", settle);
      this.#input.on("close", settle);
    });
  }
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error("the backup was aborted");
}
