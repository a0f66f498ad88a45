// Retention as activities against Azurite and the Azure fake: applyRetention deletes exactly the
// expired recovery points with their snapshots, stop protection retains or deletes, and the daily
// sweep runs through the local runtime (durable-functions' own replay).
import { describe, expect, it } from "vitest";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime } from "../../src/local/runtime.js";
import { registerModules } from "../../src/orchestrations/module.js";
import {
  applyRetention,
  removeRecoveryPoint,
  retentionModule,
  retentionSweepId,
  type SweepResult,
  stopProtection,
  sweepStorage,
} from "../../src/orchestrations/retention.js";
import { DefinitionConflictError } from "../../src/store/definitions.js";
import { rejectionOf } from "../helpers/azure-fake.js";
import { DAY, HOUR, useRetentionWorld } from "../retention/world.js";

const MARCH_1 = Date.parse("2026-03-01T02:00:00Z");

describe("retention activities", () => {
  const world = useRetentionWorld();

  async function dailyPoints(instance: string, days: number, options = {}) {
    const points = [];
    for (let day = 0; day < days; day++) {
      points.push(await world().commitPoint(instance, new Date(MARCH_1 + day * DAY), options));
    }
    return points;
  }

  it("deletes exactly the expired recovery points with their snapshots and blobs, and nothing on a second run", async () => {
    const w = world();
    await w.protect("shop");
    const points = await dailyPoints("shop", 10);
    w.setNow(Date.parse("2026-03-10T03:00:00Z"));

    const result = await applyRetention({ instance: "shop" }, w.env);

    // P7D: the points of March 1-3 ended before 03:00 on March 10.
    const expired = points.slice(0, 3);
    const kept = points.slice(3);
    expect(result).toEqual({ instance: "shop", kept: 7, deleted: expired.map((p) => p.id), failed: [] });
    for (const point of expired) {
      expect(await w.blobsUnder(`shop/${point.id}/`)).toEqual([]);
      expect(w.azure.fake.snapshot(point.snapshotIds[0] ?? "")).toBeUndefined();
    }
    for (const point of kept) expect(w.azure.fake.snapshot(point.snapshotIds[0] ?? "")).toBeDefined();
    expect((await w.env.catalog.listRecoveryPoints("shop")).map((m) => m.id)).toEqual(
      kept.map((p) => p.id).reverse(),
    );

    expect(await applyRetention({ instance: "shop" }, w.env)).toEqual({
      instance: "shop",
      kept: 7,
      deleted: [],
      failed: [],
    });
  });

  it("never deletes the newest successful point, while failed and on-demand points follow their own retention", async () => {
    const w = world();
    await w.protect("shop");
    const good = await w.commitPoint("shop", new Date(MARCH_1));
    const failed = await w.commitPoint("shop", new Date(MARCH_1 + DAY), { status: "Failed" });
    const longOnDemand = await w.commitPoint("shop", new Date(MARCH_1 + DAY + HOUR), {
      trigger: "OnDemand",
      retention: "P60D",
    });
    const newest = await w.commitPoint("shop", new Date(MARCH_1 + DAY + 2 * HOUR), {
      trigger: "OnDemand",
      retention: "P1D",
    });
    w.setNow(MARCH_1 + 30 * DAY);

    const first = await applyRetention({ instance: "shop" }, w.env);

    expect(first).toMatchObject({ kept: 2, deleted: [good.id, failed.id] });
    expect((await w.env.catalog.listRecoveryPoints("shop")).map((m) => m.id)).toEqual([
      newest.id,
      longOnDemand.id,
    ]);

    // Past P60D too: only the newest successful point remains, a month past its own P1D.
    w.setNow(MARCH_1 + 90 * DAY);
    expect(await applyRetention({ instance: "shop" }, w.env)).toMatchObject({
      kept: 1,
      deleted: [longOnDemand.id],
    });
    expect((await w.env.catalog.listRecoveryPoints("shop")).map((m) => m.id)).toEqual([newest.id]);
    expect(w.azure.fake.snapshot(newest.snapshotIds[0] ?? "")).toBeDefined();
  });

  it("finishes a deletion an earlier run left half-way, and reports a point it cannot delete", async () => {
    const w = world();
    await w.protect("shop");
    const [interrupted, stuck] = await dailyPoints("shop", 3, { volumes: 2 });
    if (!interrupted || !stuck) throw new Error("points missing");
    await w.env.catalog.markForDeletion(interrupted.id, "retention ended", new Date(MARCH_1 + 8 * DAY));
    w.azure.fake.faults.failOperations({ method: "DELETE", path: stuck.snapshotIds[1] ?? "" });
    w.setNow(MARCH_1 + 8 * DAY + 3 * HOUR);

    const result = await applyRetention({ instance: "shop" }, w.env);

    expect(result.deleted).toEqual([interrupted.id]);
    expect(result.failed).toEqual([
      {
        id: stuck.id,
        error: expect.stringMatching(
          `^cannot delete ${stuck.id}: 1 of 2 snapshots could not be deleted \\(cannot delete snapshot ${stuck.snapshotIds[1]}: .*InternalOperationError`,
        ),
      },
    ]);
    expect(await w.blobsUnder(`shop/${stuck.id}/`)).toContain(`shop/${stuck.id}/deleting.json`);

    expect(await applyRetention({ instance: "shop" }, w.env)).toMatchObject({
      deleted: [stuck.id],
      failed: [],
    });
    expect(await w.blobsUnder(`shop/${stuck.id}/`)).toEqual([]);
  });

  it("stop protection with retain keeps every point, listed, never expired, deletable one by one", async () => {
    const w = world();
    await w.protect("shop");
    const points = await dailyPoints("shop", 2);

    const stopped = await stopProtection(w.env, "shop", "retain");
    w.setNow(MARCH_1 + 365 * DAY);
    const retention = await applyRetention({ instance: "shop" }, w.env);
    const sweep = await sweepStorage({ at: w.now().toISOString() }, w.env);

    expect(stopped).toEqual({ instance: "shop", definitionDeleted: true, data: "retain" });
    expect(await w.env.definitions.get("instance", "shop")).toBeUndefined();
    expect(retention).toMatchObject({
      deleted: [],
      skipped: expect.stringContaining("no stored definition"),
    });
    expect(sweep).toMatchObject({ orphansDeleted: 0, prefixesRemoved: 0 });
    expect((await w.env.catalog.listRecoveryPoints("shop")).map((m) => m.id)).toEqual(
      points.map((p) => p.id).reverse(),
    );
    for (const point of points) expect(w.azure.fake.snapshot(point.snapshotIds[0] ?? "")).toBeDefined();

    // Later, one by one.
    const [first, second] = points;
    expect(await removeRecoveryPoint(w.env, first?.id ?? "")).toMatchObject({ snapshotsDeleted: 1 });
    expect((await w.env.catalog.listRecoveryPoints("shop")).map((m) => m.id)).toEqual([second?.id]);
    expect(w.azure.fake.snapshot(first?.snapshotIds[0] ?? "")).toBeUndefined();
    expect(await rejectionOf(removeRecoveryPoint(w.env, first?.id ?? ""))).toMatchObject({
      code: "RecoveryPointNotFound",
      message: `recovery point ${first?.id} does not exist`,
    });
  });

  it("stop protection with delete removes every point, the newest included, and honours If-Match", async () => {
    const w = world();
    await w.protect("shop");
    await w.protect("cart");
    const points = await dailyPoints("shop", 2, { volumes: 2 });
    const other = await w.commitPoint("cart", new Date(MARCH_1));
    const stored = await w.env.definitions.get("instance", "shop");
    await w.env.definitions.put(
      "instance",
      { ...stored?.value, excludedNamespaces: ["tmp"] },
      { ifMatch: "*" },
    );

    const conflict = await rejectionOf(
      stopProtection(w.env, "shop", "delete", { ifMatch: stored?.etag ?? "" }),
    );
    expect(conflict).toBeInstanceOf(DefinitionConflictError);
    expect(await w.env.catalog.listRecoveryPoints("shop")).toHaveLength(2);

    const stopped = await stopProtection(w.env, "shop", "delete");

    expect(stopped).toEqual({
      instance: "shop",
      definitionDeleted: true,
      data: "delete",
      deletion: { instance: "shop", deleted: points.map((p) => p.id).reverse(), failed: [] },
    });
    expect(await w.blobsUnder("shop/")).toEqual([]);
    for (const id of points.flatMap((p) => p.snapshotIds)) expect(w.azure.fake.snapshot(id)).toBeUndefined();
    expect(await w.env.catalog.listRecoveryPoints("cart")).toHaveLength(1);
    expect(w.azure.fake.snapshot(other.snapshotIds[0] ?? "")).toBeDefined();
  });

  it("runs the daily sweep through the local runtime: storage first, then every instance, one failure reported", async () => {
    const w = world();
    await w.protect("shop");
    await w.protect("cart");
    const shop = await dailyPoints("shop", 3);
    const cart = await dailyPoints("cart", 3);
    const [stuck] = cart;
    w.azure.fake.faults.failOperations({ method: "DELETE", path: stuck?.snapshotIds[0] ?? "" });
    w.setNow(MARCH_1 + 9 * DAY + HOUR);
    const registry = await captureRegistrations(() => registerModules([retentionModule], async () => w.env));
    const runtime = new LocalRuntime(registry, { now: () => w.now().getTime(), delay: async () => {} });

    const at = w.now();
    const id = await runtime.startNew("retentionSweep", {
      instanceId: retentionSweepId(at),
      input: { at: at.toISOString() },
    });
    const status = await runtime.waitForCompletion(id, { timeoutMs: 20_000 });

    expect(id).toBe("retentionSweep:2026-03-10");
    expect(status.runtimeStatus).toBe("Completed");
    const output = status.output as SweepResult;
    expect(output.storage).toMatchObject({ deletionsFinished: 0, failureCount: 0 });
    expect(output.instances).toEqual([
      {
        instance: "cart",
        kept: 1,
        deleted: cart.slice(1, 2).map((p) => p.id),
        failed: [{ id: stuck?.id, error: expect.stringContaining("InternalOperationError") }],
      },
      { instance: "shop", kept: 1, deleted: shop.slice(0, 2).map((p) => p.id), failed: [] },
    ]);
    expect((await w.env.catalog.listRecoveryPoints("shop")).map((m) => m.id)).toEqual([shop[2]?.id]);
  });
});
