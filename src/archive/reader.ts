// Reads a backup archive (ours or Velero's) as a stream of items, never holding more than one entry,
// and verifies the SHA-256 of the compressed bytes; verifyArchive checks that alone, before restore.
import { createHash, type Hash } from "node:crypto";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { ArchiveFormatError, ArchiveIntegrityError } from "./errors.js";
import { parseArchivePath, READABLE_FORMAT_VERSIONS } from "./layout.js";
import { readTarEntries, type TarEntry } from "./tar-reader.js";

export type ArchiveSource = Readable | AsyncIterable<Uint8Array>;

/**
 * Which copies of each item to yield. "groupResource" (the default) is canonical: every format
 * has it, and Velero's restore enumerates items from these directories (pkg/archive/parser.go)
 * and reads them there unless its EnableAPIGroupVersions flag is on (pkg/restore/restore.go).
 * "preferredVersion" yields the `<version>-preferredversion` copies (format 1.1.0 only; the same
 * bytes); "all" yields every entry, including other version directories.
 */
export type ArchiveCopies = "groupResource" | "preferredVersion" | "all";

export interface ReadArchiveOptions {
  /** Hex SHA-256 of the compressed archive; a mismatch throws ArchiveIntegrityError at the end. */
  expectedSha256?: string;
  abortSignal?: AbortSignal;
  copies?: ArchiveCopies;
  /** Largest item accepted, in bytes (default 16 MiB; the API server's own limit is ~3 MiB). */
  maxEntryBytes?: number;
}

export interface ArchiveEntry {
  path: string;
  /** "" for the core group. */
  group: string;
  resource: string;
  /** The API version of a `<version>` or `<version>-preferredversion` directory entry. */
  version?: string;
  /** True for entries in a `<version>-preferredversion` directory. */
  preferred: boolean;
  scope: "namespaced" | "cluster";
  namespace?: string;
  name: string;
  object: Record<string, unknown>;
}

export interface ArchiveDigest {
  sha256: string;
  sizeBytes: number;
}

/**
 * Streams an archive's items. The SHA-256 is only known at the end, after items were yielded:
 * a restore must run verifyArchive first and apply nothing unless it passes.
 */
export function readArchive(source: ArchiveSource, options: ReadArchiveOptions = {}): ArchiveReader {
  return new ArchiveReader(source, options);
}

