// Loading aks-backup.yaml as users write it: the file `aks-backup sim` writes plus their own policies
// and instances, each mistake reported once as file:line:col: path: message, keys never printed.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { ConfigError, loadConfig } from "../../src/cli/config-file.js";
import { writeSimulatorFiles } from "../../src/sim/files.js";
import { useSimulator } from "../helpers/sim.js";

const SUB = "9b1f7a54-2c4e-4d0a-8f3e-5a6b7c8d9e0f";
const AKS_ID = `/subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod`;
// Azurite's published development key: what the simulator's file carries.
const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
const AZURITE = `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${AZURITE_KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;`;

const USER_SECTIONS = `
policies:
  - name: daily
    schedule: ["R/2026-01-01T02:00:00+00:00/P1D"]
    retention:
      default: P7D
      rules: [{criteria: FirstOfWeek, duration: P12W}, {criteria: FirstOfMonth, duration: P12M}]
  - name: hourly
    schedule: ["R/2026-01-01T00:00:00Z/PT4H"]
    retention: {default: P2D}
instances:
  - name: sim-shop
    cluster: sim
    policy: daily
    includedNamespaces: [shop, "shop-*"]
    excludedResourceTypes: [v1/Event]
    labelSelectors: ["app in (web,api)", "!legacy"]
    includeClusterScopeResources: false
`;

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "aks-backup-config-"));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("the file aks-backup sim writes", () => {
  const sim = useSimulator();

  it("loads unchanged, and with the user's policies and instances added", async () => {
    const dir = tempDir();
    const files = await writeSimulatorFiles(dir, sim(), {
      connectionString: AZURITE,
      container: "aks-backups",
    });
    const config = await loadConfig(files.config);
    expect(config.storage).toEqual({ connectionString: AZURITE, container: "aks-backups" });
    expect(config.azure?.credential?.tokenFile).toBe(files.armToken);
    expect(config.clusters).toEqual([
      { name: "sim", kubeconfig: files.kubeconfig, context: "sim", aksResourceId: sim().aksResourceId },
    ]);

    const doc = parseDocument(readFileSync(files.config, "utf8"));
    const user = parseDocument(USER_SECTIONS);
    doc.set("policies", user.get("policies", true));
    doc.set("instances", user.get("instances", true));
    writeFileSync(files.config, doc.toString());
    await writeSimulatorFiles(dir, sim(), { connectionString: AZURITE, container: "aks-backups" });

    const edited = await loadConfig("aks-backup.yaml", { cwd: dir });
    expect(edited.policies.map((policy) => policy.name)).toEqual(["daily", "hourly"]);
    expect(edited.instances[0]).toMatchObject({
      name: "sim-shop",
      cluster: "sim",
      policy: "daily",
      includeClusterScopeResources: false,
      snapshotVolumes: true,
    });
  });
});

describe("the documented example", () => {
  it("in docs/configuration.md loads", async () => {
    const doc = join(import.meta.dirname, "..", "..", "docs", "configuration.md");
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readFileSync(doc, "utf8"))?.[1];
    if (!yaml) throw new Error(`no yaml example in ${doc}`);
    const dir = tempDir();
    writeFileSync(join(dir, "aks-backup.yaml"), yaml.replaceAll("<sub>", SUB).replaceAll("<rg>", "rg"));
    const config = await loadConfig(undefined, { cwd: dir, env: { HOME: "/home/ops" } });
    expect(config.instances[0]?.name).toBe("prod-shop");
  });
});

