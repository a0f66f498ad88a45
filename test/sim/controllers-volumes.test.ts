// The volume controllers against the real Azure fake: claims bound to new Azure disks in the
// right zone, delayed binding, static binding, reclaiming, and Azure Files volumes without disks.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/sim/kube/types.js";
import {
  container,
  namespace,
  specOf,
  startTestCluster,
  statusOf,
  type TestCluster,
} from "./controllers-harness.js";

function claim(name: string, storageClassName?: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name, namespace: "shop" },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "10Gi" } },
      ...(storageClassName !== undefined ? { storageClassName } : {}),
      ...extra,
    },
  };
}

function podUsing(name: string, claimName: string): KubeObject {
  return {
    metadata: { name, namespace: "shop" },
    spec: {
      containers: [{ ...container(), volumeMounts: [{ name: "data", mountPath: "/data" }] }],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName } }],
    },
  };
}

describe("controllers: volumes", () => {
  let cluster: TestCluster;
  beforeEach(async () => {
    cluster = await startTestCluster();
    cluster.create("", "namespaces", namespace("shop"));
  });
  afterEach(async () => {
    expect(cluster.logs).toEqual([]);
    await cluster.close();
  });

  it("a StatefulSet with volumeClaimTemplates gets bound PVCs backed by Azure disks in its pod's zone", async () => {
    cluster.create("apps", "statefulsets", {
      metadata: { name: "db", namespace: "shop" },
      spec: {
        replicas: 3,
        serviceName: "db",
        selector: { matchLabels: { app: "db" } },
        template: {
          metadata: { labels: { app: "db" } },
          spec: {
            containers: [
              {
                ...container("pg", "postgres:16"),
                volumeMounts: [{ name: "data", mountPath: "/var/lib/postgresql" }],
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data" },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: "managed-csi-premium",
              resources: { requests: { storage: "32Gi" } },
            },
          },
        ],
      },
    });
    await cluster.idle();

    for (const ordinal of [0, 1, 2]) {
      const pvc = cluster.get("", "persistentvolumeclaims", "shop", `data-db-${ordinal}`);
      const pod = cluster.get("", "pods", "shop", `db-${ordinal}`);
      const node = cluster.get("", "nodes", undefined, specOf(pod).nodeName as string);
      const zone = node?.metadata?.labels?.["topology.disk.csi.azure.com/zone"];
      expect(statusOf(pod).phase).toBe("Running");
      expect(statusOf(pvc)).toMatchObject({
        phase: "Bound",
        capacity: { storage: "32Gi" },
        accessModes: ["ReadWriteOnce"],
      });
      expect(pvc?.metadata?.annotations).toMatchObject({
        "pv.kubernetes.io/bind-completed": "yes",
        "pv.kubernetes.io/bound-by-controller": "yes",
        "volume.kubernetes.io/storage-provisioner": "disk.csi.azure.com",
        "volume.beta.kubernetes.io/storage-provisioner": "disk.csi.azure.com",
        "volume.kubernetes.io/selected-node": node?.metadata?.name,
      });
      expect(pvc?.metadata?.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
      const pvName = `pvc-${pvc?.metadata?.uid}`;
      expect(specOf(pvc).volumeName).toBe(pvName);

      const pv = cluster.get("", "persistentvolumes", undefined, pvName);
      expect(statusOf(pv).phase).toBe("Bound");
      expect(pv?.metadata?.annotations?.["pv.kubernetes.io/provisioned-by"]).toBe("disk.csi.azure.com");
      expect(specOf(pv)).toMatchObject({
        storageClassName: "managed-csi-premium",
        persistentVolumeReclaimPolicy: "Delete",
        capacity: { storage: "32Gi" },
        claimRef: {
          kind: "PersistentVolumeClaim",
          namespace: "shop",
          name: `data-db-${ordinal}`,
          uid: pvc?.metadata?.uid,
        },
        csi: {
          driver: "disk.csi.azure.com",
          fsType: "ext4",
          volumeAttributes: {
            skuname: "Premium_LRS",
            requestedsizegib: "32",
            "csi.storage.k8s.io/pvc/name": `data-db-${ordinal}`,
          },
        },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: "topology.disk.csi.azure.com/zone", operator: "In", values: [zone] },
                ],
              },
            ],
          },
        },
      });
      const handle = (specOf(pv).csi as { volumeHandle: string }).volumeHandle;
      const disk = cluster.azure?.disk(handle);
      expect(disk).toMatchObject({ name: pvName, zones: [zone?.slice(-1)], sizeGiB: 32 });
      expect(disk?.tags).toMatchObject({
        "kubernetes.io-created-for-pvc-name": `data-db-${ordinal}`,
        "kubernetes.io-created-for-pvc-namespace": "shop",
      });
    }
  });

  it("a WaitForFirstConsumer claim stays Pending until a pod uses it", async () => {
    cluster.create("", "persistentvolumeclaims", claim("data"));
    await cluster.idle();
    const pending = cluster.get("", "persistentvolumeclaims", "shop", "data");
    expect(statusOf(pending).phase).toBe("Pending");
    expect(cluster.azure?.disks()).toEqual([]);
    const events = cluster.list("", "events", "shop").map((e) => e.reason);
    expect(events).toContain("WaitForFirstConsumer");

    cluster.create("", "pods", podUsing("app", "data"));
    await cluster.idle();
    expect(statusOf(cluster.get("", "persistentvolumeclaims", "shop", "data")).phase).toBe("Bound");
    expect(statusOf(cluster.get("", "pods", "shop", "app")).phase).toBe("Running");
    expect(cluster.azure?.disks()).toHaveLength(1);
  });

  it("a released PV with reclaimPolicy Delete deletes its disk", async () => {
    cluster.create("", "persistentvolumeclaims", claim("data", "managed-csi"));
    cluster.create("", "pods", podUsing("app", "data"));
    await cluster.idle();
    const pvName = specOf(cluster.get("", "persistentvolumeclaims", "shop", "data")).volumeName as string;
    expect(cluster.azure?.disks()).toHaveLength(1);

    // The claim is protected while the pod uses it.
    cluster.store.delete(cluster.type("", "persistentvolumeclaims"), "shop", "data");
    await cluster.idle();
    expect(
      cluster.get("", "persistentvolumeclaims", "shop", "data")?.metadata?.deletionTimestamp,
    ).toBeDefined();
    expect(cluster.azure?.disks()).toHaveLength(1);

    cluster.store.delete(cluster.type("", "pods"), "shop", "app");
    await cluster.idle();
    expect(cluster.get("", "persistentvolumeclaims", "shop", "data")).toBeUndefined();
    expect(cluster.get("", "persistentvolumes", undefined, pvName)).toBeUndefined();
    expect(cluster.azure?.disks()).toEqual([]);
  });

  it("deleting a namespace deletes its claims, then their volumes and disks", async () => {
    cluster.create("", "persistentvolumeclaims", claim("data", "managed-csi"));
    cluster.create("", "pods", podUsing("app", "data"));
    await cluster.idle();
    expect(cluster.azure?.disks()).toHaveLength(1);
    cluster.store.delete(cluster.type("", "namespaces"), undefined, "shop");
    await cluster.idle();
    expect(cluster.get("", "namespaces", undefined, "shop")).toBeUndefined();
    expect(cluster.list("", "persistentvolumes")).toEqual([]);
    expect(cluster.azure?.disks()).toEqual([]);
  });

  it("a PVC with spec.volumeName binds to that PV", async () => {
    cluster.create("", "persistentvolumes", {
      metadata: { name: "restored-data" },
      spec: {
        capacity: { storage: "10Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        storageClassName: "managed-csi",
        csi: {
          driver: "disk.csi.azure.com",
          volumeHandle: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/disks/restored",
        },
      },
    });
    await cluster.idle();
    expect(statusOf(cluster.get("", "persistentvolumes", undefined, "restored-data")).phase).toBe(
      "Available",
    );

    cluster.create(
      "",
      "persistentvolumeclaims",
      claim("data", "managed-csi", { volumeName: "restored-data" }),
    );
    await cluster.idle();
    const pvc = cluster.get("", "persistentvolumeclaims", "shop", "data");
    expect(statusOf(pvc)).toMatchObject({ phase: "Bound", capacity: { storage: "10Gi" } });
    expect(pvc?.metadata?.annotations?.["pv.kubernetes.io/bound-by-controller"]).toBeUndefined();
    const pv = cluster.get("", "persistentvolumes", undefined, "restored-data");
    expect(statusOf(pv).phase).toBe("Bound");
    expect(specOf(pv).claimRef).toMatchObject({ namespace: "shop", name: "data", uid: pvc?.metadata?.uid });
    expect(cluster.azure?.disks()).toEqual([]);
  });

  it("a PV whose claim is gone is Released and, with Retain, kept", async () => {
    cluster.create("", "persistentvolumes", {
      metadata: { name: "old" },
      spec: {
        capacity: { storage: "5Gi" },
        accessModes: ["ReadWriteOnce"],
        persistentVolumeReclaimPolicy: "Retain",
        claimRef: { namespace: "shop", name: "gone", uid: "0d8a2f1e-0000-4000-8000-000000000000" },
        csi: {
          driver: "disk.csi.azure.com",
          volumeHandle: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/disks/old",
        },
      },
    });
    cluster.create("", "persistentvolumes", {
      metadata: { name: "prebound" },
      spec: {
        capacity: { storage: "5Gi" },
        accessModes: ["ReadWriteOnce"],
        claimRef: { namespace: "shop", name: "later" },
        csi: {
          driver: "disk.csi.azure.com",
          volumeHandle: "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/disks/pre",
        },
      },
    });
    await cluster.idle();
    expect(statusOf(cluster.get("", "persistentvolumes", undefined, "old")).phase).toBe("Released");
    expect(statusOf(cluster.get("", "persistentvolumes", undefined, "prebound")).phase).toBe("Available");
  });

  it("an Azure Files claim binds at once to a PV without a disk or zone", async () => {
    cluster.create(
      "",
      "persistentvolumeclaims",
      claim("shared", "azurefile-csi", { accessModes: ["ReadWriteMany"] }),
    );
    await cluster.idle();
    const pvc = cluster.get("", "persistentvolumeclaims", "shop", "shared");
    expect(statusOf(pvc).phase).toBe("Bound");
    const pv = cluster.get("", "persistentvolumes", undefined, specOf(pvc).volumeName as string);
    const csi = specOf(pv).csi as { driver: string; volumeHandle: string };
    expect(csi.driver).toBe("file.csi.azure.com");
    expect(csi.volumeHandle).toMatch(
      new RegExp(`^MC_rg_sim_westeurope#f[0-9a-f]+#pvc-${pvc?.metadata?.uid}###shop$`),
    );
    expect(specOf(pv).nodeAffinity).toBeUndefined();
    expect(specOf(pv).mountOptions).toContain("mfsymlinks");
    expect(cluster.azure?.disks()).toEqual([]);
  });
});

describe("controllers: volumes without an Azure provisioner", () => {
  let cluster: TestCluster;
  beforeEach(async () => {
    cluster = await startTestCluster({ azure: false });
    cluster.create("", "namespaces", namespace("shop"));
  });
  afterEach(() => cluster.close());

  it("a disk claim stays Pending with a ProvisioningFailed event", async () => {
    cluster.create("", "persistentvolumeclaims", claim("data", "managed-csi"));
    cluster.create("", "pods", podUsing("app", "data"));
    await cluster.idle();
    expect(statusOf(cluster.get("", "persistentvolumeclaims", "shop", "data")).phase).toBe("Pending");
    expect(statusOf(cluster.get("", "pods", "shop", "app")).phase).toBe("Pending");
    const failed = cluster.list("", "events", "shop").find((e) => e.reason === "ProvisioningFailed");
    expect(failed).toMatchObject({
      type: "Warning",
      involvedObject: { kind: "PersistentVolumeClaim", name: "data" },
    });
  });
});
