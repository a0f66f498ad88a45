// Sets of field paths in the FieldsV1 form managedFields stores (`f:name`, `k:{...}`, `v:...`,
// `.`), computed from objects by the schema: associative lists by key, set lists by value.
import type { KubeObject } from "../types.js";
import { isJsonObject, type JsonObject, jsonEqual } from "./json-value.js";
import { type FieldRule, fieldRule, type ListMapKey, listMapKeys } from "./schema.js";

/** A node of a field set; `member` says the path to it is itself in the set. */
export interface FieldSet {
  member: boolean;
  children: Map<string, FieldSet>;
}

export type FieldPath = string[];

export function emptyFieldSet(): FieldSet {
  return { member: false, children: new Map() };
}

function child(node: FieldSet, key: string): FieldSet {
  const existing = node.children.get(key);
  if (existing) return existing;
  const next = emptyFieldSet();
  node.children.set(key, next);
  return next;
}

// Set by the server, identity, or not tracked on the main resource (status has its own endpoint).
const untrackedTopLevel = new Set(["apiVersion", "kind", "status"]);
const untrackedMetadata = new Set([
  "name",
  "namespace",
  "uid",
  "resourceVersion",
  "generation",
  "creationTimestamp",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "managedFields",
  "selfLink",
]);

/**
 * The part of an object whose fields have managers; `status` only where it is not reset (a
 * status-subresource write, or a type without that subresource).
 */
export function trackedView(object: KubeObject, options: { status?: boolean } = {}): JsonObject {
  const view: JsonObject = {};
  for (const [key, value] of Object.entries(object)) {
    if (value === undefined || (untrackedTopLevel.has(key) && !(key === "status" && options.status)))
      continue;
    if (key === "metadata" && isJsonObject(value)) {
      const metadata: JsonObject = {};
      for (const [field, member] of Object.entries(value)) {
        if (!untrackedMetadata.has(field) && member !== undefined) metadata[field] = member;
      }
      if (Object.keys(metadata).length > 0) view.metadata = metadata;
    } else {
      view[key] = value;
    }
  }
  return view;
}

function isSetList(rule: FieldRule): boolean {
  return rule.strategy === "merge" && !rule.mergeKey;
}

/** `k:{...}` for an associative list item; undefined when a key field is missing. */
export function itemKey(item: unknown, keys: ListMapKey[]): string | undefined {
  if (!isJsonObject(item)) return undefined;
  const sorted = [...keys].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0));
  const key: JsonObject = {};
  for (const { field, default: fallback } of sorted) {
    const value = item[field] ?? fallback;
    if (value === undefined || value === null) return undefined;
    key[field] = value;
  }
  return `k:${JSON.stringify(key)}`;
}

export function valueKey(value: unknown): string {
  return `v:${JSON.stringify(value)}`;
}

function keyedItems(list: unknown[], rule: FieldRule): Array<[string, unknown]> | undefined {
  const keys = listMapKeys(rule);
  if (keys) {
    const out: Array<[string, unknown]> = [];
    for (const item of list) {
      const key = itemKey(item, keys);
      if (key === undefined) return undefined;
      out.push([key, item]);
    }
    return out;
  }
  if (isSetList(rule) && list.every((item) => !isJsonObject(item) && !Array.isArray(item))) {
    return list.map((item) => [valueKey(item), item]);
  }
  return undefined;
}

/**
 * Adds every field of `value` (at `node`) to the set. With `added`, a map or associative list is
 * itself a member too (written `.`), as structured-merge-diff records values an Update added.
 */
function collect(value: unknown, rule: FieldRule, node: FieldSet, added = false): void {
  if (value === null || value === undefined) return;
  if (isJsonObject(value) && !rule.atomic) {
    const keys = Object.keys(value).filter((k) => value[k] !== null && value[k] !== undefined);
    if (keys.length === 0 || added) node.member = true;
    for (const key of keys) collect(value[key], fieldRule(rule.type, key), child(node, `f:${key}`), added);
    return;
  }
  const items = Array.isArray(value) ? keyedItems(value, rule) : undefined;
  if (!items) {
    node.member = true;
    return;
  }
  if (added) node.member = true;
  for (const [key, item] of items) {
    const itemNode = child(node, key);
    itemNode.member = true;
    if (key.startsWith("k:")) collect(item, { ...(rule.type ? { type: rule.type } : {}) }, itemNode, added);
  }
}

