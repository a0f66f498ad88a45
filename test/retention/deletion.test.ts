// Two-phase deletion of a recovery point in Azurite with its snapshots in the Azure fake: marked
// points leave the restorable listing at once, every step can be interrupted and finished later.
import { describe, expect, it } from "vitest";
import {
  type DeletionDeps,
  deleteRecoveryPoint,
  finishDeletion,
  RecoveryPointDeletionError,
} from "../../src/store/recovery-point-deletion.js";
import { deleteSnapshot } from "../../src/volumes/delete-snapshots.js";
import { rejectionOf } from "../helpers/azure-fake.js";
import { useRetentionWorld } from "./world.js";

describe("deleting a recovery point in two phases", () => {
  const world = useRetentionWorld();

  function deps(): DeletionDeps {
    const { compute } = world();
    return { deleteSnapshot: (id, options) => deleteSnapshot(compute, id, options) };
  }

  it("deletes its snapshots and blobs, the manifest last, and leaves its neighbours alone", async () => {
    const { env, azure, commitPoint, blobsUnder } = world();
    const old = await commitPoint("shop", new Date("2026-03-01T02:00:00Z"), { volumes: 2 });
    const kept = await commitPoint("shop", new Date("2026-03-02T02:00:00Z"), { volumes: 2 });

    const result = await deleteRecoveryPoint(
      env.catalog,
      old.id,
      { reason: "retention ended", at: new Date("2026-03-20T00:00:00Z") },
      deps(),
    );

    expect(result).toEqual({ id: old.id, snapshotsDeleted: 2, snapshotsAbsent: 0, blobsDeleted: 3 });
    expect(await blobsUnder(`shop/${old.id}/`)).toEqual([]);
    for (const id of old.snapshotIds) expect(azure.fake.snapshot(id)).toBeUndefined();
    expect(await blobsUnder(`shop/${kept.id}/`)).toEqual([...kept.blobs].sort());
    for (const id of kept.snapshotIds) expect(azure.fake.snapshot(id)).toBeDefined();
    expect((await env.catalog.listRecoveryPoints("shop")).map((m) => m.id)).toEqual([kept.id]);
  });

  it("takes a marked point out of the restorable listing but shows it, with its first reason, among the entries", async () => {
    const { env, commitPoint } = world();
    const point = await commitPoint("shop", new Date("2026-03-01T02:00:00Z"));
    const other = await commitPoint("shop", new Date("2026-03-02T02:00:00Z"));

    await env.catalog.markForDeletion(point.id, "retention ended", new Date("2026-03-20T00:00:00Z"));
    const again = await env.catalog.markForDeletion(
      point.id,
      "deleted on request",
      new Date("2026-03-21T00:00:00Z"),
    );

    expect(again).toEqual({ id: point.id, reason: "retention ended", markedAt: "2026-03-20T00:00:00.000Z" });
    expect((await env.catalog.listRecoveryPoints("shop")).map((m) => m.id)).toEqual([other.id]);
    const entries = await env.catalog.listEntries("shop");
    expect(entries.map((e) => [e.manifest.id, e.deletion?.reason])).toEqual([
      [other.id, undefined],
      [point.id, "retention ended"],
    ]);
  });

  it("finishes a deletion interrupted after the marker and one deleted snapshot", async () => {
    const { env, azure, commitPoint, blobsUnder } = world();
    const point = await commitPoint("shop", new Date("2026-03-01T02:00:00Z"), { volumes: 2 });
    await env.catalog.markForDeletion(point.id, "retention ended", new Date());
    await deleteSnapshot(world().compute, point.snapshotIds[0] ?? "");
    // ...the process died here.

    const result = await finishDeletion(env.catalog, point.id, deps());

    expect(result).toMatchObject({ snapshotsDeleted: 1, snapshotsAbsent: 1, blobsDeleted: 3 });
    expect(await blobsUnder(`shop/${point.id}/`)).toEqual([]);
    expect(azure.fake.snapshot(point.snapshotIds[1] ?? "")).toBeUndefined();
  });

  it("finishes a deletion interrupted after the manifest, when only the marker is left", async () => {
    const { env, commitPoint, blobsUnder } = world();
    const point = await commitPoint("shop", new Date("2026-03-01T02:00:00Z"));
    await env.catalog.markForDeletion(point.id, "retention ended", new Date());
    for (const blob of point.blobs) await env.catalog.container.getBlobClient(blob).delete();
    expect(await blobsUnder(`shop/${point.id}/`)).toEqual([`shop/${point.id}/deleting.json`]);

    await finishDeletion(env.catalog, point.id, deps());

    expect(await blobsUnder(`shop/${point.id}/`)).toEqual([]);
  });

  it("keeps the manifest and the marker when a snapshot cannot be deleted, and names it", async () => {
    const { env, azure, commitPoint, blobsUnder } = world();
    const point = await commitPoint("shop", new Date("2026-03-01T02:00:00Z"));
    azure.fake.faults.fail({
      method: "DELETE",
      resourceType: "Microsoft.Compute/snapshots",
      status: 500,
      count: 4,
    });

    const error = await rejectionOf(
      deleteRecoveryPoint(env.catalog, point.id, { reason: "retention ended", at: new Date() }, deps()),
    );

    expect(error).toBeInstanceOf(RecoveryPointDeletionError);
    expect(error.message).toContain(`cannot delete ${point.id}: 1 of 1 snapshots could not be deleted`);
    expect(error.message).toContain(point.snapshotIds[0]);
    expect(error.message).toContain("the next sweep tries again");
    expect(await blobsUnder(`shop/${point.id}/`)).toEqual(
      [...point.blobs, `shop/${point.id}/deleting.json`].sort(),
    );
    expect(await env.catalog.listRecoveryPoints("shop")).toEqual([]);

    await finishDeletion(env.catalog, point.id, deps());
    expect(await blobsUnder(`shop/${point.id}/`)).toEqual([]);
    expect(azure.fake.snapshot(point.snapshotIds[0] ?? "")).toBeUndefined();
  });
});
