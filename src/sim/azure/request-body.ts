// Reading the JSON bodies clients send to the Azure fake: typed fields by dotted path, answering a
// wrong type or a missing required field with ARM's InvalidParameter error naming that field.
import { invalidParameter, missingParameter } from "./arm-error.js";

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function valueAt(root: JsonObject, path: string): unknown {
  let current: unknown = root;
  for (const key of path.split(".")) {
    if (!isJsonObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

function wrongType(path: string, expected: string): Error {
  return invalidParameter(path, `The value of parameter '${path}' is invalid: expected ${expected}.`);
}

export function objectAt(root: JsonObject, path: string): JsonObject | undefined {
  const value = valueAt(root, path);
  if (value === undefined || value === null) return undefined;
  if (!isJsonObject(value)) throw wrongType(path, "an object");
  return value;
}

export function stringAt(root: JsonObject, path: string): string | undefined {
  const value = valueAt(root, path);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw wrongType(path, "a string");
  return value;
}

export function requiredStringAt(root: JsonObject, path: string): string {
  const value = stringAt(root, path);
  if (value === undefined || value === "") throw missingParameter(path);
  return value;
}

export function integerAt(root: JsonObject, path: string): number | undefined {
  const value = valueAt(root, path);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) throw wrongType(path, "an integer");
  return value;
}

export function booleanAt(root: JsonObject, path: string): boolean | undefined {
  const value = valueAt(root, path);
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "boolean") throw wrongType(path, "a boolean");
  return value;
}

export function stringArrayAt(root: JsonObject, path: string): string[] | undefined {
  const value = valueAt(root, path);
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === "string")) {
    throw wrongType(path, "an array of strings");
  }
  return value as string[];
}

/** Tags as ARM accepts them: string values, at most 50, keys up to 512 and values up to 256 chars. */
export function tagsAt(root: JsonObject, path: string): Record<string, string> | undefined {
  const value = objectAt(root, path);
  if (value === undefined) return undefined;
  const entries = Object.entries(value);
  if (entries.length > 50) {
    throw invalidParameter(path, "The number of tags exceeds the limit of 50 tags per resource.");
  }
  const tags: Record<string, string> = {};
  for (const [key, tagValue] of entries) {
    if (typeof tagValue !== "string") throw wrongType(`${path}.${key}`, "a string");
    if (key.length > 512 || tagValue.length > 256) {
      throw invalidParameter(path, `Tag '${key.slice(0, 40)}' exceeds the length limits (512 / 256).`);
    }
    tags[key] = tagValue;
  }
  return tags;
}
