// Volume discovery: which claims get a snapshot and which are skipped or in error, as a table over
// plain objects, then read from the simulated cluster.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/types.js";
import { type ClaimVolume, classifyVolume, planVolumeSnapshots } from "../../src/volumes/discovery.js";

const DISK =
  "/subscriptions/9b1f7a54-2c4e-4d0a-8f3e-5a6b7c8d9e0f/resourceGroups/MC_rg/providers/Microsoft.Compute/disks/pvc-1";

function pv(spec: Record<string, unknown>, name = "pv-1"): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name },
    spec: { storageClassName: "managed-csi", ...spec },
  };
}

function pvc(name: string, volumeName: string | undefined, phase: string): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "shop" },
    spec: volumeName === undefined ? {} : { volumeName },
    status: { phase },
  };
}

function bound(spec: Record<string, unknown>, name = "data"): ClaimVolume {
  return {
    claim: { namespace: "shop", name },
    pvc: pvc(name, `pv-${name}`, "Bound"),
    pv: pv(spec, `pv-${name}`),
  };
}

describe("classifyVolume", () => {
  it.each([
    [
      "CSI Azure disk",
      { csi: { driver: "disk.csi.azure.com", volumeHandle: DISK } },
      { kind: "disk", source: "csi" },
    ],
    [
      "in-tree Azure disk",
      { azureDisk: { diskName: "pvc-1", diskURI: DISK, kind: "Managed" } },
      { kind: "disk", source: "in-tree" },
    ],
    [
      "unmanaged in-tree disk",
      {
        azureDisk: {
          diskName: "d",
          diskURI: "https://acct.blob.core.windows.net/vhds/d.vhd",
          kind: "Dedicated",
        },
      },
      { kind: "skip", type: "unmanaged Azure disk (in-tree kubernetes.io/azure-disk, VHD blob)" },
    ],
    [
      "Azure Files CSI",
      { csi: { driver: "file.csi.azure.com", volumeHandle: "rg#acct#share" } },
      { kind: "skip", type: "Azure Files (CSI file.csi.azure.com)" },
    ],
    [
      "Azure Files in-tree",
      { azureFile: { secretName: "s", shareName: "share" } },
      { kind: "skip", type: "Azure Files (in-tree kubernetes.io/azure-file)" },
    ],
    [
      "Blob CSI",
      { csi: { driver: "blob.csi.azure.com", volumeHandle: "x" } },
      { kind: "skip", type: "Azure Blob (CSI blob.csi.azure.com)" },
    ],
    ["NFS", { nfs: { server: "10.0.0.4", path: "/export" } }, { kind: "skip", type: "NFS" }],
    ["hostPath", { hostPath: { path: "/mnt/data" } }, { kind: "skip", type: "hostPath" }],
    ["local", { local: { path: "/mnt/disks/ssd1" } }, { kind: "skip", type: "local" }],
    [
      "another CSI driver",
      { csi: { driver: "ebs.csi.aws.com", volumeHandle: "vol-1" } },
      { kind: "skip", type: "CSI driver ebs.csi.aws.com" },
    ],
    ["no source at all", {}, { kind: "skip", type: "unknown volume source" }],
    [
      "disk CSI with a handle that is no disk id",
      { csi: { driver: "disk.csi.azure.com", volumeHandle: "pvc-1" } },
      { kind: "invalid", problem: 'its volumeHandle "pvc-1" is not an Azure managed disk id' },
    ],
  ])("%s", (_name, spec, expected) => {
    expect(classifyVolume(pv(spec))).toMatchObject(expected);
  });
});

describe("planVolumeSnapshots", () => {
  it("plans a snapshot per disk and a named warning per skipped claim", () => {
    const plan = planVolumeSnapshots(
      [
        bound({ csi: { driver: "disk.csi.azure.com", volumeHandle: DISK } }, "db"),
        bound({ csi: { driver: "file.csi.azure.com", volumeHandle: "x" } }, "shared"),
        bound({ hostPath: { path: "/tmp" } }, "scratch"),
      ],
      { snapshotVolumes: true },
    );
    expect(plan.disks).toEqual([
      {
        pvc: "shop/db",
        namespace: "shop",
        claimName: "db",
        pv: "pv-db",
        diskId: DISK,
        source: "csi",
        storageClass: "managed-csi",
      },
    ]);
    expect(plan.warnings).toEqual([
      {
        namespace: "shop",
        type: "v1/PersistentVolumeClaim",
        name: "shared",
        message:
          "volume of shop/shared not snapshotted: Azure Files (CSI file.csi.azure.com) (PV pv-shared); it is not an Azure managed disk, which is all this app snapshots",
      },
      expect.objectContaining({
        name: "scratch",
        message: expect.stringContaining("shop/scratch not snapshotted: hostPath"),
      }),
    ]);
    expect(plan.errors).toEqual([]);
  });

  it.each([
    [
      "an unbound claim",
      { claim: { namespace: "shop", name: "data" }, pvc: pvc("data", undefined, "Pending") },
      "shop/data is not bound to a volume yet (phase Pending)",
    ],
    [
      "a claim deleted since the export",
      { claim: { namespace: "shop", name: "data" } },
      "shop/data was deleted before its volume could be snapshotted",
    ],
    [
      "a claim bound to a PV that is gone",
      { claim: { namespace: "shop", name: "data" }, pvc: pvc("data", "pv-x", "Lost") },
      "shop/data is bound to PersistentVolume pv-x, which does not exist (phase Lost)",
    ],
    [
      "a claim that could not be read",
      { claim: { namespace: "shop", name: "data" }, readError: "GET ... failed with 403 Forbidden" },
      "cannot read shop/data or its volume: GET ... failed with 403 Forbidden",
    ],
  ])("reports %s as that claim's error", (_name, claim: ClaimVolume, message) => {
    const plan = planVolumeSnapshots([claim], { snapshotVolumes: true });
    expect(plan.disks).toEqual([]);
    expect(plan.errors).toEqual([
      { namespace: "shop", type: "v1/PersistentVolumeClaim", name: "data", message },
    ]);
  });

  it("snapshots a disk shared by two claims once, with a warning", () => {
    const spec = { csi: { driver: "disk.csi.azure.com", volumeHandle: DISK } };
    const plan = planVolumeSnapshots(
      [bound(spec, "a"), bound({ azureDisk: { diskURI: DISK.toUpperCase() } }, "b")],
      {
        snapshotVolumes: true,
      },
    );
    expect(plan.disks.map((d) => d.pvc)).toEqual(["shop/a"]);
    expect(plan.warnings.map((w) => w.message)).toEqual([
      "shop/b uses the same disk as shop/a; that disk is snapshotted once, for shop/a",
    ]);
  });

  it("plans nothing, silently, when the instance does not snapshot volumes", () => {
    const plan = planVolumeSnapshots(
      [
        bound({ csi: { driver: "disk.csi.azure.com", volumeHandle: DISK } }),
        { claim: { namespace: "shop", name: "x" } },
      ],
      { snapshotVolumes: false },
    );
    expect(plan).toEqual({ disks: [], warnings: [], errors: [] });
  });
});
