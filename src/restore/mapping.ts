// The checks a namespace mapping needs the archive for: a target may not be a namespace the same
// restore also brings back unmapped (two sources would merge into one), and a mapping that moves
// nothing is worth a warning (a typo in the source name, most likely).
import { RestorePlanError } from "./errors.js";
import type { BackupItem } from "./read.js";

function restoredNamespaces(selected: readonly BackupItem[]): Set<string> {
  return new Set(selected.flatMap((item) => (item.namespace !== undefined ? [item.namespace] : [])));
}

/** Throws NamespaceMappingConflict for `{a: b}` while `b` is restored too and not mapped elsewhere. */
export function checkMappingTargets(
  selected: readonly BackupItem[],
  mapping: Readonly<Record<string, string>>,
): void {
  const restored = restoredNamespaces(selected);
  for (const [source, target] of Object.entries(mapping)) {
    if (source === target || !restored.has(source) || !restored.has(target) || target in mapping) continue;
    throw new RestorePlanError(
      "NamespaceMappingConflict",
      `namespaceMappings.${source}: "${source}" maps onto "${target}", which this restore also restores from the backup; ` +
        `map "${target}" elsewhere too or exclude it`,
      `namespaceMappings.${source}`,
    );
  }
}

/** A warning per mapping whose source namespace restores nothing. */
export function unusedMappings(
  selected: readonly BackupItem[],
  mapping: Readonly<Record<string, string>>,
): string[] {
  const restored = restoredNamespaces(selected);
  return Object.keys(mapping)
    .filter((source) => !restored.has(source))
    .map((source) => `namespaceMappings.${source}: nothing of namespace ${source} is restored`);
}
