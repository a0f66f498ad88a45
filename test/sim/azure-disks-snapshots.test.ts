// Disks and snapshots in the Azure fake through the real @azure/arm-compute client: long-running
// operations, the incremental copy's completionPercent, disks from snapshots, ARM's error codes.
import { describe, expect, it } from "vitest";
import { fastPolling, location, rejectionOf, useAzureFake } from "../helpers/azure-fake.js";

describe("Azure fake: disks and snapshots through @azure/arm-compute", () => {
  const azure = useAzureFake({ lroSteps: 3 });

  it("creates a disk, an incremental snapshot whose copy completes, a disk from it, and deletes with LROs", async () => {
    const { fake, compute } = azure();
    fake.createResourceGroup("rg-app");

    const disk = await compute.disks.createOrUpdate(
      "rg-app",
      "pvc-data",
      {
        location,
        sku: { name: "Premium_LRS" },
        zones: ["2"],
        creationData: { createOption: "Empty" },
        diskSizeGB: 64,
        tags: { app: "shop" },
      },
      fastPolling,
    );
    expect(disk).toMatchObject({
      name: "pvc-data",
      provisioningState: "Succeeded",
      diskSizeGB: 64,
      diskSizeBytes: 64 * 1024 ** 3,
      diskState: "Unattached",
      zones: ["2"],
      sku: { name: "Premium_LRS" },
      tags: { app: "shop" },
    });
    expect(disk.id).toBe(
      `/subscriptions/${fake.subscriptionId}/resourceGroups/rg-app/providers/Microsoft.Compute/disks/pvc-data`,
    );
    expect(disk.timeCreated).toBeInstanceOf(Date);

    // The write went the way of ARM's long-running operations: 202, status polls, final GET.
    const diskCalls = fake.requests.map(
      (r) => `${r.method} ${r.status} ${r.path.split("/").slice(-2).join("/")}`,
    );
    expect(diskCalls[0]).toBe("PUT 202 disks/pvc-data");
    expect(diskCalls.filter((c) => c.startsWith("GET 200 DiskOperations/"))).toHaveLength(3);
    expect(diskCalls.at(-1)).toBe("GET 200 disks/pvc-data");

    const snapshot = await compute.snapshots.beginCreateOrUpdateAndWait(
      "rg-app",
      "rp1-pvc-data",
      { location, incremental: true, creationData: { createOption: "Copy", sourceResourceId: disk.id } },
      fastPolling,
    );
    expect(snapshot).toMatchObject({
      provisioningState: "Succeeded",
      incremental: true,
      diskSizeGB: 64,
      creationData: { createOption: "Copy", sourceResourceId: disk.id, sourceUniqueId: disk.uniqueId },
    });
    expect(snapshot.completionPercent).toBeLessThan(100);

    const early = await rejectionOf(
      compute.disks.createOrUpdate(
        "rg-app",
        "restored",
        { location, creationData: { createOption: "Copy", sourceResourceId: snapshot.id } },
        fastPolling,
      ),
    );
    expect(early).toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    expect(early.message).toMatch(/still being copied.*completionPercent/);

    const seen = [snapshot.completionPercent ?? 0];
    while ((seen.at(-1) ?? 0) < 100) {
      seen.push((await compute.snapshots.get("rg-app", "rp1-pvc-data")).completionPercent ?? 0);
    }
    expect(seen.length).toBeGreaterThan(2);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);

    const restored = await compute.disks.createOrUpdate(
      "rg-app",
      "restored",
      { location, zones: ["1"], creationData: { createOption: "Copy", sourceResourceId: snapshot.id } },
      fastPolling,
    );
    expect(restored).toMatchObject({
      diskSizeGB: 64,
      zones: ["1"],
      creationData: { createOption: "Copy", sourceResourceId: snapshot.id },
    });

    await compute.disks.beginDeleteAndWait("rg-app", "restored", fastPolling);
    expect(fake.requests.filter((r) => r.method === "DELETE").map((r) => r.status)).toEqual([202]);
    const gone = await rejectionOf(compute.disks.get("rg-app", "restored"));
    expect(gone).toMatchObject({ statusCode: 404, code: "ResourceNotFound" });
    expect(gone.message).toContain(
      "The Resource 'Microsoft.Compute/disks/restored' under resource group 'rg-app' was not found",
    );

    // Azure keeps snapshots when their disk goes.
    await compute.disks.delete("rg-app", "pvc-data", fastPolling);
    expect(fake.snapshotsOf(disk.id ?? "")).toHaveLength(1);
  });

  it("answers mistakes with ARM's error codes", async () => {
    const { fake, compute } = azure();
    fake.createResourceGroup("rg-app");

    expect(await rejectionOf(compute.disks.get("nowhere", "d"))).toMatchObject({
      statusCode: 404,
      code: "ResourceGroupNotFound",
      message: "Resource group 'nowhere' could not be found.",
    });
    expect(
      await rejectionOf(
        compute.disks.createOrUpdate(
          "rg-app",
          "d",
          { location, creationData: { createOption: "Empty" } },
          fastPolling,
        ),
      ),
    ).toMatchObject({ statusCode: 400, code: "InvalidParameter" });
    expect(
      await rejectionOf(
        compute.disks.createOrUpdate("rg-app", "bad name!", {
          location,
          creationData: { createOption: "Empty" },
          diskSizeGB: 1,
        }),
      ),
    ).toMatchObject({ statusCode: 400, code: "InvalidResourceName" });
    const missingSource = `/subscriptions/${fake.subscriptionId}/resourceGroups/rg-app/providers/Microsoft.Compute/disks/ghost`;
    expect(
      await rejectionOf(
        compute.snapshots.createOrUpdate(
          "rg-app",
          "s",
          {
            location,
            incremental: true,
            creationData: { createOption: "Copy", sourceResourceId: missingSource },
          },
          fastPolling,
        ),
      ),
    ).toMatchObject({ statusCode: 404, code: "NotFound" });

    const disk = await compute.disks.createOrUpdate(
      "rg-app",
      "d1",
      { location, creationData: { createOption: "Empty" }, diskSizeGB: 4 },
      fastPolling,
    );
    const otherRegion = await rejectionOf(
      compute.snapshots.createOrUpdate(
        "rg-app",
        "s",
        {
          location: "northeurope",
          incremental: true,
          creationData: { createOption: "Copy", sourceResourceId: disk.id },
        },
        fastPolling,
      ),
    );
    expect(otherRegion).toMatchObject({ statusCode: 400, code: "InvalidParameter" });
    expect(otherRegion.message).toContain("same region");
    expect(
      await rejectionOf(
        compute.disks.createOrUpdate("rg-app", "d1", {
          location,
          creationData: { createOption: "Empty" },
          diskSizeGB: 2,
        }),
      ),
    ).toMatchObject({ statusCode: 409, code: "OperationNotAllowed" });
    // Deleting what is not there is a success in ARM (204).
    await compute.snapshots.delete("rg-app", "never-created", fastPolling);
    expect(fake.requests.at(-1)).toMatchObject({ method: "DELETE", status: 204 });
  });

  it("updates snapshot tags with PATCH as a long-running operation", async () => {
    const { fake, compute } = azure();
    fake.createResourceGroup("rg-app");
    const disk = await compute.disks.createOrUpdate(
      "rg-app",
      "d1",
      { location, creationData: { createOption: "Empty" }, diskSizeGB: 8 },
      fastPolling,
    );
    await compute.snapshots.createOrUpdate(
      "rg-app",
      "s1",
      {
        location,
        incremental: true,
        creationData: { createOption: "Copy", sourceResourceId: disk.id },
        tags: { a: "1" },
      },
      fastPolling,
    );
    const updated = await compute.snapshots.update("rg-app", "s1", { tags: { a: "1", b: "2" } }, fastPolling);
    expect(updated).toMatchObject({ provisioningState: "Succeeded", tags: { a: "1", b: "2" } });
    expect(fake.requests.some((r) => r.method === "PATCH" && r.status === 202)).toBe(true);
    // The PATCH poller finishes with a GET of the Location URL, which returns the resource.
    expect(fake.requests.some((r) => r.query.includes("monitor=true") && r.status === 200)).toBe(true);
  });

  it("fails a disk whose long-running operation is made to fail, leaving it Failed as Azure does", async () => {
    const { fake, compute } = azure();
    fake.createResourceGroup("rg-app");
    fake.faults.failOperations({
      resourceType: "Microsoft.Compute/disks",
      code: "InternalDiskManagementError",
      message: "Disk provisioning failed.",
    });
    const error = await rejectionOf(
      compute.disks.createOrUpdate(
        "rg-app",
        "d1",
        { location, creationData: { createOption: "Empty" }, diskSizeGB: 8 },
        fastPolling,
      ),
    );
    expect(error.message).toContain("InternalDiskManagementError. Disk provisioning failed.");
    expect((await compute.disks.get("rg-app", "d1")).provisioningState).toBe("Failed");
  });
});
