// Reads a backup archive (ours or Velero's) into the items a restore plans from, one copy per item
// at the version it was backed up in; the archive's SHA-256 must match the manifest's, or nothing is
// returned at all.
import { type ArchiveEntry, type ArchiveSource, readArchive } from "../archive/index.js";
import type { KubeObject } from "../kube/types.js";
import type { SkippedItem } from "./types.js";

/** One item of the backup, as it was listed from the source cluster. */
export interface BackupItem {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Source namespace. */
  namespace?: string;
  name: string;
  object: KubeObject;
}

export interface BackupContents {
  items: BackupItem[];
  /** Entries that are not Kubernetes objects (no apiVersion, kind or metadata). */
  unreadable: SkippedItem[];
}

/**
 * Reads every item of the archive. The group-resource copies are the canonical ones (every Velero
 * format has them; they hold the preferred version the backup listed). The SHA-256 is checked at
 * the end of the one pass: a mismatch throws ArchiveIntegrityError and no item is returned.
 */
export async function readBackupItems(
  source: ArchiveSource,
  expectedSha256: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<BackupContents> {
  const contents: BackupContents = { items: [], unreadable: [] };
  const reader = readArchive(source, {
    expectedSha256,
    copies: "groupResource",
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });
  for await (const entry of reader) {
    const item = backupItemOf(entry);
    if (typeof item === "string") {
      contents.unreadable.push({
        group: entry.group,
        resource: entry.resource,
        ...(entry.namespace !== undefined ? { namespace: entry.namespace } : {}),
        name: entry.name,
        reason: item,
      });
    } else {
      contents.items.push(item);
    }
  }
  return contents;
}

/** The item, or why the entry is not a Kubernetes object. */
function backupItemOf(entry: ArchiveEntry): BackupItem | string {
  const { apiVersion, kind, metadata } = entry.object;
  if (typeof apiVersion !== "string" || apiVersion === "") return "the archived object has no apiVersion";
  if (typeof kind !== "string" || kind === "") return "the archived object has no kind";
  if (metadata === null || typeof metadata !== "object" || Array.isArray(metadata)) {
    return "the archived object has no metadata";
  }
  const slash = apiVersion.lastIndexOf("/");
  const object = entry.object as KubeObject;
  // The path names the item; the object's own metadata must agree, or it would be created elsewhere.
  object.metadata.name = entry.name;
  if (entry.namespace !== undefined) object.metadata.namespace = entry.namespace;
  else delete object.metadata.namespace;
  return {
    group: entry.group,
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    resource: entry.resource,
    kind,
    namespaced: entry.scope === "namespaced",
    ...(entry.namespace !== undefined ? { namespace: entry.namespace } : {}),
    name: entry.name,
    object,
  };
}
