// The config blob against Azurite: applied to the definition store like the CLI's config file
// (origin "config"), re-read only when its ETag changes, never overwriting what the API edited,
// and a broken file or a refused key (storage, azure, ...) changes nothing and names the field.
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { beforeEach, describe, expect, inject, it } from "vitest";
import {
  applyConfigBlob,
  CONFIG_BLOB_STATE,
  type ConfigBlobOutcome,
  checkedConfigBlobName,
  readConfigBlobState,
} from "../../src/store/config-blob.js";
import { DefinitionStore } from "../../src/store/definitions.js";

const config = `
clusters:
  - name: prod
    aksResourceId: /subscriptions/9b1f7a54-2c4e-4d0a-8f3e-5a6b7c8d9e0f/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod
policies:
  - name: daily
    schedule: ["R/2026-01-01T02:00:00+00:00/P1D"]
    retention:
      default: P7D
instances:
  - name: prod-shop
    cluster: prod
    policy: daily
    includedNamespaces: [shop]
`;

let container: ContainerClient;
let definitions: DefinitionStore;
let logged: string[];
let counter = 0;

beforeEach(async () => {
  const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  container = service.getContainerClient(`config-blob-${Date.now()}-${counter++}`);
  definitions = new DefinitionStore(container);
  await definitions.ensureContainer();
  logged = [];
});

async function upload(text: string, name = "aks-backup.yaml"): Promise<void> {
  await container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
}

function apply(name = "aks-backup.yaml"): Promise<ConfigBlobOutcome> {
  return applyConfigBlob({ container, definitions }, name, {
    now: () => new Date("2026-03-01T04:00:00Z"),
    log: (message) => logged.push(message),
  });
}

async function storedNames(): Promise<Record<string, string[]>> {
  const [clusters, policies, instances] = await Promise.all([
    definitions.list("cluster"),
    definitions.list("policy"),
    definitions.list("instance"),
  ]);
  const names = (list: { value: { name: string } }[]) => list.map((d) => d.value.name).sort();
  return { clusters: names(clusters), policies: names(policies), instances: names(instances) };
}

