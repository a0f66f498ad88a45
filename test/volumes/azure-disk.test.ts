// snapshotDisk against the Azure fake through the real @azure/arm-compute client: incremental
// snapshots with tags, adoption on retry, 429/5xx, failed operations, completion and the rate guard.
import { describe, expect, it } from "vitest";
import { type SnapshotDiskRequest, snapshotDisk } from "../../src/volumes/azure-disk.js";
import { SnapshotRateGuard } from "../../src/volumes/rate-guard.js";
import { SNAPSHOT_TAGS } from "../../src/volumes/snapshot-identity.js";
import { useAzureFake } from "../helpers/azure-fake.js";
import { computeFor, depsFor, snapshotWrites, virtualTime, volumeOn } from "./harness.js";

describe("snapshotDisk", () => {
  const azure = useAzureFake({ defaultNodeResourceGroup: "MC_nodes", lroSteps: 1 });

  async function setup(options: { zone?: string } = {}) {
    const { fake, tls, token } = azure();
    const disk = await fake.createDisk({
      name: "pvc-123",
      sizeGiB: 32,
      skuName: "Premium_LRS",
      ...(options.zone ? { zone: options.zone } : {}),
    });
    const snapshotResourceGroup = fake.createResourceGroup("aks-snapshots");
    const time = virtualTime();
    const deps = depsFor(computeFor(fake, tls.caCert, token), time);
    const request = (recoveryPointId = "shop-20260101-020000-ab12"): SnapshotDiskRequest => ({
      recoveryPointId,
      instance: "prod-shop",
      cluster: "prod",
      snapshotResourceGroup,
      volume: volumeOn(disk.id),
    });
    return { fake, disk, snapshotResourceGroup, time, deps, request };
  }

  it("creates one incremental snapshot in the snapshot group, in the disk's region, tagged in the creating PUT", async () => {
    const { fake, disk, snapshotResourceGroup, deps, request } = await setup({ zone: "2" });
    const result = await snapshotDisk(request(), deps);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.adopted).toBe(false);
    expect(result.record).toMatchObject({
      pvc: "shop/data",
      pv: "pv-data",
      diskId: disk.id,
      sizeGiB: 32,
      zone: "2",
      storageClass: "managed-csi",
      completionPercent: 100,
    });
    expect(result.record.snapshotId.toLowerCase()).toContain(
      `${snapshotResourceGroup.toLowerCase()}/providers/microsoft.compute/snapshots/`,
    );
    const [snapshot, ...others] = fake.snapshotsOf(disk.id);
    expect(others).toEqual([]);
    expect(snapshot).toMatchObject({
      incremental: true,
      location: disk.location,
      resourceGroup: "aks-snapshots",
      provisioningState: "Succeeded",
      tags: {
        [SNAPSHOT_TAGS.recoveryPoint]: "shop-20260101-020000-ab12",
        [SNAPSHOT_TAGS.instance]: "prod-shop",
        [SNAPSHOT_TAGS.cluster]: "prod",
        [SNAPSHOT_TAGS.pvc]: "shop/data",
        [SNAPSHOT_TAGS.pv]: "pv-data",
      },
    });
    expect(snapshotWrites(fake.requests)).toHaveLength(1);
  });

  it("adopts the snapshot of a retried attempt instead of creating a second one", async () => {
    const { fake, disk, deps, request } = await setup();
    const first = await snapshotDisk(request(), deps);
    const again = await snapshotDisk(request(), deps);

    expect(again).toMatchObject({ ok: true, adopted: true });
    expect(again.ok && first.ok && again.record.snapshotId).toBe(first.ok && first.record.snapshotId);
    expect(fake.snapshotsOf(disk.id)).toHaveLength(1);
    expect(snapshotWrites(fake.requests)).toHaveLength(1);
  });

  it("reports a disk deleted after the claim was bound, without creating anything", async () => {
    const { fake, disk, deps, request } = await setup();
    await fake.deleteDisk(disk.id);
    const result = await snapshotDisk(request(), deps);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("DiskNotFound");
    expect(result.error.message).toBe(
      `snapshot of shop/data failed: disk ${disk.id} not found (deleted after the claim was bound?)`,
    );
    expect(snapshotWrites(fake.requests)).toEqual([]);
  });

  it("waits for a 429's Retry-After, and retries a throttled PUT as one write", async () => {
    const { fake, deps, request } = await setup();
    fake.faults.throttle({
      method: "PUT",
      resourceType: "Microsoft.Compute/snapshots",
      retryAfterSeconds: 1,
    });
    const result = await snapshotDisk(request(), deps);

    expect(result.ok).toBe(true);
    const puts = snapshotWrites(fake.requests);
    expect(puts.map((r) => r.status)).toEqual([429, 202]);
    expect((puts[1]?.at ?? 0) - (puts[0]?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it("gives up after a bounded number of retries when Azure keeps throttling", async () => {
    const { fake, disk, deps, request } = await setup();
    fake.faults.throttle({
      method: "PUT",
      resourceType: "Microsoft.Compute/snapshots",
      retryAfterSeconds: 0,
      count: 50,
    });
    const result = await snapshotDisk(request(), deps);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("Throttled");
    expect(result.error.message).toMatch(/^snapshot of shop\/data failed: .*TooManyRequests/);
    expect(snapshotWrites(fake.requests)).toHaveLength(4);
    expect(fake.snapshotsOf(disk.id)).toEqual([]);
  });

  it("rides out 5xx answers mid-way (on the PUT and on the operation poll)", async () => {
    const { fake, disk, deps, request } = await setup();
    fake.faults.fail({ method: "PUT", resourceType: "Microsoft.Compute/snapshots", status: 503 });
    fake.faults.fail({ method: "GET", path: /\/DiskOperations\//, status: 500 });
    const result = await snapshotDisk(request(), deps);

    expect(result.ok).toBe(true);
    expect(fake.faults.pending).toBe(0);
    expect(fake.snapshotsOf(disk.id)).toHaveLength(1);
    expect(snapshotWrites(fake.requests).map((r) => r.status)).toEqual([503, 202]);
  });

  it("deletes a snapshot whose operation failed, and says so", async () => {
    const { fake, disk, deps, request } = await setup();
    fake.faults.failOperations({ method: "PUT", resourceType: "Microsoft.Compute/snapshots" });
    const result = await snapshotDisk(request(), deps);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("SnapshotFailed");
    expect(result.error.message).toMatch(
      /^snapshot of shop\/data failed: creating snapshot .*InternalOperationError.*was deleted$/,
    );
    expect(result.record).toBeUndefined();
    expect(fake.snapshotsOf(disk.id)).toEqual([]);
  });

  it("records a failed snapshot it cannot delete: tagged and in the result, never an untagged orphan", async () => {
    const { fake, disk, deps, request } = await setup();
    fake.faults.failOperations({ method: "PUT", resourceType: "Microsoft.Compute/snapshots" });
    fake.faults.fail({
      method: "DELETE",
      resourceType: "Microsoft.Compute/snapshots",
      status: 500,
      count: 10,
    });
    const result = await snapshotDisk(request(), deps);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    const [left] = fake.snapshotsOf(disk.id);
    expect(left?.provisioningState).toBe("Failed");
    expect(left?.tags[SNAPSHOT_TAGS.recoveryPoint]).toBe("shop-20260101-020000-ab12");
    expect(result.record).toMatchObject({ snapshotId: left?.id, pvc: "shop/data" });
    expect(result.record?.error).toMatch(/deleting it failed too/);
    expect(result.error.snapshotId).toBe(result.record?.snapshotId);
  });

  it("re-creates a snapshot a previous attempt left Failed", async () => {
    const { fake, disk, deps, request } = await setup();
    fake.faults.failOperations({ method: "PUT", resourceType: "Microsoft.Compute/snapshots" });
    fake.faults.fail({
      method: "DELETE",
      resourceType: "Microsoft.Compute/snapshots",
      status: 500,
      count: 4,
    });
    expect((await snapshotDisk(request(), deps)).ok).toBe(false);
    const retried = await snapshotDisk(request(), deps);

    expect(retried).toMatchObject({ ok: true });
    expect(fake.snapshotsOf(disk.id).map((s) => s.provisioningState)).toEqual(["Succeeded"]);
  });

  it("refuses an 8th snapshot of one disk within 5 minutes before calling Azure", async () => {
    const { fake, disk, deps, request, time } = await setup();
    for (let i = 0; i < 7; i++) {
      expect((await snapshotDisk(request(`rp-${i}`), deps)).ok).toBe(true);
    }
    const refused = await snapshotDisk(request("rp-7"), deps);

    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe("RateLimited");
    expect(refused.error.message).toMatch(
      /disk .* already had 7 snapshot attempts in the last 5 minutes; Azure allows 7 incremental snapshots per disk in that time, so none was attempted \(retry in 300 s\)/,
    );
    expect(snapshotWrites(fake.requests)).toHaveLength(7);
    expect(fake.snapshotsOf(disk.id)).toHaveLength(7);

    time.advance(5 * 60_000);
    const guard = deps.rateGuard;
    expect(guard.take(disk.id)).toEqual({ allowed: true });
  });

  it("does not count adopted snapshots against the rate guard", async () => {
    const { deps, request } = await setup();
    const guard = new SnapshotRateGuard({ clock: () => 0, perWindow: 1 });
    const withGuard = { ...deps, rateGuard: guard };
    expect((await snapshotDisk(request(), withGuard)).ok).toBe(true);
    expect(await snapshotDisk(request(), withGuard)).toMatchObject({ ok: true, adopted: true });
  });

  it("refuses a disk whose subscription the app may not use, and a snapshot group in another subscription", async () => {
    const { fake, deps, request } = await setup();
    const other = "00000000-1111-2222-3333-444444444444";
    const foreignDisk = `/subscriptions/${other}/resourceGroups/rg/providers/Microsoft.Compute/disks/d1`;
    const foreign = await snapshotDisk(
      {
        ...request(),
        snapshotResourceGroup: `/subscriptions/${other}/resourceGroups/snaps`,
        volume: volumeOn(foreignDisk),
      },
      deps,
    );
    expect(foreign.ok === false && foreign.error.code).toBe("SubscriptionNotAllowed");
    expect(foreign.ok === false && foreign.error.message).toContain(
      `which this app is not configured to use (allowed: ${fake.subscriptionId})`,
    );

    const crossed = await snapshotDisk({ ...request(), volume: volumeOn(foreignDisk) }, deps);
    expect(crossed.ok === false && crossed.error.code).toBe("CrossSubscription");
    expect(crossed.ok === false && crossed.error.message).toContain(
      "Azure creates incremental snapshots only in the disk's subscription",
    );
  });

  it("stops on abort instead of reporting it as one volume's error", async () => {
    const { fake, deps, request } = await setup();
    const controller = new AbortController();
    controller.abort(new Error("backup cancelled"));
    await expect(snapshotDisk(request(), deps, { abortSignal: controller.signal })).rejects.toThrow(
      "backup cancelled",
    );
    expect(snapshotWrites(fake.requests)).toEqual([]);
  });

  it("names a snapshot resource group that does not exist", async () => {
    const { fake, deps, request } = await setup();
    const missing = `/subscriptions/${fake.subscriptionId}/resourceGroups/no-such-group`;
    const result = await snapshotDisk({ ...request(), snapshotResourceGroup: missing }, deps);

    expect(result.ok === false && result.error.code).toBe("ResourceGroupNotFound");
    expect(result.ok === false && result.error.message).toContain(
      `snapshot resource group ${missing} does not exist`,
    );
  });
});

describe("snapshotDisk: waiting for the copy", () => {
  const azure = useAzureFake({ defaultNodeResourceGroup: "MC_nodes", lroSteps: 3 });

  async function setup() {
    const { fake, tls, token } = azure();
    const disk = await fake.createDisk({ name: "pvc-9", sizeGiB: 8, skuName: "StandardSSD_LRS" });
    const time = virtualTime();
    const compute = computeFor(fake, tls.caCert, token);
    const request: SnapshotDiskRequest = {
      recoveryPointId: "rp-1",
      instance: "i",
      cluster: "c",
      snapshotResourceGroup: fake.createResourceGroup("snaps"),
      volume: volumeOn(disk.id),
    };
    return { fake, disk, time, compute, request };
  }

  it("polls completionPercent with the injected delay until it reaches 100", async () => {
    const { time, compute, request } = await setup();
    const result = await snapshotDisk(request, depsFor(compute, time, { completionPollMs: 2_000 }));

    expect(result).toMatchObject({ ok: true, record: { completionPercent: 100 } });
    // The poller's final GET reads 33%; two more reads reach 100%: the first soon, then backing off
    // toward the configured interval.
    expect(time.delays).toEqual([1_000, 2_000]);
  });

  it("records a created snapshot whose state can no longer be read (ARM down mid-way)", async () => {
    const { fake, disk, time, compute, request } = await setup();
    const armGoesDown = async (ms: number) => {
      await time.delay(ms);
      fake.faults.fail({
        method: "GET",
        resourceType: "Microsoft.Compute/snapshots",
        status: 503,
        count: 10,
      });
    };
    const result = await snapshotDisk(request, depsFor(compute, time, { delay: armGoesDown }));

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("NotComplete");
    expect(result.record).toMatchObject({
      completionPercent: 33,
      snapshotId: fake.snapshotsOf(disk.id)[0]?.id,
    });
    expect(result.record?.error).toMatch(/exists, but reading its state failed \(ServiceUnavailable \(503\)/);
  });

  it("records a snapshot whose copy is not complete in time, with the last percent", async () => {
    const { fake, disk, time, compute, request } = await setup();
    const deps = depsFor(compute, time, { completionPollMs: 1_000, completionTimeoutMs: 1_000 });
    const result = await snapshotDisk(request, deps);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("NotComplete");
    expect(result.record).toMatchObject({ completionPercent: 66 });
    expect(result.record?.error).toMatch(/is not usable after 1 s \(provisioning Succeeded, copy at 66%\)/);
    expect(fake.snapshotsOf(disk.id)).toHaveLength(1);
  });
});
