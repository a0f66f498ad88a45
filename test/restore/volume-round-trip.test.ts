// A claim on an Azure disk comes back with its data's disk: backed up by runBackup (snapshot in the
// Azure fake), its namespace deleted, planned by loadRestorePlan, a new disk made by restoreVolume,
// the PV pointed at it and the plan applied. Into the same cluster, and into a second cluster
// whose only node is in another zone. (The simulator has no data plane: "the data" is the disk
// made from the snapshot, which the bound PV names.)
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import { runBackup } from "../../src/backup/run.js";
import type { KubeObject } from "../../src/kube/types.js";
import { backupInstanceSchema } from "../../src/model/backup-instance.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { restoreRequestSchema } from "../../src/model/restore-request.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { applyRestoredDisks, restoreVolume } from "../../src/orchestrations/restore-volume.js";
import { applyPlan } from "../../src/restore/apply.js";
import { loadRestorePlan } from "../../src/restore/load.js";
import type { RestoreResult } from "../../src/restore/result.js";
import { type Simulator, startSimulator } from "../../src/sim/simulator.js";
import { RESTORED_DISK_TAGS } from "../../src/volumes/restore-disk.js";
import { eventually } from "../helpers/eventually.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const ZONE = "topology.kubernetes.io/zone";

/** A database whose claim is provisioned by WaitForFirstConsumer in zone 2, where its pod is pinned. */
const APP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: shop}
spec: {accessModes: [ReadWriteOnce], storageClassName: managed-csi-premium, resources: {requests: {storage: 8Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop}
spec:
  nodeSelector: {${ZONE}: westeurope-2}
  containers: [{name: db, image: postgres:16, volumeMounts: [{name: data, mountPath: /var/lib/postgresql}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
`;

/** A pod of the restored claim with no placement of its own: the volume decides where it runs. */
const READER = (namespace: string) => `
apiVersion: v1
kind: Pod
metadata: {name: reader, namespace: ${namespace}}
spec:
  containers: [{name: reader, image: busybox, volumeMounts: [{name: data, mountPath: /data}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
`;

async function getJson(sim: Simulator, args: string[]): Promise<KubeObject | undefined> {
  const result = await kubectl(sim, ["get", ...args, "-o", "json"]);
  return result.code === 0 ? (JSON.parse(result.stdout) as KubeObject) : undefined;
}

const specOf = (object: KubeObject | undefined) => (object?.spec ?? {}) as Record<string, unknown>;
const phaseOf = (object: KubeObject | undefined) => (object?.status as { phase?: string } | undefined)?.phase;

describe("restoring a volume from its snapshot", () => {
  const prod = useSimulator({ clusterName: "prod" });
  let copy: Simulator;
  let env: Environment;
  let dir: string;
  let manifest: RecoveryPointManifest;
  let sourceDiskId: string;

  beforeAll(async () => {
    copy = await startSimulator({
      clusterName: "copy",
      shareAzureWith: prod(),
      nodes: 1,
      crdEstablishDelayMs: 50,
    });
    const created = await kubectl(prod(), ["create", "-f", "-"], APP);
    expect(created.stderr).toBe("");
    await prod().controllers.idle();

    dir = await mkdtemp(join(tmpdir(), "volume-round-trip-"));
    env = createEnvironment({
      service: BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")),
      container: `volume-restore-${Date.now()}`,
      azure: {
        credential: new StaticTokenCredential(prod().token),
        endpoint: { endpoint: prod().azure.url, caCert: prod().tls.caCert },
      },
      snapshotPolling: { updateIntervalInMs: 5, completionPollMs: 5 },
    });
    await env.definitions.ensureContainer();
    for (const sim of [prod(), copy]) {
      const kubeconfig = join(dir, `${sim.clusterName}.kubeconfig`);
      await writeFile(kubeconfig, sim.kubeconfig);
      await env.definitions.put("cluster", {
        name: sim.clusterName,
        kubeconfig,
        aksResourceId: sim.aksResourceId,
      });
    }

    const instance = backupInstanceSchema.parse({
      name: "shop",
      cluster: "prod",
      policy: "daily",
      includedNamespaces: ["shop"],
    });
    manifest = await runBackup(
      { instance, trigger: "OnDemand" },
      { cluster: await env.connect("prod"), catalog: env.catalog, volumes: await env.volumeDeps(instance) },
    );
    expect(manifest.status).toBe("Succeeded");
    expect(manifest.volumeSnapshots).toMatchObject([{ pvc: "shop/data", zone: "2", completionPercent: 100 }]);
    sourceDiskId = manifest.volumeSnapshots[0]?.diskId ?? "";
  });

  afterAll(async () => {
    await env?.close();
    await copy?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** Plans the restore, makes each volume's disk, points the PVs at them and applies the plan. */
  async function restore(restoreId: string, targetCluster: string, request: Record<string, unknown> = {}) {
    const parsed = restoreRequestSchema.parse({ recoveryPointId: manifest.id, targetCluster, ...request });
    const { plan } = await loadRestorePlan(env.catalog, parsed);
    expect(plan.volumes).toHaveLength(1);
    const disks = [];
    for (const volume of plan.volumes) {
      disks.push(
        await restoreVolume({ restoreId, recoveryPointId: manifest.id, volume, targetCluster }, env),
      );
    }
    const result: RestoreResult = await applyPlan(
      await env.connect(targetCluster),
      applyRestoredDisks(plan, disks),
    );
    return { plan, disks, result };
  }

  it("brings the claim back on a new disk in the same cluster once its namespace is deleted, and its pod runs", async () => {
    const original = await getJson(prod(), [
      "pv",
      String(specOf(await getJson(prod(), ["pvc", "data", "-n", "shop"])).volumeName),
    ]);
    const deleted = await kubectl(prod(), ["delete", "namespace", "shop"]);
    expect(deleted.code, deleted.stderr).toBe(0);
    // The PV (reclaim policy Delete) goes with its claim, and its disk with it: only the snapshot is left.
    await eventually(
      async () => ((await getJson(prod(), ["pv", original?.metadata.name ?? ""])) ? undefined : true),
      "the original PV to be deleted",
    );
    expect(prod().azure.disk(sourceDiskId)).toBeUndefined();

    const { disks, result } = await restore("restore-same", "prod");
    expect(result.counts.failed).toBe(0);
    const [disk] = disks;
    expect(disk).toMatchObject({
      pvName: original?.metadata.name,
      zone: "2",
      skuName: "Premium_LRS",
      adopted: false,
    });
    expect(prod().azure.disk(disk?.diskId ?? "")).toMatchObject({
      resourceGroup: prod().nodeResourceGroup,
      zones: ["2"],
      sizeGiB: 8,
      sourceResourceId: manifest.volumeSnapshots[0]?.snapshotId,
      tags: { [RESTORED_DISK_TAGS.restore]: "restore-same" },
    });

    await prod().controllers.idle();
    const claim = await eventually(async () => {
      const pvc = await getJson(prod(), ["pvc", "data", "-n", "shop"]);
      return phaseOf(pvc) === "Bound" ? pvc : undefined;
    }, "the restored claim to be bound");
    const pv = await getJson(prod(), ["pv", String(specOf(claim).volumeName)]);
    expect(specOf(pv).csi).toMatchObject({ volumeHandle: disk?.diskId });
    expect(JSON.stringify(specOf(pv).nodeAffinity)).toContain('"values":["westeurope-2"]');
    const pod = await eventually(async () => {
      const db = await getJson(prod(), ["pod", "db", "-n", "shop"]);
      return specOf(db).nodeName ? db : undefined;
    }, "the restored pod to be scheduled");
    const node = await getJson(prod(), ["node", String(specOf(pod).nodeName)]);
    expect(node?.metadata.labels?.[ZONE]).toBe("westeurope-2");
  });

  it("brings it into a second cluster, on a disk in the zone of that cluster's only node, and a pod of it is scheduled", async () => {
    const { disks, result } = await restore("restore-copy", "copy", {
      namespaceMappings: { shop: "shop-copy" },
      excludedResourceTypes: ["pods"],
    });
    expect(result.counts.failed).toBe(0);
    const [disk] = disks;
    expect(disk?.zone).toBe("1");
    expect(copy.azure.disk(disk?.diskId ?? "")).toMatchObject({
      resourceGroup: copy.nodeResourceGroup,
      zones: ["1"],
    });

    const created = await kubectl(copy, ["create", "-f", "-"], READER("shop-copy"));
    expect(created.stderr).toBe("");
    await copy.controllers.idle();
    const claim = await eventually(async () => {
      const pvc = await getJson(copy, ["pvc", "data", "-n", "shop-copy"]);
      return phaseOf(pvc) === "Bound" ? pvc : undefined;
    }, "the restored claim to be bound");
    expect(specOf(claim).volumeName).toBe(disk?.pvName);
    expect(disk?.pvName).toMatch(/-shop-copy$/);
    const pv = await getJson(copy, ["pv", disk?.pvName ?? ""]);
    expect(specOf(pv)).toMatchObject({
      csi: { volumeHandle: disk?.diskId },
      claimRef: { namespace: "shop-copy", name: "data", uid: claim?.metadata.uid },
    });
    const pod = await eventually(async () => {
      const reader = await getJson(copy, ["pod", "reader", "-n", "shop-copy"]);
      return specOf(reader).nodeName ? reader : undefined;
    }, "a pod of the restored claim to be scheduled");
    const node = await getJson(copy, ["node", String(specOf(pod).nodeName)]);
    expect(node?.metadata.labels?.[ZONE]).toBe("westeurope-1");
  });

  it("adopts the disks of a restore run again, making none", async () => {
    const before = prod().azure.disks().length;
    const { disks, result } = await restore("restore-copy", "copy", {
      namespaceMappings: { shop: "shop-copy" },
      excludedResourceTypes: ["pods"],
    });
    expect(disks).toMatchObject([{ adopted: true, zone: "1" }]);
    expect(prod().azure.disks()).toHaveLength(before);
    expect(result.counts.failed).toBe(0);
  });
});
