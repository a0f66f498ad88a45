// The durable restore through the local runtime (durable-functions' own replay executor) against
// two simulated clusters and Azurite: real-world manifests backed up by the backupInstance
// orchestration, restored into a mapped namespace and into another cluster and compared field by
// field; conflict policies, a dry run, a tampered archive, and a restore run again.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import type { KubeObject } from "../../src/kube/types.js";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime } from "../../src/local/runtime.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { type RestoreRequestInput, restoreRequestSchema } from "../../src/model/restore-request.js";
import type { BackupOutput } from "../../src/orchestrations/backup-instance.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { registerAll } from "../../src/orchestrations/index.js";
import {
  applyResources,
  RESTORE,
  type RestoreOutput,
  type RestoreProgress,
  readRestoreResult,
} from "../../src/orchestrations/restore.js";
import type { StoredRestoreResult } from "../../src/orchestrations/restore-parts.js";
import { type Simulator, startSimulator } from "../../src/sim/simulator.js";
import { MANIFEST_ROOT } from "../helpers/manifests.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

/** Real-world manifests without a namespace of their own, created together in namespace `shop`. */
const SHOP_FILES = [
  "k8s-website/content/en/examples/application/wordpress/mysql-deployment.yaml",
  "k8s-website/content/en/examples/application/wordpress/wordpress-deployment.yaml",
  "k8s-examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml",
  "k8s-examples/databases/cassandra/cassandra-service.yaml",
  "prometheus-operator/example/networkpolicies/alertmanager.yaml",
  "prometheus-operator/example/user-guides/getting-started/example-app-service.yaml",
  "prometheus-operator/example/user-guides/getting-started/example-app-deployment.yaml",
  "sample-controller/artifacts/examples/example-foo.yaml",
];
const CRD_FILE = "sample-controller/artifacts/examples/crd.yaml";

/** The kinds the manifests create (what the controllers make from them is left out of the comparison). */
const KINDS =
  "deployments,services,configmaps,secrets,networkpolicies,persistentvolumeclaims,replicationcontrollers,foos";

const SERVER_ANNOTATIONS =
  /^(deployment\.kubernetes\.io|pv\.kubernetes\.io|volume\.beta\.kubernetes\.io|volume\.kubernetes\.io)\//;

/** An object without what a server sets or a restore must change; what is left must come back equal. */
function normalise(object: KubeObject): Record<string, unknown> {
  const copy = structuredClone(object) as KubeObject & Record<string, unknown>;
  const metadata = copy.metadata as Record<string, unknown>;
  for (const key of [
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "namespace",
  ]) {
    delete metadata[key];
  }
  delete metadata.ownerReferences;
  const annotations = Object.entries(
    (metadata.annotations as Record<string, string> | undefined) ?? {},
  ).filter(([key]) => !SERVER_ANNOTATIONS.test(key));
  if (annotations.length > 0) metadata.annotations = Object.fromEntries(annotations);
  else delete metadata.annotations;
  delete copy.status;
  const spec = copy.spec as Record<string, unknown> | undefined;
  if (copy.kind === "Service" && spec) {
    delete spec.clusterIP;
    delete spec.clusterIPs;
    for (const port of (spec.ports as Record<string, unknown>[] | undefined) ?? []) delete port.nodePort;
  }
  if (copy.kind === "PersistentVolumeClaim" && spec) delete spec.volumeName;
  return copy;
}

