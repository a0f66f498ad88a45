// A backup whose claims sit on Azure disks: the recovery point records an incremental snapshot per
// disk, usable and tagged, and names the volumes it could not snapshot.
import { BlobServiceClient } from "@azure/storage-blob";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { runBackup, type VolumeDeps } from "../../src/backup/run.js";
import type { Cluster } from "../../src/kube/cluster.js";
import { connectCluster } from "../../src/kube/connect.js";
import { backupInstanceSchema } from "../../src/model/backup-instance.js";
import { Catalog } from "../../src/store/catalog.js";
import { SnapshotRateGuard } from "../../src/volumes/rate-guard.js";
import { kubectl, useSimulator } from "../helpers/sim.js";
import { computeFor } from "../volumes/harness.js";

const APP = `
apiVersion: v1
kind: Namespace
metadata: {name: db}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: db}
spec: {accessModes: [ReadWriteOnce], storageClassName: managed-csi-premium, resources: {requests: {storage: 8Gi}}}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: shared, namespace: db}
spec: {accessModes: [ReadWriteMany], storageClassName: azurefile-csi, resources: {requests: {storage: 5Gi}}}
---
apiVersion: v1
kind: Pod
metadata: {name: postgres, namespace: db}
spec:
  containers: [{name: postgres, image: postgres:16, volumeMounts: [{name: data, mountPath: /var/lib/postgresql}, {name: shared, mountPath: /shared}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}, {name: shared, persistentVolumeClaim: {claimName: shared}}]
`;

describe("runBackup with volumes", () => {
  const sim = useSimulator();
  let cluster: Cluster;
  let catalog: Catalog;
  let volumes: VolumeDeps;
  const instance = backupInstanceSchema.parse({
    name: "db",
    cluster: "sim",
    policy: "daily",
    includedNamespaces: ["db"],
  });

  beforeAll(async () => {
    const created = await kubectl(sim(), ["create", "-f", "-"], APP);
    expect(created.stderr).toBe("");
    await sim().controllers.idle();
    cluster = await connectCluster({ name: "sim", kubeconfigYaml: sim().kubeconfig });
    catalog = new Catalog(
      BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(
        `vol-${Date.now()}`,
      ),
    );
    const compute = computeFor(sim().azure, sim().tls.caCert, sim().token);
    volumes = {
      snapshot: {
        compute,
        rateGuard: new SnapshotRateGuard({ clock: () => Date.now() }),
        updateIntervalInMs: 5,
        completionPollMs: 5,
      },
      snapshotResourceGroup: `/subscriptions/${sim().azure.subscriptionId}/resourceGroups/${sim().nodeResourceGroup}`,
    };
  });

  it("records a usable incremental snapshot of the disk and names the Azure Files claim it skipped", async () => {
    const manifest = await runBackup({ instance, trigger: "OnDemand" }, { cluster, catalog, volumes });
    expect(manifest.status).toBe("Succeeded");
    expect(manifest.volumeSnapshots).toHaveLength(1);
    const [record] = manifest.volumeSnapshots;
    expect(record).toMatchObject({
      pvc: "db/data",
      sizeGiB: 8,
      completionPercent: 100,
      storageClass: "managed-csi-premium",
    });
    expect(record?.zone).toMatch(/^[123]$/);
    const snapshot = sim().azure.snapshot(record?.snapshotId ?? "");
    expect(snapshot).toBeDefined();
    expect(sim().azure.snapshotsOf(record?.diskId ?? "")).toHaveLength(1);
    expect(manifest.warnings).toContainEqual(
      expect.objectContaining({
        namespace: "db",
        name: "shared",
        message: expect.stringContaining("Azure Files"),
      }),
    );
  });

  it("reports the volumes it cannot snapshot without Azure access, and still commits the rest", async () => {
    const manifest = await runBackup(
      { instance, trigger: "OnDemand" },
      {
        cluster,
        catalog,
        volumes: {
          ...volumes,
          snapshotResourceGroup: undefined,
          missingGroupReason: "the cluster has no aksResourceId and the instance no snapshotResourceGroup",
        },
      },
    );
    expect(manifest.status).toBe("PartiallySucceeded");
    expect(manifest.volumeSnapshots).toEqual([]);
    expect(manifest.errors).toContainEqual({
      message:
        "volume not snapshotted: the cluster has no aksResourceId and the instance no snapshotResourceGroup",
      namespace: "db",
      type: "v1/PersistentVolumeClaim",
      name: "data",
    });
    expect(manifest.totalItems).toBeGreaterThan(0);
  });

  it("snapshots nothing, silently, when the instance says so", async () => {
    const manifest = await runBackup(
      { instance: { ...instance, snapshotVolumes: false }, trigger: "OnDemand" },
      { cluster, catalog, volumes },
    );
    expect(manifest.status).toBe("Succeeded");
    expect(manifest.volumeSnapshots).toEqual([]);
    expect(manifest.warnings.filter((w) => w.type === "v1/PersistentVolumeClaim")).toEqual([]);
  });
});