describe("config blob", () => {
  it("does nothing while there is no blob", async () => {
    expect(await apply()).toMatchObject({ blob: "aks-backup.yaml", status: "absent", changed: false });
    expect(await storedNames()).toEqual({ clusters: [], policies: [], instances: [] });
  });

  it("stores the file's definitions with origin config, and reads it again only when it changes", async () => {
    await upload(config);
    const first = await apply();
    expect(first).toMatchObject({ status: "applied", changed: true, at: "2026-03-01T04:00:00.000Z" });
    expect(first.seeded?.created).toEqual([
      { kind: "cluster", name: "prod" },
      { kind: "policy", name: "daily" },
      { kind: "instance", name: "prod-shop" },
    ]);
    const stored = await definitions.get("instance", "prod-shop");
    expect(stored).toMatchObject({ origin: "config", value: { includedNamespaces: ["shop"] } });

    // Unchanged: the outcome recorded last time, without seeding again.
    await definitions.delete("instance", "prod-shop", { ifMatch: stored?.etag ?? "" });
    const again = await apply();
    expect(again).toMatchObject({ status: "applied", changed: false, etag: first.etag });
    expect(await definitions.get("instance", "prod-shop")).toBeUndefined();

    await upload(config.replace("default: P7D", "default: P14D").replace("[shop]", "[shop, shop-*]"));
    const changed = await apply();
    expect(changed).toMatchObject({ status: "applied", changed: true });
    expect(changed.etag).not.toBe(first.etag);
    expect(changed.seeded?.updated).toEqual([{ kind: "policy", name: "daily" }]);
    expect(changed.seeded?.created).toEqual([{ kind: "instance", name: "prod-shop" }]);
    expect((await definitions.get("policy", "daily"))?.value.retention.default).toBe("P14D");
    expect((await definitions.get("instance", "prod-shop"))?.value.includedNamespaces).toEqual([
      "shop",
      "shop-*",
    ]);
    expect(await readConfigBlobState(container)).toMatchObject({ status: "applied", etag: changed.etag });
  });

  it("never overwrites a definition edited through the API, and says so", async () => {
    await upload(config);
    await apply();
    const stored = await definitions.get("policy", "daily");
    await definitions.put(
      "policy",
      { name: "daily", schedule: ["R/2026-01-01T03:00:00+00:00/P1D"], retention: { default: "P30D" } },
      { ifMatch: stored?.etag ?? "" },
    );

    await upload(config.replace("default: P7D", "default: P14D"));
    const outcome = await apply();
    expect(outcome.status).toBe("applied");
    expect(outcome.seeded?.differsFromFile).toEqual([{ kind: "policy", name: "daily" }]);
    expect(await definitions.get("policy", "daily")).toMatchObject({
      origin: "api",
      value: { retention: { default: "P30D" }, schedule: ["R/2026-01-01T03:00:00+00:00/P1D"] },
    });
  });

  it("changes nothing for invalid YAML and reports where the file breaks", async () => {
    await upload(config);
    await apply();
    const before = await storedNames();

    await upload(`${config}\n  - name: [unclosed\n`);
    const outcome = await apply();
    expect(outcome).toMatchObject({ status: "invalid", changed: true });
    expect(outcome.error).toMatch(/^aks-backup\.yaml:\d+:\d+: /);
    expect(logged.join("\n")).toContain(
      "config blob aks-backup.yaml is invalid; stored definitions are unchanged",
    );
    expect(await storedNames()).toEqual(before);
    expect((await definitions.get("policy", "daily"))?.value.retention.default).toBe("P7D");

    // The same broken version is not read again; the recorded problem is still reported.
    expect(await apply()).toMatchObject({ status: "invalid", changed: false, error: outcome.error });
  });

  it("changes nothing for an invalid field and names it with its line", async () => {
    await upload(config);
    await apply();
    const broken = config.replace("default: P7D", "default: P7D\n      rules: [{criteria: FirstOfWeek}]");
    await upload(broken.replace("policy: daily", "policy: hourly"));
    const outcome = await apply();
    expect(outcome.status).toBe("invalid");
    expect(outcome.issues?.map((i) => i.path)).toEqual([
      "policies[0].retention.rules[0].duration",
      "instances[0].policy",
    ]);
    expect(outcome.error).toMatch(
      /^aks-backup\.yaml:10:\d+: policies\[0\]\.retention\.rules\[0\]\.duration: /m,
    );
    expect(outcome.error).toMatch(/^aks-backup\.yaml:14:13: instances\[0\]\.policy: .*hourly/m);
    expect((await definitions.get("instance", "prod-shop"))?.value.policy).toBe("daily");
  });

  it("refuses storage and azure settings, naming the key and never echoing a secret", async () => {
    const secret = "AccountKey=c2VjcmV0LWtleS1kby1ub3QtbG9n";
    const withStorage = `storage:\n  connectionString: "DefaultEndpointsProtocol=https;AccountName=x;${secret}"\nazure:\n  subscriptionId: 9b1f7a54-2c4e-4d0a-8f3e-5a6b7c8d9e0f\n${config}`;
    await upload(withStorage);
    const outcome = await apply();
    expect(outcome.status).toBe("invalid");
    expect(outcome.issues?.map((i) => [i.path, i.line])).toEqual([
      ["storage", 2],
      ["azure", 4],
    ]);
    expect(outcome.error).toContain(
      'aks-backup.yaml:2:3: storage: "storage" is not read from the config blob: the backup storage comes from the app settings',
    );
    expect(JSON.stringify(outcome)).not.toContain(secret);
    expect(logged.join("\n")).not.toContain(secret);
    expect(await storedNames()).toEqual({ clusters: [], policies: [], instances: [] });
  });

  it("reads a blob under another name and refuses names inside the app's own folders", async () => {
    await upload(config, "settings/backup.yaml");
    expect((await apply("settings/backup.yaml")).status).toBe("applied");
    expect(checkedConfigBlobName(undefined)).toBe("aks-backup.yaml");
    expect(checkedConfigBlobName(" ")).toBe("aks-backup.yaml");
    const refused = await apply(CONFIG_BLOB_STATE);
    expect(refused).toMatchObject({ status: "failed" });
    expect(refused.error).toContain('config blob "state/config-blob.json" is not allowed');
  });
});
