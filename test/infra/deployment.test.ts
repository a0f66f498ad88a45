// What `azd up` needs to work: azure.yaml deploys this package as a Node.js function app found by
// its tag, every module the templates use exists and gets the params it requires, every output
// read exists, the parameters file fills main.bicep's params, and the package keeps what the
// Functions host loads.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { bicepFile, bicepFiles, moduleUses, outputs, params, ROOT } from "./bicep.js";

interface AzureYaml {
  name: string;
  infra?: { provider?: string; path?: string; module?: string };
  services: Record<string, { project: string; language: string; host: string; remoteBuild?: boolean }>;
  hooks?: Record<string, Record<string, { run: string; shell: string }>>;
}

const azureYaml = parse(readFileSync(join(ROOT, "azure.yaml"), "utf8")) as AzureYaml;
const packageJson = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as {
  main: string;
  engines: { node: string };
  scripts: Record<string, string>;
};

describe("azure.yaml", () => {
  it("deploys the repository root as a TypeScript function app, provisioned from infra/main.bicep", () => {
    expect(Object.keys(azureYaml.services)).toEqual(["api"]);
    expect(azureYaml.services.api).toMatchObject({ project: ".", language: "ts", host: "function" });
    expect(azureYaml.infra).toMatchObject({ provider: "bicep", path: "infra", module: "main" });
    expect(existsSync(join(ROOT, "infra/main.bicep"))).toBe(true);
    expect(existsSync(join(ROOT, "infra/main.parameters.json"))).toBe(true);
  });

  it("names the service the function app is tagged with, so azd finds where to deploy", () => {
    const app = bicepFile("infra/modules/function-app.bicep").text;
    expect(app).toContain("'azd-service-name': 'api'");
  });

  it("runs Node.js 22, the version package.json's engines ask for, on Flex Consumption", () => {
    const app = bicepFile("infra/modules/function-app.bicep").text;
    expect(app).toMatch(/runtime: \{\s*name: 'node'\s*version: '22'\s*\}/);
    expect(app).toMatch(/tier: 'FlexConsumption'/);
    expect(app).toContain("kind: 'functionapp,linux'");
    expect(packageJson.engines.node).toMatch(/^>=22/);
  });

  it("builds remotely, with .funcignore keeping node_modules home and the sources the build needs in", () => {
    expect(azureYaml.services.api?.remoteBuild).toBe(true);
    const ignored = readFileSync(join(ROOT, ".funcignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"));
    expect(ignored).toContain("node_modules/");
    for (const needed of [
      "package.json",
      "package-lock.json",
      "host.json",
      "src/",
      "functions/",
      "tsconfig.build.json",
    ]) {
      expect(ignored, needed).not.toContain(needed);
    }
    expect(packageJson.main).toBe("dist/functions/*.js");
    expect(packageJson.scripts.build).toBeDefined();
  });

  it("runs the postdeploy hook that subscribes the functions to Event Grid, on every shell", () => {
    const hook = azureYaml.hooks?.postdeploy;
    for (const shell of ["posix", "windows"]) {
      const run = hook?.[shell]?.run ?? "";
      expect(existsSync(join(ROOT, run)), `${shell}: ${run}`).toBe(true);
      const script = readFileSync(join(ROOT, run), "utf8");
      expect(script).toContain("azd env set AKS_BACKUP_SUBSCRIBE_EVENTS true");
      expect(script).toContain("azd provision --no-prompt");
    }
    const parameters = readFileSync(join(ROOT, "infra/main.parameters.json"), "utf8");
    expect(parameters).toMatch(/"value": "\$\{AKS_BACKUP_SUBSCRIBE_EVENTS=false\}"/);
  });
});

