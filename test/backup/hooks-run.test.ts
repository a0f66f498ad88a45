// Backup hooks against the simulator: exec'd in the pods that mount snapshotted claims, pre-hooks
// before the snapshot PUT and post-hooks after it, failures named per volume, BackupHook objects.
import { gunzipSync } from "node:zlib";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { runBackup, type VolumeDeps } from "../../src/backup/run.js";
import type { Cluster } from "../../src/kube/cluster.js";
import { connectCluster } from "../../src/kube/connect.js";
import { type Delay, realDelay } from "../../src/kube/timing.js";
import { type BackupInstanceInput, backupInstanceSchema } from "../../src/model/backup-instance.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { Catalog } from "../../src/store/catalog.js";
import { SnapshotRateGuard } from "../../src/volumes/rate-guard.js";
import { kubectl, useSimulator } from "../helpers/sim.js";
import { computeFor } from "../volumes/harness.js";

const MOUNT = "/var/lib/data";

/** A namespace with one disk claim mounted by pod `app` (container `app`), with these annotations. */
function app(namespace: string, annotations: Record<string, string>, labels: Record<string, string> = {}) {
  return `
apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ${namespace}}
spec: {accessModes: [ReadWriteOnce], storageClassName: managed-csi, resources: {requests: {storage: 4Gi}}}
---
apiVersion: v1
kind: Pod
metadata:
  name: app
  namespace: ${namespace}
  labels: ${JSON.stringify(labels)}
  annotations: ${JSON.stringify(annotations)}
spec:
  containers: [{name: app, image: postgres:16, volumeMounts: [{name: data, mountPath: ${MOUNT}}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
`;
}

const freeze = JSON.stringify(["fsfreeze", "--freeze", MOUNT]);
const unfreeze = JSON.stringify(["fsfreeze", "--unfreeze", MOUNT]);

const BACKUP_HOOK_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: backuphooks.clusterbackup.dataprotection.microsoft.com}
spec:
  group: clusterbackup.dataprotection.microsoft.com
  scope: Namespaced
  names: {plural: backuphooks, singular: backuphook, kind: BackupHook}
  versions:
  - name: v1alpha1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
`;

const BACKUP_HOOK = `
apiVersion: clusterbackup.dataprotection.microsoft.com/v1alpha1
kind: BackupHook
metadata: {name: quiesce, namespace: crd}
spec:
  backupHook:
  - name: db
    includedNamespaces: [crd]
    labelSelector: {matchLabels: {app: db}}
    preHooks:
    - exec: {container: app, command: [fsfreeze, --freeze, ${MOUNT}], onError: Fail, timeout: 10s}
    postHooks:
    - exec: {container: app, command: [fsfreeze, --unfreeze, ${MOUNT}]}
