// Paged lists of the Azure fake (nextLink, by resource group and subscription) and Azure's limits
// on incremental snapshots per disk, with the fake's clock moved instead of waiting.
import { describe, expect, it } from "vitest";
import { fastPolling, location, rejectionOf, useAzureFake } from "../helpers/azure-fake.js";

const start = new Date("2026-03-01T02:00:00Z");
let now = start;

describe("Azure fake: list paging", () => {
  const azure = useAzureFake({ pageSize: 2, lroSteps: 1 });

  it("pages disks and snapshots by resource group and by subscription with nextLink", async () => {
    const { fake, compute } = azure();
    fake.createResourceGroup("rg-a");
    fake.createResourceGroup("rg-b");
    const names = [
      ["rg-a", "a1"],
      ["rg-a", "a2"],
      ["rg-a", "a3"],
      ["rg-b", "b1"],
      ["rg-b", "b2"],
    ] as const;
    const disks = await Promise.all(
      names.map(([rg, name]) =>
        compute.disks.createOrUpdate(
          rg,
          name,
          { location, creationData: { createOption: "Empty" }, diskSizeGB: 1 },
          fastPolling,
        ),
      ),
    );
    await Promise.all(
      disks.map((disk) =>
        compute.snapshots.createOrUpdate(
          "rg-b",
          `s-${disk.name}`,
          { location, incremental: true, creationData: { createOption: "Copy", sourceResourceId: disk.id } },
          fastPolling,
        ),
      ),
    );

    const pageSizes: number[] = [];
    const inA: string[] = [];
    for await (const page of compute.disks.listByResourceGroup("rg-a").byPage()) {
      pageSizes.push(page.length);
      inA.push(...page.map((d) => d.name ?? ""));
    }
    expect(pageSizes).toEqual([2, 1]);
    expect(inA.sort()).toEqual(["a1", "a2", "a3"]);

    const all: string[] = [];
    for await (const disk of compute.disks.list()) all.push(disk.name ?? "");
    expect(all.sort()).toEqual(["a1", "a2", "a3", "b1", "b2"]);

    const snapshots: string[] = [];
    for await (const snapshot of compute.snapshots.list()) snapshots.push(snapshot.name ?? "");
    expect(snapshots).toHaveLength(5);
    const inB: string[] = [];
    for await (const snapshot of compute.snapshots.listByResourceGroup("rg-b")) inB.push(snapshot.name ?? "");
    expect(inB.sort()).toEqual(snapshots.sort());

    const followed = fake.requests.filter((r) => r.query.includes("$skiptoken="));
    expect(followed.length).toBeGreaterThanOrEqual(1 + 2 + 2 + 2);
  });

  it("does not skip or repeat items when one is deleted between pages", async () => {
    const { fake, compute } = azure();
    fake.createResourceGroup("rg");
    for (const name of ["d1", "d2", "d3", "d4"]) {
      await compute.disks.createOrUpdate(
        "rg",
        name,
        { location, creationData: { createOption: "Empty" }, diskSizeGB: 1 },
        fastPolling,
      );
    }
    const seen: string[] = [];
    for await (const page of compute.disks.listByResourceGroup("rg").byPage()) {
      seen.push(...page.map((d) => d.name ?? ""));
      if (seen.length === 2) await compute.disks.delete("rg", "d1", fastPolling);
    }
    expect(seen).toEqual(["d1", "d2", "d3", "d4"]);
  });
});

describe("Azure fake: incremental snapshot limits", () => {
  const azure = useAzureFake({ lroSteps: 1, clock: () => now, snapshotLimits: { perDisk: 9 } });

  it("allows 7 incremental snapshots per disk every 5 minutes, then the configured total", async () => {
    now = start;
    const { fake, compute } = azure();
    fake.createResourceGroup("rg");
    const disk = await compute.disks.createOrUpdate(
      "rg",
      "d1",
      { location, creationData: { createOption: "Empty" }, diskSizeGB: 8 },
      fastPolling,
    );
    const snap = (name: string) =>
      compute.snapshots.createOrUpdate(
        "rg",
        name,
        { location, incremental: true, creationData: { createOption: "Copy", sourceResourceId: disk.id } },
        fastPolling,
      );

    for (let i = 1; i <= 7; i++) {
      now = new Date(start.getTime() + i * 10_000);
      await snap(`s${i}`);
    }
    const eighth = await rejectionOf(snap("s8"));
    expect(eighth).toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    expect(eighth.message).toContain("Up to 7 incremental snapshots per disk can be created every 5 minutes");
    expect(eighth.message).toContain("Retry after 2026-03-01T02:05:10.000Z");
    // A full (not incremental) snapshot is not counted.
    await compute.snapshots.createOrUpdate(
      "rg",
      "full",
      { location, incremental: false, creationData: { createOption: "Copy", sourceResourceId: disk.id } },
      fastPolling,
    );

    // The window slides: 5 minutes after the first two, two more fit.
    now = new Date(start.getTime() + 5 * 60_000 + 20_000);
    await snap("s8");
    await snap("s9");
    const tenth = await rejectionOf(snap("s10"));
    expect(tenth).toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    expect(tenth.message).toContain("at most 9 incremental snapshots can be created for a single disk");
    expect(fake.snapshotsOf(disk.id ?? "").map((s) => s.name)).toHaveLength(10);

    // Re-sending the PUT of an existing snapshot is an update, not a new snapshot.
    expect((await snap("s9")).provisioningState).toBe("Succeeded");
  });
});
