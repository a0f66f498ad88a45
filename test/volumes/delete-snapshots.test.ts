// Deleting snapshots by ARM id and listing ours by their tags, against the Azure fake through the
// real @azure/arm-compute client: long-running deletes, already-gone snapshots, throttling, paging.
import { describe, expect, it } from "vitest";
import { snapshotDisk } from "../../src/volumes/azure-disk.js";
import {
  deleteSnapshot,
  groupOfSnapshot,
  listTaggedSnapshots,
  SnapshotDeletionError,
} from "../../src/volumes/delete-snapshots.js";
import { rejectionOf, useAzureFake } from "../helpers/azure-fake.js";
import { computeFor, depsFor, snapshotWrites, virtualTime, volumeOn } from "./harness.js";

const RP = "shop-20260101-020000-ab12";

describe("deleteSnapshot and listTaggedSnapshots", () => {
  const azure = useAzureFake({ defaultNodeResourceGroup: "MC_nodes", lroSteps: 2, pageSize: 2 });

  async function setup() {
    const { fake, tls, token } = azure();
    const compute = computeFor(fake, tls.caCert, token);
    const group = fake.createResourceGroup("aks-snapshots");
    const deps = depsFor(compute, virtualTime());
    const snapshot = async (recoveryPointId: string, diskName = "pvc-1") => {
      const disk = await fake.createDisk({ name: diskName, sizeGiB: 8, skuName: "Premium_LRS" });
      const result = await snapshotDisk(
        {
          recoveryPointId,
          instance: "shop",
          cluster: "prod",
          snapshotResourceGroup: group,
          volume: volumeOn(disk.id),
        },
        deps,
      );
      if (!result.ok) throw new Error(result.error.message);
      return result.record.snapshotId;
    };
    return { fake, compute, group, snapshot };
  }

  it("deletes a snapshot through the long-running operation, and a second delete finds nothing", async () => {
    const { fake, compute, snapshot } = await setup();
    const id = await snapshot(RP);

    expect(await deleteSnapshot(compute, id, { updateIntervalInMs: 5 })).toBe("deleted");
    expect(fake.snapshot(id)).toBeUndefined();
    expect(await deleteSnapshot(compute, id, { updateIntervalInMs: 5 })).toBe("absent");
    expect(snapshotWrites(fake.requests, "DELETE").map((r) => r.status)).toEqual([202, 204]);
  });

  it("treats a snapshot in a resource group that no longer exists as already gone", async () => {
    const { fake, compute } = await setup();
    const id = `/subscriptions/${fake.subscriptionId}/resourceGroups/gone/providers/Microsoft.Compute/snapshots/x`;
    expect(await deleteSnapshot(compute, id)).toBe("absent");
  });

  it("waits out a 429 with Retry-After and deletes with one more DELETE", async () => {
    const { fake, compute, snapshot } = await setup();
    const id = await snapshot(RP);
    fake.faults.throttle({
      method: "DELETE",
      resourceType: "Microsoft.Compute/snapshots",
      retryAfterSeconds: 1,
    });

    expect(await deleteSnapshot(compute, id, { updateIntervalInMs: 5 })).toBe("deleted");
    const deletes = snapshotWrites(fake.requests, "DELETE");
    expect(deletes.map((r) => r.status)).toEqual([429, 202]);
    expect((deletes[1]?.at ?? 0) - (deletes[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
    expect(fake.snapshot(id)).toBeUndefined();
  });

  it("names the snapshot when Azure keeps failing, and leaves it in place", async () => {
    const { fake, compute, snapshot } = await setup();
    const id = await snapshot(RP);
    fake.faults.fail({
      method: "DELETE",
      resourceType: "Microsoft.Compute/snapshots",
      status: 500,
      count: 10,
    });

    const error = await rejectionOf(deleteSnapshot(compute, id, { updateIntervalInMs: 5 }));
    expect(error).toBeInstanceOf(SnapshotDeletionError);
    expect(error).toMatchObject({ code: "ArmError", resourceId: id });
    expect(error.message).toMatch(new RegExp(`^cannot delete snapshot ${id}: .*\\(500\\)`));
    expect(fake.snapshot(id)).toBeDefined();
  });

  it("refuses a snapshot in a subscription the app is not configured for, without calling Azure", async () => {
    const { fake, tls, token } = azure();
    const compute = computeFor(fake, tls.caCert, token, ["00000000-0000-0000-0000-000000000000"]);
    const id = `/subscriptions/${fake.subscriptionId}/resourceGroups/rg/providers/Microsoft.Compute/snapshots/x`;

    const error = await rejectionOf(deleteSnapshot(compute, id));
    expect(error).toMatchObject({ code: "SubscriptionNotAllowed" });
    expect(error.message).toContain(fake.subscriptionId);
    expect(fake.requests).toEqual([]);
    expect((await rejectionOf(deleteSnapshot(compute, "not-an-id"))).message).toBe(
      '"not-an-id" is not a snapshot id',
    );
  });

  it("lists only our tagged snapshots of a group, across pages, with their recovery point and age", async () => {
    const { fake, compute, group, snapshot } = await setup();
    const ids = [
      await snapshot(RP, "pvc-1"),
      await snapshot(RP, "pvc-2"),
      await snapshot("shop-20260102-020000-cd34"),
    ];
    const foreign = await fake.createDisk({ name: "other", sizeGiB: 4, skuName: "Standard_LRS" });
    await azure().compute.snapshots.createOrUpdate(
      "aks-snapshots",
      "someone-elses",
      { location: foreign.location, creationData: { createOption: "Copy", sourceResourceId: foreign.id } },
      { updateIntervalInMs: 5 },
    );

    const listed = await listTaggedSnapshots(compute, group);
    expect(listed.map((s) => s.id).sort()).toEqual([...ids].sort());
    expect(listed.find((s) => s.id === ids[2])).toMatchObject({
      recoveryPointId: "shop-20260102-020000-cd34",
      instance: "shop",
      timeCreated: expect.any(Date),
    });
    // Four snapshots at two per page: the listing followed nextLink.
    const lists = fake.requests.filter((r) => r.method === "GET" && /\/snapshots$/i.test(r.path));
    expect(lists.length).toBeGreaterThan(1);
    expect(groupOfSnapshot(ids[0] ?? "")).toBe(group.toLowerCase());
  });

  it("lists nothing in a resource group that does not exist", async () => {
    const { fake, compute } = await setup();
    expect(
      await listTaggedSnapshots(compute, `/subscriptions/${fake.subscriptionId}/resourceGroups/none`),
    ).toEqual([]);
  });
});