describe("Bicep templates", () => {
  it("target the subscription, so azd creates the resource groups", () => {
    expect(bicepFile("infra/main.bicep").text).toMatch(/^targetScope = 'subscription'$/m);
  });

  it("describe every parameter", () => {
    for (const file of bicepFiles()) {
      const lines = file.text.split("\n");
      lines.forEach((line, index) => {
        if (!line.startsWith("param ")) return;
        const before = lines.slice(Math.max(0, index - 6), index).join("\n");
        expect(before, `${file.path}: ${line}`).toContain("@description(");
      });
    }
  });

  it("use modules that exist, passing every required param and no unknown one", () => {
    const main = moduleUses(bicepFile("infra/main.bicep"));
    expect(main.length).toBeGreaterThanOrEqual(12);
    expect(main.find((use) => use.symbol === "functionApp")?.params).toContain("backupBlobEndpoint");
    for (const file of bicepFiles()) {
      for (const use of moduleUses(file)) {
        expect(existsSync(join(ROOT, use.target)), `${file.path} -> ${use.target}`).toBe(true);
        const declared = params(bicepFile(use.target));
        const names = declared.map((p) => p.name);
        expect(
          use.params.filter((p) => !names.includes(p)),
          `${file.path} -> ${use.target}`,
        ).toEqual([]);
        const required = declared.filter((p) => !p.hasDefault).map((p) => p.name);
        expect(
          required.filter((p) => !use.params.includes(p)),
          `${file.path} -> ${use.target}`,
        ).toEqual([]);
      }
    }
  });

  it("read only outputs the modules declare", () => {
    expect([...bicepFile("infra/main.bicep").text.matchAll(/\.outputs\./g)].length).toBeGreaterThan(10);
    for (const file of bicepFiles()) {
      const targets = new Map(moduleUses(file).map((use) => [use.symbol, use.target]));
      for (const m of file.text.matchAll(/\b(\w+)\.outputs\.(\w+)/g)) {
        const target = targets.get(m[1] ?? "");
        expect(target, `${file.path}: ${m[0]}`).toBeDefined();
        expect(outputs(bicepFile(target ?? "")), `${file.path}: ${m[0]}`).toContain(m[2]);
      }
    }
  });

  it("fill main.bicep's params from main.parameters.json, and nothing else", () => {
    const main = params(bicepFile("infra/main.bicep"));
    const file = JSON.parse(readFileSync(join(ROOT, "infra/main.parameters.json"), "utf8")) as {
      parameters: Record<string, { value: unknown }>;
    };
    const given = Object.keys(file.parameters);
    expect(given.filter((name) => !main.some((p) => p.name === name))).toEqual([]);
    const required = main.filter((p) => !p.hasDefault).map((p) => p.name);
    expect(required.filter((name) => !given.includes(name))).toEqual([]);
  });

  it("output what azd and the deploy guide use", () => {
    const names = outputs(bicepFile("infra/main.bicep"));
    for (const name of [
      "AZURE_LOCATION",
      "AZURE_TENANT_ID",
      "AZURE_RESOURCE_GROUP",
      "AZURE_FUNCTION_APP_NAME",
      "AKS_BACKUP_STORAGE_ACCOUNT_URL",
      "AKS_BACKUP_CONTAINER",
      "AKS_BACKUP_CONFIG_BLOB",
      "AKS_BACKUP_SNAPSHOT_RESOURCE_GROUP_ID",
    ]) {
      expect(names).toContain(name);
    }
  });

  it("keep every storage account keyless, private and on TLS 1.2", () => {
    for (const path of ["infra/modules/host-storage.bicep", "infra/modules/backup-storage.bicep"]) {
      const text = bicepFile(path).text;
      expect(text, path).toContain("allowSharedKeyAccess: false");
      expect(text, path).toContain("allowBlobPublicAccess: false");
      expect(text, path).toContain("minimumTlsVersion: 'TLS1_2'");
      expect(text, path).toContain("publicAccess: 'None'");
    }
    const backup = bicepFile("infra/modules/backup-storage.bicep").text;
    expect(backup).toContain("isVersioningEnabled: true");
    expect(backup).toMatch(/deleteRetentionPolicy: \{\s*enabled: true/);
    expect(backup).toMatch(/tierToCool: \{\s*daysAfterModificationGreaterThan: coolAfterDays/);
  });
});

describe("docs/deploy.md", () => {
  it("documents every azd variable main.parameters.json reads, and no other", () => {
    const parameters = readFileSync(join(ROOT, "infra/main.parameters.json"), "utf8");
    const read = [...parameters.matchAll(/\$\{(AKS_BACKUP_\w+)/g)].map((m) => m[1] ?? "");
    const guide = readFileSync(join(ROOT, "docs/deploy.md"), "utf8");
    const table = guide.slice(guide.indexOf("| Variable"), guide.indexOf("What `azd up` does"));
    const documented = [...table.matchAll(/^\|\s*`(AKS_BACKUP_\w+)`/gm)].map((m) => m[1] ?? "");
    expect(documented.sort()).toEqual([...new Set(read)].sort());
  });

  it("uses only outputs main.bicep declares in its azd env get-value calls", () => {
    const guide = readFileSync(join(ROOT, "docs/deploy.md"), "utf8");
    const used = [...guide.matchAll(/azd env get-value (\w+)/g)].map((m) => m[1] ?? "");
    expect(used.length).toBeGreaterThan(3);
    const declared = outputs(bicepFile("infra/main.bicep"));
    expect(used.filter((name) => !declared.includes(name))).toEqual([]);
  });
});
