// restoreDisk against the Azure fake through the real @azure/arm-compute client: a disk from a
// completed snapshot in the target group, zone and SKU, tagged; adopted on retry; snapshots still
// copying or gone; throttling and failed operations. And the zone choice, as a table.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/types.js";
import type { RequestRecord } from "../../src/sim/azure/server.js";
import { snapshotDisk } from "../../src/volumes/azure-disk.js";
import { nodeTopologyOf, pickDiskZone } from "../../src/volumes/node-zones.js";
import {
  isRestoreDiskError,
  RESTORED_DISK_TAGS,
  type RestoreDiskRequest,
  type RestoredDisk,
  restoreDisk,
} from "../../src/volumes/restore-disk.js";
import { rejectionOf, useAzureFake } from "../helpers/azure-fake.js";
import { computeFor, depsFor, virtualTime, volumeOn } from "./harness.js";

const ALL_ZONES = { region: "westeurope", zones: ["1", "2", "3"] };

function diskWrites(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter((r) => r.method === "PUT" && /\/disks\/[^/]+$/i.test(r.path));
}

describe("restoreDisk", () => {
  const azure = useAzureFake({ defaultNodeResourceGroup: "MC_source", lroSteps: 1 });

  /** A 16 GiB Premium disk in zone 2 and its completed incremental snapshot; a target group. */
  async function setup() {
    const { fake, tls, token } = azure();
    const source = await fake.createDisk({ name: "pvc-abc", sizeGiB: 16, skuName: "Premium_LRS", zone: "2" });
    const compute = computeFor(fake, tls.caCert, token);
    const snapshotted = await snapshotDisk(
      {
        recoveryPointId: "shop-20260101-020000-ab12",
        instance: "shop",
        cluster: "prod",
        snapshotResourceGroup: fake.createResourceGroup("snapshots"),
        volume: volumeOn(source.id),
      },
      depsFor(compute, virtualTime()),
    );
    if (!snapshotted.ok) throw new Error(snapshotted.error.message);
    const target = fake.createResourceGroup("MC_target");
    const request = (extra: Partial<RestoreDiskRequest> = {}): RestoreDiskRequest => ({
      restoreId: "restore-1",
      recoveryPointId: "shop-20260101-020000-ab12",
      pvc: "shop-copy/data",
      pv: "pv-data-shop-copy",
      snapshotId: snapshotted.record.snapshotId,
      sourceDiskId: source.id,
      resourceGroup: target,
      sizeGiB: 16,
      zone: "2",
      nodes: ALL_ZONES,
      ...extra,
    });
    return { fake, deps: { compute, updateIntervalInMs: 5 }, source, request, target };
  }

  it("creates a disk from the snapshot in the target group, in the source zone, with its SKU and size, tagged", async () => {
    const { fake, deps, request, source } = await setup();
    const restored = await restoreDisk(deps, request());

    expect(restored).toMatchObject({ zone: "2", skuName: "Premium_LRS", sizeGiB: 16, adopted: false });
    const disk = fake.disk(restored.diskId);
    expect(disk).toMatchObject({
      resourceGroup: "MC_target",
      location: source.location,
      zones: ["2"],
      skuName: "Premium_LRS",
      sizeGiB: 16,
      createOption: "Copy",
      sourceResourceId: request().snapshotId,
      provisioningState: "Succeeded",
      tags: {
        [RESTORED_DISK_TAGS.restore]: "restore-1",
        [RESTORED_DISK_TAGS.recoveryPoint]: "shop-20260101-020000-ab12",
        [RESTORED_DISK_TAGS.restoredFrom]: request().snapshotId,
        [RESTORED_DISK_TAGS.pvc]: "shop-copy/data",
        [RESTORED_DISK_TAGS.pv]: "pv-data-shop-copy",
      },
    });
    expect(disk?.name).toMatch(/^restored-pvc-abc-[0-9a-f]{10}$/);
  });

  it("puts the disk in a zone the target's nodes use when they have none in the source zone", async () => {
    const { fake, deps, request } = await setup();
    const restored = await restoreDisk(deps, request({ nodes: { region: "westeurope", zones: ["1"] } }));

    expect(restored.zone).toBe("1");
    expect(fake.disk(restored.diskId)?.zones).toEqual(["1"]);
  });

  it("makes a regional disk for a cluster without zones", async () => {
    const { fake, deps, request } = await setup();
    const restored = await restoreDisk(deps, request({ nodes: { region: "westeurope", zones: [] } }));

    expect(restored.zone).toBeUndefined();
    expect(fake.disk(restored.diskId)?.zones).toBeUndefined();
  });

  it("takes the SKU the request names, and the fallback once the source disk is gone", async () => {
    const { fake, deps, request, source } = await setup();
    const named = await restoreDisk(deps, request({ skuName: "StandardSSD_LRS" }));
    await fake.deleteDisk(source.id);
    const fallback = await restoreDisk(
      deps,
      request({ restoreId: "restore-2", fallbackSkuName: "Premium_ZRS" }),
    );

    expect(fake.disk(named.diskId)?.skuName).toBe("StandardSSD_LRS");
    expect(fake.disk(fallback.diskId)).toMatchObject({ skuName: "Premium_ZRS", zones: undefined });
    expect(fallback.zone).toBeUndefined();
  });

  it("adopts the disk of a retried attempt: the same disk, no second write", async () => {
    const { fake, deps, request } = await setup();
    const first = await restoreDisk(deps, request());
    const again = await restoreDisk(deps, request());

    expect(again).toEqual({ ...first, adopted: true });
    expect(diskWrites(fake.requests)).toHaveLength(1);
    expect(fake.disks().filter((d) => d.resourceGroup === "MC_target")).toHaveLength(1);
  });

  it("refuses a deleted snapshot with a non-retriable error that names it, creating nothing", async () => {
    const { fake, deps, request } = await setup();
    await azure().compute.snapshots.beginDeleteAndWait(
      "snapshots",
      request().snapshotId.split("/").at(-1) ?? "",
      { updateIntervalInMs: 5 },
    );
    const error = await rejectionOf(restoreDisk(deps, request()));

    expect(isRestoreDiskError(error) && error.retriable).toBe(false);
    expect(error).toMatchObject({
      code: "SnapshotNotFound",
      message: `claim shop-copy/data: snapshot ${request().snapshotId} no longer exists (deleted by retention or by hand?); restore from another recovery point`,
    });
    expect(diskWrites(fake.requests)).toEqual([]);
  });

  it("refuses a snapshot in another region than the target's nodes, creating nothing", async () => {
    const { fake, deps, request } = await setup();
    const error = await rejectionOf(
      restoreDisk(deps, request({ nodes: { region: "northeurope", zones: ["1"] } })),
    );

    expect(error).toMatchObject({ code: "CrossRegion", retriable: false });
    expect(error.message).toContain("Azure creates a disk only in its snapshot's region");
    expect(diskWrites(fake.requests)).toEqual([]);
  });

  it("ends Azure's throttling after the SDK's retries with a retriable error", async () => {
    const { fake, deps, request } = await setup();
    fake.faults.throttle({
      method: "PUT",
      resourceType: "Microsoft.Compute/disks",
      retryAfterSeconds: 0,
      count: 50,
    });
    const error = await rejectionOf(restoreDisk(deps, request()));

    expect(error).toMatchObject({ code: "Throttled", retriable: true });
    expect(diskWrites(fake.requests).map((r) => r.status)).toEqual([429, 429, 429, 429]);
  });

  it("deletes a disk whose creation failed, so that the retry creates it afresh", async () => {
    const { fake, deps, request } = await setup();
    fake.faults.failOperations({ method: "PUT", resourceType: "Microsoft.Compute/disks" });
    const error = await rejectionOf(restoreDisk(deps, request()));

    expect(error).toMatchObject({ code: "DiskFailed", retriable: true });
    expect(fake.disks().filter((d) => d.resourceGroup === "MC_target")).toEqual([]);
    const restored: RestoredDisk = await restoreDisk(deps, request());
    expect(fake.disk(restored.diskId)?.provisioningState).toBe("Succeeded");
  });
  it("finishes, on retry, a disk an interrupted attempt left half-made", async () => {
    const { fake, deps, request } = await setup();
    // Every poll of the operation is lost: the attempt gives up with the disk still Updating.
    fake.faults.drop({ method: "GET", path: "/DiskOperations/", count: 100 });
    const error = await rejectionOf(restoreDisk(deps, request()));
    expect(error).toMatchObject({ code: "DiskFailed", retriable: true });
    expect(error.message).toContain("the disk is left Updating; a retry finishes it or starts afresh");

    fake.faults.clear();
    const restored = await restoreDisk(deps, request());
    expect(restored).toMatchObject({ zone: "2", adopted: false });
    expect(fake.disks().filter((d) => d.resourceGroup === "MC_target")).toMatchObject([
      { id: restored.diskId, provisioningState: "Succeeded" },
    ]);
  });

  it("leaves alone a disk of our name made from another source", async () => {
    const { fake, deps, request } = await setup();
    const first = await restoreDisk(deps, request());
    const other = `${request().snapshotId.slice(0, request().snapshotId.lastIndexOf("/"))}/elsewhere`;
    const error = await rejectionOf(restoreDisk(deps, request({ snapshotId: other })));

    expect(error).toMatchObject({ code: "NameCollision", retriable: false });
    expect(error.message).toContain(
      `disk ${first.diskId} already exists with source ${request().snapshotId}`,
    );
    expect(diskWrites(fake.requests)).toHaveLength(1);
  });
});

