// The contract of a restore item action: which types it applies to and what it decides for one
// item, returned as data (a changed item, a reason to skip it, warnings) instead of done as I/O.
import type { KubeObject } from "../../kube/types.js";

/** An item of the restore as it was backed up. */
export interface RestoredItemRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface RestoreContext {
  /** Source namespace -> target namespace; unmapped namespaces keep their name. */
  namespaceMapping: Readonly<Record<string, string>>;
  /** Every item this run restores, keyed by its uid in the backup. */
  itemsByOldUid: ReadonlyMap<string, RestoredItemRef>;
}

export interface ActionResult {
  /** The item to restore instead of the one given; absent means unchanged. */
  item?: KubeObject;
  /** Why the item is not restored; later actions do not run. */
  skip?: string;
  warnings?: string[];
}

export interface AppliesTo {
  /** API group, "" for core, "*" for every group. */
  group: string;
  /** Plural resource names, or ["*"] for every resource of the group. */
  resources: readonly string[];
}

export interface RestoreItemAction {
  name: string;
  appliesTo: AppliesTo;
  execute(item: KubeObject, context: RestoreContext): ActionResult;
}

export function appliesTo(action: RestoreItemAction, type: { group: string; resource: string }): boolean {
  const { group, resources } = action.appliesTo;
  return (
    (group === "*" || group === type.group) && (resources.includes("*") || resources.includes(type.resource))
  );
}

/** The namespace an item's source namespace maps to. */
export function mapNamespace(namespace: string, context: RestoreContext): string {
  return context.namespaceMapping[namespace] ?? namespace;
}

/** Plain-object view of a field, for reading nested JSON without casts at every step. */
export function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

export function list(value: unknown): Record<string, unknown>[] {
  if (!Array.isArray(value)) return [];
  return value.map(record).filter((entry): entry is Record<string, unknown> => entry !== undefined);
}
