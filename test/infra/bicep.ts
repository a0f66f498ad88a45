// Reading what the Bicep templates say without the Bicep compiler (it does not run here): params,
// outputs, module blocks with their params, the function app's app settings, and blocks by name.
// The templates are kept conventional (one declaration per line, two-space indents) so this holds.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
export const INFRA = join(ROOT, "infra");

export interface BicepFile {
  /** Relative to the repository root: `infra/modules/roles.bicep`. */
  path: string;
  text: string;
}

export function bicepFiles(): BicepFile[] {
  const files: BicepFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".bicep")) {
        files.push({ path: relative(ROOT, full), text: readFileSync(full, "utf8") });
      }
    }
  };
  walk(INFRA);
  return files.sort((a, b) => a.path.localeCompare(b.path));
}

export function bicepFile(path: string): BicepFile {
  return { path, text: readFileSync(join(ROOT, path), "utf8") };
}

export interface Param {
  name: string;
  type: string;
  hasDefault: boolean;
}

export function params(file: BicepFile): Param[] {
  return [...file.text.matchAll(/^param\s+(\w+)\s+(\w+)(\s*=)?/gm)].map((m) => ({
    name: m[1] ?? "",
    type: m[2] ?? "",
    hasDefault: m[3] !== undefined,
  }));
}

export function outputs(file: BicepFile): string[] {
  return [...file.text.matchAll(/^output\s+(\w+)\s+/gm)].map((m) => m[1] ?? "");
}

/** The text between the `{` at `open` and its matching `}`. */
export function block(text: string, open: number): string {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return text.slice(open + 1, i);
  }
  throw new Error(`unbalanced braces after offset ${open}`);
}

/** Keys at the first level of an object body (`name: value` lines at its own indentation). */
export function topLevelKeys(body: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (const line of body.split("\n")) {
    const match = /^\s*(\w+):/.exec(line);
    if (depth === 0 && match?.[1]) keys.push(match[1]);
    for (const char of line) {
      if (char === "{" || char === "[") depth++;
      else if (char === "}" || char === "]") depth--;
    }
  }
  return keys;
}

export interface ModuleUse {
  symbol: string;
  /** The module file, relative to the repository root. */
  target: string;
  /** Keys of its `params: { ... }`. */
  params: string[];
}

export function moduleUses(file: BicepFile): ModuleUse[] {
  const uses: ModuleUse[] = [];
  for (const m of file.text.matchAll(/^module\s+(\w+)\s+'([^']+)'\s*=/gm)) {
    const start = m.index ?? 0;
    const body = block(file.text, file.text.indexOf("{", start));
    const paramsAt = body.indexOf("params: {");
    const paramBody = paramsAt < 0 ? "" : block(body, body.indexOf("{", paramsAt));
    uses.push({
      symbol: m[1] ?? "",
      target: relative(ROOT, resolve(ROOT, dirname(file.path), m[2] ?? "")),
      params: topLevelKeys(paramBody),
    });
  }
  return uses;
}

/** `{ name: 'X' value: ... }` entries of the function app's `appSettings: [...]`. */
export function appSettingsSetByInfra(): string[] {
  const file = bicepFile("infra/modules/function-app.bicep");
  const at = file.text.indexOf("appSettings: [");
  if (at < 0) throw new Error(`${file.path} has no appSettings`);
  const end = file.text.indexOf("\n      ]", at);
  const list = file.text.slice(at, end);
  return [...list.matchAll(/name:\s*'([^']+)'\s*\n\s*value:/g)].map((m) => m[1] ?? "");
}
