// YAML text checked by a model parser, with every problem placed in the text: `line:col: path:
// what`, all at once, secrets redacted. The CLI's config file and the config blob on Azure both
// read their YAML through it.
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { formatIssuePath, type IssuePath, type ModelIssue, type ParseResult } from "./issues.js";
import { redactSecrets } from "./storage.js";

export interface ConfigIssue {
  /** Path inside the file (`instances[0].policy`); empty for YAML syntax errors. */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

export type LocatedResult<T> = { ok: true; value: T } | { ok: false; issues: ConfigIssue[] };

export function formatConfigIssue(file: string, issue: ConfigIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Parses YAML `text` and checks its data with `check`; problems come back located and sorted. */
export function parseYamlModel<T>(text: string, check: (data: unknown) => ParseResult<T>): LocatedResult<T> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const secrets = secretValues(text);
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { path: "", line, column: col, message: redact(error.message, secrets) };
      }),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // Unresolved or excessive aliases surface only when the document is converted.
    return { ok: false, issues: [{ path: "", message: redact((error as Error).message, secrets) }] };
  }
  const result = check(data);
  if (result.ok) return result;
  const located = result.issues.map((issue) => locateIssue(doc, lineCounter, issue, secrets));
  located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
  return { ok: false, issues: located };
}

function locateIssue(doc: Document, lines: LineCounter, issue: ModelIssue, secrets: string[]): ConfigIssue {
  const path = issue.path;
  const message = redact(issue.message, secrets);
  const keys = issue.unknownKeys;
  const offset = !keys
    ? valueOffset(doc, path)
    : keys.length === 1
      ? keyOffset(doc, path.slice(0, -1), keys[0])
      : keyOffset(doc, path, keys[0]);
  const shownPath = formatIssuePath(path);
  if (offset === undefined) return { path: shownPath, message };
  const { line, col } = lines.linePos(offset);
  return { path: shownPath, line, column: col, message };
}

/** Start of the deepest node the path reaches (the value itself when it exists). */
function valueOffset(doc: Document, path: IssuePath): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const key of path) {
    const child = childOf(node, key);
    if (child === undefined) break;
    node = child;
    offset = rangeStart(node) ?? offset;
  }
  return offset;
}

/** Start of the key `key` in the mapping at `path`, else of the mapping. */
function keyOffset(doc: Document, path: IssuePath, key: string | number | undefined): number | undefined {
  let node: unknown = doc.contents;
  for (const step of path) {
    const child = childOf(node, step);
    if (child === undefined) return valueOffset(doc, path);
    node = child;
  }
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
    const start = rangeStart(pair?.key);
    if (start !== undefined) return start;
  }
  return rangeStart(node);
}

function childOf(node: unknown, key: string | number): unknown {
  if (isMap(node)) {
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === String(key));
    return pair?.value ?? pair?.key ?? undefined;
  }
  if (isSeq(node) && typeof key === "number") return node.items[key];
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  return isNode(node) ? node.range?.[0] : undefined;
}

function secretValues(text: string): string[] {
  const values: string[] = [];
  for (const match of text.matchAll(
    /(?:AccountKey|SharedAccessSignature|SharedAccessKey)\s*=([^;"'\s]+)/gi,
  )) {
    if (match[1] && match[1].length >= 8) values.push(match[1]);
  }
  return values;
}

function redact(message: string, secrets: string[]): string {
  let text = redactSecrets(message);
  for (const secret of secrets) text = text.split(secret).join("***");
  return text;
}