`;

describe("backup hooks", () => {
  const sim = useSimulator();
  let cluster: Cluster;
  let catalog: Catalog;
  let volumes: VolumeDeps;

  beforeAll(async () => {
    const manifests = [
      app("frozen", {
        "pre.hook.backup.velero.io/command": freeze,
        "pre.hook.backup.velero.io/container": "app",
        "post.hook.backup.velero.io/command": unfreeze,
      }),
      app("failing", {
        "pre.hook.backup.velero.io/command": JSON.stringify(["fsfreeze", "--freeze", "/nope"]),
        "post.hook.backup.velero.io/command": unfreeze,
      }),
      app("lenient", {
        "pre.hook.backup.velero.io/command": "false",
        "pre.hook.backup.velero.io/on-error": "Continue",
      }),
      app("sidecar", {
        "pre.hook.backup.velero.io/command": "true",
        "pre.hook.backup.velero.io/container": "proxy",
      }),
      app("slow", {
        "pre.hook.backup.velero.io/command": "hang",
        "pre.hook.backup.velero.io/timeout": "7s",
        "post.hook.backup.velero.io/command": "true",
      }),
      app("crd", {}, { app: "db" }),
    ];
    const created = await kubectl(sim(), ["create", "-f", "-"], manifests.join("---\n"));
    expect(created.stderr).toBe("");
    await sim().controllers.idle();
    cluster = await connectCluster({ name: "sim", kubeconfigYaml: sim().kubeconfig });
    catalog = new Catalog(
      BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(
        `hooks-${Date.now()}`,
      ),
    );
    volumes = {
      snapshot: {
        compute: computeFor(sim().azure, sim().tls.caCert, sim().token),
        rateGuard: new SnapshotRateGuard({ clock: () => Date.now() }),
        updateIntervalInMs: 5,
        completionPollMs: 5,
      },
      snapshotResourceGroup: `/subscriptions/${sim().azure.subscriptionId}/resourceGroups/${sim().nodeResourceGroup}`,
    };
  });

  afterEach(() => sim().kube.exec.clearLog());

  function backup(namespace: string, extra: Partial<BackupInstanceInput> = {}, delay?: Delay) {
    const instance = backupInstanceSchema.parse({
      name: namespace,
      cluster: "sim",
      policy: "daily",
      includedNamespaces: [namespace],
      ...extra,
    });
    return runBackup(
      { instance, trigger: "OnDemand" },
      { cluster, catalog, volumes, ...(delay ? { hooks: { delay } } : {}) },
    );
  }

  async function readLog(manifest: RecoveryPointManifest): Promise<Record<string, unknown>[]> {
    const body = await catalog.container.getBlobClient(manifest.logBlob ?? "").downloadToBuffer();
    return gunzipSync(body)
      .toString("utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  function snapshotPuts(): number[] {
    return sim()
      .azure.requests.filter((r) => r.method === "PUT" && /\/snapshots\//i.test(r.path))
      .map((r) => r.at);
  }

  it("freezes before the snapshot PUT and thaws after it, logging both runs", async () => {
    const putsBefore = snapshotPuts().length;
    const manifest = await backup("frozen");
    expect(manifest.status).toBe("Succeeded");
    expect(manifest.volumeSnapshots.map((s) => s.pvc)).toEqual(["frozen/data"]);
    const [pre, post] = sim().kube.exec.log;
    expect(sim().kube.exec.log).toHaveLength(2);
    expect(pre).toMatchObject({ pod: "app", container: "app", command: JSON.parse(freeze), exitCode: 0 });
    expect(post).toMatchObject({ pod: "app", container: "app", command: JSON.parse(unfreeze), exitCode: 0 });
    const puts = snapshotPuts().slice(putsBefore);
    expect(puts).toHaveLength(1);
    expect(pre?.finishedAt ?? Infinity).toBeLessThanOrEqual(puts[0] ?? 0);
    expect(post?.startedAt ?? 0).toBeGreaterThanOrEqual(puts[0] ?? Infinity);
    expect(sim().kube.exec.frozenPaths("frozen", "app")).toEqual([]);
    const runs = (await readLog(manifest)).filter((e) => /^(pre|post)-hook ran$/.test(String(e.message)));
    expect(runs).toEqual([
      expect.objectContaining({
        phase: "pre",
        pod: "app",
        container: "app",
        exitCode: 0,
        durationMs: expect.any(Number),
      }),
      expect.objectContaining({ phase: "post", command: JSON.parse(unfreeze), exitCode: 0 }),
    ]);
  });

  it("thaws as soon as the snapshot exists, not after its background copy completes", async () => {
    // Slow completion polls: the copy reaches 100% only after a few of them.
    const slow = { ...volumes, snapshot: { ...volumes.snapshot, completionPollMs: 300 } };
    const instance = backupInstanceSchema.parse({
      name: "frozen",
      cluster: "sim",
      policy: "daily",
      includedNamespaces: ["frozen"],
    });
    const requestsBefore = sim().azure.requests.length;
    const manifest = await runBackup({ instance, trigger: "OnDemand" }, { cluster, catalog, volumes: slow });
    expect(manifest.volumeSnapshots[0]?.completionPercent).toBe(100);
    const snapshotGets = sim()
      .azure.requests.slice(requestsBefore)
      .filter((r) => r.method === "GET" && /\/snapshots\/[^/]+$/i.test(r.path));
    const post = sim().kube.exec.log.find((e) => e.command.includes("--unfreeze"));
    expect(post?.startedAt ?? Infinity).toBeLessThan(snapshotGets.at(-1)?.at ?? 0);
    expect(sim().kube.exec.frozenPaths("frozen", "app")).toEqual([]);
  });

  it("does not snapshot the volume of a pod whose Fail pre-hook failed, and thaws nothing", async () => {
    const manifest = await backup("failing");
    expect(manifest.status).toBe("PartiallySucceeded");
    expect(manifest.volumeSnapshots).toEqual([]);
    expect(manifest.errors).toContainEqual({
      message:
        "volume not snapshotted: pre-hook [fsfreeze --freeze /nope] (annotations) in pod failing/app, container app failed with exit code 1: fsfreeze: cannot open /nope: No such file or directory",
      namespace: "failing",
      type: "v1/PersistentVolumeClaim",
      name: "data",
    });
    expect(sim().kube.exec.log.map((r) => r.command[1])).toEqual(["--freeze"]);
  });

  it("snapshots anyway, with a warning, when the failed pre-hook says Continue", async () => {
    const manifest = await backup("lenient");
    expect(manifest.status).toBe("Succeeded");
    expect(manifest.volumeSnapshots).toHaveLength(1);
    expect(manifest.warnings).toContainEqual({
      message:
        "pre-hook [false] (annotations) in pod lenient/app, container app failed with exit code 1 (on-error Continue)",
      namespace: "lenient",
      type: "v1/Pod",
      name: "app",
    });
  });

  it("names a container the pod does not have, and runs nothing", async () => {
    const manifest = await backup("sidecar");
    expect(manifest.status).toBe("PartiallySucceeded");
    expect(manifest.volumeSnapshots).toEqual([]);
    expect(manifest.errors.map((e) => e.message)).toContain(
      'volume not snapshotted: pre-hook [true] (annotations) in pod sidecar/app, container proxy not run: container "proxy" is not in pod sidecar/app (its containers: app)',
    );
    expect(sim().kube.exec.log).toEqual([]);
  });

  it("treats a pre-hook that times out as failed, and still runs the post-hook", async () => {
    let release = () => {};
    let entered = () => {};
    const started = new Promise<void>((resolve) => {
      entered = resolve;
    });
    const remove = sim().kube.exec.registerExec((_pod, _container, command) => {
      if (command[0] !== "hang") return undefined;
      entered();
      return new Promise((resolve) => {
        release = () => resolve({ exitCode: 0 });
      });
    });
    // The hook's 7 s elapse as soon as the command is running; every other wait is real.
    const delay: Delay = (ms, signal) => (ms === 7000 ? started : realDelay(ms, signal));
    try {
      const manifest = await backup("slow", {}, delay);
      expect(manifest.status).toBe("PartiallySucceeded");
      expect(manifest.volumeSnapshots).toEqual([]);
      expect(manifest.errors.map((e) => e.message)).toContain(
        "volume not snapshotted: pre-hook [hang] (annotations) in pod slow/app, container app timed out after 7s",
      );
      expect(sim().kube.exec.log.map((r) => r.command[0])).toEqual(["hang", "true"]);
    } finally {
      release();
      remove();
    }
  });

  it("warns about a BackupHook reference while the cluster has no such type", async () => {
    const manifest = await backup("crd", { backupHookReferences: [{ name: "quiesce", namespace: "crd" }] });
    expect(manifest.status).toBe("Succeeded");
    expect(manifest.warnings.map((w) => w.message)).toContain(
      "BackupHook crd/quiesce not used: the cluster has no BackupHook type (CRD backuphooks.clusterbackup.dataprotection.microsoft.com is not installed)",
    );
    expect(sim().kube.exec.log).toEqual([]);
  });

  it("runs the hooks of a referenced BackupHook on the pods it selects, and warns about a missing one", async () => {
    expect((await kubectl(sim(), ["create", "-f", "-"], BACKUP_HOOK_CRD)).code).toBe(0);
    await sim().controllers.idle();
    expect(
      (
        await kubectl(sim(), [
          "wait",
          "--for=condition=Established",
          "crd/backuphooks.clusterbackup.dataprotection.microsoft.com",
        ])
      ).code,
    ).toBe(0);
    const created = await kubectl(sim(), ["create", "-f", "-"], BACKUP_HOOK);
    expect(created.stderr).toBe("");
    const manifest = await backup("crd", {
      backupHookReferences: [
        { name: "quiesce", namespace: "crd" },
        { name: "gone", namespace: "crd" },
      ],
    });
    expect(manifest.status).toBe("Succeeded");
    expect(manifest.volumeSnapshots).toHaveLength(1);
    expect(manifest.warnings.map((w) => w.message)).toContain(
      "BackupHook crd/gone not used: it does not exist",
    );
    expect(sim().kube.exec.log.map((r) => [r.namespace, r.command.join(" "), r.exitCode])).toEqual([
      ["crd", `fsfreeze --freeze ${MOUNT}`, 0],
      ["crd", `fsfreeze --unfreeze ${MOUNT}`, 0],
    ]);
  });
});
