// The backup's resource list in Velero's form ({"apps/v1/Deployment": ["ns/name", ...]}) written as
// gzip JSON while the items are exported, one type at a time, so it is never held in memory.
import { once } from "node:events";
import type { Readable } from "node:stream";
import { createGzip, type Gzip } from "node:zlib";
import { GZIP_LEVEL } from "../archive/writer.js";

/**
 * Text is handed to zlib in pieces of about this many characters, not page by page: each write is
 * a round trip to zlib's thread, and with a few kilobytes per page the export waited on them.
 */
const FLUSH_CHARACTERS = 256 * 1024;

export class ResourceListWriter {
  // The archive's level: the list is written during the export, whose time it adds to.
  readonly #gzip: Gzip = createGzip({ level: GZIP_LEVEL });
  #typesWritten = 0;
  /** The open type's key until its first name arrives: types without items are left out. */
  #pendingKey: string | undefined;
  #typeStarted = false;
  /** Text not yet handed to zlib. */
  #buffered: string[] = [];
  #bufferedLength = 0;

  constructor() {
    // Failures reach the job through the upload reading `stream` or through abort(); without a
    // listener, an abort before the upload has started would be an uncaught error.
    this.#gzip.on("error", () => undefined);
  }

  get stream(): Readable {
    return this.#gzip;
  }

  beginType(key: string): void {
    if (this.#pendingKey !== undefined || this.#typeStarted)
      throw new Error("ResourceListWriter: a type is already open");
    this.#pendingKey = key;
  }

  /** Adds the names of one page ("ns/name" or "name"). */
  async add(names: readonly string[]): Promise<void> {
    if (names.length === 0) return;
    let text = names.map((n) => JSON.stringify(n)).join(",");
    if (this.#pendingKey !== undefined) {
      text = `${this.#typesWritten++ === 0 ? "{" : ","}${JSON.stringify(this.#pendingKey)}:[${text}`;
      this.#pendingKey = undefined;
      this.#typeStarted = true;
    } else {
      text = `,${text}`;
    }
    await this.#write(text);
  }

  async endType(): Promise<void> {
    this.#pendingKey = undefined;
    if (!this.#typeStarted) return;
    this.#typeStarted = false;
    await this.#write("]");
  }

  async finish(): Promise<void> {
    await this.endType();
    await this.#write(this.#typesWritten === 0 ? "{}" : "}");
    await this.#flush();
    this.#gzip.end();
  }

  abort(error: Error): void {
    this.#buffered = [];
    this.#gzip.destroy(error);
  }

  async #write(text: string): Promise<void> {
    this.#buffered.push(text);
    this.#bufferedLength += text.length;
    if (this.#bufferedLength >= FLUSH_CHARACTERS) await this.#flush();
  }

  async #flush(): Promise<void> {
    if (this.#bufferedLength === 0) return;
    const text = this.#buffered.join("");
    this.#buffered = [];
    this.#bufferedLength = 0;
    if (!this.#gzip.write(text)) await once(this.#gzip, "drain");
  }
}
