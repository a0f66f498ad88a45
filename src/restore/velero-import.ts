// Imports a Velero backup tarball placed in the container (`imports/velero/<backup>.tar.gz`) as a
// recovery point: the tarball is copied into the point's own prefix while its SHA-256 is computed,
// read once to count its items (an unreadable tarball imports nothing), and a manifest is committed
// for it, so `restore` plans it like any backup. Importing the same tarball again returns its point.
import { createHash, randomInt } from "node:crypto";
import { PassThrough, type Readable } from "node:stream";
import { RestError } from "@azure/storage-blob";
import { nameProblem } from "../model/names.js";
import type { RecoveryPointManifest } from "../model/recovery-point.js";
import { ARCHIVE_BLOB, type Catalog } from "../store/catalog.js";
import { newRecoveryPointId } from "../store/recovery-point-id.js";
import { readBackupItems } from "./read.js";

/** Where a Velero tarball is put to be imported: `imports/velero/<backup name>.tar.gz`. */
export const VELERO_IMPORT_PREFIX = "imports/velero/";
/** Blob metadata on the tarball naming the recovery point it became. */
const IMPORTED_AS = "recoverypointid";

export interface VeleroImport {
  /** The Velero backup's name: the tarball is `imports/velero/<backup>.tar.gz`. */
  backup: string;
  /** The registered cluster the backup was taken of (a restore's default target). */
  cluster: string;
  /** The instance the recovery point is listed under (default `velero`). */
  instance?: string;
}

export interface VeleroImportResult {
  recoveryPointId: string;
  /** False when the tarball had been imported before: the existing point is returned. */
  created: boolean;
  totalItems: number;
  sha256: string;
}

export class VeleroImportError extends Error {
  override name = "VeleroImportError";
  constructor(
    message: string,
    readonly statusCode: number,
    readonly field?: string,
  ) {
    super(message);
  }
}

export function veleroTarballBlob(backup: string): string {
  return `${VELERO_IMPORT_PREFIX}${backup}.tar.gz`;
}

/** Imports the tarball of `request.backup` as a recovery point of `request.instance`. */
export async function importVeleroBackup(
  catalog: Catalog,
  request: VeleroImport,
  options: { now?: () => Date } = {},
): Promise<VeleroImportResult> {
  const instance = request.instance ?? "velero";
  for (const [field, value] of [
    ["backup", request.backup],
    ["instance", instance],
  ] as const) {
    const problem = nameProblem(value);
    if (problem) throw new VeleroImportError(`${field}: ${problem}`, 400, field);
  }
  const source = catalog.container.getBlockBlobClient(veleroTarballBlob(request.backup));
  let properties: Awaited<ReturnType<typeof source.getProperties>>;
  try {
    properties = await source.getProperties();
  } catch (error) {
    if (error instanceof RestError && error.statusCode === 404) {
      throw new VeleroImportError(
        `no Velero tarball at ${veleroTarballBlob(request.backup)} in container ${catalog.container.containerName}; upload the backup's <name>.tar.gz there first`,
        404,
        "backup",
      );
    }
    throw catalog.storageError(error, `cannot read ${veleroTarballBlob(request.backup)}`);
  }
  const earlier = properties.metadata?.[IMPORTED_AS];
  const existing = earlier ? await catalog.getManifest(earlier) : undefined;
  if (existing?.archive) {
    return {
      recoveryPointId: existing.id,
      created: false,
      totalItems: existing.totalItems,
      sha256: existing.archive.sha256,
    };
  }

  const takenAt = properties.lastModified ?? (options.now ?? (() => new Date()))();
  const id = newRecoveryPointId(instance, takenAt, randomInt(0x10000));
  const hash = createHash("sha256");
  let sizeBytes = 0;
  const download = await source.download();
  const counted = new PassThrough();
  counted.on("data", (chunk: Buffer) => {
    hash.update(chunk);
    sizeBytes += chunk.length;
  });
  (download.readableStreamBody as Readable).pipe(counted);
  const archiveBlob = await catalog.uploadFile(id, ARCHIVE_BLOB, counted);
  const sha256 = hash.digest("hex");

  const copy = await catalog.container.getBlobClient(archiveBlob).download();
  let contents: Awaited<ReturnType<typeof readBackupItems>>;
  try {
    contents = await readBackupItems(copy.readableStreamBody as Readable, sha256);
  } catch (error) {
    await catalog.container.deleteBlob(archiveBlob).catch(() => undefined);
    throw new VeleroImportError(
      `${veleroTarballBlob(request.backup)} is not a readable Velero backup tarball: ${(error as Error).message}`,
      422,
      "backup",
    );
  }
  const itemCounts: Record<string, number> = {};
  for (const item of contents.items) {
    const type = `${item.group ? `${item.group}/` : ""}${item.version}/${item.kind}`;
    itemCounts[type] = (itemCounts[type] ?? 0) + 1;
  }
  const manifest: RecoveryPointManifest = {
    formatVersion: 1,
    id,
    instance,
    cluster: request.cluster,
    trigger: "OnDemand",
    startTime: takenAt.toISOString(),
    endTime: takenAt.toISOString(),
    status: "Succeeded",
    archive: { blob: archiveBlob, sizeBytes, sha256 },
    itemCounts,
    totalItems: contents.items.length,
    volumeSnapshots: [],
    warnings: [
      {
        message: `imported from the Velero backup tarball ${veleroTarballBlob(request.backup)}; volume data is not part of it (claims are provisioned anew)`,
      },
      ...contents.unreadable.map((item) => ({
        message: `not a Kubernetes object, left out: ${item.reason}`,
        ...(item.namespace ? { namespace: item.namespace } : {}),
        name: item.name,
      })),
    ],
    errors: [],
  };
  await catalog.commitManifest(manifest);
  await source.setMetadata({ ...properties.metadata, [IMPORTED_AS]: id }).catch(() => undefined);
  return { recoveryPointId: id, created: true, totalItems: manifest.totalItems, sha256 };
}
