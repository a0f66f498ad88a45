// The state a durable backup keeps between its activities: small JSON blobs under the recovery
// point's own prefix (`<instance>/<id>/parts/...`), each written whole by one activity (a re-run
// overwrites it), read by the later ones, and removed once the manifest is committed.
import { RestError } from "@azure/storage-blob";
import type { PodState } from "../backup/hooks/run.js";
import type { JobLog, LogEntry } from "../backup/job-log.js";
import type { ExportSummary, PhaseMessages } from "../backup/phases.js";
import type { BackupInstance } from "../model/backup-instance.js";
import type { RecoveryPointManifest } from "../model/recovery-point.js";
import type { Catalog } from "../store/catalog.js";
import type { DiskVolume } from "../volumes/discovery.js";
import type { SnapshotDiskResult } from "../volumes/snapshot-errors.js";

const PARTS = "parts";

/** Written by prepareBackup: what the job is, fixed for its whole run (later edits do not apply). */
export interface JobPart {
  recoveryPointId: string;
  orchestrationId: string;
  instance: BackupInstance;
  trigger: RecoveryPointManifest["trigger"];
  retention?: string;
  slot?: string;
  startTime: string;
}

/** Written by exportResources: the export's summary and the volume plan. */
export interface ExportPart {
  export: ExportSummary;
  volumes: PhaseMessages & { disks: DiskVolume[]; snapshotResourceGroup?: string };
}

/** Written by runHooks(pre), first with `ran: false` (planned), then with each pod's outcome. */
export interface PreHooksPart extends PhaseMessages {
  ran: boolean;
  pods: PodState[];
}

/** Written by snapshotVolume once a volume is finished, whatever the outcome. */
export interface SnapshotPart {
  volume: DiskVolume;
  result: SnapshotDiskResult;
}

export interface PartTypes {
  job: JobPart;
  export: ExportPart;
  "hooks-pre": PreHooksPart;
  "hooks-post": PhaseMessages;
  [snapshot: `snapshot-${number}`]: SnapshotPart;
}

/** The steps that keep a log part, in the order the merged log lists them. */
export type LogStep = "prepare" | "export" | "hooks-pre" | `snapshot-${number}` | "hooks-post";

export class BackupParts {
  constructor(
    private readonly catalog: Catalog,
    readonly recoveryPointId: string,
  ) {}

  async write<K extends keyof PartTypes>(name: K, value: PartTypes[K]): Promise<void> {
    await this.#put(`${name}.json`, JSON.stringify(value));
  }

  async read<K extends keyof PartTypes>(name: K): Promise<PartTypes[K] | undefined> {
    const text = await this.#get(`${name}.json`);
    return text === undefined ? undefined : (JSON.parse(text) as PartTypes[K]);
  }

  /** Reads a part that an earlier step must have written; its absence is a clear error. */
  async require<K extends keyof PartTypes>(name: K, writtenBy: string): Promise<PartTypes[K]> {
    const found = await this.read(name);
    if (found === undefined) {
      throw new Error(
        `recovery point ${this.recoveryPointId} has no ${name} part (${writtenBy} did not finish)`,
      );
    }
    return found;
  }

  async writeLog(step: LogStep, log: JobLog): Promise<void> {
    await this.#put(`log-${step}.json`, JSON.stringify(log.entries));
  }

  /** Every step's log entries, in step order, added to `log` with their own times. */
  async mergeLogs(steps: readonly LogStep[], log: JobLog): Promise<void> {
    const texts = await Promise.all(steps.map((step) => this.#get(`log-${step}.json`)));
    for (const text of texts) {
      for (const { time, level, message, ...fields } of text ? (JSON.parse(text) as LogEntry[]) : []) {
        log.add(level, message, { ...fields, time });
      }
    }
  }

  /** Removes one part, or every part (after the commit); what cannot be removed is left for the storage sweep. */
  async remove(name?: keyof PartTypes): Promise<void> {
    const container = this.catalog.container;
    if (name !== undefined) {
      await container
        .deleteBlob(this.catalog.blobName(this.recoveryPointId, `${PARTS}/${name}.json`))
        .catch((error: unknown) => {
          if (!(error instanceof RestError && error.statusCode === 404)) throw error;
        });
      return;
    }
    const prefix = this.catalog.blobName(this.recoveryPointId, `${PARTS}/`);
    const names: string[] = [];
    for await (const blob of container.listBlobsFlat({ prefix })) names.push(blob.name);
    await Promise.allSettled(names.map((name) => container.deleteBlob(name)));
  }

  async #put(file: string, body: string): Promise<void> {
    const name = this.catalog.blobName(this.recoveryPointId, `${PARTS}/${file}`);
    try {
      await this.catalog.container.getBlockBlobClient(name).upload(body, Buffer.byteLength(body), {
        blobHTTPHeaders: { blobContentType: "application/json" },
      });
    } catch (error) {
      throw this.catalog.storageError(error, `cannot write ${name}`);
    }
  }

  async #get(file: string): Promise<string | undefined> {
    const name = this.catalog.blobName(this.recoveryPointId, `${PARTS}/${file}`);
    try {
      return (await this.catalog.container.getBlockBlobClient(name).downloadToBuffer()).toString("utf8");
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404 && error.code !== "ContainerNotFound") {
        return undefined;
      }
      throw this.catalog.storageError(error, `cannot read ${name}`);
    }
  }
}
