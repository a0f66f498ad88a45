// The log of one backup job, kept beside its recovery point as `log.ndjson.gz`: one JSON line per
// event (start, each phase, every warning and error, the end), bounded so a noisy job cannot grow
// without limit.
import { gzipSync } from "node:zlib";

export type LogLevel = "info" | "warning" | "error";

export interface LogEntry {
  time: string;
  level: LogLevel;
  message: string;
  [field: string]: unknown;
}

export class JobLog {
  readonly #entries: LogEntry[] = [];
  #dropped = 0;

  constructor(
    private readonly now: () => Date = () => new Date(),
    private readonly maxEntries = 10_000,
  ) {}

  add(level: LogLevel, message: string, fields: Record<string, unknown> = {}): void {
    if (this.#entries.length >= this.maxEntries) {
      this.#dropped++;
      return;
    }
    this.#entries.push({ time: this.now().toISOString(), level, message, ...fields });
  }

  get entries(): readonly LogEntry[] {
    return this.#entries;
  }

  /** The gzip NDJSON bytes, with a last line counting what did not fit. */
  toGzip(): Buffer {
    const lines = this.#entries.map((entry) => JSON.stringify(entry));
    if (this.#dropped > 0) {
      lines.push(
        JSON.stringify({
          time: this.now().toISOString(),
          level: "warning",
          message: `${this.#dropped} more entries were not kept`,
        }),
      );
    }
    return gzipSync(`${lines.join("\n")}\n`);
  }
}
