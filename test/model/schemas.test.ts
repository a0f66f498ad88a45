// The policy, backup instance, cluster and storage schemas on their own: Azure's names and defaults,
// and connection-string keys kept out of every message and print.
import { describe, expect, it } from "vitest";
import { backupInstanceSchema } from "../../src/model/backup-instance.js";
import { clusterSchema } from "../../src/model/cluster.js";
import { parseConfig, redactConfig } from "../../src/model/config.js";
import { parseModel } from "../../src/model/issues.js";
import { policyOffsetMinutes, policySchema } from "../../src/model/policy.js";
import { redactSecrets, storageSchema } from "../../src/model/storage.js";

const SUB = "9b1f7a54-2c4e-4d0a-8f3e-5a6b7c8d9e0f";
const AKS_ID = `/subscriptions/${SUB}/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/prod`;
const ACCOUNT_KEY = "c2VjcmV0LWtleS1ub3QtdG8tYmUtcHJpbnRlZC1hbnl3aGVyZQ==";
const CONNECTION_STRING = `DefaultEndpointsProtocol=https;AccountName=mybackups;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net`;

describe("policy", () => {
  it("takes the calendar offset from timeZone, else from the first schedule entry", () => {
    const parsed = parseModel(policySchema, {
      name: "p",
      schedule: ["R/2026-01-01T02:00:00+05:30/P1D"],
      retention: { default: "P7D" },
    });
    if (!parsed.ok) throw new Error("invalid");
    expect(policyOffsetMinutes(parsed.value)).toBe(330);
    expect(policyOffsetMinutes({ ...parsed.value, timeZone: "-08:00" })).toBe(-480);
  });

  it("refuses a timeZone that is not an offset", () => {
    const parsed = parseModel(policySchema, {
      name: "p",
      schedule: ["R/2026-01-01T02:00:00Z/P1D"],
      timeZone: "Pacific Standard Time",
      retention: { default: "P7D" },
    });
    expect(!parsed.ok && parsed.issues[0]?.message).toMatch(/is not a UTC offset/);
  });
});

describe("backup instance", () => {
  it("keeps Azure's field names and defaults", () => {
    const parsed = parseModel(backupInstanceSchema, {
      name: "prod-shop",
      cluster: "prod",
      policy: "daily",
      snapshotResourceGroup: `/subscriptions/${SUB}/resourceGroups/aks-snapshots`,
      includedNamespaces: ["shop", "shop-*"],
      excludedNamespaces: ["shop-tmp"],
      includedResourceTypes: ["apps/v1/Deployment", "secrets"],
      excludedResourceTypes: ["v1/Event"],
      labelSelectors: ["app=web", "tier in (a,b)"],
      includeClusterScopeResources: false,
      backupHookReferences: [{ name: "freeze-db", namespace: "shop" }],
    });
    expect(parsed.ok && parsed.value).toMatchObject({
      includeClusterScopeResources: false,
      snapshotVolumes: true,
    });
  });
});

describe("cluster", () => {
  it("accepts a kubeconfig, an AKS id, or both (as the simulator writes)", () => {
    for (const cluster of [
      { name: "dev", kubeconfig: "~/.kube/config", context: "kind-dev" },
      { name: "prod", aksResourceId: AKS_ID.toLowerCase() },
      { name: "sim", kubeconfig: "kubeconfig", context: "sim", aksResourceId: AKS_ID, qps: 20, burst: 40 },
    ]) {
      expect(parseModel(clusterSchema, cluster).ok).toBe(true);
    }
  });
});

describe("storage and secrets", () => {
  it.each([
    [{ accountUrl: "https://mybackups.blob.core.windows.net" }, "aks-backups"],
    [{ connectionString: CONNECTION_STRING, container: "prod-backups" }, "prod-backups"],
    [{ connectionString: "UseDevelopmentStorage=true" }, "aks-backups"],
  ])("accepts %j", (storage, container) => {
    const parsed = parseModel(storageSchema, storage);
    expect(parsed.ok && parsed.value.container).toBe(container);
  });

  it.each([
    [{}, /give accountUrl .* or connectionString/],
    [{ accountUrl: "https://a.blob.core.windows.net", connectionString: CONNECTION_STRING }, /not both/],
    [{ accountUrl: "http://a.blob.core.windows.net" }, /https/],
    [{ accountUrl: "https://a.blob.core.windows.net/?sv=1&sig=abc" }, /must not carry a query/],
    [{ accountUrl: "https://a", container: "Backups" }, /not a container name/],
    [{ accountUrl: "https://a", container: "ab" }, /not a container name/],
    [{ accountUrl: "https://a", container: "a--b" }, /not a container name/],
    [{ connectionString: `AccountKey=${ACCOUNT_KEY}` }, /AccountKey but no AccountName/],
    [{ connectionString: "BlobEndpoint=https://a.blob.core.windows.net" }, /carries no credential/],
    [{ connectionString: `mybackups;${ACCOUNT_KEY}` }, /Key=Value pairs/],
  ])("refuses %j without quoting a key", (storage, message) => {
    const parsed = parseModel(storageSchema, storage);
    const text = parsed.ok ? "" : parsed.issues.map((issue) => issue.message).join("\n");
    expect(text).toMatch(message);
    expect(text).not.toContain(ACCOUNT_KEY);
    expect(text).not.toContain("sig=abc");
  });

  it("redacts keys and SAS signatures for printing", () => {
    const result = parseConfig({ storage: { connectionString: CONNECTION_STRING } });
    if (!result.ok) throw new Error("invalid");
    const printed = JSON.stringify(redactConfig(result.value));
    expect(printed).not.toContain(ACCOUNT_KEY);
    expect(printed).toContain("AccountKey=***");
    expect(printed).toContain("AccountName=mybackups");
    expect(result.value.storage?.connectionString).toBe(CONNECTION_STRING);
    expect(redactSecrets("https://a/c?sv=2024&sig=abc%2F&se=1")).toBe("https://a/c?sv=2024&sig=***&se=1");
    expect(redactSecrets("BlobEndpoint=x;SharedAccessSignature=sv=1&sig=y")).toBe(
      "BlobEndpoint=x;SharedAccessSignature=***",
    );
  });
});
