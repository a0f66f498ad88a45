// The app settings the code reads, the ones infra/ sets and the ones functions/README.md lists are
// the same list (src/settings/app-settings-table.ts): a deploy where the code reads a setting the
// templates never set would start and then fail at the first backup.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_CONTAINER } from "../../src/orchestrations/environment.js";
import { APP_SETTINGS, type AppSettingSpec } from "../../src/settings/app-settings-table.js";
import { appSettingsSetByInfra, ROOT } from "./bicep.js";

const SETTING_NAME = /^(AKS_BACKUP_|AZURE_|AzureWebJobs|APPLICATIONINSIGHTS)/;
const TABLE_FILE = "src/settings/app-settings-table.ts";

interface SourceFile {
  path: string;
  text: string;
}

function sources(): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith(".ts")) {
        files.push({ path: relative(ROOT, full), text: readFileSync(full, "utf8") });
      }
    }
  };
  walk(join(ROOT, "src"));
  walk(join(ROOT, "functions"));
  return files;
}

function lineOf(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

/** Names read through the table's readers: `appSetting(settings, "NAME")` and its typed siblings. */
function readsThroughTable(files: SourceFile[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) {
    for (const m of file.text.matchAll(
      /\b(?:appSetting|positiveSetting|booleanSetting)\(\s*[^,()]+,\s*"(\w+)"/g,
    )) {
      names.add(m[1] ?? "");
    }
  }
  return names;
}

/** `process.env.NAME`, `settings.NAME`, `env["NAME"]`...: a reader that bypasses the table. */
function directReads(files: SourceFile[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (file.path === TABLE_FILE) continue;
    const pattern = /\b(?:process\.env|settings|env)\s*(?:\?\.|\.|\[\s*["'`])\s*(\w+)/g;
    for (const m of file.text.matchAll(pattern)) {
      const name = m[1] ?? "";
      if (SETTING_NAME.test(name))
        found.push(`${file.path}:${lineOf(file.text, m.index ?? 0)} reads ${name}`);
    }
  }
  return found;
}

/** Setting names held as standalone string constants (`const X = "AKS_BACKUP_..."`), read through them. */
function settingConstants(files: SourceFile[]): Map<string, string> {
  const found = new Map<string, string>();
  for (const file of files) {
    if (file.path === TABLE_FILE) continue;
    for (const m of file.text.matchAll(/=\s*"((?:AKS_BACKUP_|AzureWebJobs|APPLICATIONINSIGHTS_)\w+)"/g)) {
      found.set(m[1] ?? "", `${file.path}:${lineOf(file.text, m.index ?? 0)}`);
    }
  }
  return found;
}

const table: readonly AppSettingSpec[] = APP_SETTINGS;
const byName = new Map(table.map((spec) => [spec.name, spec]));

describe("the source scan", () => {
  it("catches readers that bypass the table, and reads through it", () => {
    const files = [
      {
        path: "src/x.ts",
        text: 'const a = process.env.AKS_BACKUP_FOO;\nconst b = settings["AZURE_CLIENT_ID"];',
      },
      {
        path: "src/y.ts",
        text: 'const c = env?.AKS_BACKUP_BAR;\nappSetting(process.env, "AKS_BACKUP_CONTAINER");',
      },
      { path: "src/z.ts", text: 'export const NAME = "AKS_BACKUP_BAZ";\nconst d = process.env.HOME;' },
    ];
    expect(directReads(files)).toEqual([
      "src/x.ts:1 reads AKS_BACKUP_FOO",
      "src/x.ts:2 reads AZURE_CLIENT_ID",
      "src/y.ts:1 reads AKS_BACKUP_BAR",
    ]);
    expect([...readsThroughTable(files)]).toEqual(["AKS_BACKUP_CONTAINER"]);
    expect([...settingConstants(files).keys()]).toEqual(["AKS_BACKUP_BAZ"]);
  });
});

describe("app settings: code, table and infra agree", () => {
  const files = sources();
  const setByInfra = appSettingsSetByInfra();

  it("reads every setting through the table, never straight from process.env or a settings object", () => {
    expect(directReads(files)).toEqual([]);
  });

  it("reads only settings the table lists", () => {
    const read = [...readsThroughTable(files), ...settingConstants(files).keys()];
    expect(read.length).toBeGreaterThan(8);
    expect(read.filter((name) => !byName.has(name))).toEqual([]);
  });

  it("reads every app setting of the table somewhere in src/ or functions/", () => {
    const read = new Set([...readsThroughTable(files), ...settingConstants(files).keys()]);
    const unread = table.filter((spec) => spec.readBy === "app" && !read.has(spec.name)).map((s) => s.name);
    expect(unread).toEqual([]);
  });

  it("has infra set every setting the code reads, except those deliberately left unset with a reason", () => {
    const read = new Set([...readsThroughTable(files), ...settingConstants(files).keys()]);
    const missing = [...read].filter((name) => {
      const spec = byName.get(name);
      return spec?.infra.sets !== false && !setByInfra.includes(name);
    });
    expect(missing).toEqual([]);
    for (const spec of table.filter((s) => s.infra.sets === false)) {
      expect(spec.infra.sets === false && spec.infra.reason.length > 20, spec.name).toBe(true);
      expect(setByInfra, `${spec.name} is listed as deliberately unset`).not.toContain(spec.name);
    }
  });

  it("never has infra set the storage connection string or a key-based host storage", () => {
    expect(setByInfra).not.toContain("AKS_BACKUP_STORAGE_CONNECTION_STRING");
    expect(setByInfra).not.toContain("AzureWebJobsStorage");
    // Flex Consumption refuses FUNCTIONS_WORKER_RUNTIME / FUNCTIONS_EXTENSION_VERSION app settings.
    expect(setByInfra).not.toContain("FUNCTIONS_WORKER_RUNTIME");
    expect(setByInfra).not.toContain("FUNCTIONS_EXTENSION_VERSION");
  });

  it("has infra set only settings the table knows (read by the app or by the Functions host)", () => {
    expect(setByInfra.filter((name) => !byName.has(name))).toEqual([]);
    expect(new Set(setByInfra).size).toBe(setByInfra.length);
    const marked = table.filter((spec) => spec.infra.sets).map((spec) => spec.name);
    expect([...setByInfra].sort()).toEqual([...marked].sort());
  });

  it("sets identity-based host storage with the user-assigned identity", () => {
    const fn = readFileSync(join(ROOT, "infra/modules/function-app.bicep"), "utf8");
    expect(fn).toMatch(/name: 'AzureWebJobsStorage__credential'\s*\n\s*value: 'managedidentity'/);
    expect(fn).toMatch(/name: 'AzureWebJobsStorage__clientId'\s*\n\s*value: identityClientId/);
    expect(fn).toMatch(/name: 'AZURE_CLIENT_ID'\s*\n\s*value: identityClientId/);
    expect(fn).toMatch(/name: 'AKS_BACKUP_RESTORE_ENABLED'\s*\n\s*value: enableRestore \? 'true' : 'false'/);
  });

  it("keeps the table's defaults equal to the code's", () => {
    expect(byName.get("AKS_BACKUP_CONTAINER")?.default).toBe(DEFAULT_CONTAINER);
    const main = readFileSync(join(ROOT, "infra/main.bicep"), "utf8");
    expect(main).toContain(`param backupContainerName string = '${DEFAULT_CONTAINER}'`);
    expect(main).toContain(
      `param configBlobName string = '${byName.get("AKS_BACKUP_CONFIG_BLOB")?.default}'`,
    );
  });
});

describe("functions/README.md", () => {
  it("lists exactly the table's settings, each once", () => {
    const readme = readFileSync(join(ROOT, "functions/README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## App settings"));
    const listed = [...section.matchAll(/^\|\s*`([\w]+)`\s*\|/gm)].map((m) => m[1] ?? "");
    expect(listed.sort()).toEqual(table.map((spec) => spec.name).sort());
  });

  it("keeps local.settings.sample.json to settings the table knows", () => {
    const sample = JSON.parse(readFileSync(join(ROOT, "local.settings.sample.json"), "utf8")) as {
      Values: Record<string, string>;
    };
    expect(Object.keys(sample.Values).filter((name) => !byName.has(name))).toEqual([]);
  });
});
