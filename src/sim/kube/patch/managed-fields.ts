// metadata.managedFields as field sets per manager, and how an Update (create, update, patch)
// moves ownership: the updater takes the fields it added or changed from everyone else.
import type { KubeObject } from "../types.js";
import {
  changedFields,
  type FieldSet,
  fieldSetOf,
  fromFieldsV1,
  isEmptyFieldSet,
  subtractFieldSet,
  toFieldsV1,
  trackedView,
  unionFieldSets,
} from "./field-set.js";
import { cloneJson, isJsonObject, jsonEqual } from "./json-value.js";
import { rootSchemaType } from "./schema.js";

export interface FieldManager {
  manager: string;
  operation: string;
  apiVersion?: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** What identifies a manager: Apply entries are one per manager, Update ones one per version too. */
export function managerIdentity(entry: {
  manager: string;
  operation: string;
  apiVersion?: string;
  subresource?: string;
}): string {
  return JSON.stringify({
    manager: entry.manager,
    operation: entry.operation,
    ...(entry.operation === "Update" && entry.apiVersion ? { apiVersion: entry.apiVersion } : {}),
    ...(entry.subresource ? { subresource: entry.subresource } : {}),
  });
}

export function decodeManagedFields(entries: unknown): FieldManager[] {
  if (!Array.isArray(entries)) return [];
  const out: FieldManager[] = [];
  for (const entry of entries) {
    if (!isJsonObject(entry) || typeof entry.manager !== "string" || typeof entry.operation !== "string")
      continue;
    out.push({
      manager: entry.manager,
      operation: entry.operation,
      ...(typeof entry.apiVersion === "string" ? { apiVersion: entry.apiVersion } : {}),
      ...(typeof entry.time === "string" ? { time: entry.time } : {}),
      ...(typeof entry.subresource === "string" && entry.subresource
        ? { subresource: entry.subresource }
        : {}),
      set: fromFieldsV1(entry.fieldsV1),
    });
  }
  return out;
}

function compareStrings(a: string | undefined, b: string | undefined): number {
  const x = a ?? "";
  const y = b ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
}

function seconds(time: string | undefined): number {
  return time ? Math.floor(Date.parse(time) / 1000) : 0;
}

/** Encodes entries in the order kube-apiserver stores them: operation, time, manager, version. */
export function encodeManagedFields(managers: FieldManager[]): Array<Record<string, unknown>> {
  return managers
    .filter((m) => !isEmptyFieldSet(m.set))
    .sort(
      (a, b) =>
        compareStrings(a.operation, b.operation) ||
        seconds(a.time) - seconds(b.time) ||
        compareStrings(a.manager, b.manager) ||
        compareStrings(a.apiVersion, b.apiVersion) ||
        compareStrings(a.subresource, b.subresource),
    )
    .map((m) => ({
      manager: m.manager,
      operation: m.operation,
      ...(m.apiVersion ? { apiVersion: m.apiVersion } : {}),
      ...(m.time ? { time: m.time } : {}),
      fieldsType: "FieldsV1",
      fieldsV1: toFieldsV1(m.set),
      ...(m.subresource ? { subresource: m.subresource } : {}),
    }));
}

export function withManagedFields(object: KubeObject, managers: FieldManager[]): KubeObject {
  const encoded = encodeManagedFields(managers);
  const metadata = { ...(object.metadata ?? {}) };
  if (encoded.length > 0) metadata.managedFields = encoded;
  else delete metadata.managedFields;
  return { ...object, metadata };
}

/** `[{}]` in a request clears managedFields, as the API documents. */
function isReset(entries: unknown): boolean {
  return (
    Array.isArray(entries) &&
    entries.length === 1 &&
    isJsonObject(entries[0]) &&
    Object.keys(entries[0]).length === 0
  );
}

/** The managers an update starts from: the request's own list if it sent one, else the stored one. */
function baselineManagers(old: KubeObject | undefined, updated: KubeObject): FieldManager[] {
  const sent = updated.metadata?.managedFields;
  if (isReset(sent)) return [];
  const decoded = decodeManagedFields(sent);
  return decoded.length > 0 ? decoded : decodeManagedFields(old?.metadata?.managedFields);
}

/**
 * Records an Update by `manager`: it takes the fields `updated` adds or changes relative to `old`
 * (all of them on create) from other managers; removed fields leave its set.
 */
export function recordUpdateManagedFields(
  old: KubeObject | undefined,
  updated: KubeObject,
  manager: string,
  operation: "Update",
  apiVersion: string,
  now: string,
): KubeObject {
  const rootType = rootSchemaType(kindOf(updated));
  const managers = baselineManagers(old, updated);
  const after = trackedView(updated);
  const changed = old ? changedFields(trackedView(old), after, rootType) : fieldSetOf(after, rootType);
  const removed = old
    ? subtractFieldSet(fieldSetOf(trackedView(old), rootType), fieldSetOf(after, rootType))
    : undefined;
  const identity = managerIdentity({ manager, operation, apiVersion });
  let mine = managers.find((m) => managerIdentity(m) === identity);
  for (const entry of managers) if (entry !== mine) entry.set = subtractFieldSet(entry.set, changed);
  if (!mine) {
    mine = { manager, operation, apiVersion, set: { member: false, children: new Map() } };
    managers.push(mine);
  }
  const previous = mine.set;
  mine.set = unionFieldSets(removed ? subtractFieldSet(previous, removed) : previous, changed);
  // Timestamps move only when ownership does, so a no-op update stays a no-op.
  if (!mine.time || !jsonEqual(toFieldsV1(previous), toFieldsV1(mine.set))) mine.time = now;
  return withManagedFields(cloneJson(updated), managers);
}

export function kindOf(object: KubeObject): { group: string; kind: string } {
  const apiVersion = object.apiVersion ?? "";
  const slash = apiVersion.indexOf("/");
  return { group: slash < 0 ? "" : apiVersion.slice(0, slash), kind: object.kind ?? "" };
}

export function currentTime(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}
