// One backup of an instance at a time: `locks/<instance>.json`, created with If-None-Match: * and
// holding the orchestration that took it. The holder may take it again (a re-run after a crash);
// anyone may take over a lock older than STALE_LOCK_MS; only the holder deletes it.
import { type ContainerClient, RestError } from "@azure/storage-blob";
import { nameProblem } from "../model/names.js";
import { readBlob } from "./blob-body.js";

/** A backup that has held its instance's lock this long is presumed dead (its host crashed for good). */
export const STALE_LOCK_MS = 24 * 60 * 60_000;

export interface JobLock {
  /** The orchestration instance id holding the lock. */
  holder: string;
  /** When the holder took it (ISO). */
  since: string;
  /** The recovery point the holder is writing, for messages. */
  recoveryPointId?: string;
}

export type AcquireResult =
  | { acquired: true; lock: JobLock /** The stale lock this acquisition replaced. */; tookOver?: JobLock }
  | { acquired: false; heldBy: JobLock };

export interface JobLocksOptions {
  now?: () => Date;
  staleAfterMs?: number;
}

interface Current {
  lock: JobLock;
  etag: string;
}

/** Contention is two or three writers at most; a few rounds settle it. */
const MAX_ROUNDS = 5;

export class JobLocks {
  readonly #now: () => Date;
  readonly #staleAfterMs: number;

  constructor(
    readonly container: ContainerClient,
    options: JobLocksOptions = {},
  ) {
    this.#now = options.now ?? (() => new Date());
    this.#staleAfterMs = options.staleAfterMs ?? STALE_LOCK_MS;
  }

  blobName(instance: string): string {
    const problem = nameProblem(instance);
    if (problem) throw new Error(`instance name "${instance}" cannot name a lock: ${problem}`);
    return `locks/${instance}.json`;
  }

  /** The lock of an instance as stored, or undefined when nobody holds it. */
  async get(instance: string): Promise<JobLock | undefined> {
    return (await this.#read(instance))?.lock;
  }

  /**
   * Takes the instance's lock for `holder`. Already held by the same holder: acquired again, as is.
   * Held by another for longer than the stale limit: taken over (the result names the old holder).
   */
  async acquire(
    instance: string,
    holder: { holder: string; recoveryPointId?: string },
  ): Promise<AcquireResult> {
    const blob = this.container.getBlockBlobClient(this.blobName(instance));
    const lock: JobLock = { ...holder, since: this.#now().toISOString() };
    const body = JSON.stringify(lock);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      try {
        await blob.upload(body, Buffer.byteLength(body), {
          conditions: { ifNoneMatch: "*" },
          blobHTTPHeaders: { blobContentType: "application/json" },
        });
        return { acquired: true, lock };
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      const current = await this.#read(instance);
      if (current === undefined) continue; // released in between: try to create it again
      if (current.lock.holder === holder.holder) return { acquired: true, lock: current.lock };
      if (!this.#isStale(current.lock)) return { acquired: false, heldBy: current.lock };
      try {
        await blob.upload(body, Buffer.byteLength(body), {
          conditions: { ifMatch: current.etag },
          blobHTTPHeaders: { blobContentType: "application/json" },
        });
        return { acquired: true, lock, tookOver: current.lock };
      } catch (error) {
        if (!isConflict(error) && !isMissing(error)) throw error;
      }
    }
    throw new Error(`the backup lock of instance ${instance} kept changing while it was being taken`);
  }

  /** Deletes the lock if `holder` still holds it; false when it was gone or someone else's. */
  async release(instance: string, holder: string): Promise<boolean> {
    const current = await this.#read(instance);
    if (current === undefined || current.lock.holder !== holder) return false;
    try {
      await this.container
        .getBlockBlobClient(this.blobName(instance))
        .delete({ conditions: { ifMatch: current.etag } });
      return true;
    } catch (error) {
      if (isConflict(error) || isMissing(error)) return false;
      throw error;
    }
  }

  #isStale(lock: JobLock): boolean {
    const since = Date.parse(lock.since);
    return Number.isNaN(since) || this.#now().getTime() - since >= this.#staleAfterMs;
  }

  async #read(instance: string): Promise<Current | undefined> {
    const blob = this.container.getBlockBlobClient(this.blobName(instance));
    try {
      const { body, etag, lastModified } = await readBlob(blob);
      return { lock: parseLock(body.toString("utf8"), lastModified), etag };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }
}

/** A lock blob someone damaged still blocks, but only until it is as stale as its last write. */
function parseLock(text: string, lastModified: Date | undefined): JobLock {
  try {
    const value = JSON.parse(text) as Partial<JobLock>;
    if (typeof value.holder === "string" && typeof value.since === "string") {
      return {
        holder: value.holder,
        since: value.since,
        ...(typeof value.recoveryPointId === "string" ? { recoveryPointId: value.recoveryPointId } : {}),
      };
    }
  } catch {
    // fall through
  }
  return { holder: "(unreadable lock)", since: (lastModified ?? new Date(0)).toISOString() };
}

function isConflict(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412);
}

function isMissing(error: unknown): boolean {
  return error instanceof RestError && error.statusCode === 404 && error.code !== "ContainerNotFound";
}
