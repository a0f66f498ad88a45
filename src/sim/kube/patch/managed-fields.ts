// metadata.managedFields as field sets per manager, and how an Update (create, update, patch)
// moves ownership: the updater takes the fields it added or changed from everyone else.
import type { KubeObject } from "../types.js";
import {
  changedFields,
  type FieldSet,
  fieldSetsEqual,
  fromFieldsV1,
  isEmptyFieldSet,
  subtractFieldSet,
  toFieldsV1,
  trackedView,
  unionFieldSets,
} from "./field-set.js";
import { isJsonObject, type JsonObject } from "./json-value.js";
import { rootSchemaType } from "./schema.js";

export interface FieldManager {
  manager: string;
  operation: string;
  apiVersion?: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
  /** The stored entry this was decoded from (and its set), reused while set and time stay the same. */
  encoded?: { entry: JsonObject; set: FieldSet | undefined };
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

/** Decoded managedFields by the (frozen, stored) array they came from: stored objects share them. */
const decoded = new WeakMap<object, FieldManager[]>();

export function decodeManagedFields(entries: unknown): FieldManager[] {
  if (!Array.isArray(entries)) return [];
  const cached = Object.isFrozen(entries) ? decoded.get(entries) : undefined;
  // Copies of the entries (callers reassign set and time), sharing the immutable sets.
  if (cached) return cached.map((m) => ({ ...m }));
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
      encoded: { entry, set: undefined },
    });
    const last = out[out.length - 1];
    if (last?.encoded) last.encoded.set = last.set;
  }
  if (Object.isFrozen(entries)) decoded.set(entries, out);
  return out.map((m) => ({ ...m }));
}

function compareStrings(a: string | undefined, b: string | undefined): number {
  const x = a ?? "";
  const y = b ?? "";
  return x < y ? -1 : x > y ? 1 : 0;
}

function seconds(time: string | undefined): number {
  return time ? Math.floor(Date.parse(time) / 1000) : 0;
}

function reusable(m: FieldManager): JsonObject | undefined {
  const encoded = m.encoded;
  return encoded && encoded.set === m.set && encoded.entry.time === m.time ? encoded.entry : undefined;
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
    .map(
      (m) =>
        reusable(m) ?? {
          manager: m.manager,
          operation: m.operation,
          ...(m.apiVersion ? { apiVersion: m.apiVersion } : {}),
          ...(m.time ? { time: m.time } : {}),
          fieldsType: "FieldsV1",
          fieldsV1: toFieldsV1(m.set),
          ...(m.subresource ? { subresource: m.subresource } : {}),
        },
    );
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
 * What an empty object of a built-in kind already holds once Go serialises it (structs that are not
 * pointers, slices without omitempty): an Update compares a new object with it, so these carry no
 * `.` of their own. A custom resource starts from nothing but its metadata.
 */
function zeroObject(kind: { group: string; kind: string }): JsonObject {
  if (rootSchemaType(kind) === undefined) return { metadata: {} };
  const template = () => ({ metadata: {}, spec: { containers: null } });
  const specs: Record<string, JsonObject> = {
    Pod: { containers: null },
    Deployment: { selector: null, template: template(), strategy: {} },
    StatefulSet: { selector: null, template: template(), updateStrategy: {} },
    DaemonSet: { selector: null, template: template(), updateStrategy: {} },
    ReplicaSet: { selector: null, template: template() },
    Job: { template: template() },
    CronJob: { jobTemplate: { metadata: {}, spec: { template: template() } } },
    PersistentVolumeClaim: { resources: {} },
    CustomResourceDefinition: { names: {}, versions: null },
  };
  if (kind.kind === "PodTemplate") return { metadata: {}, template: template() };
  return { metadata: {}, spec: specs[kind.kind] ?? {}, status: {} };
}

/** Every field of `view`, with the maps and lists an Update would have added marked. */
function updateFieldSet(view: JsonObject, zero: JsonObject, rootType: string | undefined): FieldSet {
  return changedFields(zero, view, rootType, true);
}

/**
 * Records an Update by `manager`: it takes the fields `updated` adds or changes relative to `old`
 * (all of them on create) from other managers; removed fields leave its set. A status-subresource
 * write is recorded as its own entry (`subresource: status`) over the status it changed.
 */
export function recordUpdateManagedFields(
  old: KubeObject | undefined,
  updated: KubeObject,
  manager: string,
  operation: "Update",
  apiVersion: string,
  now: string,
  options: { subresource?: string; trackStatus?: boolean } = {},
): KubeObject {
  const kind = kindOf(updated);
  const rootType = rootSchemaType(kind);
  const managers = baselineManagers(old, updated);
  const status = options.subresource === "status";
  const view = (object: KubeObject) =>
    status ? statusView(object) : trackedView(object, { status: options.trackStatus === true });
  const zero = zeroObject(kind);
  const after = view(updated);
  const changed = old
    ? changedFields({ ...zero, ...view(old) }, after, rootType, true)
    : updateFieldSet(after, zero, rootType);
  const removed = old
    ? subtractFieldSet(updateFieldSet(view(old), zero, rootType), updateFieldSet(after, zero, rootType))
    : undefined;
  const subresource = status ? { subresource: "status" } : {};
  const identity = managerIdentity({ manager, operation, apiVersion, ...subresource });
  let mine = managers.find((m) => managerIdentity(m) === identity);
  for (const entry of managers) if (entry !== mine) entry.set = subtractFieldSet(entry.set, changed);
  if (!mine) {
    mine = { manager, operation, apiVersion, ...subresource, set: { member: false, children: new Map() } };
    managers.push(mine);
  }
  const previous = mine.set;
  mine.set = unionFieldSets(removed ? subtractFieldSet(previous, removed) : previous, changed);
  // Timestamps move only when ownership does, so a no-op update stays a no-op.
  if (!mine.time || !fieldSetsEqual(previous, mine.set)) mine.time = now;
  return withManagedFields(updated, managers);
}

/** What a status write can change: the status, and the metadata a status strategy lets through. */
function statusView(object: KubeObject): JsonObject {
  const full = trackedView(object, { status: true });
  return {
    ...(full.status !== undefined ? { status: full.status } : {}),
    ...(full.metadata ? { metadata: full.metadata } : {}),
  };
}

export function kindOf(object: KubeObject): { group: string; kind: string } {
  const apiVersion = object.apiVersion ?? "";
  const slash = apiVersion.indexOf("/");
  return { group: slash < 0 ? "" : apiVersion.slice(0, slash), kind: object.kind ?? "" };
}

export function currentTime(): string {
  return `${new Date().toISOString().slice(0, 19)}Z`;
}
