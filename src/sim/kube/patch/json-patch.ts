// RFC 6902 JSON patch with the quirks of the library kube-apiserver uses (evanphx/json-patch v4):
// its error texts, `replace` of a missing object key acting as `add`, and `-` to append.
import { badRequest } from "../status.js";
import type { KubeObject } from "../types.js";
import { patchNotApplicable, tooManyPatchOperations } from "./errors.js";
import { cloneJson, isJsonObject, type JsonObject, jsonEqual } from "./json-value.js";

// kube-apiserver's limit (maxJSONPatchOperations in the patch handler).
const maxOperations = 10000;

interface Operation {
  op: string;
  path: string;
  from?: string;
  value: unknown;
  hasValue: boolean;
}

type Container = JsonObject | unknown[];

export function applyJsonPatch(target: KubeObject, operations: unknown): KubeObject {
  const ops = decodeOperations(operations);
  const doc: JsonObject = cloneJson(target);
  for (const op of ops) applyOperation(doc, op);
  return doc as KubeObject;
}

function goTypeName(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "object") return "object";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

function decodeOperations(operations: unknown): Operation[] {
  if (operations === null || operations === undefined) return [];
  if (!Array.isArray(operations)) {
    throw badRequest(
      `error decoding patch: json: cannot unmarshal ${goTypeName(operations)} into Go value of type []handlers.jsonPatchOp`,
    );
  }
  const decoded = operations.map((raw, i): Operation => {
    if (!isJsonObject(raw)) {
      throw badRequest(
        `error decoding patch: json: cannot unmarshal ${goTypeName(raw)} into Go value of type handlers.jsonPatchOp`,
      );
    }
    const op = typeof raw.op === "string" ? raw.op : "";
    const path = typeof raw.path === "string" ? raw.path : "";
    if (path === "") throw badRequest(`json patch ${op} operation ${i} has no path`);
    return {
      op,
      path,
      ...(typeof raw.from === "string" ? { from: raw.from } : {}),
      value: raw.value === undefined ? null : raw.value,
      hasValue: raw.value !== undefined && raw.value !== null,
    };
  });
  if (decoded.length > maxOperations) throw tooManyPatchOperations(decoded.length, maxOperations);
  return decoded;
}

function decodeKey(part: string): string {
  return part.replaceAll("~1", "/").replaceAll("~0", "~");
}

/** Walks to the container holding the pointer's last token; undefined when any step is missing. */
function findContainer(doc: JsonObject, pointer: string): { container: Container; key: string } | undefined {
  const split = pointer.split("/");
  if (split.length < 2) return undefined;
  let current: unknown = doc;
  for (const part of split.slice(1, -1)) {
    const next = getChild(current as Container, decodeKey(part));
    if (!next.ok || (!isJsonObject(next.value) && !Array.isArray(next.value))) return undefined;
    current = next.value;
  }
  return { container: current as Container, key: decodeKey(split[split.length - 1] ?? "") };
}

type Lookup = { ok: true; value: unknown } | { ok: false; error: string };

function arrayIndex(key: string): { ok: true; index: number } | { ok: false; error: string } {
  if (!/^[+-]?\d+$/.test(key)) {
    return {
      ok: false,
      error: `value was not a proper array index: '${key}': strconv.Atoi: parsing "${key}": invalid syntax`,
    };
  }
  return { ok: true, index: Number.parseInt(key, 10) };
}

function invalidIndex(index: number): string {
  return `Unable to access invalid index: ${index}: invalid index referenced`;
}

function getChild(container: Container, key: string): Lookup {
  if (!Array.isArray(container)) {
    // The library returns a nil node without error for a missing key; callers decide what that means.
    return Object.hasOwn(container, key)
      ? { ok: true, value: container[key] }
      : { ok: true, value: undefined };
  }
  const parsed = arrayIndex(key);
  if (!parsed.ok) return parsed;
  if (parsed.index < 0 || parsed.index >= container.length)
    return { ok: false, error: invalidIndex(parsed.index) };
  return { ok: true, value: container[parsed.index] };
}

function addChild(container: Container, key: string, value: unknown): string | undefined {
  if (!Array.isArray(container)) {
    container[key] = value;
    return undefined;
  }
  if (key === "-") {
    container.push(value);
    return undefined;
  }
  const parsed = arrayIndex(key);
  if (!parsed.ok) return parsed.error;
  let index = parsed.index;
  if (index > container.length) return invalidIndex(index);
  if (index < 0) {
    if (index < -(container.length + 1)) return invalidIndex(index);
    index += container.length + 1;
  }
  container.splice(index, 0, value);
  return undefined;
}

