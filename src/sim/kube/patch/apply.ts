// Server-side apply after structured-merge-diff: the applied configuration's fields merge into
// the object, its manager owns exactly them, and changing another manager's field is a conflict.
import { badRequest, type StatusCause, StatusError } from "../status.js";
import type { KubeObject } from "../types.js";
import {
  changedFields,
  type FieldPath,
  type FieldSet,
  fieldPaths,
  fieldSetOf,
  formatFieldPath,
  intersectFieldSets,
  isEmptyFieldSet,
  itemKey,
  reachesPath,
  removeFieldPath,
  subtractFieldSet,
  trackedView,
  unionFieldSets,
  valueKey,
} from "./field-set.js";
import { cloneJson, isJsonObject, type JsonObject, jsonEqual } from "./json-value.js";
import {
  currentTime,
  decodeManagedFields,
  type FieldManager,
  managerIdentity,
  withManagedFields,
} from "./managed-fields.js";
import { type FieldRule, fieldRule, listMapKeys, rootSchemaType } from "./schema.js";

export interface ApplyOptions {
  fieldManager: string;
  force: boolean;
  kind: { group: string; kind: string };
  now?: string;
}

// kube-apiserver's owner of everything in an object that predates managedFields tracking.
const beforeFirstApply = "before-first-apply";

export function applyServerSideApply(
  existing: KubeObject | undefined,
  applied: KubeObject,
  options: ApplyOptions,
): KubeObject {
  if (applied.metadata?.managedFields !== undefined) throw badRequest("metadata.managedFields must be nil");
  const now = options.now ?? currentTime();
  const rootType = rootSchemaType(options.kind);
  const rule: FieldRule = rootType ? { type: rootType } : {};
  const appliedSet = fieldSetOf(trackedView(applied), rootType);
  const me: FieldManager = {
    manager: options.fieldManager,
    operation: "Apply",
    ...(applied.apiVersion ? { apiVersion: applied.apiVersion } : {}),
    time: now,
    set: appliedSet,
  };
  if (!existing) return withManagedFields(mergeApplied(undefined, applied, rule) as KubeObject, [me]);

  const managers = startingManagers(existing, now, rootType);
  const identity = managerIdentity(me);
  const previous = managers.find((m) => managerIdentity(m) === identity);
  const others = managers.filter((m) => m !== previous);
  const merged = mergeApplied(existing, applied, rule) as JsonObject;
  const changed = changedFields(trackedView(existing), trackedView(merged), rootType);

  const conflicts = others.flatMap((m) =>
    fieldPaths(intersectFieldSets(m.set, changed)).map((path) => ({ manager: m, path })),
  );
  if (conflicts.length > 0 && !options.force) throw applyConflict(conflicts);
  for (const m of others) m.set = subtractFieldSet(m.set, changed);

  const othersSet = others.reduce<FieldSet>((all, m) => unionFieldSets(all, m.set), {
    member: false,
    children: new Map(),
  });
  const dropped = previous ? subtractFieldSet(previous.set, appliedSet) : undefined;
  // Parents before children: a removed list item takes its fields along.
  for (const path of dropped ? fieldPaths(dropped) : []) {
    if (reachesPath(othersSet, path) || reachesPath(appliedSet, path) || isItemKey(path)) continue;
    removeFieldPath(merged, path, rootType);
  }

  // As kube-apiserver does for a no-op apply, keep the timestamp so nothing appears to change.
  const unchanged =
    previous?.time !== undefined &&
    previous.apiVersion === me.apiVersion &&
    jsonEqual(stripManaged(existing), stripManaged(merged)) &&
    jsonEqual(fieldPaths(previous.set), fieldPaths(appliedSet));
  if (unchanged && previous?.time) me.time = previous.time;
  return withManagedFields(merged as KubeObject, [...others, me]);
}

function stripManaged(object: KubeObject): KubeObject {
  const { managedFields: _, ...metadata } = object.metadata ?? {};
  return { ...object, metadata };
}

function startingManagers(existing: KubeObject, now: string, rootType: string | undefined): FieldManager[] {
  const managers = decodeManagedFields(existing.metadata?.managedFields);
  if (managers.length > 0) return managers;
  const set = fieldSetOf(trackedView(existing), rootType);
  if (isEmptyFieldSet(set)) return [];
  return [
    {
      manager: beforeFirstApply,
      operation: "Update",
      ...(existing.apiVersion ? { apiVersion: existing.apiVersion } : {}),
      time: now,
      set,
    },
  ];
}

