// Writes a backup archive in Velero's format 1.1.0 as a gzip stream, one item at a time: add()
// waits while the consumer is behind, so memory stays flat however large the cluster.
import { createHash } from "node:crypto";
import { type Readable, Transform, type TransformOptions } from "node:stream";
import { finished } from "node:stream/promises";
import { createGzip, type Gzip, type ZlibOptions } from "node:zlib";
import {
  checkItemIdentity,
  checkItemName,
  FORMAT_VERSION,
  ITEM_SUFFIX,
  itemDirectories,
  VERSION_FILE,
} from "./layout.js";
import {
  BLOCK_SIZE,
  END_OF_ARCHIVE,
  type FileHeaderEncoder,
  fileHeaderEncoder,
  type PathBytes,
  paddingFor,
  pathBytes,
} from "./tar-header.js";

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
  /**
   * The object's compact JSON, as parts written one after the other (e.g. the bytes the API
   * server sent); the object is serialised when absent.
   */
  json?: readonly Buffer[];
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
  /** zlib level, 1 (fastest) to 9 (smallest); default GZIP_LEVEL. */
  gzipLevel?: number;
}

// pkg/backup/item_backupper.go getFileForArchive and backup.go writeBackupVersion: Mode 0755,
// uid/gid 0, no user or group names, ModTime rounded to the second by Go's tar.Writer.
const ENTRY_MODE = 0o755;
// Entries are copied into batches handed to zlib whole, and zlib gets a large output buffer: every
// write and every full output buffer is a thread-pool round trip, and on a busy machine those
// round trips, not the compression itself, held the export back (64 KiB batches and zlib's 16 KiB
// default made a 30,000-object export take 1.5 s instead of 0.9 s).
const BATCH_BYTES = 1024 * 1024;
const ZLIB_CHUNK_BYTES = 128 * 1024;
/** Enough for the batches zlib may hold (its buffer of two, and one being compressed). */
const SPARE_BATCHES = 4;
/**
 * Level 1, not Go's default 6 that Velero uses (any level reads the same): at 6 compression was
 * the bottleneck of the export (300,000 objects: 7.6 s, and 2.1 s of it waiting for zlib, against
 * 5.7 s at level 1 and 6.7 s at 4), for archives a third smaller (24.2 MB at 6, 28.7 MB at 4,
 * 36.6 MB at 1). A backup job's time matters more than a few megabytes of blob storage.
 */
export const GZIP_LEVEL = 1;

/**
 * The archive is `stream`: hand it to the upload and call add() for each item, awaiting each
 * call; then finish(). A failed or aborted writer destroys `stream` with the error, so an upload
 * reading it fails rather than committing a truncated archive.
 */
export class ArchiveWriter {
  /** The gzip bytes of the archive. */
  readonly stream: Readable;
  readonly #gzip: Gzip;
  readonly #output: Transform;
  readonly #header: FileHeaderEncoder;
  readonly #counts = new Map<string, number>();
  readonly #signal: AbortSignal | undefined;
  readonly #onAbort = () => this.abort(abortReason(this.#signal));
  readonly #digest: () => string;
  #batch: Buffer = Buffer.allocUnsafe(BATCH_BYTES);
  #batchBytes = 0;
  /** Filled batches not yet written. */
  #full: Buffer[] = [];
  /** Batches zlib is done with, to fill again. */
  readonly #spare: Buffer[] = [];
  #itemCount = 0;
  #sizeBytes = 0;
  #checkedType: Omit<ArchiveItem, "name" | "object"> | undefined;
  /** The checked type's item directories by namespace ("" for cluster-scoped items). */
  readonly #directories = new Map<string, readonly ItemDirectory[]>();
  #lastDirectories: { namespace: string; directories: readonly ItemDirectory[] } | undefined;
  /** The namespace of the last item whose name passed the check. */
  #checkedNamespace: string | undefined;
  #countedType: CountedType | undefined;
  #failure: Error | undefined;
  #finishing: Promise<ArchiveSummary> | undefined;

