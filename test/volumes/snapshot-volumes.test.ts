// The volume phase end to end on the simulator: claims read from the cluster, CSI and in-tree disks
// snapshotted in the node resource group, other volumes skipped by name, one bad volume a partial failure.
import { beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../src/kube/cluster.js";
import { connectCluster } from "../../src/kube/connect.js";
import type { KubeObject } from "../../src/sim/kube/types.js";
import { discoverVolumes } from "../../src/volumes/read-volumes.js";
import { SNAPSHOT_TAGS, snapshotResourceGroupId } from "../../src/volumes/snapshot-identity.js";
import { snapshotVolumes } from "../../src/volumes/snapshot-volumes.js";
import { useSimulator } from "../helpers/sim.js";
import { computeFor, depsFor, virtualTime } from "./harness.js";

function claim(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    metadata: { name, namespace: "shop" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "4Gi" } }, ...spec },
  };
}

function staticPv(name: string, source: Record<string, unknown>): KubeObject {
  return {
    metadata: { name },
    spec: {
      capacity: { storage: "4Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "",
      ...source,
    },
  };
}

describe("discoverVolumes + snapshotVolumes on the simulator", () => {
  const sim = useSimulator();
  let cluster: Cluster;
  let inTreeDisk = "";
  let missingDisk = "";

  beforeAll(async () => {
    const store = sim().kube.store;
    const type = (resource: string) => {
      const t = store.resourceFor("", resource);
      if (!t) throw new Error(`${resource} not served`);
      return t;
    };
    store.create(type("namespaces"), { metadata: { name: "shop" } });
    inTreeDisk = (
      await sim().azure.createDisk({ name: "legacy-data", sizeGiB: 16, skuName: "Premium_LRS", zone: "1" })
    ).id;
    missingDisk = inTreeDisk.replace("legacy-data", "deleted-long-ago");
    const pvs: [string, Record<string, unknown>][] = [
      ["legacy", { azureDisk: { diskName: "legacy-data", diskURI: inTreeDisk, kind: "Managed" } }],
      ["gone", { azureDisk: { diskName: "deleted-long-ago", diskURI: missingDisk, kind: "Managed" } }],
      ["scratch", { hostPath: { path: "/mnt/scratch" } }],
      ["exports", { nfs: { server: "10.0.0.4", path: "/exports/shop" } }],
    ];
    for (const [name, source] of pvs) {
      store.create(type("persistentvolumes"), staticPv(name, source));
      store.create(type("persistentvolumeclaims"), claim(name, { storageClassName: "", volumeName: name }));
    }
    store.create(type("persistentvolumeclaims"), claim("db", { storageClassName: "managed-csi-premium" }));
    store.create(
      type("persistentvolumeclaims"),
      claim("shared", { storageClassName: "azurefile-csi", accessModes: ["ReadWriteMany"] }),
    );
    store.create(type("persistentvolumeclaims"), claim("later", { storageClassName: "managed-csi" }));
    store.create(type("pods"), {
      metadata: { name: "db", namespace: "shop" },
      spec: {
        containers: [
          { name: "pg", image: "postgres:16", volumeMounts: [{ name: "data", mountPath: "/data" }] },
        ],
        volumes: [{ name: "data", persistentVolumeClaim: { claimName: "db" } }],
      },
    });
    await sim().controllers.idle();
    cluster = await connectCluster({ name: "sim", kubeconfigYaml: sim().kubeconfig });
  });

  const claims = ["db", "legacy", "gone", "shared", "scratch", "exports", "later"].map((name) => ({
    namespace: "shop",
    name,
  }));

  it("snapshots CSI and in-tree disks, skips the rest by name, and reports the bad ones per volume", async () => {
    const plan = await discoverVolumes(cluster, claims, { snapshotVolumes: true });
    expect(plan.disks.map((d) => [d.pvc, d.source])).toEqual([
      ["shop/db", "csi"],
      ["shop/legacy", "in-tree"],
      ["shop/gone", "in-tree"],
    ]);
    expect(plan.warnings.map((w) => w.message.split(" (PV")[0])).toEqual([
      "volume of shop/shared not snapshotted: Azure Files (CSI file.csi.azure.com)",
      "volume of shop/scratch not snapshotted: hostPath",
      "volume of shop/exports not snapshotted: NFS",
    ]);
    expect(plan.errors.map((e) => e.message)).toEqual([
      "shop/later is not bound to a volume yet (phase Pending)",
    ]);

    const { fake, tls, token } = { fake: sim().azure, tls: sim().tls, token: sim().token };
    const time = virtualTime();
    const snapshotResourceGroup = snapshotResourceGroupId(undefined, {
      subscriptionId: fake.subscriptionId,
      nodeResourceGroup: sim().nodeResourceGroup,
    });
    const result = await snapshotVolumes(
      {
        recoveryPointId: "shop-20260101-020000-ab12",
        instance: "prod-shop",
        cluster: "sim",
        snapshotResourceGroup,
        volumes: plan.disks,
      },
      depsFor(computeFor(fake, tls.caCert, token), time),
    );

    expect(result.snapshots.map((s) => [s.pvc, s.completionPercent, s.error])).toEqual([
      ["shop/db", 100, undefined],
      ["shop/legacy", 100, undefined],
    ]);
    expect(result.snapshots[1]).toMatchObject({ diskId: inTreeDisk, sizeGiB: 16, zone: "1", pv: "legacy" });
    expect(result.errors).toEqual([
      {
        namespace: "shop",
        type: "v1/PersistentVolumeClaim",
        name: "gone",
        message: `snapshot of shop/gone failed: disk ${missingDisk} not found (deleted after the claim was bound?)`,
      },
    ]);
    for (const record of result.snapshots) {
      const [snapshot, ...more] = fake.snapshotsOf(record.diskId);
      expect(more).toEqual([]);
      expect(snapshot?.resourceGroup.toLowerCase()).toBe(sim().nodeResourceGroup.toLowerCase());
      expect(snapshot?.incremental).toBe(true);
      expect(snapshot?.tags[SNAPSHOT_TAGS.pvc]).toBe(record.pvc);
    }
  });

  it("reads nothing when the instance does not snapshot volumes", async () => {
    const before = cluster.stats.requests;
    const plan = await discoverVolumes(cluster, claims, { snapshotVolumes: false });
    expect(plan).toEqual({ disks: [], warnings: [], errors: [] });
    expect(cluster.stats.requests).toBe(before);
  });
});
