// Per-instance scheduler state: the last slot a scheduled backup was started for, and which tick
// claimed it. One JSON blob per instance under `state/schedule/`, written with ETag preconditions so
// two ticks can never both claim one slot.
import { type ContainerClient, RestError } from "@azure/storage-blob";
import { z } from "zod";
import { nameProblem } from "../model/names.js";
import { readBlob } from "./blob-body.js";

const FOLDER = "state/schedule/";

const scheduleStateSchema = z.object({
  /** The latest slot that was started (or, for an instance seen for the first time, the baseline). */
  lastSlot: z.string(),
  /** The tick that claimed `lastSlot`; absent for a baseline. A re-run of that tick sees its claim. */
  claimedBy: z.string().optional(),
  /** Slots counted as skipped by that claim (downtime, a backup that ran long). */
  skipped: z.number().int().min(0).optional(),
});

export type ScheduleState = z.infer<typeof scheduleStateSchema>;

export interface StoredScheduleState {
  state: ScheduleState;
  etag: string;
}

export class ScheduleStateStore {
  constructor(readonly container: ContainerClient) {}

  blobName(instance: string): string {
    const problem = nameProblem(instance);
    if (problem) throw new Error(`instance name "${instance}": ${problem}`);
    return `${FOLDER}${instance}.json`;
  }

  async get(instance: string): Promise<StoredScheduleState | undefined> {
    const blob = this.container.getBlockBlobClient(this.blobName(instance));
    try {
      const { body, etag } = await readBlob(blob);
      const parsed = scheduleStateSchema.safeParse(parseJson(body.toString("utf8")));
      // A damaged state blob gets a new baseline (overwriting it by its ETag), never a burst of backups.
      return parsed.success ? { state: parsed.data, etag } : { state: { lastSlot: "" }, etag };
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404) return undefined;
      throw error;
    }
  }

  /**
   * Writes the state if the blob is still at `etag` (absent: only if there is none). Returns false
   * when another writer got there first.
   */
  async put(instance: string, state: ScheduleState, etag: string | undefined): Promise<boolean> {
    const body = JSON.stringify(scheduleStateSchema.parse(state));
    try {
      await this.container.getBlockBlobClient(this.blobName(instance)).upload(body, Buffer.byteLength(body), {
        conditions: etag === undefined ? { ifNoneMatch: "*" } : { ifMatch: etag },
        blobHTTPHeaders: { blobContentType: "application/json" },
      });
      return true;
    } catch (error) {
      if (error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412)) return false;
      throw error;
    }
  }

  async delete(instance: string): Promise<void> {
    await this.container.getBlockBlobClient(this.blobName(instance)).deleteIfExists();
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
