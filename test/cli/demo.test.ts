// Demo mode as a newcomer meets it: a simulated cluster with sample apps on Azure disks, a config that
// loads and protects them, a backup of it that snapshots the disks, a plain notice, and a clean stop
// after which the next start begins afresh in the same directory.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runBackup } from "../../src/backup/run.js";
import { loadConfig } from "../../src/cli/config-file.js";
import { openContext } from "../../src/cli/context.js";
import { type Demo, startDemo } from "../../src/cli/demo.js";
import { runKubectl } from "../helpers/kubectl.js";

const NOW = new Date("2026-11-25T15:42:00Z");

interface Listed<T> {
  items: T[];
}
interface Pod {
  metadata: { name: string };
  status: { phase: string };
}
interface Claim {
  metadata: { namespace: string; name: string };
  spec: { volumeName: string; storageClassName: string };
  status: { phase: string };
}
interface Volume {
  metadata: { name: string };
  spec: { csi?: { driver: string; volumeHandle: string } };
}

async function kubectlJson<T>(demo: Demo, args: string[]): Promise<T> {
  const result = await runKubectl(readFileSync(demo.kubeconfigPath, "utf8"), [...args, "-o", "json"]);
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as T;
}

/** Whether anything accepts connections at the URL's host and port. */
function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("startDemo", () => {
  const root = mkdtempSync(join(tmpdir(), "aks-backup-demo-"));
  const dir = join(root, ".demo");
  const progress: string[] = [];
  let demo: Demo;

  beforeAll(async () => {
    demo = await startDemo({ dir, log: (line) => progress.push(line), now: () => NOW });
  });
  afterAll(async () => {
    await demo?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it("says plainly that it is a demo on a simulated cluster, what runs in it and how to leave", () => {
    expect(demo.message).toBe(
      `DEMO MODE: no aks-backup.yaml here, so this runs against a simulated AKS cluster and local storage (${dir}/). Nothing touches Azure.`,
    );
    const notice = demo.notice.join("\n");
    expect(notice).toContain("demo-shop/storefront: web shop");
    expect(notice).toContain("demo-shop/postgres: its database");
    expect(notice).toContain("demo-wiki/wiki: team wiki");
    expect(notice).toContain('instance "demo-apps"');
    expect(notice).toContain("aks-backup sim --dir .sim");
    expect(progress[0]).toBe(`demo: starting a simulated AKS cluster and local storage in ${dir}`);
  });

  it("writes a config that loads, with the cluster, an hourly policy and an instance over the sample namespaces", async () => {
    expect(demo.configPath).toBe(join(dir, "aks-backup.yaml"));
    const config = await loadConfig(demo.configPath);
    expect(config.clusters.map((c) => c.name)).toEqual(["sim"]);
    expect(config.policies).toEqual([
      {
        name: "demo-hourly",
        schedule: ["R/2026-11-25T00:00:00+00:00/PT1H"],
        retention: { default: "P1D", rules: [{ criteria: "FirstOfDay", duration: "P7D" }] },
      },
    ]);
    expect(config.instances).toHaveLength(1);
    expect(config.instances[0]).toMatchObject({
      name: "demo-apps",
      cluster: "sim",
      policy: "demo-hourly",
      includedNamespaces: ["demo-shop", "demo-wiki"],
      snapshotVolumes: true,
      snapshotResourceGroup: `/subscriptions/${demo.simulator.azure.subscriptionId}/resourceGroups/aks-backup-snapshots`,
    });
    const text = readFileSync(demo.configPath, "utf8");
    expect(text).toMatch(/^# aks-backup DEMO configuration/);
    expect(text).toContain("# Azurite, the Azure Storage emulator, started by demo mode");
  });

  it("runs the sample apps, their claims bound to Azure disks that exist in the simulated Azure", async () => {
    const shopPods = await kubectlJson<Listed<Pod>>(demo, ["get", "pods", "-n", "demo-shop"]);
    expect(shopPods.items.map((p) => p.metadata.name).sort()).toEqual([
      "postgres-0",
      expect.stringMatching(/^storefront-/),
      expect.stringMatching(/^storefront-/),
    ]);
    const wikiPods = await kubectlJson<Listed<Pod>>(demo, ["get", "pods", "-n", "demo-wiki"]);
    for (const pod of [...shopPods.items, ...wikiPods.items]) expect(pod.status.phase).toBe("Running");
    expect(wikiPods.items).toHaveLength(1);

    const claims = await kubectlJson<Listed<Claim>>(demo, ["get", "pvc", "-A"]);
    expect(
      claims.items.map((c) => [`${c.metadata.namespace}/${c.metadata.name}`, c.spec.storageClassName]),
    ).toEqual([
      ["demo-shop/data-postgres-0", "managed-csi-premium"],
      ["demo-wiki/wiki-content", "default"],
    ]);
    for (const claim of claims.items) {
      expect(claim.status.phase).toBe("Bound");
      const pv = await kubectlJson<Volume>(demo, ["get", "pv", claim.spec.volumeName]);
      expect(pv.spec.csi?.driver).toBe("disk.csi.azure.com");
      expect(demo.simulator.azure.disk(pv.spec.csi?.volumeHandle ?? "")).toBeDefined();
    }
  });

  it("gives a backup of the demo instance that succeeds and snapshots both disks", async () => {
    const context = await openContext({ config: demo.configPath });
    try {
      const instance = context.instance(demo.instance);
      const manifest = await runBackup(
        { instance, trigger: "OnDemand" },
        {
          cluster: await context.connect(instance.cluster),
          catalog: context.catalog,
          volumes: await context.volumeDeps(instance),
        },
      );
      expect(manifest.errors).toEqual([]);
      expect(manifest.status).toBe("Succeeded");
      expect(manifest.volumeSnapshots.map((v) => v.pvc).sort()).toEqual([
        "demo-shop/data-postgres-0",
        "demo-wiki/wiki-content",
      ]);
      for (const snapshot of manifest.volumeSnapshots) {
        expect(snapshot.snapshotId).toContain("/resourceGroups/aks-backup-snapshots/");
        expect(demo.simulator.azure.snapshot(snapshot.snapshotId)).toBeDefined();
      }
      expect(manifest.itemCounts).toMatchObject({
        "apps/v1/Deployment": 2,
        "apps/v1/StatefulSet": 1,
        "v1/PersistentVolumeClaim": 2,
        "v1/ConfigMap": expect.any(Number),
        "v1/Secret": expect.any(Number),
      });
      const points = await context.catalog.listRecoveryPoints(demo.instance);
      expect(points.map((p) => p.id)).toEqual([manifest.id]);
    } finally {
      await context.close();
    }
  });

  it("refuses a second demo in the same directory while this one runs", async () => {
    await expect(startDemo({ dir })).rejects.toThrow(
      `a demo is already running from ${dir} (process ${process.pid})`,
    );
    expect(await listening(demo.simulator.kube.url)).toBe(true);
  });

  it("never clears a directory that is not a demo directory", async () => {
    const mine = join(root, "mine");
    mkdirSync(mine);
    writeFileSync(join(mine, "notes.txt"), "keep me");
    await expect(startDemo({ dir: mine })).rejects.toThrow(`${mine} exists and is not a demo directory`);
    expect(readFileSync(join(mine, "notes.txt"), "utf8")).toBe("keep me");
  });

  it("stops everything it started, and the next start in the same directory begins afresh", async () => {
    const endpoints = [demo.simulator.kube.url, demo.simulator.azure.url, demo.storage.blobEndpoint];
    await demo.stop();
    for (const url of endpoints) expect(await listening(url)).toBe(false);
    expect(existsSync(demo.configPath)).toBe(true);

    demo = await startDemo({ dir, now: () => NOW });
    const context = await openContext({ config: demo.configPath });
    try {
      expect(await context.catalog.listRecoveryPoints(demo.instance)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
