// The state a durable restore keeps between its activities: JSON blobs under `restores/<restoreId>/`,
// each written whole by one activity (a re-run overwrites it or returns it): the plan, one result
// per applied phase with what the next phase needs, and the final result, which stays.
import { RestError } from "@azure/storage-blob";
import type { RestoreHooksResult } from "../restore/hooks/result.js";
import type { PhaseResult, RestoreResult } from "../restore/result.js";
import type { ItemResult, RestorePlan } from "../restore/types.js";
import type { Catalog } from "../store/catalog.js";

export const RESTORES_PREFIX = "restores/";

/** Written by planRestore, rewritten by attachRestoredDisks once the new disks exist. */
export interface PlanPart {
  restoreId: string;
  instance: string;
  targetCluster: string;
  dryRun: boolean;
  plan: RestorePlan;
  /** Items taken out of the plan because their volume could not be restored, with why. */
  notApplied: ItemResult[];
  /** The disks are in the plan's PVs (or there were none to make). */
  disksAttached: boolean;
}

/** Written by applyResources for its phase: the outcome and what the next phase carries on. */
export interface PhasePart {
  result: PhaseResult;
  /** Old uid -> new uid of every item restored so far (this phase and the earlier ones). */
  uids: Array<[string, string]>;
  /** Types that cannot be created (their CRD never got Established), by `resource.group`. */
  unavailableTypes: Array<[string, string]>;
  /** Dry run: what this and earlier phases would have created. */
  dryRunCreated: string[];
}

/** The stored result: RestoreResult plus the restore's identity and, if it stopped early, why. */
export interface StoredRestoreResult extends RestoreResult {
  restoreId: string;
  instance?: string;
  targetCluster: string;
  error?: string;
  /** The exec hooks run in the restored pods (docs/restore.md "Hooks"); absent when none applied. */
  hooks?: RestoreHooksResult;
}

export interface RestorePartTypes {
  plan: PlanPart;
  /** Written by runRestoreHooks: what the hooks did (its warnings go into the result's). */
  hooks: RestoreHooksResult & { warnings: string[] };
  result: StoredRestoreResult;
  [phase: `phase-${number}`]: PhasePart;
}

/** The blob of one part of a restore; the id's characters are safe in a blob name (`restore:` ids). */
export function restoreBlobName(restoreId: string, part: keyof RestorePartTypes): string {
  return `${RESTORES_PREFIX}${encodeURIComponent(restoreId).replaceAll("%3A", ":")}/${part}.json`;
}

export class RestoreParts {
  constructor(
    private readonly catalog: Catalog,
    readonly restoreId: string,
  ) {}

  blobName(part: keyof RestorePartTypes): string {
    return restoreBlobName(this.restoreId, part);
  }

  async write<K extends keyof RestorePartTypes>(part: K, value: RestorePartTypes[K]): Promise<void> {
    const name = this.blobName(part);
    const body = Buffer.from(JSON.stringify(value), "utf8");
    try {
      await this.catalog.container.getBlockBlobClient(name).uploadData(body, {
        blobHTTPHeaders: { blobContentType: "application/json" },
      });
    } catch (error) {
      throw this.catalog.storageError(error, `cannot write ${name}`);
    }
  }

  async read<K extends keyof RestorePartTypes>(part: K): Promise<RestorePartTypes[K] | undefined> {
    const name = this.blobName(part);
    try {
      const body = await this.catalog.container.getBlockBlobClient(name).downloadToBuffer();
      return JSON.parse(body.toString("utf8")) as RestorePartTypes[K];
    } catch (error) {
      if (error instanceof RestError && error.statusCode === 404 && error.code !== "ContainerNotFound") {
        return undefined;
      }
      throw this.catalog.storageError(error, `cannot read ${name}`);
    }
  }

  /** A part an earlier step must have written; its absence is a clear error. */
  async require<K extends keyof RestorePartTypes>(part: K, writtenBy: string): Promise<RestorePartTypes[K]> {
    const found = await this.read(part);
    if (found === undefined) {
      throw new Error(`restore ${this.restoreId} has no ${part} part (${writtenBy} did not finish)`);
    }
    return found;
  }
}
