// How validation problems are worded: one zod error map for every model schema (unknown keys with
// the closest known one, missing fields, wrong types) and issues as plain {path, message} records.
import { z } from "zod";

export type IssuePath = (string | number)[];

export interface ModelIssue {
  path: IssuePath;
  message: string;
  /** Set for unknown keys: the keys; a single one is also the last element of `path`. */
  unknownKeys?: string[];
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; issues: ModelIssue[] };

/** Parses `input` with a model schema; every problem is reported, worded by `modelErrorMap`. */
export function parseModel<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(input, { error: modelErrorMap });
  if (result.success) return { ok: true, value: result.data };
  return { ok: false, issues: issuesOf(result.error) };
}

export function issuesOf(error: z.ZodError): ModelIssue[] {
  return error.issues.map((issue) => {
    const path = issue.path.filter((key): key is string | number => typeof key !== "symbol");
    if (issue.code === "unrecognized_keys") {
      const unknownKeys = [...issue.keys];
      return {
        path: unknownKeys.length === 1 ? [...path, ...unknownKeys] : path,
        message: issue.message,
        unknownKeys,
      };
    }
    return { path, message: issue.message };
  });
}

/** `instances[0].labelSelectors[2]`; the empty path is the document itself. */
export function formatIssuePath(path: IssuePath): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) text += text ? `.${key}` : key;
    else text += `[${JSON.stringify(key)}]`;
  }
  return text || "(top level)";
}

/** The candidate nearest to `input` (edit distance, ignoring case), if it is near enough to be a typo. */
export function closestMatch(input: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(input.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  const tolerance = Math.max(2, Math.floor(input.length / 3));
  return bestDistance <= tolerance ? best : undefined;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * Entries of `list` whose `field` repeats an earlier entry's. Defensive about shape, because it also
 * runs on input that failed other checks, so that every problem is reported in one pass.
 */
export function repeatedValues(list: unknown, field: string): { index: number; value: string }[] {
  if (!Array.isArray(list)) return [];
  const seen = new Set<string>();
  const repeated: { index: number; value: string }[] = [];
  list.forEach((entry: unknown, index) => {
    const value = fieldOf(entry, field);
    if (value === undefined) return;
    if (seen.has(value)) repeated.push({ index, value });
    seen.add(value);
  });
  return repeated;
}

/** A string field of a value that may be anything. */
export function fieldOf(entry: unknown, field: string): string | undefined {
  if (typeof entry !== "object" || entry === null) return undefined;
  const value: unknown = (entry as Record<string, unknown>)[field];
  return typeof value === "string" ? value : undefined;
}

/** `unknown policy "dayly" (did you mean "daily"?); known policies: daily, hourly`. */
export function unknownNameMessage(
  kind: string,
  name: string,
  known: readonly string[],
  plural = `${kind}s`,
) {
  const suggestion = closestMatch(name, known);
  const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
  const list = known.length > 0 ? `known ${plural}: ${known.join(", ")}` : `no ${plural} are defined`;
  return `unknown ${kind} "${name}"${hint}; ${list}`;
}

function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  const described = keys.map((key) => {
    const suggestion = closestMatch(key, known);
    return suggestion ? `"${key}" (did you mean "${suggestion}"?)` : `"${key}"`;
  });
  const noun = keys.length === 1 ? "unknown key" : "unknown keys";
  return `${noun} ${described.join(", ")}; known keys: ${known.join(", ")}`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return "a number";
  if (typeof value === "boolean") return "a boolean";
  return typeof value;
}

const EXPECTED: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
};

/** Error map for model schemas; values are echoed only where they cannot be secrets (types, enums). */
export const modelErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : [];
      return unknownKeysMessage(issue.keys, known);
    }
    case "invalid_type": {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      if (issue.input === undefined) return `missing; expected ${expected}`;
      // YAML 1.1 habits (yes/no/on/off) arrive as strings: show them, they cannot be secrets here.
      if (issue.expected === "boolean" && typeof issue.input === "string" && issue.input.length <= 8) {
        return `expected true or false, got the string "${issue.input}"`;
      }
      return `expected ${expected}, got ${kindOf(issue.input)}`;
    }
    case "invalid_value": {
      const values = issue.values.map((value) => String(value));
      const got = typeof issue.input === "string" ? ` "${issue.input}"` : "";
      const suggestion = typeof issue.input === "string" ? closestMatch(issue.input, values) : undefined;
      const hint = suggestion ? ` (did you mean "${suggestion}"?)` : "";
      return `unknown value${got}${hint}; expected one of ${values.join(", ")}`;
    }
    case "too_small": {
      const min = Number(issue.minimum);
      if (issue.origin === "array") return `needs at least ${min} entr${min === 1 ? "y" : "ies"}`;
      if (issue.origin === "string") return `must be at least ${min} character${min === 1 ? "" : "s"} long`;
      return `must be ${issue.inclusive ? "at least" : "more than"} ${min}`;
    }
    case "too_big": {
      const max = Number(issue.maximum);
      if (issue.origin === "array") return `has more than ${max} entries`;
      if (issue.origin === "string") return `must be at most ${max} characters long`;
      return `must be ${issue.inclusive ? "at most" : "less than"} ${max}`;
    }
    default:
      return undefined;
  }
};
