// RFC 7386 JSON merge patch as kube-apiserver applies it: null deletes, objects merge recursively,
// anything else (arrays included) replaces, and nulls inside newly added values are dropped.
import { badRequest } from "../status.js";
import type { KubeObject } from "../types.js";
import { cloneJson, isJsonObject, type JsonObject } from "./json-value.js";

export function applyMergePatch(target: KubeObject, patch: unknown): KubeObject {
  // The library answers ErrBadJSONPatch for anything that is not an object (arrays only ever
  // replace the whole document, which no Kubernetes object decodes from).
  if (!isJsonObject(patch)) throw badRequest("Invalid JSON Patch");
  return mergeObjects(cloneJson(target), patch) as KubeObject;
}

export function mergeObjects(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
    } else if (isJsonObject(value) && isJsonObject(target[key])) {
      target[key] = mergeObjects(target[key], value);
    } else {
      target[key] = withoutNulls(cloneJson(value));
    }
  }
  return target;
}

/** Drops null members of objects (not array elements), as the library prunes added values. */
export function withoutNulls(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutNulls);
  if (!isJsonObject(value)) return value;
  const out: JsonObject = {};
  for (const [key, member] of Object.entries(value)) {
    if (member !== null) out[key] = withoutNulls(member);
  }
  return out;
}