describe("restore orchestration", () => {
  const sim = useSimulator();
  let drSim: Simulator;
  const dr = () => drSim;
  let env: Environment;
  let runtime: LocalRuntime;
  let dir: string;
  let manifest: RecoveryPointManifest;
  const delays: number[] = [];

  async function listed(
    target: typeof sim,
    namespace: string,
  ): Promise<Map<string, Record<string, unknown>>> {
    const { code, stdout, stderr } = await kubectl(target(), ["get", KINDS, "-n", namespace, "-o", "json"]);
    expect(code, stderr).toBe(0);
    const items = (JSON.parse(stdout) as { items: KubeObject[] }).items;
    // Every namespace of a cluster gets its own CA bundle from that cluster: not the backup's to compare.
    const restorable = items.filter((item) => item.metadata.name !== "kube-root-ca.crt");
    return new Map(restorable.map((item) => [`${item.kind}/${item.metadata.name}`, normalise(item)]));
  }

  async function restore(request: Omit<RestoreRequestInput, "recoveryPointId">, targetCluster = "sim") {
    const parsed = restoreRequestSchema.parse({ recoveryPointId: manifest.id, ...request });
    const restoreId = `restore:${manifest.id}:${Date.now()}-${Math.random().toString(16).slice(2, 6)}`;
    await runtime.startNew(RESTORE, {
      instanceId: restoreId,
      input: { restoreId, instance: "shop", targetCluster, request: parsed },
    });
    const status = await runtime.waitForCompletion(restoreId, { timeoutMs: 20_000 });
    expect(status.runtimeStatus, String(status.error ?? "")).toBe("Completed");
    const output = status.output as RestoreOutput;
    const result = (await readRestoreResult(env, restoreId)) as StoredRestoreResult;
    return { restoreId, status, output, result };
  }

  async function kubectlJson(target: () => Simulator, args: string[]): Promise<KubeObject> {
    const { code, stdout, stderr } = await kubectl(target(), [...args, "-o", "json"]);
    expect(code, stderr).toBe(0);
    return JSON.parse(stdout) as KubeObject;
  }

  const outcomeOf = (result: StoredRestoreResult, kind: string, name: string) =>
    result.items.find((item) => item.kind === kind && item.name === name && item.namespace !== undefined);

  beforeAll(async () => {
    // A second AKS cluster in the same subscription: its disks come from the first one's snapshots.
    drSim = await startSimulator({ clusterName: "dr", shareAzureWith: sim(), crdEstablishDelayMs: 50 });
    const apply = async (path: string, namespace?: string) => {
      const text = await readFile(join(MANIFEST_ROOT, path), "utf8");
      const created = await kubectl(sim(), ["create", "-f", "-"], text, namespace ? { namespace } : {});
      expect(created.code, `${path}: ${created.stderr}`).toBe(0);
    };
    await apply(CRD_FILE);
    await kubectl(sim(), ["wait", "--for=condition=Established", "crd/foos.samplecontroller.k8s.io"]);
    await kubectl(sim(), ["create", "namespace", "shop"]);
    for (const path of SHOP_FILES) await apply(path, "shop");
    await kubectl(sim(), ["create", "configmap", "settings", "-n", "shop", "--from-literal=mode=prod"]);
    await sim().controllers.idle();

    dir = await mkdtemp(join(tmpdir(), "restore-orchestration-"));
    await writeFile(join(dir, "sim"), sim().kubeconfig);
    await writeFile(join(dir, "dr"), dr().kubeconfig);
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    env = createEnvironment({
      service,
      container: `restore-${Date.now()}`,
      azure: {
        credential: new StaticTokenCredential(sim().token),
        endpoint: { endpoint: sim().azure.url, caCert: sim().tls.caCert },
      },
      snapshotPolling: { updateIntervalInMs: 5, completionPollMs: 5 },
    });
    await env.definitions.ensureContainer();
    for (const cluster of [sim(), dr()]) {
      await env.definitions.put("cluster", {
        name: cluster.clusterName,
        kubeconfig: join(dir, cluster.clusterName),
        aksResourceId: cluster.aksResourceId,
      });
    }
    await env.definitions.put("policy", {
      name: "daily",
      schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
      retention: { default: "P7D" },
    });
    await env.definitions.put("instance", {
      name: "shop",
      cluster: "sim",
      policy: "daily",
      includedNamespaces: ["shop"],
    });
    // The same cluster registered by kubeconfig only: where its restored disks belong is unknown.
    await env.definitions.put("cluster", { name: "dr-kubeconfig", kubeconfig: join(dir, "dr") });
    const registry = await captureRegistrations(() => registerAll(async () => env));
    // Timers and retry waits fire at once; the waits asked for are kept, to see what was retried.
    runtime = new LocalRuntime(registry, {
      delay: async (ms) => {
        delays.push(ms);
      },
    });

    const backupId = await runtime.startNew("backupInstance", {
      input: { instance: "shop", trigger: "OnDemand" },
    });
    const backup = await runtime.waitForCompletion(backupId, { timeoutMs: 20_000 });
    const output = backup.output as BackupOutput;
    expect(output.status).toBe("Succeeded");
    manifest = (await env.catalog.getManifest(output.recoveryPointId ?? "")) as RecoveryPointManifest;
    expect(manifest.volumeSnapshots.map((snapshot) => snapshot.pvc).sort()).toEqual([
      "shop/mysql-pv-claim",
      "shop/wp-pv-claim",
    ]);
  });

  afterAll(async () => {
    await runtime?.close();
    await env?.close();
    await drSim?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("restores the namespace under another name on the same cluster, every object equal to the original", async () => {
    const { output, result, status } = await restore({
      includedNamespaces: ["shop"],
      namespaceMappings: { shop: "shop-copy" },
    });
    expect(output).toMatchObject({ status: "Succeeded", recoveryPointId: manifest.id, targetCluster: "sim" });
    expect(output.counts.failed).toBe(0);
    expect(output.counts.created).toBeGreaterThan(20);
    expect(status.customStatus as RestoreProgress).toMatchObject({ phase: "done", counts: output.counts });
    expect(result.phases.map((phase) => phase.name)).toEqual(["definitions", "resources"]);
    // The CRD is in the cluster already: left as it is, the custom resource restored after it.
    expect(result.items.find((item) => item.resource === "customresourcedefinitions")).toMatchObject({
      outcome: "skipped",
    });
    expect(outcomeOf(result, "Foo", "example-foo")).toMatchObject({
      namespace: "shop-copy",
      outcome: "created",
    });

    const original = await listed(sim, "shop");
    const copy = await listed(sim, "shop-copy");
    expect(original.size).toBeGreaterThan(15);
    expect([...copy.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [key, object] of original) expect(copy.get(key), key).toEqual(object);
  });

  it("restores into a second cluster: the CRD first, then every object, equal to the original", async () => {
    const { output, result } = await restore({}, "dr");
    expect(output).toMatchObject({ status: "Succeeded", targetCluster: "dr" });
    expect(result.items.find((item) => item.resource === "customresourcedefinitions")).toMatchObject({
      name: "foos.samplecontroller.k8s.io",
      outcome: "created",
    });
    const original = await listed(sim, "shop");
    const restored = await listed(dr, "shop");
    expect([...restored.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [key, object] of original) expect(restored.get(key), key).toEqual(object);

    // Each claim is bound to a new disk in dr's node resource group, made from the snapshot.
    await dr().controllers.idle();
    for (const snapshot of manifest.volumeSnapshots) {
      const [namespace, claim] = snapshot.pvc.split("/") as [string, string];
      const pvc = await kubectlJson(dr, ["get", "pvc", claim, "-n", namespace]);
      expect((pvc.status as { phase?: string }).phase, claim).toBe("Bound");
      const pv = await kubectlJson(dr, [
        "get",
        "pv",
        String((pvc.spec as { volumeName?: string }).volumeName),
      ]);
      const handle = (pv.spec as { csi?: { volumeHandle?: string } }).csi?.volumeHandle ?? "";
      expect(handle.toLowerCase()).toContain(`/resourcegroups/${dr().nodeResourceGroup.toLowerCase()}/`);
      expect(handle).not.toBe(snapshot.diskId);
    }
    expect(output.counts.failed).toBe(0);
  });

  it("fails the volumes of a target registered without aksResourceId at once, with why, and restores the rest", async () => {
    delays.length = 0;
    const { output, result } = await restore({ namespaceMappings: { shop: "shop-nodisk" } }, "dr-kubeconfig");
    // No retry: a registration does not change by waiting (the retry policy would wait 5, 10, 20 s).
    expect(delays.filter((ms) => ms >= 5_000)).toEqual([]);
    expect(output.status).toBe("PartiallySucceeded");
    const failed = result.items.filter((item) => item.outcome === "failed");
    expect(failed.map((item) => `${item.kind} ${item.namespace ?? ""}/${item.name}`).sort()).toEqual(
      expect.arrayContaining([
        "PersistentVolumeClaim shop-nodisk/mysql-pv-claim",
        "PersistentVolumeClaim shop-nodisk/wp-pv-claim",
      ]),
    );
    expect(failed).toHaveLength(4); // the two claims and their two volumes
    for (const item of failed) {
      expect(item.reason).toMatch(/^volume not restored: .*registered without aksResourceId/);
    }
    expect(outcomeOf(result, "Deployment", "wordpress-mysql")).toMatchObject({ outcome: "created" });
    expect((await kubectl(dr(), ["get", "pvc", "-n", "shop-nodisk", "-o", "name"])).stdout).toBe("");
  });

  it("leaves an existing object alone with Skip and puts the backed-up version back with Patch", async () => {
    const changed = await kubectl(dr(), [
      "patch",
      "configmap",
      "settings",
      "-n",
      "shop",
      "--type=merge",
      "-p",
      '{"data":{"mode":"test"}}',
    ]);
    expect(changed.code, changed.stderr).toBe(0);
    const diskWrites = () =>
      sim().azure.requests.filter((request) => request.method === "PUT" && /\/disks\//i.test(request.path))
        .length;
    const writesBefore = diskWrites();
    expect(writesBefore).toBeGreaterThan(0); // the earlier restores made their disks
    const skipped = await restore({ conflictPolicy: "Skip" }, "dr");
    expect(skipped.output.status).toBe("Succeeded");
    expect(skipped.output.counts.created).toBe(0);
    expect(outcomeOf(skipped.result, "ConfigMap", "settings")).toMatchObject({
      outcome: "skipped",
      reason: expect.stringContaining("already exists"),
    });
    const afterSkip = await listed(dr, "shop");
    expect(afterSkip.get("ConfigMap/settings")?.data).toEqual({ mode: "test" });
    // The restored volumes are there: their disks are kept, no new disk is made from the snapshots.
    const kept = skipped.result.items.filter((item) => item.resource === "persistentvolumes");
    expect(kept).toHaveLength(2);
    for (const item of kept) {
      expect(item).toMatchObject({ outcome: "skipped", reason: expect.stringContaining("its disk is kept") });
    }
    expect(diskWrites()).toBe(writesBefore);

    // Pods are left out: a running Pod's spec is immutable, so Patch cannot put the backed-up one over it.
    const patched = await restore({ conflictPolicy: "Patch", excludedResourceTypes: ["pods"] }, "dr");
    const failed = patched.result.items.filter((item) => item.outcome === "failed");
    expect(patched.output.status, JSON.stringify(failed)).toBe("Succeeded");
    expect(outcomeOf(patched.result, "ConfigMap", "settings")).toMatchObject({ outcome: "patched" });
    const afterPatch = await listed(dr, "shop");
    expect(afterPatch.get("ConfigMap/settings")?.data).toEqual({ mode: "prod" });
  });

  it("reports a dry run as a real run would and leaves the target untouched", async () => {
    const { output, result } = await restore({ dryRun: true, namespaceMappings: { shop: "shop-dry" } });
    expect(output).toMatchObject({ status: "Succeeded", dryRun: true });
    expect(result.dryRun).toBe(true);
    expect(outcomeOf(result, "Deployment", "wordpress-mysql")).toMatchObject({
      namespace: "shop-dry",
      outcome: "created",
    });
    const missing = await kubectl(sim(), ["get", "namespace", "shop-dry"]);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("not found");
  });

  it("refuses a tampered archive: the restore fails with a clear error and changes nothing", async () => {
    const tampered = `shop-20200101-000000-${manifest.id.slice(-4)}`;
    const blob = `shop/${tampered}/resources.tar.gz`;
    const original = await env.catalog.container
      .getBlobClient(manifest.archive?.blob ?? "")
      .downloadToBuffer();
    const at = Math.floor(original.length / 2);
    original.writeUInt8(original.readUInt8(at) ^ 0xff, at);
    await env.catalog.container.getBlockBlobClient(blob).uploadData(original);
    await env.catalog.commitManifest({
      ...manifest,
      id: tampered,
      archive: { blob, sizeBytes: original.length, sha256: manifest.archive?.sha256 ?? "" },
    });
    const parsed = restoreRequestSchema.parse({
      recoveryPointId: tampered,
      namespaceMappings: { shop: "shop-bad" },
    });
    const restoreId = `restore:${tampered}:tampered`;
    await runtime.startNew(RESTORE, {
      instanceId: restoreId,
      input: { restoreId, instance: "shop", targetCluster: "sim", request: parsed },
    });
    const status = await runtime.waitForCompletion(restoreId, { timeoutMs: 20_000 });
    expect(status.output).toMatchObject({
      status: "Failed",
      reason: expect.stringMatching(/SHA-256 .* restore from another recovery point/),
      counts: { total: 0 },
    });
    expect(await readRestoreResult(env, restoreId)).toMatchObject({
      status: "Failed",
      error: expect.stringContaining("archive was changed or truncated"),
      items: [],
    });
    expect((await kubectl(sim(), ["get", "namespace", "shop-bad"])).code).not.toBe(0);
  });

  it("finishes the job when run again: what is missing is created, the rest skipped", async () => {
    const first = await restore({ namespaceMappings: { shop: "shop-again" } });
    expect(first.output.status).toBe("Succeeded");
    for (const [kind, name] of [
      ["deployment", "wordpress"],
      ["service", "frontend"],
      ["configmap", "settings"],
    ]) {
      const deleted = await kubectl(sim(), ["delete", kind as string, name as string, "-n", "shop-again"]);
      expect(deleted.code, deleted.stderr).toBe(0);
    }
    const again = await restore({ namespaceMappings: { shop: "shop-again" } });
    expect(again.output.status).toBe("Succeeded");
    const created = again.result.items.filter((item) => item.outcome === "created" && item.namespace);
    expect(created.map((item) => `${item.kind}/${item.name}`).sort()).toEqual(
      expect.arrayContaining(["ConfigMap/settings", "Deployment/wordpress", "Service/frontend"]),
    );
    const original = await listed(sim, "shop");
    const restored = await listed(sim, "shop-again");
    for (const [key, object] of original) expect(restored.get(key), key).toEqual(object);

    // An applyResources activity run again after its phase finished returns what it recorded.
    const phase = again.result.phases.length - 1;
    const repeated = await applyResources({ restoreId: again.restoreId, phase }, env);
    expect(repeated.counts).toEqual(again.result.phases[phase]?.counts);
  });
});
