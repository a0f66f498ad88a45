// Snapshot sizes read from Azure (GET /api/usage?snapshots=azure) against the Azure fake through the
// real @azure/arm-compute client: what the fake (like ARM) reports for an incremental snapshot is
// its disk's provisioned size; a deleted snapshot is missing; one Azure cannot be asked about keeps
// its manifest size.

import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import { snapshotOutcomes, verifiedSnapshots } from "../../src/health/snapshot-sizes.js";
import type { VolumeSnapshotRecord } from "../../src/model/recovery-point.js";
import { snapshotDisk } from "../../src/volumes/azure-disk.js";
import { createComputeClients } from "../../src/volumes/compute-clients.js";
import { deleteSnapshot } from "../../src/volumes/delete-snapshots.js";
import { useAzureFake } from "../helpers/azure-fake.js";
import { computeFor, depsFor, virtualTime, volumeOn } from "../volumes/harness.js";

const GiB = 1024 ** 3;

describe("snapshot sizes from Azure", () => {
  const azure = useAzureFake({ defaultNodeResourceGroup: "MC_nodes", lroSteps: 1 });

  it("sums diskSizeBytes of the snapshots Azure has, and counts deleted and unknowable ones apart", async () => {
    const { fake, tls, token } = azure();
    const compute = computeFor(fake, tls.caCert, token);
    const group = fake.createResourceGroup("aks-snapshots");
    const deps = depsFor(compute, virtualTime());
    const snapshot = async (diskName: string, sizeGiB: number): Promise<VolumeSnapshotRecord> => {
      const disk = await fake.createDisk({ name: diskName, sizeGiB, skuName: "Premium_LRS" });
      const result = await snapshotDisk(
        {
          recoveryPointId: "shop-20261125-020000-ab12",
          instance: "shop",
          cluster: "prod",
          snapshotResourceGroup: group,
          volume: volumeOn(disk.id, diskName),
        },
        deps,
      );
      if (!result.ok) throw new Error(result.error.message);
      return result.record;
    };
    const data = await snapshot("data", 16);
    const logs = await snapshot("logs", 4);
    await deleteSnapshot(compute, logs.snapshotId, { updateIntervalInMs: 5 });
    // A snapshot in a subscription this app may not use: Azure is not asked, the manifest size counts.
    const foreign: VolumeSnapshotRecord = {
      ...data,
      snapshotId: data.snapshotId.replace(fake.subscriptionId, "00000000-0000-0000-0000-00000000beef"),
      sizeGiB: 2,
    };

    const records = [data, logs, foreign];
    const outcomes = await snapshotOutcomes(
      compute,
      records.map((r) => r.snapshotId),
    );
    expect(outcomes.get(data.snapshotId)).toEqual({ state: "found", bytes: 16 * GiB });
    expect(outcomes.get(logs.snapshotId)).toEqual({ state: "missing" });
    expect(verifiedSnapshots(records, outcomes)).toEqual({
      found: 1,
      missing: 1,
      unverified: 1,
      provisionedBytes: 16 * GiB + 2 * GiB,
    });
    // One GET per distinct snapshot, nothing written.
    const gets = fake.requests.filter((r) => r.method === "GET" && /\/snapshots\/[^/]+$/i.test(r.path));
    expect(gets.length).toBeGreaterThanOrEqual(2);
  });

  it("stops asking once Azure cannot be reached, and keeps every manifest size", async () => {
    // An endpoint that drops every connection: no HTTP answer at all.
    let connections = 0;
    const dropper = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((resolve) => dropper.listen(0, "127.0.0.1", resolve));
    const { port } = dropper.address() as AddressInfo;
    const compute = createComputeClients({
      credential: new StaticTokenCredential("token"),
      arm: { endpoint: `https://127.0.0.1:${port}` },
      retry: { maxRetries: 0 },
    });
    const ids = Array.from(
      { length: 20 },
      (_, i) => `/subscriptions/sub/resourceGroups/g/providers/Microsoft.Compute/snapshots/s${i}`,
    );
    const outcomes = await snapshotOutcomes(compute, ids);
    dropper.close();
    expect(outcomes.size).toBe(20);
    // The workers already in flight when the first failure came back; never one per snapshot.
    expect(connections).toBeGreaterThan(0);
    expect(connections).toBeLessThanOrEqual(4);
    expect([...outcomes.values()].every((o) => o.state === "unverified")).toBe(true);
    const records = ids.map((snapshotId) => ({
      pvc: "shop/data",
      pv: "pv",
      diskId: "d",
      snapshotId,
      sizeGiB: 1,
      completionPercent: 100,
    }));
    expect(verifiedSnapshots(records, outcomes)).toMatchObject({
      unverified: 20,
      provisionedBytes: 20 * GiB,
    });
  });
});