describe("restoreDisk from a snapshot still copying", () => {
  // Five reads before an incremental snapshot's background copy reaches 100%.
  const azure = useAzureFake({ defaultNodeResourceGroup: "MC_source", lroSteps: 5 });

  it("is a retriable error, and the same call succeeds once the copy is complete", async () => {
    const { fake, tls, token, compute } = azure();
    const source = await fake.createDisk({ name: "pvc-big", sizeGiB: 64, skuName: "Premium_LRS", zone: "3" });
    fake.createResourceGroup("snapshots");
    const snapshot = await compute.snapshots.beginCreateOrUpdateAndWait(
      "snapshots",
      "big-copying",
      {
        location: source.location,
        incremental: true,
        creationData: { createOption: "Copy", sourceResourceId: source.id },
      },
      { updateIntervalInMs: 5 },
    );
    const deps = { compute: computeFor(fake, tls.caCert, token), updateIntervalInMs: 5 };
    const request: RestoreDiskRequest = {
      restoreId: "restore-1",
      recoveryPointId: "shop-20260101-020000-ab12",
      pvc: "shop/big",
      pv: "pv-big",
      snapshotId: snapshot.id ?? "",
      sourceDiskId: source.id,
      resourceGroup: fake.createResourceGroup("MC_target"),
      zone: "3",
      nodes: ALL_ZONES,
    };

    const error = await rejectionOf(restoreDisk(deps, request));
    expect(error).toMatchObject({ code: "SnapshotNotReady", retriable: true });
    expect(error.message).toMatch(
      /^claim shop\/big: snapshot .*big-copying is still being copied \(provisioning Succeeded, copy at \d+%\)/,
    );
    expect(diskWrites(fake.requests)).toEqual([]);

    fake.settle();
    const restored = await restoreDisk(deps, request);
    expect(fake.disk(restored.diskId)).toMatchObject({ zones: ["3"], sizeGiB: 64, skuName: "Premium_LRS" });
  });
});

