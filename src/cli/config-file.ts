// Reads aks-backup.yaml: YAML and schema problems all reported at once as `file:line:col: path: what`,
// paths in it resolved against the file's directory (`~` = home), the result validated and frozen.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { type Config, parseConfig } from "../model/config.js";
import { type ConfigIssue, formatConfigIssue, parseYamlModel } from "../model/config-text.js";

export const DEFAULT_CONFIG_FILE = "aks-backup.yaml";

export { type ConfigIssue, formatConfigIssue };

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
  const result = parseYamlModel(text, parseConfig);
  if (!result.ok) throw new ConfigError(shown, result.issues);
  return deepFreeze(resolvePaths(result.value, dirname(file), homeDirectory(options.env ?? process.env)));
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
