// Loads what a restore plans from out of the catalog: the manifest and the archive blob, refusing
// recovery points that do not exist, are still being written, failed, or are being deleted.
import type { Readable } from "node:stream";
import { unknownNameMessage } from "../model/issues.js";
import type { RecoveryPointManifest } from "../model/recovery-point.js";
import type { RestoreRequest } from "../model/restore-request.js";
import { type Catalog, CatalogError } from "../store/catalog.js";
import { parseRecoveryPointId } from "../store/recovery-point-id.js";
import { RestorePlanError } from "./errors.js";
import { planRestore } from "./plan.js";
import type { RestorePlan } from "./types.js";

export interface LoadedRestorePlan {
  manifest: RecoveryPointManifest;
  plan: RestorePlan;
}

/** The committed, restorable manifest of a recovery point; a RestorePlanError says why not. */
export async function restorableManifest(
  catalog: Catalog,
  id: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<RecoveryPointManifest> {
  const ref = parseRecoveryPointId(id);
  if (ref === undefined) {
    throw new RestorePlanError(
      "RecoveryPointNotFound",
      `"${id}" is not a recovery point id`,
      "recoveryPointId",
    );
  }
  const manifest = await readManifest(catalog, id, options);
  if (manifest === undefined) {
    const written = await hasBlobs(catalog, `${ref.instance}/${id}/`, options);
    throw written
      ? new RestorePlanError(
          "RecoveryPointIncomplete",
          `recovery point ${id} is still being written (its manifest is not committed); wait for its backup to finish`,
          "recoveryPointId",
        )
      : new RestorePlanError(
          "RecoveryPointNotFound",
          `recovery point ${id} does not exist; list them with \`aks-backup recovery-points ${ref.instance}\``,
          "recoveryPointId",
        );
  }
  const marker = await catalog.getDeletionMarker(id, options);
  if (marker !== undefined) {
    throw new RestorePlanError(
      "RecoveryPointDeleting",
      `recovery point ${id} is being deleted (${marker.reason}) and can no longer be restored`,
      "recoveryPointId",
    );
  }
  if (manifest.status === "Failed") {
    const reason = manifest.errors[0]?.message;
    throw new RestorePlanError(
      "RecoveryPointFailed",
      `recovery point ${id} is of a failed backup${reason ? ` (${reason})` : ""}; restore from another recovery point`,
      "recoveryPointId",
    );
  }
  return manifest;
}

/**
 * The cluster a restore writes to: the request's, or the one the backup was taken of. Either must
 * be registered; a request never carries a server URL or credentials of its own.
 */
export function targetClusterOf(
  request: Pick<RestoreRequest, "targetCluster">,
  manifest: Pick<RecoveryPointManifest, "cluster">,
  registered: readonly string[],
): string {
  const name = request.targetCluster ?? manifest.cluster;
  if (registered.includes(name)) return name;
  const what =
    request.targetCluster === undefined
      ? " (the cluster of the backup; name another with targetCluster)"
      : "";
  throw new RestorePlanError(
    "TargetClusterUnknown",
    `targetCluster: ${unknownNameMessage("cluster", name, registered)}${what}`,
    "targetCluster",
  );
}

/** Fetches the manifest and archive of the request's recovery point and plans the restore. */
export async function loadRestorePlan(
  catalog: Catalog,
  request: RestoreRequest,
  options: { abortSignal?: AbortSignal } = {},
): Promise<LoadedRestorePlan> {
  const manifest = await restorableManifest(catalog, request.recoveryPointId, options);
  if (manifest.archive === undefined) {
    throw new RestorePlanError(
      "ArchiveMissing",
      `recovery point ${manifest.id} records no archive; restore from another recovery point`,
      "recoveryPointId",
    );
  }
  const blob = catalog.container.getBlobClient(manifest.archive.blob);
  let body: Readable;
  try {
    const download = await blob.download(0, undefined, { abortSignal: options.abortSignal });
    body = download.readableStreamBody as Readable;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) {
      throw new RestorePlanError(
        "ArchiveMissing",
        `the archive ${manifest.archive.blob} of recovery point ${manifest.id} is missing from storage`,
        "recoveryPointId",
      );
    }
    throw catalog.storageError(error, `cannot read the archive of ${manifest.id}`);
  }
  const plan = await planRestore(body, manifest, request, options);
  return { manifest, plan };
}

async function readManifest(catalog: Catalog, id: string, options: { abortSignal?: AbortSignal }) {
  try {
    return await catalog.getManifest(id, options);
  } catch (error) {
    if (error instanceof CatalogError && error.code === "ManifestInvalid") throw error;
    throw catalog.storageError(error, `cannot read the manifest of ${id}`);
  }
}

async function hasBlobs(catalog: Catalog, prefix: string, options: { abortSignal?: AbortSignal }) {
  try {
    const blobs = catalog.container.listBlobsFlat({ prefix, abortSignal: options.abortSignal });
    const page = await blobs.byPage({ maxPageSize: 1 }).next();
    return !page.done && page.value.segment.blobItems.length > 0;
  } catch (error) {
    throw catalog.storageError(error, `cannot list the blobs of ${prefix}`);
  }
}
