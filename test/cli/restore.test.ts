// `aks-backup restore` as a user runs it: the built CLI against a simulated cluster and Azurite,
// configured by a YAML file; a backup, then restores into mapped namespaces (JSON, a dry run, a
// table with the failed item), and the flags it refuses.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { StoredRestoreResult } from "../../src/orchestrations/restore-parts.js";
import { cli, writeShopConfig } from "../helpers/cli.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

/** A NodePort Service whose port was chosen by its author: a copy in the same cluster cannot have it. */
const FIXED_PORT = `
apiVersion: v1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  type: NodePort
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080, nodePort: 30080}]
`;

describe("aks-backup restore", () => {
  const sim = useSimulator();
  const dir = mkdtempSync(join(tmpdir(), "aks-backup-cli-restore-"));
  let pointId: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    writeShopConfig(dir, {
      connectionString: inject("azuriteConnectionString"),
      container: `cli-restore-${Date.now()}`,
      kubeconfig: sim().kubeconfig,
      instanceFields: ["snapshotVolumes: false"],
    });
    await kubectl(sim(), ["create", "namespace", "shop"]);
    await kubectl(sim(), ["create", "configmap", "settings", "-n", "shop", "--from-literal=mode=prod"]);
    const service = await kubectl(sim(), ["create", "-f", "-"], FIXED_PORT);
    expect(service.code, service.stderr).toBe(0);
    const backup = await cli(["backup", "shop", "-o", "json"], dir);
    expect(backup.code, backup.stderr).toBe(0);
    pointId = (JSON.parse(backup.stdout) as { recoveryPointId: string }).recoveryPointId;
  });

  it("reports a dry run as JSON and changes nothing", async () => {
    const run = await cli(
      ["restore", pointId, "--namespace-mapping", "shop=shop-dry", "--dry-run", "--wait", "-o", "json"],
      dir,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as StoredRestoreResult;
    expect(result).toMatchObject({
      restoreId: expect.stringMatching(new RegExp(`^restore:${pointId}:`)),
      recoveryPointId: pointId,
      targetCluster: "sim",
      status: "Succeeded",
      dryRun: true,
      counts: { failed: 0 },
    });
    expect(result.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: "ConfigMap",
          namespace: "shop-dry",
          name: "settings",
          outcome: "created",
        }),
      ]),
    );
    expect((await kubectl(sim(), ["get", "namespace", "shop-dry"])).code).not.toBe(0);
  });

  it("restores into a mapped namespace, prints a table per phase and the failed items, and exits 1", async () => {
    const run = await cli(
      ["restore", pointId, "--namespace-mapping", "shop=shop-copy", "--conflict", "patch"],
      dir,
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(1);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(
      new RegExp(`^restore restore:${pointId}:\\S+ of ${pointId} into sim: PartiallySucceeded in .+$`),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(/^PHASE\s+CREATED\s+PATCHED\s+SKIPPED\s+FAILED\s+TOTAL$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^resources\s+\d+\s+\d+\s+\d+\s+1\s+\d+$/));
    expect(run.stdout).toMatch(/^FAILED ITEM\s+REASON$/m);
    expect(run.stdout).toMatch(/^Service shop-copy\/web\s+.*provided port is already allocated/m);
    const copied = await kubectl(sim(), ["get", "configmap", "settings", "-n", "shop-copy", "-o", "json"]);
    expect((JSON.parse(copied.stdout) as ConfigMapJson).data).toEqual({ mode: "prod" });
  });

  it("names the flag of a refused request", async () => {
    const conflict = await cli(["restore", pointId, "--conflict", "overwrite"], dir);
    expect(conflict.code).toBe(1);
    expect(conflict.stderr).toBe('aks-backup: --conflict: "overwrite" is not one of skip, patch\n');
    const mapping = await cli(["restore", pointId, "--namespace-mapping", "shop=kube-system"], dir);
    expect(mapping.code).toBe(1);
    expect(mapping.stderr).toContain("--namespace-mapping (shop):");
    expect(mapping.stderr).toContain("system namespace");
    const target = await cli(["restore", pointId, "--target-cluster", "smi"], dir);
    expect(target.code).toBe(1);
    expect(target.stderr).toContain(
      'aks-backup: --target-cluster: unknown cluster "smi" (did you mean "sim"?)',
    );
  });
});

interface ConfigMapJson {
  data?: Record<string, string>;
}