export function fieldSetOf(view: JsonObject, rootType: string | undefined): FieldSet {
  const set = emptyFieldSet();
  collect(view, rootType ? { type: rootType } : {}, set);
  set.member = false;
  return prune(set);
}

/**
 * Paths whose values `after` adds or changes relative to `before`. With `markAdded`, maps and
 * associative lists absent from `before` are members themselves, as an Update records them.
 */
export function changedFields(
  before: JsonObject,
  after: JsonObject,
  rootType: string | undefined,
  markAdded = false,
): FieldSet {
  const set = emptyFieldSet();
  diff(before, after, rootType ? { type: rootType } : {}, set, markAdded);
  set.member = false;
  return prune(set);
}

function diff(before: unknown, after: unknown, rule: FieldRule, node: FieldSet, markAdded: boolean): void {
  if (after === null || after === undefined) return;
  if (isJsonObject(after) && !rule.atomic && isJsonObject(before)) {
    const keys = Object.keys(after).filter((k) => after[k] !== null && after[k] !== undefined);
    if (keys.length === 0 && Object.keys(before).length > 0) node.member = true;
    for (const key of keys)
      diff(before[key], after[key], fieldRule(rule.type, key), child(node, `f:${key}`), markAdded);
    return;
  }
  if (Array.isArray(after) && Array.isArray(before)) {
    const afterItems = keyedItems(after, rule);
    const beforeItems = keyedItems(before, rule);
    if (afterItems && beforeItems) {
      const previous = new Map(beforeItems);
      for (const [key, item] of afterItems) {
        const itemNode = child(node, key);
        if (!previous.has(key)) collect(item, rule.type ? { type: rule.type } : {}, itemNode, markAdded);
        else if (key.startsWith("k:"))
          diff(previous.get(key), item, rule.type ? { type: rule.type } : {}, itemNode, markAdded);
        if (!previous.has(key)) itemNode.member = true;
      }
      return;
    }
  }
  if (isJsonObject(after) !== isJsonObject(before) || Array.isArray(after) !== Array.isArray(before)) {
    // null is a value (Go's nil slice without omitempty), so a value replacing it was not added.
    collect(after, rule, node, markAdded && before === undefined);
    return;
  }
  if (!jsonEqual(before, after)) node.member = true;
}

/** Drops nodes that are neither members nor lead to members. */
function prune(node: FieldSet): FieldSet {
  for (const [key, next] of node.children) {
    prune(next);
    if (!next.member && next.children.size === 0) node.children.delete(key);
  }
  return node;
}

export function isEmptyFieldSet(set: FieldSet): boolean {
  return !set.member && set.children.size === 0;
}

export function unionFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member || b.member, children: new Map() };
  for (const key of new Set([...a.children.keys(), ...b.children.keys()])) {
    const left = a.children.get(key) ?? emptyFieldSet();
    const right = b.children.get(key) ?? emptyFieldSet();
    out.children.set(key, unionFieldSets(left, right));
  }
  return prune(out);
}

/** Members of `a` that are not members of `b`; `a` itself (sets are never changed) when none are. */
export function subtractFieldSet(a: FieldSet, b: FieldSet): FieldSet {
  if (b.children.size === 0 && !b.member) return a;
  let changed = a.member && b.member;
  const children = new Map<string, FieldSet>();
  for (const [key, next] of a.children) {
    const other = b.children.get(key);
    const rest = other ? subtractFieldSet(next, other) : next;
    if (rest !== next) changed = true;
    if (rest.member || rest.children.size > 0) children.set(key, rest);
  }
  return changed ? { member: a.member && !b.member, children } : a;
}

export function fieldSetsEqual(a: FieldSet, b: FieldSet): boolean {
  if (a === b) return true;
  if (a.member !== b.member || a.children.size !== b.children.size) return false;
  for (const [key, next] of a.children) {
    const other = b.children.get(key);
    if (!other || !fieldSetsEqual(next, other)) return false;
  }
  return true;
}

/** Members of both. */
export function intersectFieldSets(a: FieldSet, b: FieldSet): FieldSet {
  const out: FieldSet = { member: a.member && b.member, children: new Map() };
  for (const [key, next] of a.children) {
    const other = b.children.get(key);
    if (other) out.children.set(key, intersectFieldSets(next, other));
  }
  return prune(out);
}

/** The set's members as paths, in the order FieldsV1 serializes them. */
export function fieldPaths(set: FieldSet, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = set.member && prefix.length > 0 ? [prefix] : [];
  for (const key of sortedKeys(set.children)) {
    const next = set.children.get(key);
    if (next) out.push(...fieldPaths(next, [...prefix, key]));
  }
  return out;
}

