// rewritePersistentVolume and applyRestoredDisks, pure: a planned PV pointed at its restored disk,
// its zone, labels and claim reference following, for CSI and in-tree Azure disk volumes.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/types.js";
import { applyRestoredDisks } from "../../src/orchestrations/restore-volume.js";
import { rewritePersistentVolume } from "../../src/restore/rewrite-pv.js";
import type { PlannedItem, RestorePlan } from "../../src/restore/types.js";

const GROUP = "/subscriptions/9b1f7a54-2c4e-4d0a-8f3e-5a6b7c8d9e0f/resourceGroups";
const OLD_DISK = `${GROUP}/MC_prod/providers/Microsoft.Compute/disks/pvc-123`;
const NEW_DISK = `${GROUP}/MC_copy/providers/Microsoft.Compute/disks/restored-pvc-123-0123456789`;
const CLAIM = { namespace: "shop-copy", name: "data" };

const zoneTerm = (key: string, values: string[]) => ({
  nodeSelectorTerms: [{ matchExpressions: [{ key, operator: "In", values }] }],
});

/** A PV as AKS's disk CSI driver makes it, as the planner leaves it (server fields gone). */
function csiVolume(fields: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name: "pvc-123-shop-copy",
      annotations: {
        "pv.kubernetes.io/provisioned-by": "disk.csi.azure.com",
        "pv.kubernetes.io/bound-by-controller": "yes",
      },
      finalizers: ["kubernetes.io/pv-protection"],
    },
    spec: {
      accessModes: ["ReadWriteOnce"],
      capacity: { storage: "8Gi" },
      claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace: "shop-copy", name: "data" },
      csi: {
        driver: "disk.csi.azure.com",
        fsType: "ext4",
        volumeHandle: OLD_DISK,
        volumeAttributes: {
          "csi.storage.k8s.io/pv/name": "pvc-123",
          "csi.storage.k8s.io/pvc/name": "data",
          "csi.storage.k8s.io/pvc/namespace": "shop",
          requestedsizegib: "8",
          skuname: "Premium_LRS",
        },
      },
      nodeAffinity: { required: zoneTerm("topology.disk.csi.azure.com/zone", ["westeurope-2"]) },
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "managed-csi-premium",
      ...fields,
    },
  };
}

/** An in-tree `kubernetes.io/azure-disk` PV, zone-labelled as older AKS clusters did. */
function inTreeVolume(): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name: "pvc-456",
      labels: {
        "topology.kubernetes.io/region": "westeurope",
        "topology.kubernetes.io/zone": "westeurope-2",
        "failure-domain.beta.kubernetes.io/zone": "westeurope-2",
      },
      annotations: { "pv.kubernetes.io/provisioned-by": "kubernetes.io/azure-disk" },
    },
    spec: {
      azureDisk: {
        diskName: "pvc-123",
        diskURI: OLD_DISK,
        kind: "Managed",
        cachingMode: "ReadOnly",
        fsType: "",
      },
      claimRef: { namespace: "shop", name: "data", uid: "old-uid", resourceVersion: "42" },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: "topology.kubernetes.io/zone", operator: "In", values: ["westeurope-2"] },
                { key: "topology.kubernetes.io/region", operator: "In", values: ["westeurope"] },
              ],
            },
          ],
        },
      },
      persistentVolumeReclaimPolicy: "Delete",
    },
  };
}

const specOf = (pv: KubeObject) => pv.spec as Record<string, Record<string, unknown>>;

