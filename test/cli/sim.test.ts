// `aks-backup sim --dir D` as a user runs it: the built CLI in its own process, kubectl and the
// Azure SDK pointed at what it writes, a clean stop on SIGTERM, and user edits kept on restart.
import { type ChildProcessWithoutNullStreams, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { armClientOptions, StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import { MANIFEST_ROOT } from "../helpers/manifests.js";

const CLI = join(import.meta.dirname, "..", "..", "bin", "aks-backup.js");

interface Running {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  exited: Promise<number | null>;
}

function startCli(args: string[]): Running {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["pipe", "pipe", "pipe"] });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitForReady(running: Running): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!running.output().includes(" ready: ")) {
    if (running.child.exitCode !== null) throw new Error(`sim exited early: ${running.output()}`);
    if (Date.now() > deadline) throw new Error(`sim not ready in time: ${running.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface SimConfig {
  storage: { connectionString: string; container: string };
  azure: { resourceManagerEndpoint: string; caFile: string; credential: { tokenFile: string } };
  clusters: { name: string; kubeconfig: string; context: string; aksResourceId: string }[];
  policies: unknown[];
  instances: unknown[];
}

describe("aks-backup sim", () => {
  const dir = mkdtempSync(join(tmpdir(), "aks-backup-sim-"));
  const running: Running[] = [];
  afterAll(() => {
    for (const r of running) r.child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });

  it("starts a cluster that kubectl, the Azure SDK and the storage SDK use through the files it writes", async () => {
    const sim = startCli(["sim", "--dir", dir]);
    running.push(sim);
    await waitForReady(sim);
    expect(sim.output().trim().split("\n")).toHaveLength(1);

    const config = parse(readFileSync(join(dir, "aks-backup.yaml"), "utf8")) as SimConfig;
    const cluster = config.clusters.find((c) => c.name === "sim");
    expect(cluster?.kubeconfig).toBe(join(dir, "kubeconfig"));

    const manifest = join(MANIFEST_ROOT, "velero/examples/nginx-app/with-pv.yaml");
    const env = { PATH: process.env.PATH ?? "", HOME: dir, KUBECONFIG: join(dir, "kubeconfig") };
    const created = spawnSync("kubectl", ["create", "-f", manifest], { env, encoding: "utf8" });
    expect(created.stderr).toBe("");
    expect(created.stdout).toContain("deployment.apps/nginx-deployment created");
    const got = spawnSync("kubectl", ["get", "svc", "my-nginx", "-n", "nginx-example", "-o", "json"], {
      env,
      encoding: "utf8",
    });
    expect(JSON.parse(got.stdout).spec.clusterIP).toMatch(/^10\.0\.\d+\.\d+$/);

    const [, , subscription = "", , resourceGroup = "", , , , name = ""] = (
      cluster?.aksResourceId ?? ""
    ).split("/");
    const arm = new ContainerServiceClient(
      new StaticTokenCredential(readFileSync(config.azure.credential.tokenFile, "utf8")),
      subscription,
      armClientOptions({
        endpoint: config.azure.resourceManagerEndpoint,
        caCert: readFileSync(config.azure.caFile, "utf8"),
      }),
    );
    const credentials = await arm.managedClusters.listClusterUserCredentials(resourceGroup, name);
    const served = parse(
      Buffer.from(credentials.kubeconfigs?.[0]?.value ?? new Uint8Array()).toString("utf8"),
    );
    const written = parse(readFileSync(cluster?.kubeconfig ?? "", "utf8"));
    expect(served.clusters[0].cluster.server).toBe(written.clusters[0].cluster.server);

    const blobs = BlobServiceClient.fromConnectionString(config.storage.connectionString);
    await blobs.getContainerClient(config.storage.container).createIfNotExists();
    await blobs.getContainerClient(config.storage.container).uploadBlockBlob("probe", "x", 1);

    // A backup through that config reaches the cluster's disks via Azure: the node resource group
    // comes from the managed cluster, the snapshot from the Azure fake.
    const nginxConfig = join(dir, "nginx.yaml");
    writeFileSync(
      nginxConfig,
      readFileSync(join(dir, "aks-backup.yaml"), "utf8")
        .replace(
          "policies: []",
          'policies:\n  - name: daily\n    schedule: ["R/2026-01-01T02:00:00+00:00/P1D"]\n    retention: {default: P7D}',
        )
        .replace(
          "instances: []",
          "instances:\n  - name: nginx\n    cluster: sim\n    policy: daily\n    includedNamespaces: [nginx-example]",
        ),
    );
    const backup = spawnSync(process.execPath, [CLI, "-c", nginxConfig, "backup", "nginx", "-o", "json"], {
      encoding: "utf8",
    });
    expect(backup.stderr).toBe("");
    const point = JSON.parse(backup.stdout) as {
      status: string;
      volumeSnapshots: { pvc: string; snapshotId: string }[];
    };
    expect(point.status).toBe("Succeeded");
    expect(point.volumeSnapshots.map((v) => v.pvc)).toEqual(["nginx-example/nginx-logs"]);
    expect(point.volumeSnapshots[0]?.snapshotId).toContain(
      "/resourceGroups/MC_aks-backup-sim_sim_westeurope/",
    );

    sim.child.kill("SIGTERM");
    expect(await sim.exited).toBe(0);
    expect(sim.output()).toContain("simulator stopped");
  });

  it("keeps the policies and instances a user added when it starts again, with storage data intact", async () => {
    const path = join(dir, "aks-backup.yaml");
    const edited = readFileSync(path, "utf8")
      .replace(
        "policies: []",
        'policies:\n  - name: daily # my policy\n    schedule: ["R/2026-01-01T02:00:00+00:00/P1D"]',
      )
      .replace("instances: []", "instances:\n  - name: shop\n    cluster: sim\n    policy: daily");
    writeFileSync(path, edited);
    const before = parse(edited) as SimConfig;

    const sim = startCli(["sim", "--dir", dir]);
    running.push(sim);
    await waitForReady(sim);
    const text = readFileSync(path, "utf8");
    const after = parse(text) as SimConfig;
    expect(after.policies).toEqual(before.policies);
    expect(after.instances).toEqual(before.instances);
    expect(text).toContain("# my policy");
    expect(after.clusters.filter((c) => c.name === "sim")).toHaveLength(1);
    expect(after.azure.resourceManagerEndpoint).not.toBe(before.azure.resourceManagerEndpoint);

    const blobs = BlobServiceClient.fromConnectionString(after.storage.connectionString);
    const probe = await blobs
      .getContainerClient(after.storage.container)
      .getBlobClient("probe")
      .downloadToBuffer();
    expect(probe.toString()).toBe("x");

    sim.child.kill("SIGINT");
    expect(await sim.exited).toBe(0);
  });

  it("refuses a bad port with a message naming the flag", async () => {
    const sim = startCli(["sim", "--dir", dir, "--kube-port", "http"]);
    expect(await sim.exited).not.toBe(0);
    expect(sim.output()).toContain('--kube-port must be a port number between 0 and 65535, got "http"');
  });
});
