// The per-instance backup lock in Azurite: one holder at a time, re-entrant for its holder, taken
// over only when stale, released only by its holder.
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { JobLocks, STALE_LOCK_MS } from "../../src/store/job-locks.js";

describe("JobLocks", () => {
  let container: ContainerClient;
  let now = Date.parse("2026-03-01T02:00:00Z");
  const locks = () => new JobLocks(container, { now: () => new Date(now) });

  beforeAll(async () => {
    container = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString")).getContainerClient(
      `locks-${Date.now()}`,
    );
    await container.create();
  });

  it("lets one holder in, refuses another naming the holder, and lets the holder in again", async () => {
    const first = await locks().acquire("shop", { holder: "backup:shop:1", recoveryPointId: "rp-1" });
    expect(first).toEqual({
      acquired: true,
      lock: { holder: "backup:shop:1", recoveryPointId: "rp-1", since: "2026-03-01T02:00:00.000Z" },
    });
    const other = await locks().acquire("shop", { holder: "backup:shop:2" });
    expect(other).toEqual({ acquired: false, heldBy: expect.objectContaining({ holder: "backup:shop:1" }) });
    now += 60_000;
    const again = await locks().acquire("shop", { holder: "backup:shop:1" });
    expect(again).toMatchObject({ acquired: true, lock: { since: "2026-03-01T02:00:00.000Z" } });
    expect(await locks().get("shop")).toMatchObject({ holder: "backup:shop:1" });
  });

  it("lets only the holder release, and then anyone take it", async () => {
    await locks().acquire("db", { holder: "a" });
    expect(await locks().release("db", "b")).toBe(false);
    expect(await locks().get("db")).toMatchObject({ holder: "a" });
    expect(await locks().release("db", "a")).toBe(true);
    expect(await locks().get("db")).toBeUndefined();
    expect(await locks().release("db", "a")).toBe(false);
    expect(await locks().acquire("db", { holder: "b" })).toMatchObject({ acquired: true });
  });

  it("takes over a lock held longer than the stale limit, and names the holder it replaced", async () => {
    await locks().acquire("old", { holder: "crashed" });
    now += STALE_LOCK_MS - 1;
    expect(await locks().acquire("old", { holder: "next" })).toMatchObject({ acquired: false });
    now += 1;
    const taken = await locks().acquire("old", { holder: "next" });
    expect(taken).toMatchObject({ acquired: true, tookOver: { holder: "crashed" } });
    expect(await locks().release("old", "crashed")).toBe(false);
    expect(await locks().get("old")).toMatchObject({ holder: "next" });
  });

  it("lets exactly one of several concurrent takers in", async () => {
    const results = await Promise.all(
      ["p", "q", "r", "s"].map((holder) => locks().acquire("race", { holder })),
    );
    expect(results.filter((r) => r.acquired)).toHaveLength(1);
    const winner = results.find((r) => r.acquired);
    const holder = winner?.acquired ? winner.lock.holder : "";
    for (const r of results) if (!r.acquired) expect(r.heldBy.holder).toBe(holder);
  });

  it("treats an unreadable lock as held until it is as old as the stale limit", async () => {
    const body = "not json";
    await container.getBlockBlobClient("locks/broken.json").upload(body, body.length);
    const held = await new JobLocks(container).acquire("broken", { holder: "x" });
    expect(held).toMatchObject({ acquired: false, heldBy: { holder: "(unreadable lock)" } });
    const later = new JobLocks(container, { now: () => new Date(Date.now() + STALE_LOCK_MS + 60_000) });
    expect(await later.acquire("broken", { holder: "x" })).toMatchObject({ acquired: true });
  });

  it("refuses an instance name that is not DNS-1123, naming it", async () => {
    await expect(locks().acquire("../etc", { holder: "x" })).rejects.toThrow(/instance name "\.\.\/etc"/);
  });
});