describe("rewritePersistentVolume", () => {
  it("points a CSI volume at the new disk, in its zone, bound to the mapped claim without the old binding", () => {
    const before = csiVolume();
    const pv = rewritePersistentVolume(
      before,
      { diskId: NEW_DISK, location: "westeurope", zone: "1", skuName: "Premium_LRS" },
      CLAIM,
    );

    expect(specOf(pv).csi).toEqual({
      driver: "disk.csi.azure.com",
      fsType: "ext4",
      volumeHandle: NEW_DISK,
      volumeAttributes: {
        "csi.storage.k8s.io/pv/name": "pvc-123-shop-copy",
        "csi.storage.k8s.io/pvc/name": "data",
        "csi.storage.k8s.io/pvc/namespace": "shop-copy",
        requestedsizegib: "8",
        skuname: "Premium_LRS",
      },
    });
    expect(specOf(pv).nodeAffinity).toEqual({
      required: zoneTerm("topology.disk.csi.azure.com/zone", ["westeurope-1"]),
    });
    expect(specOf(pv).claimRef).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      namespace: "shop-copy",
      name: "data",
    });
    expect(pv.metadata.annotations).toEqual({ "pv.kubernetes.io/provisioned-by": "disk.csi.azure.com" });
    expect(specOf(pv).persistentVolumeReclaimPolicy).toBe("Retain");
    expect(specOf(before).csi?.volumeHandle).toBe(OLD_DISK);
  });

  it("keeps an in-tree volume in-tree: disk URI and name, zone affinity and zone labels follow the disk", () => {
    const pv = rewritePersistentVolume(
      inTreeVolume(),
      { diskId: NEW_DISK, location: "westeurope", zone: "3" },
      {
        namespace: "shop",
        name: "data",
      },
    );

    expect(specOf(pv).azureDisk).toEqual({
      diskName: "restored-pvc-123-0123456789",
      diskURI: NEW_DISK,
      kind: "Managed",
      cachingMode: "ReadOnly",
      fsType: "",
    });
    expect(specOf(pv).csi).toBeUndefined();
    expect(pv.metadata.labels).toEqual({
      "topology.kubernetes.io/region": "westeurope",
      "topology.kubernetes.io/zone": "westeurope-3",
      "failure-domain.beta.kubernetes.io/zone": "westeurope-3",
    });
    expect(specOf(pv).nodeAffinity).toEqual({
      required: {
        nodeSelectorTerms: [
          {
            matchExpressions: [
              { key: "topology.kubernetes.io/zone", operator: "In", values: ["westeurope-3"] },
              { key: "topology.kubernetes.io/region", operator: "In", values: ["westeurope"] },
            ],
          },
        ],
      },
    });
    expect(specOf(pv).claimRef).toEqual({
      namespace: "shop",
      name: "data",
      kind: "PersistentVolumeClaim",
      apiVersion: "v1",
    });
    expect(specOf(pv).persistentVolumeReclaimPolicy).toBe("Delete");
  });

  it.each([
    [
      "drops the zone requirement, and the affinity it was alone in, for a regional disk",
      csiVolume(),
      { diskId: NEW_DISK, location: "westeurope" },
      undefined,
    ],
    [
      "keeps the other requirements of a regional disk's affinity",
      csiVolume({
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              {
                matchExpressions: [
                  { key: "topology.disk.csi.azure.com/zone", operator: "In", values: ["westeurope-2"] },
                  { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
                ],
              },
            ],
          },
        },
      }),
      { diskId: NEW_DISK },
      { required: zoneTerm("kubernetes.io/os", ["linux"]) },
    ],
    [
      "pins a PV that had no zone to the zone of its new disk",
      csiVolume({ nodeAffinity: undefined }),
      { diskId: NEW_DISK, location: "westeurope", zone: "2" },
      { required: zoneTerm("topology.disk.csi.azure.com/zone", ["westeurope-2"]) },
    ],
    [
      "reads the region from the old zone when the disk's location is not given",
      csiVolume(),
      { diskId: NEW_DISK, zone: "3" },
      { required: zoneTerm("topology.disk.csi.azure.com/zone", ["westeurope-3"]) },
    ],
    [
      "replaces a regional PV's empty zone value (a cluster without zones) when the disk has a zone",
      csiVolume({ nodeAffinity: { required: zoneTerm("topology.disk.csi.azure.com/zone", [""]) } }),
      { diskId: NEW_DISK, location: "westeurope", zone: "1" },
      { required: zoneTerm("topology.disk.csi.azure.com/zone", ["westeurope-1"]) },
    ],
  ])("%s", (_, before, disk, affinity) => {
    expect(specOf(rewritePersistentVolume(before, disk, CLAIM)).nodeAffinity).toEqual(affinity);
  });

  it("refuses a volume that is not an Azure disk, naming it", () => {
    const nfs = csiVolume({ csi: undefined, nfs: { server: "nfs", path: "/" } });
    expect(() => rewritePersistentVolume(nfs, { diskId: NEW_DISK })).toThrow(
      `PersistentVolume pvc-123-shop-copy has neither spec.csi nor spec.azureDisk, so it cannot be pointed at disk ${NEW_DISK}`,
    );
  });
});

describe("applyRestoredDisks", () => {
  const item = (object: KubeObject): PlannedItem => ({
    group: "",
    version: "v1",
    resource: object.kind === "PersistentVolume" ? "persistentvolumes" : "configmaps",
    kind: object.kind,
    namespaced: false,
    name: object.metadata.name ?? "",
    object,
  });
  const plan: RestorePlan = {
    recoveryPointId: "shop-20260101-020000-ab12",
    phases: [
      {
        name: "resources",
        items: [
          item(csiVolume()),
          item({ ...inTreeVolume(), metadata: { ...inTreeVolume().metadata, name: "pvc-failed" } }),
          item({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "pvc-123-shop-copy" } }),
        ],
      },
    ],
    skipped: [],
    unselected: 0,
    warnings: [],
    volumes: [
      {
        namespace: "shop-copy",
        claim: "data",
        sourceNamespace: "shop",
        pv: "pvc-123-shop-copy",
        sourcePv: "pvc-123",
        snapshotId: `${GROUP}/snaps/providers/Microsoft.Compute/snapshots/s`,
        sourceDiskId: OLD_DISK,
        sizeGiB: 8,
      },
    ],
    persistentVolumeRestoreMode: "RestoreWithVolumeData",
    conflictPolicy: "Skip",
    namespaceMappings: { shop: "shop-copy" },
  };

  it("rewrites only the PVs a disk was restored for, leaving the plan it was given as it was", () => {
    const before = structuredClone(plan);
    const next = applyRestoredDisks(plan, [
      { pvName: "pvc-123-shop-copy", diskId: NEW_DISK, location: "westeurope", zone: "1" },
    ]);
    const [pv, untouched, configMap] = next.phases[0]?.items ?? [];

    expect(specOf(pv?.object as KubeObject).csi?.volumeHandle).toBe(NEW_DISK);
    expect(specOf(pv?.object as KubeObject).claimRef).toMatchObject(CLAIM);
    expect(untouched).toBe(plan.phases[0]?.items[1]);
    expect(configMap).toBe(plan.phases[0]?.items[2]);
    expect(plan).toEqual(before);
  });
});