/** Key fields of a list item go only with the item (another manager may still own part of it). */
function isItemKey(path: FieldPath): boolean {
  const parent = path[path.length - 2];
  const last = path[path.length - 1];
  if (!parent?.startsWith("k:") || !last?.startsWith("f:")) return false;
  return Object.keys(JSON.parse(parent.slice(2)) as JsonObject).includes(last.slice(2));
}

/** Merges an applied configuration into the live value: maps by field, lists by the schema. */
function mergeApplied(live: unknown, applied: unknown, rule: FieldRule): unknown {
  if (isJsonObject(applied) && !rule.atomic) {
    const out: JsonObject = isJsonObject(live) ? cloneJson(live) : {};
    for (const [key, value] of Object.entries(applied)) {
      if (value === null || value === undefined) delete out[key];
      else out[key] = mergeApplied(out[key], value, fieldRule(rule.type, key));
    }
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const keys = listMapKeys(rule);
    const identify = keys
      ? (item: unknown) => itemKey(item, keys)
      : rule.strategy === "merge" && !rule.mergeKey
        ? (item: unknown) => valueKey(item)
        : undefined;
    if (identify) {
      const merged = interleave(live, applied, identify, (l, a) =>
        mergeApplied(l, a, rule.type ? { type: rule.type } : {}),
      );
      if (merged) return merged;
    }
  }
  return cloneJson(applied);
}

/**
 * Live-only items keep their place; applied items come in the applied order, merged with their
 * live counterparts. Undefined when an item lacks its key (the list is then taken as applied).
 */
function interleave(
  live: unknown[],
  applied: unknown[],
  identify: (item: unknown) => string | undefined,
  mergeItem: (live: unknown, applied: unknown) => unknown,
): unknown[] | undefined {
  const liveIds = live.map(identify);
  const appliedIds = applied.map(identify);
  if (liveIds.includes(undefined) || appliedIds.includes(undefined)) return undefined;
  const out: unknown[] = [];
  const emitted = new Set<string | undefined>();
  let i = 0;
  let j = 0;
  while (i < live.length || j < applied.length) {
    if (i < live.length) {
      const id = liveIds[i];
      if (!appliedIds.includes(id)) {
        out.push(cloneJson(live[i++]));
        continue;
      }
      if (emitted.has(id)) {
        i++;
        continue;
      }
    }
    if (j < applied.length) {
      const id = appliedIds[j];
      out.push(mergeItem(live[liveIds.indexOf(id)], applied[j++]));
      emitted.add(id);
      continue;
    }
    i++;
  }
  return out;
}

function printManager(m: FieldManager): string {
  const name = JSON.stringify(m.manager);
  return m.operation === "Update" && m.apiVersion ? `${name} using ${m.apiVersion}` : name;
}

function applyConflict(conflicts: Array<{ manager: FieldManager; path: FieldPath }>): StatusError {
  const causes: StatusCause[] = conflicts.map((c) => ({
    reason: "FieldManagerConflict",
    message: `conflict with ${printManager(c.manager)}`,
    field: formatFieldPath(c.path),
  }));
  const [first] = conflicts;
  if (conflicts.length === 1 && first) {
    return new StatusError(
      409,
      "Conflict",
      `Apply failed with 1 conflict: conflict with ${printManager(first.manager)}: ${formatFieldPath(first.path)}`,
      { causes },
    );
  }
  const byManager = new Map<string, { manager: FieldManager; paths: FieldPath[] }>();
  for (const c of conflicts) {
    const id = managerIdentity(c.manager);
    const group = byManager.get(id) ?? { manager: c.manager, paths: [] };
    group.paths.push(c.path);
    byManager.set(id, group);
  }
  const lines = [...byManager.keys()].sort().flatMap((id) => {
    const group = byManager.get(id);
    if (!group) return [];
    return [
      `conflicts with ${printManager(group.manager)}:`,
      ...group.paths.map((p) => `- ${formatFieldPath(p)}`),
    ];
  });
  return new StatusError(
    409,
    "Conflict",
    `Apply failed with ${conflicts.length} conflicts: ${lines.join("\n")}`,
    {
      causes,
    },
  );
}