/** True when the set has a node at `path`: the path itself or something beneath it. */
export function reachesPath(set: FieldSet, path: FieldPath): boolean {
  let node: FieldSet | undefined = set;
  for (const key of path) {
    node = node.children.get(key);
    if (!node) return false;
  }
  return true;
}

// structured-merge-diff orders path elements fields, then keys, then values, then indexes.
const kindOrder = ["f", "k", "v", "i"];
function sortedKeys(children: Map<string, FieldSet>): string[] {
  return [...children.keys()].sort((a, b) => {
    const byKind = kindOrder.indexOf(a.slice(0, 1)) - kindOrder.indexOf(b.slice(0, 1));
    if (byKind !== 0) return byKind;
    return a < b ? -1 : a > b ? 1 : 0;
  });
}

export function toFieldsV1(set: FieldSet): JsonObject {
  const out: JsonObject = {};
  // A leaf is written `{}`; `.` marks a member that also has members beneath it.
  if (set.member && set.children.size > 0) out["."] = {};
  for (const key of sortedKeys(set.children)) {
    const next = set.children.get(key);
    if (next) out[key] = toFieldsV1(next);
  }
  return out;
}

export function fromFieldsV1(fields: unknown): FieldSet {
  const set = emptyFieldSet();
  if (!isJsonObject(fields)) return set;
  for (const [key, value] of Object.entries(fields)) {
    if (key === ".") set.member = true;
    else set.children.set(key, fromFieldsV1(value));
  }
  // A leaf written as `{}` is a member with nothing beneath it.
  if (set.children.size === 0) set.member = true;
  return set;
}

/** A path as structured-merge-diff prints it: `.spec.containers[name="web"].image`. */
export function formatFieldPath(path: FieldPath): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith("f:")) return `.${body}`;
      if (element.startsWith("v:")) return `[=${body}]`;
      if (element.startsWith("i:")) return `[${body}]`;
      const key = JSON.parse(body) as JsonObject;
      const parts = Object.entries(key).map(([field, value]) => `${field}=${JSON.stringify(value)}`);
      return `[${parts.join(",")}]`;
    })
    .join("");
}

/** Removes the value at `path` from `object` (in place), then parents its removal left empty. */
export function removeFieldPath(object: JsonObject, path: FieldPath, rootType: string | undefined): void {
  const trail: Array<{ container: JsonObject | unknown[]; element: string; rule: FieldRule }> = [];
  let current: unknown = object;
  let rule: FieldRule = rootType ? { type: rootType } : {};
  for (const element of path) {
    if (!isJsonObject(current) && !Array.isArray(current)) return;
    trail.push({ container: current, element, rule });
    const step = stepInto(current, element, rule);
    if (!step) return;
    current = step.value;
    rule = step.rule;
  }
  for (let depth = trail.length - 1; depth >= 0; depth--) {
    const entry = trail[depth];
    if (!entry) return;
    removeElement(entry.container, entry.element, entry.rule);
    const emptied = Array.isArray(entry.container)
      ? entry.container.length === 0
      : Object.keys(entry.container).length === 0;
    // Stop at top-level fields (spec, metadata) and at list items: the API keeps those.
    if (!emptied || depth < 2 || !path[depth - 1]?.startsWith("f:")) return;
  }
}

function stepInto(
  container: JsonObject | unknown[],
  element: string,
  rule: FieldRule,
): { value: unknown; rule: FieldRule } | undefined {
  if (element.startsWith("f:")) {
    if (!isJsonObject(container)) return undefined;
    const field = element.slice(2);
    return { value: container[field], rule: fieldRule(rule.type, field) };
  }
  if (!Array.isArray(container)) return undefined;
  const index = itemIndex(container, element, rule);
  if (index < 0) return undefined;
  return { value: container[index], rule: rule.type ? { type: rule.type } : {} };
}

function itemIndex(list: unknown[], element: string, rule: FieldRule): number {
  const items = keyedItems(list, rule);
  return items ? items.findIndex(([key]) => key === element) : -1;
}

function removeElement(container: JsonObject | unknown[], element: string, rule: FieldRule): void {
  if (isJsonObject(container)) {
    delete container[element.slice(2)];
    return;
  }
  const index = itemIndex(container, element, rule);
  if (index >= 0) container.splice(index, 1);
}
