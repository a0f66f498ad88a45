// The durable backupInstance orchestration through the local runtime (durable-functions' own replay
// executor) against the simulator, the Azure fake and Azurite: what it commits, its retries, its
// lock, and its activities re-run.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import { runBackup } from "../../src/backup/run.js";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime } from "../../src/local/runtime.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import {
  type BackupOutput,
  backupInstanceModule,
  commitRecoveryPoint,
  exportResourcesActivity,
  prepareBackup,
  releaseBackup,
  runHooks,
  type SnapshotInput,
  snapshotVolume,
} from "../../src/orchestrations/backup-instance.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { type OrchestrationModule, registerModules } from "../../src/orchestrations/module.js";
import { JobLocks } from "../../src/store/job-locks.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const MOUNT = "/var/lib/data";

const APP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: prod}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: shop}
spec: {accessModes: [ReadWriteOnce], storageClassName: managed-csi, resources: {requests: {storage: 4Gi}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared, namespace: shop}
spec: {accessModes: [ReadWriteMany], storageClassName: azurefile-csi, resources: {requests: {storage: 5Gi}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: db
  namespace: shop
  annotations:
    pre.hook.backup.velero.io/command: '["fsfreeze", "--freeze", "${MOUNT}"]'
    post.hook.backup.velero.io/command: '["fsfreeze", "--unfreeze", "${MOUNT}"]'
spec:
  containers: [{name: db, image: postgres:16, volumeMounts: [{name: data, mountPath: ${MOUNT}}, {name: shared, mountPath: /shared}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}, {name: shared, persistentVolumeClaim: {claimName: shared}}]
`;

/** Retry waits in whole seconds (the runtime waits from when it gets to the timer, a few ms late). */
function seconds(delays: number[]): number[] {
  return delays.map((ms) => Math.round(ms / 1000));
}

/** A namespace whose one disk claim is mounted by a pod with freeze/thaw hooks. */
const FROZEN = (ns: string) => `
apiVersion: v1
kind: Namespace
metadata: {name: ${ns}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ${ns}}
spec: {accessModes: [ReadWriteOnce], storageClassName: managed-csi, resources: {requests: {storage: 4Gi}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: ${ns}
  annotations:
    pre.hook.backup.velero.io/command: '["fsfreeze", "--freeze", "${MOUNT}"]'
    post.hook.backup.velero.io/command: '["fsfreeze", "--unfreeze", "${MOUNT}"]'
spec:
  containers: [{name: app, image: postgres:16, volumeMounts: [{name: data, mountPath: ${MOUNT}}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
`;

describe("backupInstance orchestration", () => {
  const sim = useSimulator();
  let env: Environment;
  let runtime: LocalRuntime;
  let dir: string;
  const retryDelays: number[] = [];
  const retentionCalls: unknown[] = [];
  let retentionFails = false;

  const snapshotCalls: SnapshotInput[] = [];
  // The real activities, with the snapshot activity's calls counted to see its retries.
  const counted: OrchestrationModule = {
    ...backupInstanceModule,
    activities: {
      ...backupInstanceModule.activities,
      snapshotVolume: async (input: SnapshotInput, environment: Environment) => {
        snapshotCalls.push(input);
        return snapshotVolume(input, environment);
      },
    },
  };
  const retentionStub: OrchestrationModule = {
    activities: {
      applyRetention: async (input: unknown) => {
        retentionCalls.push(input);
        if (retentionFails) throw new Error("retention storage is down");
        return { deleted: 0 };
      },
    },
  };

  beforeAll(async () => {
    const created = await kubectl(sim(), ["create", "-f", "-"], `${APP}---${FROZEN("cart")}`);
    expect(created.stderr).toBe("");
    await sim().controllers.idle();
    dir = await mkdtemp(join(tmpdir(), "backup-instance-"));
    const kubeconfig = join(dir, "kubeconfig");
    await writeFile(kubeconfig, sim().kubeconfig);
    const unreachable = join(dir, "unreachable");
    await writeFile(unreachable, sim().kubeconfig.replace(sim().kube.url, "https://127.0.0.1:9"));

    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    env = createEnvironment({
      service,
      container: `orch-${Date.now()}`,
      azure: {
        credential: new StaticTokenCredential(sim().token),
        endpoint: { endpoint: sim().azure.url, caCert: sim().tls.caCert },
      },
      snapshotPolling: { updateIntervalInMs: 5, completionPollMs: 5 },
    });
    await env.definitions.ensureContainer();
    await env.definitions.put("cluster", { name: "sim", kubeconfig });
    await env.definitions.put("cluster", { name: "gone", kubeconfig: unreachable });
    await env.definitions.put("policy", {
      name: "daily",
      schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
      retention: { default: "P7D" },
    });
    const snapshotResourceGroup = `/subscriptions/${sim().azure.subscriptionId}/resourceGroups/${sim().nodeResourceGroup}`;
    await env.definitions.put("instance", {
      name: "shop",
      cluster: "sim",
      policy: "daily",
      includedNamespaces: ["shop"],
      snapshotResourceGroup,
    });
    await env.definitions.put("instance", { name: "lost", cluster: "gone", policy: "daily" });
    await env.definitions.put("instance", {
      name: "cart",
      cluster: "sim",
      policy: "daily",
      includedNamespaces: ["cart"],
      snapshotResourceGroup,
    });

    const registry = await captureRegistrations(() =>
      registerModules([counted, retentionStub], async () => env),
    );
    runtime = new LocalRuntime(registry, {
      delay: async (ms) => {
        retryDelays.push(ms);
      },
    });
  });

  afterAll(async () => {
    await env?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function backup(input: Record<string, unknown>, instanceId?: string) {
    const id = await runtime.startNew("backupInstance", { input, ...(instanceId ? { instanceId } : {}) });
    const status = await runtime.waitForCompletion(id, { timeoutMs: 25_000 });
    return { id, status, output: status.output as BackupOutput };
  }

  async function readLog(manifest: RecoveryPointManifest): Promise<Record<string, unknown>[]> {
    const body = await env.catalog.container.getBlobClient(manifest.logBlob ?? "").downloadToBuffer();
    return gunzipSync(body)
      .toString("utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async function blobsOf(id: string): Promise<string[]> {
    const names: string[] = [];
    for await (const blob of env.catalog.container.listBlobsFlat({ prefix: `shop/${id}/` })) {
      names.push(blob.name.slice(`shop/${id}/`.length));
    }
    return names.sort();
  }

  it("commits the same recovery point runBackup does, freezing only around the snapshot", async () => {
    sim().kube.exec.clearLog();
    const { status, output } = await backup({ instance: "shop", trigger: "OnDemand", retention: "P30D" });
    expect(status.runtimeStatus).toBe("Completed");
    expect(output).toMatchObject({
      status: "Succeeded",
      volumes: { snapshotted: 1, failed: 0 },
      errors: 0,
      retention: { deleted: 0 },
    });
    expect(status.customStatus).toMatchObject({
      phase: "done",
      recoveryPointId: output.recoveryPointId,
      volumesDone: 1,
      volumesTotal: 1,
    });
    expect(retentionCalls).toContainEqual({ instance: "shop" });

    const manifest = await env.catalog.getManifest(output.recoveryPointId ?? "");
    if (!manifest) throw new Error("no manifest committed");
    expect(manifest).toMatchObject({ instance: "shop", trigger: "OnDemand", retention: "P30D" });
    expect(manifest.volumeSnapshots).toEqual([
      expect.objectContaining({ pvc: "shop/data", sizeGiB: 4, completionPercent: 100 }),
    ]);
    const snapshot = sim().azure.snapshot(manifest.volumeSnapshots[0]?.snapshotId ?? "");
    expect(snapshot?.tags?.["aks-backup.recovery-point"]).toBe(manifest.id);
    expect(sim().kube.exec.log.map((r) => r.command[1])).toEqual(["--freeze", "--unfreeze"]);
    expect(sim().kube.exec.frozenPaths("shop", "db")).toEqual([]);

    // The one-process backup of the same instance holds the same content.
    const instance = (await env.definitions.get("instance", "shop"))?.value;
    if (!instance) throw new Error("instance missing");
    const direct = await runBackup(
      { instance, trigger: "OnDemand", retention: "P30D" },
      {
        cluster: await env.connect("sim"),
        catalog: env.catalog,
        volumes: await env.volumeDeps(instance),
        pageSize: env.settings.pageSize,
        denyList: env.settings.denyList,
      },
    );
    const content = (m: RecoveryPointManifest) => ({
      status: m.status,
      itemCounts: m.itemCounts,
      totalItems: m.totalItems,
      kubernetesVersion: m.kubernetesVersion,
      warnings: m.warnings,
      errors: m.errors,
      volumes: m.volumeSnapshots.map(
        ({ pvc, pv, diskId, sizeGiB, zone, storageClass, completionPercent }) => ({
          pvc,
          pv,
          diskId,
          sizeGiB,
          zone,
          storageClass,
          completionPercent,
        }),
      ),
    });
    expect(content(manifest)).toEqual(content(direct));
    expect(manifest.warnings).toContainEqual(
      expect.objectContaining({ name: "shared", message: expect.stringContaining("Azure Files") }),
    );

    // One log merged from every step; the parts are gone; the lock is released.
    const log = await readLog(manifest);
    expect(log[0]).toMatchObject({ message: "backup of shop started", recoveryPoint: manifest.id });
    expect(log.map((e) => e.message)).toEqual(
      expect.arrayContaining(["phase dependencies", "pre-hook ran", "post-hook ran"]),
    );
    expect(log.at(-1)).toMatchObject({ message: "backup Succeeded", items: manifest.totalItems });
    expect(await blobsOf(manifest.id)).toEqual([
      "log.ndjson.gz",
      "manifest.json",
      "resource-list.json.gz",
      "resources.tar.gz",
    ]);
    expect(await new JobLocks(env.catalog.container).get("shop")).toBeUndefined();
  });

  it("retries a snapshot whose operation failed, and still commits Succeeded", async () => {
    retryDelays.length = 0;
    sim().azure.faults.failOperations({
      method: "PUT",
      resourceType: "Microsoft.Compute/snapshots",
      count: 1,
    });
    snapshotCalls.length = 0;
    const { output } = await backup({ instance: "shop", trigger: "OnDemand" });
    expect(sim().azure.faults.pending).toBe(0);
    expect(output).toMatchObject({ status: "Succeeded", volumes: { snapshotted: 1, failed: 0 } });
    expect(snapshotCalls.map((c) => c.stage)).toEqual(["create", "create", "complete"]);
    expect(seconds(retryDelays)).toEqual([5]);
    const manifest = await env.catalog.getManifest(output.recoveryPointId ?? "");
    expect(manifest?.volumeSnapshots.map((s) => s.completionPercent)).toEqual([100]);
  });

  it("records a snapshot that fails every attempt as the claim's error, and still thaws the pod", async () => {
    retryDelays.length = 0;
    snapshotCalls.length = 0;
    sim().kube.exec.clearLog();
    sim().azure.faults.failOperations({ method: "PUT", path: /\/snapshots\/cart-/, count: 4 });
    const { output } = await backup({ instance: "cart", trigger: "OnDemand" });
    expect(sim().azure.faults.pending).toBe(0);
    expect(output).toMatchObject({ status: "PartiallySucceeded", volumes: { snapshotted: 0, failed: 1 } });
    expect(snapshotCalls.map((c) => c.stage)).toEqual(["create", "create", "create", "create"]);
    expect(seconds(retryDelays)).toEqual([5, 10, 20, 40]);
    const manifest = await env.catalog.getManifest(output.recoveryPointId ?? "");
    expect(manifest?.volumeSnapshots).toEqual([]);
    expect(manifest?.errors).toEqual([
      {
        message: expect.stringMatching(
          /^snapshot of cart\/data failed: creating snapshot .*InternalOperationError/,
        ),
        namespace: "cart",
        type: "v1/PersistentVolumeClaim",
        name: "data",
      },
    ]);
    expect(sim().kube.exec.log.map((r) => r.command[1])).toEqual(["--freeze", "--unfreeze"]);
    expect(sim().kube.exec.frozenPaths("cart", "app")).toEqual([]);
  });

  it("commits a Failed recovery point saying why when the cluster is unreachable, and releases the lock", async () => {
    const { status, output } = await backup({ instance: "lost", trigger: "OnDemand" });
    expect(status.runtimeStatus).toBe("Completed");
    expect(output.status).toBe("Failed");
    expect(output.reason).toContain('cannot reach cluster "gone"');
    const manifest = await env.catalog.getManifest(output.recoveryPointId ?? "");
    expect(manifest).toMatchObject({ status: "Failed", totalItems: 0, volumeSnapshots: [] });
    expect(manifest?.errors[0]?.message).toContain('cannot reach cluster "gone"');
    expect(manifest?.archive).toBeUndefined();
    expect(await new JobLocks(env.catalog.container).get("lost")).toBeUndefined();
  });

  it("skips, committing nothing, while another backup of the instance holds the lock", async () => {
    const locks = new JobLocks(env.catalog.container);
    await locks.acquire("shop", { holder: "backup:shop:2026-03-01T02:00:00Z" });
    const before = (await env.catalog.listRecoveryPoints("shop")).length;
    try {
      const { output } = await backup({
        instance: "shop",
        trigger: "Scheduled",
        slot: "2026-03-01T06:00:00Z",
      });
      expect(output).toEqual({
        status: "Skipped",
        reason: "backup backup:shop:2026-03-01T02:00:00Z of shop is still running",
        warnings: 0,
        errors: 0,
      });
      expect(await env.catalog.listRecoveryPoints("shop")).toHaveLength(before);
      expect(await locks.get("shop")).toMatchObject({ holder: "backup:shop:2026-03-01T02:00:00Z" });
    } finally {
      await locks.release("shop", "backup:shop:2026-03-01T02:00:00Z");
    }
  });

  it("runs one of two backups started together and skips the other", async () => {
    const ids = await Promise.all(
      ["backup:shop:a", "backup:shop:b"].map((instanceId) =>
        runtime.startNew("backupInstance", { instanceId, input: { instance: "shop", trigger: "OnDemand" } }),
      ),
    );
    const outputs = await Promise.all(
      ids.map(
        async (id) => (await runtime.waitForCompletion(id, { timeoutMs: 25_000 })).output as BackupOutput,
      ),
    );
    const statuses = outputs.map((o) => o.status).sort();
    expect(statuses).toEqual(["Skipped", "Succeeded"]);
    const winner = ids[outputs.findIndex((o) => o.status === "Succeeded")];
    expect(outputs.find((o) => o.status === "Skipped")?.reason).toBe(
      `backup ${winner} of shop is still running`,
    );
    expect(await new JobLocks(env.catalog.container).get("shop")).toBeUndefined();
  });

  it("reports a retention failure in its output without failing the backup", async () => {
    retentionFails = true;
    try {
      const { output } = await backup({
        instance: "shop",
        trigger: "Scheduled",
        slot: "2026-03-02T02:00:00Z",
      });
      expect(output.status).toBe("Succeeded");
      expect(output.retention).toEqual({ error: expect.stringContaining("retention storage is down") });
      const manifest = await env.catalog.getManifest(output.recoveryPointId ?? "");
      expect(manifest?.tags).toEqual([]);
    } finally {
      retentionFails = false;
    }
  });

  it("fails clearly, starting nothing, for an unknown instance or bad input", async () => {
    expect((await backup({ instance: "nobody", trigger: "OnDemand" })).output).toEqual({
      status: "Failed",
      reason: 'backup instance "nobody" does not exist',
      warnings: 0,
      errors: 1,
    });
    expect((await backup({ instance: "shop", trigger: "Sometimes" })).output.reason).toMatch(
      /^invalid input: trigger: /,
    );
  });

  it("re-runs exportResources and commitRecoveryPoint with the same input to the same result", async () => {
    const recoveryPointId = "shop-20260301-120000-abcd";
    const prepared = await prepareBackup(
      {
        instance: "shop",
        trigger: "OnDemand",
        orchestrationId: "rerun",
        recoveryPointId,
        startTime: "2026-03-01T12:00:00.000Z",
      },
      env,
    );
    expect(prepared).toEqual({ status: "Ready" });
    const first = await exportResourcesActivity({ recoveryPointId }, env);
    const blobsAfterFirst = await blobsOf(recoveryPointId);
    const second = await exportResourcesActivity({ recoveryPointId }, env);
    expect(second).toEqual(first);
    expect(await blobsOf(recoveryPointId)).toEqual(blobsAfterFirst);

    const commit = { recoveryPointId, snapshotted: [], volumeFailures: {}, errors: [] };
    const committed = await commitRecoveryPoint(commit, env);
    const manifest = await env.catalog.getManifest(recoveryPointId);
    expect(await commitRecoveryPoint(commit, env)).toEqual(committed);
    expect(await env.catalog.getManifest(recoveryPointId)).toEqual(manifest);
    expect(manifest?.totalItems).toBe(first.items);
    await new JobLocks(env.catalog.container).release("shop", "rerun");
  });

  it("never runs a hook twice when runHooks is re-run", async () => {
    const recoveryPointId = "cart-20260301-130000-abcd";
    const job = { instance: "cart", trigger: "OnDemand" as const, orchestrationId: "hooks-rerun" };
    await prepareBackup({ ...job, recoveryPointId, startTime: "2026-03-01T13:00:00.000Z" }, env);
    const { volumes } = await exportResourcesActivity({ recoveryPointId }, env);
    expect(volumes.map((v) => v.pvc)).toEqual(["cart/data"]);
    sim().kube.exec.clearLog();
    const pre = { recoveryPointId, phase: "pre" as const, volumes };
    expect(await runHooks(pre, env)).toEqual({ pods: 1, held: [] });
    expect(await runHooks(pre, env)).toEqual({ pods: 1, held: [] });
    expect(sim().kube.exec.frozenPaths("cart", "app")).toEqual([MOUNT]);
    const post = { recoveryPointId, phase: "post" as const };
    await runHooks(post, env);
    await runHooks(post, env);
    expect(sim().kube.exec.log.map((r) => r.command[1])).toEqual(["--freeze", "--unfreeze"]);
    expect(sim().kube.exec.frozenPaths("cart", "app")).toEqual([]);
    await releaseBackup({ instance: "cart", orchestrationId: "hooks-rerun" }, env);
  });
});
