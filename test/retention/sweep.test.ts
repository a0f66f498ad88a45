// The storage sweep against Azurite and the Azure fake: deletions a crash interrupted are finished,
// what crashed backups left (blobs without a manifest, tagged snapshots) goes once older than the
// grace period, and nothing of a running backup or of another deployment is touched.
import { describe, expect, it } from "vitest";
import { sweepStorage } from "../../src/orchestrations/retention.js";
import { JobLocks } from "../../src/store/job-locks.js";
import { deleteSnapshot } from "../../src/volumes/delete-snapshots.js";
import { HOUR, useRetentionWorld } from "./world.js";

describe("sweepStorage", () => {
  const world = useRetentionWorld();

  it("finishes interrupted deletions and removes crashed backups and orphaned snapshots past the grace period only", async () => {
    const w = world();
    const t0 = w.now().getTime();
    await w.protect("shop");
    await w.protect("cart");
    const kept = await w.commitPoint("shop", new Date(t0 - HOUR));
    const interrupted = await w.commitPoint("shop", new Date(t0 - 2 * HOUR), { volumes: 2 });
    await w.env.catalog.markForDeletion(interrupted.id, "retention ended", new Date(t0));
    await deleteSnapshot(w.compute, interrupted.snapshotIds[0] ?? "");
    const crashed = await w.commitPoint("shop", new Date(t0 - 3 * HOUR), { commit: false });
    const running = await w.commitPoint("cart", new Date(t0 - 3 * HOUR), { commit: false });
    await new JobLocks(w.env.catalog.container).acquire("cart", { holder: "backup:cart:x" });
    // Tagged by another deployment (an instance this catalog does not know) in the same group.
    const stranger = await w.commitPoint("stranger", new Date(t0 - 3 * HOUR), {
      commit: false,
      upload: false,
    });

    w.setNow(t0 + HOUR);
    const first = await sweepStorage({ at: w.now().toISOString() }, w.env);

    expect(first).toEqual({
      deletionsFinished: 1,
      prefixesRemoved: 0,
      prefixesKept: 2,
      groupsScanned: 1,
      orphansDeleted: 0,
      orphansKept: 2,
      restoreRecordsRemoved: 0,
      failures: [],
      failureCount: 0,
    });
    expect(await w.blobsUnder(`shop/${interrupted.id}/`)).toEqual([]);
    expect(w.azure.fake.snapshot(interrupted.snapshotIds[1] ?? "")).toBeUndefined();

    // A day later a backup crashes right after its snapshot: that one is still within the grace period.
    w.setNow(t0 + 24 * HOUR);
    const fresh = await w.commitPoint("shop", new Date(t0 + 24 * HOUR), { commit: false, upload: false });
    w.setNow(t0 + 25 * HOUR);
    const second = await sweepStorage({ at: w.now().toISOString() }, w.env);

    expect(second).toMatchObject({
      deletionsFinished: 0,
      prefixesRemoved: 1,
      prefixesKept: 1,
      orphansDeleted: 1,
      orphansKept: 2,
      failureCount: 0,
    });
    expect(await w.blobsUnder(`shop/${crashed.id}/`)).toEqual([]);
    expect(w.azure.fake.snapshot(crashed.snapshotIds[0] ?? "")).toBeUndefined();
    expect(w.azure.fake.snapshot(fresh.snapshotIds[0] ?? "")).toBeDefined();
    expect(await w.blobsUnder(`cart/${running.id}/`)).toEqual([...running.blobs].sort());
    expect(w.azure.fake.snapshot(running.snapshotIds[0] ?? "")).toBeDefined();
    expect(w.azure.fake.snapshot(stranger.snapshotIds[0] ?? "")).toBeDefined();
    expect(await w.blobsUnder(`shop/${kept.id}/`)).toEqual([...kept.blobs].sort());
    expect(w.azure.fake.snapshot(kept.snapshotIds[0] ?? "")).toBeDefined();
  });

  it("scans the groups recorded in manifests too, and reports a deletion it could not finish", async () => {
    const w = world();
    const t0 = w.now().getTime();
    // Protection stopped with retain: no definition names the group, the manifests still do.
    const retained = await w.commitPoint("old-app", new Date(t0 - 48 * HOUR));
    const orphan = await w.commitPoint("old-app", new Date(t0 - 48 * HOUR), { commit: false, upload: false });
    const marked = await w.commitPoint("old-app", new Date(t0 - 47 * HOUR));
    await w.env.catalog.markForDeletion(marked.id, "deleted on request", new Date(t0));
    w.azure.fake.faults.failOperations({ method: "DELETE", path: marked.snapshotIds[0] ?? "" });

    w.setNow(t0 + 25 * HOUR);
    const result = await sweepStorage({ at: w.now().toISOString() }, w.env);

    expect(result).toMatchObject({
      deletionsFinished: 0,
      groupsScanned: 1,
      orphansDeleted: 1,
      failureCount: 1,
    });
    expect(result.failures[0]).toContain(`cannot delete ${marked.id}: 1 of 1 snapshots could not be deleted`);
    expect(w.azure.fake.snapshot(orphan.snapshotIds[0] ?? "")).toBeUndefined();
    expect(w.azure.fake.snapshot(marked.snapshotIds[0] ?? "")).toBeDefined();
    expect(w.azure.fake.snapshot(retained.snapshotIds[0] ?? "")).toBeDefined();
    expect((await w.env.catalog.listRecoveryPoints("old-app")).map((m) => m.id)).toEqual([retained.id]);
  });

  it("keeps a restore's record for 30 days after its last write, then removes it", async () => {
    const w = world();
    const t0 = w.now().getTime();
    const container = w.env.catalog.container;
    const names = ["restores/restore:shop-1:a/plan.json", "restores/restore:shop-1:a/result.json"];
    for (const name of names) await container.getBlockBlobClient(name).upload("{}", 2);

    const young = await sweepStorage({ at: w.now().toISOString() }, w.env);
    expect(young.restoreRecordsRemoved).toBe(0);
    expect(await w.blobsUnder("restores/")).toEqual(names);

    w.setNow(t0 + 31 * 24 * HOUR);
    const old = await sweepStorage({ at: w.now().toISOString() }, w.env);
    expect(old.restoreRecordsRemoved).toBe(1);
    expect(await w.blobsUnder("restores/")).toEqual([]);
  });
});
