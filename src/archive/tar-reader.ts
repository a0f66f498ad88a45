// A streaming tar parser: turns decompressed chunks into regular files and directories one at a
// time, applying PAX and GNU long names, and refusing links and special files outright.
import { ArchiveFormatError } from "./errors.js";
import { BLOCK_SIZE, decodeHeader, paddingFor, parsePaxRecords } from "./tar-header.js";

export interface TarEntry {
  path: string;
  kind: "file" | "directory";
  body: Buffer;
}

export interface TarReadOptions {
  /** Largest file body held in memory; larger entries are refused. */
  maxEntryBytes: number;
}

const MAX_META_BYTES = 1024 * 1024;

/** Reads exactly the bytes asked for from an async stream of chunks. */
class ByteReader {
  readonly #iterator: AsyncIterator<Buffer>;
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  #ended = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.#iterator = source[Symbol.asyncIterator]();
  }

  /** n bytes, or undefined at a clean end of input; a partial read means a truncated archive. */
  async read(n: number): Promise<Buffer | undefined> {
    while (this.#buffered < n && !this.#ended) {
      const next = await this.#iterator.next();
      if (next.done) this.#ended = true;
      else if (next.value.length > 0) {
        this.#chunks.push(next.value);
        this.#buffered += next.value.length;
      }
    }
    if (this.#buffered === 0 && n > 0) return undefined;
    if (this.#buffered < n) {
      throw new ArchiveFormatError("corrupt", "the archive ends in the middle of an entry (truncated)");
    }
    this.#buffered -= n;
    const first = this.#chunks[0];
    if (first && first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const parts: Buffer[] = [];
    let missing = n;
    while (missing > 0) {
      const chunk = this.#chunks[0] as Buffer;
      if (chunk.length <= missing) {
        parts.push(chunk);
        this.#chunks.shift();
        missing -= chunk.length;
      } else {
        parts.push(chunk.subarray(0, missing));
        this.#chunks[0] = chunk.subarray(missing);
        missing = 0;
      }
    }
    return Buffer.concat(parts, n);
  }

  /** Reads and discards the rest of the input (the zero padding after the end marker). */
  async drain(): Promise<void> {
    this.#chunks.length = 0;
    this.#buffered = 0;
    while (!this.#ended) {
      const next = await this.#iterator.next();
      if (next.done) this.#ended = true;
    }
  }

  async close(): Promise<void> {
    if (!this.#ended) await this.#iterator.return?.();
  }
}

/** Yields the archive's files and directories in order; reads the input to its very end. */
export async function* readTarEntries(
  source: AsyncIterable<Buffer>,
  options: TarReadOptions,
): AsyncGenerator<TarEntry> {
  const reader = new ByteReader(source);
  try {
    let longName: string | undefined;
    for (;;) {
      const block = await reader.read(BLOCK_SIZE);
      const header = block && decodeHeader(block);
      if (!header) {
        // Go's reader, like ours, also takes a clean end of input at a header as the end.
        await reader.drain();
        return;
      }
      const name = longName ?? header.name;
      longName = undefined;
      const size = header.size;
      switch (header.type) {
        case "x":
        case "g":
        case "L":
        case "K": {
          if (size > MAX_META_BYTES) {
            throw new ArchiveFormatError("too-large", `tar extended header of ${size} bytes is too large`);
          }
          const data = await readBody(reader, size);
          if (header.type === "x") longName = parsePaxRecords(data).get("path");
          if (header.type === "L") longName = data.toString("utf8").replace(/\0+$/, "");
          // Global PAX headers and GNU long link names change nothing we read.
          continue;
        }
        case "1":
        case "2":
          throw new ArchiveFormatError(
            "link",
            `archive entry ${JSON.stringify(name)} is a ${header.type === "2" ? "symbolic" : "hard"} link ` +
              `to ${JSON.stringify(header.linkName)}; a backup archive holds only regular files`,
            { path: name },
          );
        case "0":
        case "7":
        case "5": {
          const kind = header.type === "5" || name.endsWith("/") ? "directory" : "file";
          if (size > options.maxEntryBytes) {
            throw new ArchiveFormatError(
              "too-large",
              `archive entry ${JSON.stringify(name)} is ${size} bytes, over the ${options.maxEntryBytes}-byte limit`,
              { path: name },
            );
          }
          yield { path: name, kind, body: await readBody(reader, size) };
          continue;
        }
        default:
          throw new ArchiveFormatError(
            "layout",
            `archive entry ${JSON.stringify(name)} has tar type '${header.type}'; a backup archive holds only regular files`,
            { path: name },
          );
      }
    }
  } finally {
    await reader.close();
  }
}

async function readBody(reader: ByteReader, size: number): Promise<Buffer> {
  if (size === 0) return Buffer.alloc(0);
  const data = await reader.read(size + paddingFor(size));
  if (!data)
    throw new ArchiveFormatError("corrupt", "the archive ends in the middle of an entry (truncated)");
  return data.subarray(0, size);
}
