// Test-only builders: archive items from plain Kubernetes objects, and a whole archive in memory
// (for restore tests that need an archive without a cluster).
import { buffer } from "node:stream/consumers";
import { type ArchiveItem, type ArchiveSummary, ArchiveWriter } from "../../src/archive/index.js";

export interface KubeLike {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** The archive item for an object: group and version from apiVersion, resource given or guessed. */
export function itemOf(object: KubeLike, resource?: string): ArchiveItem {
  const slash = object.apiVersion.indexOf("/");
  const group = slash < 0 ? "" : object.apiVersion.slice(0, slash);
  const version = slash < 0 ? object.apiVersion : object.apiVersion.slice(slash + 1);
  return {
    group,
    version,
    resource: resource ?? `${object.kind.toLowerCase()}s`,
    kind: object.kind,
    ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
    name: object.metadata.name,
    object,
  };
}

function isKubeObject(item: ArchiveItem | KubeLike): item is KubeLike {
  return "apiVersion" in item && "metadata" in item;
}

/** Writes the items into a complete archive held in memory. */
export async function buildArchive(
  items: Iterable<ArchiveItem | KubeLike>,
  options: { createdAt?: Date } = {},
): Promise<{ bytes: Buffer; summary: ArchiveSummary }> {
  const writer = new ArchiveWriter({ createdAt: options.createdAt ?? new Date("2026-01-01T02:00:00Z") });
  const collected = buffer(writer.stream);
  for (const item of items) await writer.add(isKubeObject(item) ? itemOf(item) : item);
  const summary = await writer.finish();
  return { bytes: await collected, summary };
}
