// Strategic merge patch for built-in kinds: lists merge by the schema's merge keys, with the
// `$patch`, `$retainKeys`, `$deleteFromPrimitiveList/` and `$setElementOrder/` directives.
import { badRequest } from "../status.js";
import type { KubeObject } from "../types.js";
import { patchInternalError, patchNotApplicable } from "./errors.js";
import { cloneJson, goFormat, isJsonObject, type JsonObject, jsonEqual } from "./json-value.js";
import { applyMergePatch, withoutNulls } from "./merge-patch.js";
import { type FieldRule, fieldRule, rootSchemaType } from "./schema.js";

const directive = "$patch";
const retainKeysDirective = "$retainKeys";
const deleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList/";
const setElementOrderPrefix = "$setElementOrder/";

export function applyStrategicMergePatch(
  target: KubeObject,
  patch: unknown,
  kind: { group: string; kind: string },
): KubeObject {
  const root = rootSchemaType(kind);
  // Custom resources have no Go struct tags; the real server refuses the patch type (415) before
  // this point, so falling back to merge-patch semantics only serves direct callers.
  if (root === undefined) return applyMergePatch(target, patch);
  if (patch === null || patch === undefined) return cloneJson(target);
  if (!isJsonObject(patch)) {
    throw badRequest(
      `json: cannot unmarshal ${Array.isArray(patch) ? "array" : typeof patch} into Go value of type map[string]interface {}`,
    );
  }
  return mergeMap(cloneJson(target as JsonObject), patch, root) as KubeObject;
}

function mergeMap(original: JsonObject | undefined, patch: JsonObject, type: string | undefined): JsonObject {
  const patchType = patch[directive];
  if (patchType !== undefined && patchType !== "merge") {
    if (patchType === "replace") {
      const { [directive]: _, ...rest } = patch;
      return mergeMap(undefined, rest, type);
    }
    if (patchType === "delete") return {};
    throw patchInternalError(`unknown patch type: ${goFormat(patchType)} in map: ${goFormat(patch)}`);
  }
  const result: JsonObject = original ?? {};
  const before = cloneJson(result);
  applyRetainKeys(result, patch);
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(deleteFromPrimitiveListPrefix)) {
      deleteFromPrimitiveList(result, key.slice(deleteFromPrimitiveListPrefix.length), value);
    } else if (!key.startsWith("$")) {
      mergeField(result, key, value, fieldRule(type, key));
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(setElementOrderPrefix)) {
      const field = key.slice(setElementOrderPrefix.length);
      setElementOrder(result, field, value, before[field], fieldRule(type, field));
    }
  }
  return result;
}

function mergeField(target: JsonObject, key: string, value: unknown, rule: FieldRule): void {
  if (value === null) {
    delete target[key];
    return;
  }
  const current = target[key];
  if (isJsonObject(value)) {
    target[key] = mergeMap(isJsonObject(current) ? current : undefined, value, rule.type);
  } else if (Array.isArray(value)) {
    target[key] = mergeList(Array.isArray(current) ? current : [], value, rule);
  } else {
    target[key] = value;
  }
}

function applyRetainKeys(original: JsonObject, patch: JsonObject): void {
  const retain = patch[retainKeysDirective];
  if (retain === undefined) return;
  if (!Array.isArray(retain)) throw badRequest("invalid patch format of retainKeys");
  const keep = new Set(retain.map(String));
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith("$")) continue;
    if (!keep.has(key)) throw patchNotApplicable("patch content doesn't match retainKeys list");
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

function deleteFromPrimitiveList(original: JsonObject, field: string, values: unknown): void {
  if (!Array.isArray(values)) throw badRequest("invalid patch format of primitive list");
  const current = original[field];
  if (!Array.isArray(current)) return;
  original[field] = current.filter((item) => !values.some((v) => jsonEqual(v, item)));
}

/** The identity of a list item: its merge key's value for maps, the value itself for primitives. */
function identityOf(item: unknown, mergeKey: string | undefined): unknown {
  return mergeKey && isJsonObject(item) ? item[mergeKey] : item;
}