describe("loadConfig", () => {
  function write(text: string, name = "aks-backup.yaml"): { dir: string; file: string } {
    const dir = tempDir();
    const file = join(dir, name);
    writeFileSync(file, text);
    return { dir, file };
  }

  const base = `clusters:
  - name: prod
    aksResourceId: ${AKS_ID}
policies:
  - name: daily
    schedule: ["R/2026-01-01T02:00:00+00:00/P1D"]
    retention: {default: P7D}
instances:
`;

  it.each([
    [
      "an unknown policy",
      "  - {name: a, cluster: prod, policy: dayly}",
      '9:38: instances[0].policy: unknown policy "dayly" (did you mean "daily"?); known policies: daily',
    ],
    [
      "a duplicate instance name",
      "  - {name: a, cluster: prod, policy: daily}\n  - {name: a, cluster: prod, policy: daily}",
      '10:12: instances[1].name: "a" is already the name of an earlier entry',
    ],
    [
      "a typo'd key (pointing at the key)",
      "  - name: a\n    cluster: prod\n    policy: daily\n    includeNamespaces: [shop]",
      '12:5: instances[0].includeNamespaces: unknown key "includeNamespaces" (did you mean "includedNamespaces"?)',
    ],
    [
      "a bad selector",
      '  - name: a\n    cluster: prod\n    policy: daily\n    labelSelectors: ["app=web", "tier in a"]',
      '12:33: instances[0].labelSelectors[1]: "tier in a" at position 9: expected "(" to start the value list',
    ],
    [
      "a bad resource type",
      "  - name: a\n    cluster: prod\n    policy: daily\n    includedResourceTypes:\n      - apps/Deployment",
      '13:9: instances[0].includedResourceTypes[0]: "apps/Deployment" is not a resource type',
    ],
    [
      "a missing field (pointing at the entry)",
      "  - name: a\n    cluster: prod",
      "9:5: instances[0].policy: missing; expected a string",
    ],
  ])("reports %s once with file:line:col and path", async (_, instances, expected) => {
    const { dir } = write(base + instances);
    const error = await rejection(loadConfig(undefined, { cwd: dir }));
    expect(error.code).toBe("ConfigInvalid");
    expect(error.issues).toHaveLength(1);
    expect(error.message.startsWith(`aks-backup.yaml:${expected}`)).toBe(true);
  });

  it.each([
    ["a bad schedule", "R/2026-01-01T02:00:00/P1D", "6:16: policies[0].schedule[0]:"],
    ["an empty duration", "R/2026-01-01T02:00:00Z/PT", "6:16: policies[0].schedule[0]:"],
  ])("reports %s in a policy", async (_, schedule, expected) => {
    const { dir } = write(base.replace("R/2026-01-01T02:00:00+00:00/P1D", schedule));
    const error = await rejection(loadConfig(undefined, { cwd: dir }));
    expect(error.issues).toHaveLength(1);
    expect(error.message).toContain(`aks-backup.yaml:${expected}`);
  });

  it.each([
    [
      "a bad ARM id",
      `  - name: prod\n    aksResourceId: /subscriptions/${SUB}/resourceGroups/rg/providers/Microsoft.Compute/disks/d`,
      "3:20: clusters[0].aksResourceId:",
    ],
    [
      "neither kubeconfig nor aksResourceId",
      "  - name: prod\n    context: x",
      "2:5: clusters[0]: give kubeconfig",
    ],
  ])("reports %s in a cluster", async (_, cluster, expected) => {
    const { dir } = write(`clusters:\n${cluster}\n`);
    const error = await rejection(loadConfig(undefined, { cwd: dir }));
    expect(error.message).toContain(`aks-backup.yaml:${expected}`);
  });

  it("refuses a policy whose retention would keep more snapshots per disk than Azure allows, when volumes are snapshotted", async () => {
    const policies = `clusters:
  - name: prod
    aksResourceId: ${AKS_ID}
policies:
  - name: hourly
    schedule: ["R/2026-01-01T00:00:00+00:00/PT1H"]
    retention: {default: P30D}
instances:
`;
    const snapshotting = write(`${policies}  - {name: a, cluster: prod, policy: hourly}\n`);
    const error = await rejection(loadConfig(undefined, { cwd: snapshotting.dir }));
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.path).toBe("policies[0].schedule");
    expect(error.issues[0]?.message).toContain("more than the 500 Azure allows per disk");

    const resourcesOnly = write(
      `${policies}  - {name: a, cluster: prod, policy: hourly, snapshotVolumes: false}\n`,
    );
    await expect(loadConfig(undefined, { cwd: resourcesOnly.dir })).resolves.toBeDefined();
  });

  it("reports every problem at once, in file order", async () => {
    const { dir } = write(
      `${base}  - {name: a, cluster: prod, policy: dayly, labelSelectors: ["!"]}\n  - {name: a, cluster: nope, policy: daily}\nextra: 1\n`,
    );
    const error = await rejection(loadConfig(undefined, { cwd: dir }));
    expect(error.issues.map((issue) => issue.path)).toEqual([
      "instances[0].policy",
      "instances[0].labelSelectors[0]",
      "instances[1].name",
      "instances[1].cluster",
      "extra",
    ]);
    expect(error.message.split("\n")).toHaveLength(5);
  });

  it("reports YAML syntax errors with their position", async () => {
    const { dir } = write("clusters:\n  - name: prod\n    kubeconfig: [a\npolicies: []\n");
    const error = await rejection(loadConfig(undefined, { cwd: dir }));
    expect(error.issues.length).toBeGreaterThan(0);
    expect(error.message).toMatch(/^aks-backup\.yaml:\d+:\d+: /);
  });

  it("reports an alias to a missing anchor", async () => {
    const { dir } = write("clusters:\n  - *prod\n");
    const error = await rejection(loadConfig(undefined, { cwd: dir }));
    expect(error.message).toMatch(/^aks-backup\.yaml: .*alias/i);
  });

  it("reports a repeated key as a YAML error", async () => {
    const { dir } = write("policies: []\npolicies: []\n");
    const error = await rejection(loadConfig(undefined, { cwd: dir }));
    expect(error.message).toMatch(/^aks-backup\.yaml:2:1: .*unique/);
  });

  it("never shows a connection string's key, not even in a YAML error on its line", async () => {
    const broken = [
      `storage:\n  connectionString: "${AZURITE}\n  container: x\n`,
      `storage:\n  connectionString: ${AZURITE}\n  container: Bad_Name\n  accountUrl: https://a.blob.core.windows.net\n`,
      `storage: {connectionString: ${AZURITE}: oops}\n`,
      `storage:\n  connectionString: '${AZURITE.replace("AccountName=devstoreaccount1;", "")}'\n`,
    ];
    for (const text of broken) {
      const { dir } = write(text);
      const error = await rejection(loadConfig(undefined, { cwd: dir }));
      expect(`${error.message}\n${JSON.stringify(error.issues)}\n${String(error)}`).not.toContain(
        AZURITE_KEY,
      );
      expect(error.message).not.toContain(AZURITE_KEY.slice(0, 12));
    }
  });

  it("resolves relative paths against the file's directory and ~ against the home directory", async () => {
    const { dir, file } = write(
      `azure:\n  caFile: certs/ca.crt\n  credential: {tokenFile: ~/token}\nclusters:\n  - {name: dev, kubeconfig: ~/.kube/config, context: kind-dev}\n  - {name: local, kubeconfig: ./kubeconfig}\n  - {name: abs, kubeconfig: /etc/kubeconfig}\n`,
      "nested.yaml",
    );
    const config = await loadConfig(file, { cwd: "/", env: { HOME: "/home/ops" } });
    expect(config.azure).toEqual({
      caFile: join(dir, "certs/ca.crt"),
      credential: { tokenFile: "/home/ops/token" },
    });
    expect(config.clusters.map((cluster) => cluster.kubeconfig)).toEqual([
      "/home/ops/.kube/config",
      join(dir, "kubeconfig"),
      "/etc/kubeconfig",
    ]);
  });

  it("returns a frozen configuration", async () => {
    const { dir } = write(`${base}  - {name: a, cluster: prod, policy: daily}\n`);
    const config = await loadConfig(undefined, { cwd: dir });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.instances[0])).toBe(true);
    expect(() => {
      config.policies.push(config.policies[0] as never);
    }).toThrow(TypeError);
  });

  it("says clearly that the file is missing, unless defaults are allowed", async () => {
    const dir = tempDir();
    const error = await rejection(loadConfig(undefined, { cwd: dir }));
    expect(error.code).toBe("ConfigNotFound");
    expect(error.message).toMatch(/^aks-backup\.yaml: config file not found; create it/);
    const config = await loadConfig(undefined, { cwd: dir, allowMissing: true });
    expect(config.storage).toBeUndefined();
    expect(config).toMatchObject({ clusters: [], policies: [], instances: [] });
  });

  it("reads an empty file as nothing configured", async () => {
    const { dir } = write("# nothing yet\n");
    const config = await loadConfig(undefined, { cwd: dir });
    expect(config.kube.pageSize).toBe(500);
  });
});
