// Reading the untyped JSON of a stored object: narrow each field to the shape the API declares,
// treating anything else as absent (decoding errors are not what validation reports).
import { isJsonObject, type JsonObject } from "../patch/json-value.js";

export type { JsonObject };

export function objectAt(value: unknown): JsonObject | undefined {
  return isJsonObject(value) ? value : undefined;
}

export function listAt(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function stringAt(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A map's entries with string values, as labels, annotations and data are. */
export function stringEntries(value: unknown): Array<[string, string]> {
  const map = objectAt(value);
  if (!map) return [];
  return Object.entries(map).map(([k, v]) => [k, typeof v === "string" ? v : String(v ?? "")]);
}
