// Reads aks-backup.yaml: YAML and schema problems all reported at once as `file:line:col: path: what`,
// paths in it resolved against the file's directory (`~` = home), the result validated and frozen.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from "yaml";
import { type Config, parseConfig } from "../model/config.js";
import { formatIssuePath, type IssuePath, type ModelIssue } from "../model/issues.js";
import { redactSecrets } from "../model/storage.js";

export const DEFAULT_CONFIG_FILE = "aks-backup.yaml";

export interface ConfigIssue {
  /** Path inside the file (`instances[0].policy`); empty for YAML syntax errors. */
  path: string;
  line?: number;
  column?: number;
  message: string;
}

export type ConfigErrorCode = "ConfigInvalid" | "ConfigNotFound";

export class ConfigError extends Error {
  override name = "ConfigError";
  readonly code: ConfigErrorCode;
  readonly file: string;
  readonly issues: ConfigIssue[];
  constructor(file: string, issues: ConfigIssue[], code: ConfigErrorCode = "ConfigInvalid") {
    super(issues.map((issue) => formatConfigIssue(file, issue)).join("\n"));
    this.code = code;
    this.file = file;
    this.issues = issues;
  }
}

export function formatConfigIssue(file: string, issue: ConfigIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.column ?? 1}`;
  return issue.path ? `${where}: ${issue.path}: ${issue.message}` : `${where}: ${issue.message}`;
}

export interface LoadConfigOptions {
  /** Directory a relative config path is resolved against; default: the process's. */
  cwd?: string;
  /** Environment for `~` (HOME, USERPROFILE); default: the process's. */
  env?: NodeJS.ProcessEnv;
  /** Return the default configuration (embedded storage, nothing protected) when the file is absent. */
  allowMissing?: boolean;
}

/** Loads and validates the config file (default `./aks-backup.yaml`); throws ConfigError. */
export async function loadConfig(path?: string, options: LoadConfigOptions = {}): Promise<Config> {
  const cwd = options.cwd ?? process.cwd();
  const file = resolve(cwd, path ?? DEFAULT_CONFIG_FILE);
  const shown = displayPath(cwd, file);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && options.allowMissing) return parseConfigText("", file, options);
    if (code === "ENOENT") {
      throw new ConfigError(
        shown,
        [
          {
            path: "",
            message: `config file not found; create it (see docs/configuration.md), pass --config <file>, or run \`aks-backup sim --dir .sim\` to get one for a simulated cluster`,
          },
        ],
        "ConfigNotFound",
      );
    }
    throw new ConfigError(shown, [
      { path: "", message: `cannot read the config file: ${String(code ?? error)}` },
    ]);
  }
  return parseConfigText(text, file, { ...options, shownAs: shown });
}

/** Parses config text as if read from `file` (absolute); paths in it are resolved against its directory. */
export function parseConfigText(
  text: string,
  file: string,
  options: Pick<LoadConfigOptions, "env"> & { shownAs?: string } = {},
): Config {
  const shown = options.shownAs ?? file;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const secrets = secretValues(text);
  const issues: ConfigIssue[] = [];
  for (const error of doc.errors) {
    const { line, col } = lineCounter.linePos(error.pos[0]);
    issues.push({ path: "", line, column: col, message: redact(error.message, secrets) });
  }
  if (issues.length > 0) throw new ConfigError(shown, issues);

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    // Unresolved or excessive aliases surface only when the document is converted.
    throw new ConfigError(shown, [{ path: "", message: redact((error as Error).message, secrets) }]);
  }
  const result = parseConfig(data);
  if (!result.ok) {
    const located = result.issues.map((issue) => locateIssue(doc, lineCounter, issue, secrets));
    located.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new ConfigError(shown, located);
  }
  return deepFreeze(resolvePaths(result.value, dirname(file), homeDirectory(options.env ?? process.env)));
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

function homeDirectory(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || homedir();
}

/** `~` and `~/x` are under the home directory; other relative paths are relative to the config file. */
export function resolveConfigPath(path: string, baseDir: string, home: string): string {
  if (path === "~") return home;
  if (path.startsWith("~/") || path.startsWith("~\\")) return join(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(baseDir, path);
}

function resolvePaths(config: Config, baseDir: string, home: string): Config {
  const at = (path: string) => resolveConfigPath(path, baseDir, home);
  const resolved: Config = {
    ...config,
    clusters: config.clusters.map((cluster) =>
      cluster.kubeconfig === undefined ? cluster : { ...cluster, kubeconfig: at(cluster.kubeconfig) },
    ),
  };
  if (config.azure) {
    const { caFile, credential } = config.azure;
    resolved.azure = { ...config.azure };
    if (caFile !== undefined) resolved.azure.caFile = at(caFile);
    if (credential) resolved.azure.credential = { tokenFile: at(credential.tokenFile) };
  }
  return resolved;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

function displayPath(cwd: string, file: string): string {
  const shown = relative(cwd, file);
  return shown && !shown.startsWith("..") && !isAbsolute(shown) ? shown : file;
}