function indexIn(list: unknown[], item: unknown, mergeKey: string | undefined): number {
  const id = identityOf(item, mergeKey);
  return list.findIndex((other) => jsonEqual(identityOf(other, mergeKey), id));
}

function mergeList(original: unknown[], patch: unknown[], rule: FieldRule): unknown[] {
  if (rule.strategy !== "merge") return withoutNulls(cloneJson(patch)) as unknown[];
  if ([...original, ...patch].some(Array.isArray))
    throw patchNotApplicable("lists of lists are not supported");
  const ofMaps = [...original, ...patch].some(isJsonObject);
  if (!ofMaps) {
    const merged = [...original];
    for (const item of patch) if (indexIn(merged, item, undefined) < 0) merged.push(item);
    return orderLikeServer(merged, patch, original, undefined);
  }
  const mergeKey = rule.mergeKey;
  if (!mergeKey) throw patchInternalError(`cannot merge lists without merge key for ${rule.type ?? "list"}`);
  let base = original;
  const items: JsonObject[] = [];
  let replace = false;
  for (const element of patch) {
    if (!isJsonObject(element)) throw patchInternalError(`list item ${goFormat(element)} is not a map`);
    const patchType = element[directive];
    if (patchType === undefined) {
      items.push(element);
    } else if (patchType === "delete") {
      if (!(mergeKey in element)) throw missingMergeKey(element, mergeKey);
      base = base.filter((item) => !jsonEqual(identityOf(item, mergeKey), element[mergeKey]));
    } else if (patchType === "replace") {
      replace = true;
    } else if (patchType === "merge") {
      throw patchInternalError("merging lists cannot yet be specified in the patch");
    } else {
      throw patchInternalError(`unknown patch type: ${goFormat(patchType)} in map: ${goFormat(element)}`);
    }
  }
  if (replace) return items.map((item) => mergeMap(undefined, item, rule.type));
  const merged = [...base];
  for (const item of items) {
    if (!(mergeKey in item)) throw missingMergeKey(item, mergeKey);
    const at = indexIn(merged, item, mergeKey);
    if (at >= 0) {
      const existing = merged[at];
      merged[at] = mergeMap(isJsonObject(existing) ? existing : undefined, item, rule.type);
    } else {
      merged.push(mergeMap(undefined, item, rule.type));
    }
  }
  return orderLikeServer(merged, items, base, mergeKey);
}

function missingMergeKey(item: JsonObject, mergeKey: string) {
  return patchInternalError(`map: ${goFormat(item)} does not contain declared merge key: ${mergeKey}`);
}

/**
 * apimachinery's ordering of a merged list: items named by `order` follow it, the others keep their
 * server order, and the two sequences interleave by server position where both are known.
 */
function orderLikeServer(
  merged: unknown[],
  order: unknown[],
  serverOrder: unknown[],
  mergeKey: string | undefined,
): unknown[] {
  const named = merged
    .filter((item) => indexIn(order, item, mergeKey) >= 0)
    .sort((a, b) => indexIn(order, a, mergeKey) - indexIn(order, b, mergeKey));
  const serverOnly = merged.filter((item) => indexIn(order, item, mergeKey) < 0);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < named.length) {
    if (j >= named.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(named[j++]);
    else {
      const left = indexIn(serverOrder, serverOnly[i], mergeKey);
      const right = indexIn(serverOrder, named[j], mergeKey);
      if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++]);
      else out.push(named[j++]);
    }
  }
  return out;
}

function setElementOrder(
  result: JsonObject,
  field: string,
  order: unknown,
  before: unknown,
  rule: FieldRule,
): void {
  if (!Array.isArray(order)) throw badRequest("invalid patch format of setElementOrder list");
  const merged = result[field];
  if (!Array.isArray(merged) || rule.strategy !== "merge") return;
  const mergeKey = merged.some(isJsonObject) ? rule.mergeKey : undefined;
  result[field] = orderLikeServer(merged, order, Array.isArray(before) ? before : [], mergeKey);
}