function removeChild(container: Container, key: string): string | undefined {
  if (!Array.isArray(container)) {
    if (!Object.hasOwn(container, key)) return `Unable to remove nonexistent key: ${key}: missing value`;
    delete container[key];
    return undefined;
  }
  const parsed = arrayIndex(key);
  if (!parsed.ok) return parsed.error;
  let index = parsed.index;
  if (index >= container.length) return invalidIndex(index);
  if (index < 0) {
    if (index < -container.length) return invalidIndex(index);
    index += container.length;
  }
  container.splice(index, 1);
  return undefined;
}

function setChild(container: Container, key: string, value: unknown): void {
  if (Array.isArray(container)) container[Number.parseInt(key, 10)] = value;
  else container[key] = value;
}

const operationHandlers: Record<string, (doc: JsonObject, op: Operation) => void> = {
  add,
  remove,
  replace,
  move,
  copy,
  test,
};

function applyOperation(doc: JsonObject, op: Operation): void {
  const handler = Object.hasOwn(operationHandlers, op.op) ? operationHandlers[op.op] : undefined;
  if (!handler) throw patchNotApplicable(`Unexpected kind: ${op.op}`);
  handler(doc, op);
}

function add(doc: JsonObject, op: Operation): void {
  const found = findContainer(doc, op.path);
  if (!found)
    throw patchNotApplicable(
      `add operation does not apply: doc is missing path: "${op.path}": missing value`,
    );
  const error = addChild(found.container, found.key, cloneJson(op.value));
  if (error) throw patchNotApplicable(`error in add for path: '${op.path}': ${error}`);
}

function remove(doc: JsonObject, op: Operation): void {
  const found = findContainer(doc, op.path);
  if (!found) {
    throw patchNotApplicable(
      `remove operation does not apply: doc is missing path: "${op.path}": missing value`,
    );
  }
  const error = removeChild(found.container, found.key);
  if (error) throw patchNotApplicable(`error in remove for path: '${op.path}': ${error}`);
}

function replace(doc: JsonObject, op: Operation): void {
  const found = findContainer(doc, op.path);
  if (!found) {
    throw patchNotApplicable(
      `replace operation does not apply: doc is missing path: ${op.path}: missing value`,
    );
  }
  // As in the v4 library kube-apiserver uses, a missing object key is not an error: replace adds it.
  if (!getChild(found.container, found.key).ok) {
    throw patchNotApplicable(
      `replace operation does not apply: doc is missing key: ${op.path}: missing value`,
    );
  }
  setChild(found.container, found.key, cloneJson(op.value));
}

function move(doc: JsonObject, op: Operation): void {
  const from = op.from ?? "";
  const source = findContainer(doc, from);
  if (!source)
    throw patchNotApplicable(
      `move operation does not apply: doc is missing from path: ${from}: missing value`,
    );
  const value = getChild(source.container, source.key);
  if (!value.ok) throw patchNotApplicable(`error in move for path: '${source.key}': ${value.error}`);
  const removeError = removeChild(source.container, source.key);
  if (removeError) throw patchNotApplicable(`error in move for path: '${source.key}': ${removeError}`);
  const target = findContainer(doc, op.path);
  if (!target) {
    throw patchNotApplicable(
      `move operation does not apply: doc is missing destination path: ${op.path}: missing value`,
    );
  }
  const addError = addChild(target.container, target.key, value.value);
  if (addError) throw patchNotApplicable(`error in move for path: '${op.path}': ${addError}`);
}

function copy(doc: JsonObject, op: Operation): void {
  const from = op.from ?? "";
  const source = findContainer(doc, from);
  if (!source)
    throw patchNotApplicable(
      `copy operation does not apply: doc is missing from path: ${from}: missing value`,
    );
  const value = getChild(source.container, source.key);
  if (!value.ok) throw patchNotApplicable(`error in copy for from: '${from}': ${value.error}`);
  const target = findContainer(doc, op.path);
  if (!target) {
    throw patchNotApplicable(
      `copy operation does not apply: doc is missing destination path: ${op.path}: missing value`,
    );
  }
  const addError = addChild(target.container, target.key, cloneJson(value.value ?? null));
  if (addError) throw patchNotApplicable(`error in copy for path: '${op.path}': ${addError}`);
}

function test(doc: JsonObject, op: Operation): void {
  const found = findContainer(doc, op.path);
  if (!found) {
    throw patchNotApplicable(`test operation does not apply: is missing path: ${op.path}: missing value`);
  }
  const current = getChild(found.container, found.key);
  if (!current.ok) throw patchNotApplicable(`error in test for path: '${op.path}': ${current.error}`);
  const actual = current.value ?? null;
  if (actual === null ? !op.hasValue : jsonEqual(actual, op.value)) return;
  throw patchNotApplicable(`testing value ${op.path} failed: test failed`);
}