const node = (zone: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: {
    name: `node-${zone}`,
    labels: { "topology.kubernetes.io/region": "westeurope", "topology.kubernetes.io/zone": zone },
  },
  ...extra,
});

describe("where a restored disk goes", () => {
  it.each([
    [
      "zonal nodes",
      [node("westeurope-1"), node("westeurope-3")],
      { region: "westeurope", zones: ["1", "3"] },
    ],
    ["nodes outside zones (fault domains)", [node("0"), node("1")], { region: "westeurope", zones: [] }],
    [
      "a cordoned node",
      [node("westeurope-1"), node("westeurope-2", { spec: { unschedulable: true } })],
      { region: "westeurope", zones: ["1"] },
    ],
    ["no nodes", [], { zones: [] }],
  ])("reads the zones of %s", (_, nodes, expected) => {
    expect(nodeTopologyOf(nodes)).toEqual(expected);
  });

  it.each([
    ["the source zone when the target has nodes there", "2", "Premium_LRS", ["1", "2"], "2"],
    ["a target zone when the source zone has no node", "3", "Premium_LRS", ["1"], "1"],
    ["a target zone for a regional source disk", undefined, "StandardSSD_LRS", ["2"], "2"],
    ["no zone for a cluster without zones", "2", "Premium_LRS", [], undefined],
    ["no zone for a zone-redundant SKU", "2", "Premium_ZRS", ["1", "2"], undefined],
  ])("picks %s", (_, sourceZone, skuName, zones, expected) => {
    const nodes = { region: "westeurope", zones };
    expect(pickDiskZone({ sourceZone, skuName, nodes, key: "/disk" })).toBe(expected);
  });

  it("spreads volumes over the target's zones, the same way on every retry", () => {
    const nodes = { zones: ["1", "2", "3"] };
    const picks = Array.from({ length: 30 }, (_, i) =>
      pickDiskZone({ sourceZone: "9", skuName: "Premium_LRS", nodes, key: `/disks/pvc-${i}` }),
    );
    expect(new Set(picks)).toEqual(new Set(["1", "2", "3"]));
    expect(pickDiskZone({ sourceZone: "9", skuName: "Premium_LRS", nodes, key: "/disks/pvc-7" })).toBe(
      picks[7],
    );
  });
});