  constructor(options: ArchiveWriterOptions) {
    const time = options.createdAt.getTime();
    if (Number.isNaN(time)) throw new RangeError("ArchiveWriter needs a valid createdAt date");
    this.#header = fileHeaderEncoder({ mode: ENTRY_MODE, mtime: Math.round(time / 1000) });
    // zlib's streams take Transform's options too (Node's typings leave them out).
    const zlibOptions: ZlibOptions & TransformOptions = {
      level: options.gzipLevel ?? GZIP_LEVEL,
      chunkSize: ZLIB_CHUNK_BYTES,
      // Room for a batch in front of zlib, so JavaScript builds the next while zlib compresses.
      writableHighWaterMark: 2 * BATCH_BYTES,
    };
    this.#gzip = createGzip(zlibOptions);
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
      this.#gzip.destroy();
    });
    this.#gzip.pipe(this.#output);
    this.#signal = options.abortSignal;
    if (this.#signal?.aborted) this.abort(abortReason(this.#signal));
    this.#signal?.addEventListener("abort", this.#onAbort, { once: true });
    // Velero writes metadata/version before any item.
    this.#pushEntry(VERSION_FILE, [Buffer.from(`${FORMAT_VERSION}\n`)]);
  }

  /**
   * Adds an item at both of Velero's paths. Resolves once the bytes are accepted; await it before
   * the next call. Throws UnsafeItemError (and writes nothing) for a name that could escape its
   * directory; the writer stays usable.
   */
  async add(item: ArchiveItem): Promise<void> {
    if (!this.write(item)) await this.drained();
  }

  /**
   * As add, without a promise per item: false when the consumer is behind, and the caller must
   * await drained() before writing more. Exports write hundreds of thousands of items, and an
   * await per item costs more than building its tar entries.
   */
  write(item: ArchiveItem): boolean {
    this.#checkOpen();
    this.#checkIdentity(item);
    const body = item.json ?? [encodeObject(item)];
    let size = 0;
    for (const part of body) size += part.length;
    for (const directory of this.#directoriesOf(item)) this.#pushItemEntry(directory, item.name, body, size);
    this.#count(item);
    this.#itemCount++;
    return this.#full.length === 0 || this.#writeFull();
  }

  /** Resolves when the consumer has caught up (see write); rejects if the writer failed. */
  drained(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (!this.#gzip.writableNeedDrain) return Promise.resolve();
    return this.#drained();
  }

  /**
   * Ends the archive. Resolves when every compressed byte has passed through `stream` (so it
   * needs a reader); await the upload separately.
   */
  finish(): Promise<ArchiveSummary> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#finishing ??= (async () => {
      this.#copy(END_OF_ARCHIVE);
      if (this.#batchBytes > 0) this.#full.push(this.#batch.subarray(0, this.#batchBytes));
      this.#writeFull();
      this.#gzip.end();
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

  /** Copies bytes into the open batch, closing it into #full whenever it fills up. */
  #copy(bytes: Buffer): void {
    if (bytes.length < BATCH_BYTES - this.#batchBytes) {
      this.#batch.set(bytes, this.#batchBytes);
      this.#batchBytes += bytes.length;
      return;
    }
    let from = 0;
    while (from < bytes.length) {
      const n = bytes.copy(this.#batch, this.#batchBytes, from);
      from += n;
      this.#batchBytes += n;
      if (this.#batchBytes === BATCH_BYTES) this.#closeBatch();
    }
  }

  #zeros(count: number): void {
    let left = count;
    while (left > 0) {
      const n = Math.min(left, BATCH_BYTES - this.#batchBytes);
      // Uint8Array's fill: Buffer's own checks its arguments at a cost that shows per entry.
      fillZeros(this.#batch, this.#batchBytes, this.#batchBytes + n);
      this.#batchBytes += n;
      left -= n;
      if (this.#batchBytes === BATCH_BYTES) this.#closeBatch();
    }
  }

  #closeBatch(): void {
    this.#full.push(this.#batch);
    this.#batch = this.#spare.pop() ?? Buffer.allocUnsafe(BATCH_BYTES);
    this.#batchBytes = 0;
  }

  /**
   * Keeps a batch zlib has consumed for the next: a new megabyte per batch left hundreds of dead
   * ones to the garbage collector, which raised the peak RSS of large exports by tens of MB.
   */
  #reuse(batch: Buffer): void {
    if (batch.length === BATCH_BYTES && this.#spare.length < SPARE_BATCHES) this.#spare.push(batch);
  }

  /** Hands the closed batches to zlib; false when it asks us to wait. */
  #writeFull(): boolean {
    let ok = true;
    for (const batch of this.#full) ok = this.#gzip.write(batch, () => this.#reuse(batch));
    this.#full = [];
    return ok;
  }

  /** An item's entry in `directory`: its header laid out in place when the path allows. */
  #pushItemEntry(directory: ItemDirectory, name: string, body: readonly Buffer[], size: number): void {
    if (
      directory.bytes === undefined ||
      BATCH_BYTES - this.#batchBytes < BLOCK_SIZE ||
      !this.#header.encodeJoinedInto(this.#batch, this.#batchBytes, directory.bytes, name, SUFFIX, size)
    ) {
      this.#pushEntry(`${directory.path}${name}${ITEM_SUFFIX}`, body);
      return;
    }
    this.#batchBytes += BLOCK_SIZE;
    if (this.#batchBytes === BATCH_BYTES) this.#closeBatch();
    for (const part of body) this.#copy(part);
    this.#zeros(paddingFor(size));
  }

  /** The item's two directories (see itemDirectories), kept per namespace for its type. */
  #directoriesOf(item: ArchiveItem): readonly ItemDirectory[] {
    const namespace = item.namespace ?? "";
    const last = this.#lastDirectories;
    if (last?.namespace === namespace) return last.directories;
    let directories = this.#directories.get(namespace);
    if (!directories) {
      directories = itemDirectories({ ...item, namespace }).map((path) => ({ path, bytes: pathBytes(path) }));
      this.#directories.set(namespace, directories);
    }
    this.#lastDirectories = { namespace, directories };
    return directories;
  }

  #pushEntry(path: string, body: readonly Buffer[]): void {
    let size = 0;
    for (const part of body) size += part.length;
    // Most headers are built in place; the others (long or non-ASCII paths) are copied in.
    if (
      BATCH_BYTES - this.#batchBytes < BLOCK_SIZE ||
      !this.#header.encodeInto(this.#batch, this.#batchBytes, path, size)
    ) {
      this.#copy(this.#header.encode(path, size));
    } else {
      this.#batchBytes += BLOCK_SIZE;
      if (this.#batchBytes === BATCH_BYTES) this.#closeBatch();
    }
    for (const part of body) this.#copy(part);
    this.#zeros(paddingFor(size));
  }

  /** checkItemIdentity, with the type's part checked once per run of items of one type. */
  #checkIdentity(item: ArchiveItem): void {
    const last = this.#checkedType;
    if (
      last !== undefined &&
      last.group === item.group &&
      last.version === item.version &&
      last.resource === item.resource &&
      last.kind === item.kind
    ) {
      // Items come in runs of one namespace: its check holds for the whole run.
      checkItemName(item, item.namespace === this.#checkedNamespace);
      this.#checkedNamespace = item.namespace;
      return;
    }
    checkItemIdentity(item);
    this.#checkedNamespace = item.namespace;
    this.#directories.clear();
    this.#lastDirectories = undefined;
    this.#checkedType = {
      group: item.group,
      version: item.version,
      resource: item.resource,
      kind: item.kind,
    };
  }

  #count(item: ArchiveItem): void {
    const last = this.#countedType;
    if (
      last === undefined ||
      last.group !== item.group ||
      last.version !== item.version ||
      last.kind !== item.kind
    ) {
      const key = `${item.group === "" ? "" : `${item.group}/`}${item.version}/${item.kind}`;
      this.#countedType = { group: item.group, version: item.version, kind: item.kind, key };
    }
    const key = (this.#countedType as CountedType).key;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  #drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const settle = () => {
        this.#gzip.off("drain", settle);
        this.#gzip.off("close", settle);
        if (this.#failure) reject(this.#failure);
        else resolve();
      };
      this.#gzip.on("drain", settle);
      this.#gzip.on("close", settle);
    });
  }
}

interface ItemDirectory {
  path: string;
  /** Undefined when the path is not plain ASCII: such entries take the general header encoder. */
  bytes: PathBytes | undefined;
}

interface CountedType {
  group: string;
  version: string;
  kind: string;
  /** The countsByType key. */
  key: string;
}

const typedArrayFill = Uint8Array.prototype.fill;
const SUFFIX = pathBytes(ITEM_SUFFIX) as PathBytes;

function fillZeros(target: Buffer, start: number, end: number): void {
  typedArrayFill.call(target, 0, start, end);
}

function encodeObject(item: ArchiveItem): Buffer {
  // Velero marshals with json.Marshal: compact, no trailing newline.
  const json = JSON.stringify(item.object);
  if (json === undefined) throw new TypeError(`item ${item.name} has no JSON representation`);
  return Buffer.from(json);
}

function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error("the backup was aborted");
}
