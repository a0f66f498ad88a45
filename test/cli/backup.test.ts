// The backup commands as a user runs them: the built CLI against a simulated cluster and Azurite,
// configured by a YAML file.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { BlobInstanceStore } from "../../src/local/store.js";
import { cli, writeShopConfig } from "../helpers/cli.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const containerName = `cli-${Date.now()}`;

describe("aks-backup backup, recovery-points, describe", () => {
  const sim = useSimulator();
  const dir = mkdtempSync(join(tmpdir(), "aks-backup-cli-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    writeShopConfig(dir, {
      connectionString: inject("azuriteConnectionString"),
      container: containerName,
      kubeconfig: sim().kubeconfig,
    });
    await kubectl(sim(), ["create", "namespace", "shop"]);
    await kubectl(sim(), ["create", "configmap", "settings", "-n", "shop", "--from-literal=mode=prod"]);
  });

  it("backs up an instance and prints its recovery point id as JSON", async () => {
    const run = await cli(["backup", "shop", "--wait", "-o", "json"], dir);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as {
      recoveryPointId: string;
      status: string;
      itemCounts: Record<string, number>;
    };
    expect(result.recoveryPointId).toMatch(/^shop-\d{8}-\d{6}-[0-9a-f]{4}$/);
    expect(result.status).toBe("Succeeded");
    expect(result.itemCounts["v1/ConfigMap"]).toBe(2); // settings and kube-root-ca.crt

    const listed = await cli(["recovery-points", "shop"], dir);
    expect(listed.code).toBe(0);
    expect(listed.stdout.split("\n")[0]).toMatch(
      /^ID\s+STATUS\s+TRIGGER\s+STARTED\s+DURATION\s+ITEMS\s+SIZE$/,
    );
    expect(listed.stdout).toContain(result.recoveryPointId);

    const described = await cli(["describe", result.recoveryPointId], dir);
    expect(described.code).toBe(0);
    expect(described.stdout).toMatch(/Status:\s+Succeeded/);
    expect(described.stdout).toMatch(/v1\/ConfigMap\s+2/);
  });

  it("runs the backup as a durable job, kept in storage where serve lists it, with its own retention tag", async () => {
    const run = await cli(["backup", "shop", "--retention", "P30D", "-o", "json"], dir);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as { recoveryPointId: string; job: string; retention?: string };
    expect(result.retention).toBe("P30D");
    expect(result.job).toMatch(/^backup:shop:ondemand:/);

    const container = BlobServiceClient.fromConnectionString(
      inject("azuriteConnectionString"),
    ).getContainerClient(containerName);
    const jobs = await new BlobInstanceStore(container).list({});
    const job = jobs.find((j) => j.instanceId === result.job);
    expect(job).toMatchObject({ name: "backupInstance", runtimeStatus: "Completed" });
    // The instance's lock was released: the next backup runs rather than being skipped.
    const again = await cli(["backup", "shop", "-o", "json"], dir);
    expect(again.code).toBe(0);
  });

  it("names a retention that is not an ISO 8601 duration", async () => {
    const run = await cli(["backup", "shop", "--retention", "30 days"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--retention: "30 days" is not an ISO 8601 duration');
  });

  it("names the instance it does not know and the ones it does", async () => {
    const run = await cli(["backup", "shpo"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(
      'aks-backup: unknown instance "shpo" (did you mean "shop"?); known instances: shop\n',
    );
  });

  it("points at the line of a config mistake", async () => {
    const bad = join(dir, "bad.yaml");
    writeFileSync(
      bad,
      "clusters: []\npolicies: []\ninstances:\n  - name: shop\n    cluster: prod\n    policy: daily\n",
    );
    const run = await cli(["-c", bad, "recovery-points", "shop"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('bad.yaml:5:14: instances[0].cluster: unknown cluster "prod"');
  });

  it("says when a recovery point does not exist", async () => {
    const run = await cli(["describe", "shop-20200101-000000-abcd"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("recovery point shop-20200101-000000-abcd not found");
  });
});