/** Reads the archive to its end without parsing it; throws ArchiveIntegrityError on a mismatch. */
export async function verifyArchive(
  source: ArchiveSource,
  expectedSha256: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<ArchiveDigest> {
  const hashing = new HashingSource(source);
  try {
    await hashing.drain(options.abortSignal);
  } finally {
    await hashing.close();
  }
  const digest = hashing.digest();
  if (digest.sha256 !== expectedSha256.toLowerCase()) {
    throw new ArchiveIntegrityError(expectedSha256, digest.sha256);
  }
  return digest;
}

export class ArchiveReader implements AsyncIterable<ArchiveEntry> {
  #formatVersion: string | undefined;
  #digest: ArchiveDigest | undefined;
  #started = false;

  constructor(
    private readonly source: ArchiveSource,
    private readonly options: ReadArchiveOptions,
  ) {}

  /** The content of metadata/version ("1.1.0"), known once the first entry has been read. */
  get formatVersion(): string | undefined {
    return this.#formatVersion;
  }

  /** SHA-256 and size of the compressed bytes, known once iteration has completed. */
  get digest(): ArchiveDigest | undefined {
    return this.#digest;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ArchiveEntry> {
    if (this.#started) throw new Error("an archive reader can be iterated only once");
    this.#started = true;
    const signal = this.options.abortSignal;
    signal?.throwIfAborted();
    const hashing = new HashingSource(this.source);
    const gunzip = createGunzip({ chunkSize: 64 * 1024 });
    const input = Readable.from(hashing, { objectMode: false });
    input.once("error", (error) => gunzip.destroy(error));
    input.pipe(gunzip);
    const onAbort = () => gunzip.destroy(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    let failure: unknown;
    let completed = false;
    try {
      const entries = readTarEntries(gunzip, {
        maxEntryBytes: this.options.maxEntryBytes ?? 16 * 1024 * 1024,
      });
      for await (const raw of entries) {
        signal?.throwIfAborted();
        const entry = this.#accept(raw);
        if (entry) yield entry;
      }
      if (this.#formatVersion === undefined) {
        throw new ArchiveFormatError(
          "layout",
          "the archive has no metadata/version: it is not a Velero backup",
        );
      }
      completed = true;
    } catch (error) {
      failure = error;
    } finally {
      signal?.removeEventListener("abort", onAbort);
      input.unpipe(gunzip);
      input.destroy();
      gunzip.destroy();
      // Stopped early by the consumer: nothing to verify, release the source.
      if (!completed && failure === undefined) await hashing.close();
    }
    await this.#finish(hashing, failure);
  }

  async #finish(hashing: HashingSource, failure: unknown): Promise<void> {
    const expected = this.options.expectedSha256?.toLowerCase();
    const aborted = this.options.abortSignal?.aborted === true;
    try {
      // A damaged archive is reported as tampered when it is: read the rest to know the hash.
      if (failure === undefined || (expected !== undefined && !aborted)) {
        await hashing.drain(this.options.abortSignal).catch((error: unknown) => {
          if (failure === undefined) throw error;
        });
      }
    } finally {
      await hashing.close();
    }
    if (hashing.complete) this.#digest = hashing.digest();
    const actual = this.#digest?.sha256;
    if (expected !== undefined && actual !== undefined && actual !== expected) {
      throw new ArchiveIntegrityError(expected, actual, { cause: failure });
    }
    if (failure !== undefined) throw asArchiveError(failure);
  }

  #accept(raw: TarEntry): ArchiveEntry | undefined {
    const parsed = parseArchivePath(raw.path, raw.kind === "directory");
    if (parsed.kind === "directory") return undefined;
    if (parsed.kind === "version") {
      if (this.#formatVersion !== undefined) {
        throw new ArchiveFormatError("layout", "the archive has metadata/version twice", { path: raw.path });
      }
      const version = raw.body.toString("utf8").trim();
      if (!READABLE_FORMAT_VERSIONS.includes(version)) {
        throw new ArchiveFormatError(
          "unsupported-version",
          `archive format version ${JSON.stringify(version.slice(0, 40))} is not supported; ` +
            `this reader reads Velero formats ${READABLE_FORMAT_VERSIONS.join(", ")}`,
          { path: raw.path },
        );
      }
      this.#formatVersion = version;
      return undefined;
    }
    if (this.#formatVersion === undefined) {
      throw new ArchiveFormatError(
        "layout",
        `archive entry ${JSON.stringify(raw.path)} comes before metadata/version, which Velero writes first`,
        { path: raw.path },
      );
    }
    const copies = this.options.copies ?? "groupResource";
    if (copies === "groupResource" && parsed.version !== undefined) return undefined;
    if (copies === "preferredVersion" && !parsed.preferred) return undefined;
    const { kind: _kind, ...location } = parsed;
    return { path: raw.path, ...location, object: parseObject(raw) };
  }
}

function parseObject(raw: TarEntry): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw.body.toString("utf8"));
  } catch (error) {
    throw new ArchiveFormatError("corrupt", `archive entry ${JSON.stringify(raw.path)} is not valid JSON`, {
      path: raw.path,
      cause: error,
    });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ArchiveFormatError(
      "corrupt",
      `archive entry ${JSON.stringify(raw.path)} is not a JSON object`,
      {
        path: raw.path,
      },
    );
  }
  return value as Record<string, unknown>;
}

function asArchiveError(error: unknown): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && code.startsWith("Z_")) {
    return new ArchiveFormatError(
      "corrupt",
      `the archive is not a valid gzip stream: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return error;
}

/** The compressed input, hashed as it is read; closing the consumer's view leaves it drainable. */
class HashingSource implements AsyncIterable<Buffer> {
  readonly #iterator: AsyncIterator<Uint8Array | string>;
  readonly #hash: Hash = createHash("sha256");
  #bytes = 0;
  #done = false;
  #closed = false;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(source: ArchiveSource) {
    this.#iterator = (source as AsyncIterable<Uint8Array | string>)[Symbol.asyncIterator]();
  }

  get complete(): boolean {
    return this.#done;
  }

  /** Serialised, so chunks are hashed in order even if a stream still has a read in flight. */
  next(): Promise<IteratorResult<Buffer, undefined>> {
    const result = this.#queue.then(() => this.#read());
    this.#queue = result.catch(() => undefined);
    return result;
  }

  async #read(): Promise<IteratorResult<Buffer, undefined>> {
    if (this.#done || this.#closed) return { done: true, value: undefined };
    const next = await this.#iterator.next();
    if (next.done) {
      this.#done = true;
      return { done: true, value: undefined };
    }
    if (typeof next.value === "string")
      throw new TypeError("archive source yields strings; read it as bytes");
    const chunk = Buffer.isBuffer(next.value)
      ? next.value
      : Buffer.from(next.value.buffer, next.value.byteOffset, next.value.byteLength);
    this.#hash.update(chunk);
    this.#bytes += chunk.length;
    return { done: false, value: chunk };
  }

  [Symbol.asyncIterator](): AsyncIterator<Buffer> {
    return { next: () => this.next(), return: async () => ({ done: true, value: undefined }) };
  }

  async drain(signal?: AbortSignal): Promise<void> {
    while (!(await this.next()).done) signal?.throwIfAborted();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#queue;
    this.#closed = true;
    if (!this.#done) await this.#iterator.return?.();
  }

  digest(): ArchiveDigest {
    return { sha256: this.#hash.copy().digest("hex"), sizeBytes: this.#bytes };
  }
}
