// Benchmark of issue 4: snapshots of 50 volumes against one, with 2 s of simulated ARM latency on
// every Compute request, measured in one run with the default concurrency; plus the ARM writes.
import { StaticTokenCredential } from "../src/azure/arm-endpoint.js";
import { monotonicClock, realDelay } from "../src/kube/timing.js";
import { startAzureFake } from "../src/sim/azure/server.js";
import { createTlsMaterial } from "../src/sim/tls.js";
import type { SnapshotDeps } from "../src/volumes/azure-disk.js";
import { createComputeClients } from "../src/volumes/compute-clients.js";
import type { DiskVolume } from "../src/volumes/discovery.js";
import { SnapshotRateGuard } from "../src/volumes/rate-guard.js";
import { DEFAULT_SNAPSHOT_CONCURRENCY, snapshotVolumes } from "../src/volumes/snapshot-volumes.js";

export interface SnapshotBenchResult {
  volumes: number;
  latencyMs: number;
  concurrency: number;
  singleSeconds: number;
  manySeconds: number;
  /** manySeconds / singleSeconds; target < 3. */
  ratio: number;
  /** PUT/PATCH/DELETE/POST requests to Resource Manager for the many volumes, retries included. */
  armWrites: number;
  /** Retried requests among them (429/5xx answers that were sent again). */
  retriedWrites: number;
  failed: number;
}

export async function benchSnapshots(volumes = 50, latencyMs = 2_000): Promise<SnapshotBenchResult> {
  const tls = await createTlsMaterial();
  const token = "bench-token";
  const fake = await startAzureFake({ tls, token, lroSteps: 1, defaultNodeResourceGroup: "MC_bench" });
  try {
    const snapshotResourceGroup = fake.createResourceGroup("aks-snapshots");
    const disks: DiskVolume[] = [];
    for (let i = 0; i <= volumes; i++) {
      const disk = await fake.createDisk({ name: `pvc-${i}`, sizeGiB: 8, skuName: "StandardSSD_LRS" });
      disks.push({
        pvc: `bench/data-${i}`,
        namespace: "bench",
        claimName: `data-${i}`,
        pv: `pv-${i}`,
        diskId: disk.id,
        source: "csi",
      });
    }
    const deps: SnapshotDeps = {
      compute: createComputeClients({
        credential: new StaticTokenCredential(token),
        arm: { endpoint: fake.url, caCert: tls.caCert },
        subscriptions: [fake.subscriptionId],
      }),
      rateGuard: new SnapshotRateGuard({ clock: monotonicClock }),
      clock: monotonicClock,
      delay: realDelay,
      updateIntervalInMs: 10,
      completionPollMs: 10,
    };
    fake.faults.latency(latencyMs, { path: "/Microsoft.Compute/" });
    const target = {
      recoveryPointId: "bench-rp",
      instance: "bench",
      cluster: "bench",
      snapshotResourceGroup,
    };

    const singleStart = performance.now();
    const single = await snapshotVolumes({ ...target, volumes: disks.slice(0, 1) }, deps);
    const singleSeconds = (performance.now() - singleStart) / 1000;

    const before = fake.requests.length;
    const manyStart = performance.now();
    const many = await snapshotVolumes({ ...target, volumes: disks.slice(1) }, deps);
    const manySeconds = (performance.now() - manyStart) / 1000;
    const writes = fake.requests.slice(before).filter((r) => r.method !== "GET" && r.method !== "HEAD");
    return {
      volumes,
      latencyMs,
      concurrency: DEFAULT_SNAPSHOT_CONCURRENCY,
      singleSeconds,
      manySeconds,
      ratio: manySeconds / singleSeconds,
      armWrites: writes.length,
      retriedWrites: writes.filter((r) => r.status === 429 || r.status >= 500 || r.status === 0).length,
      failed: single.errors.length + many.errors.length,
    };
  } finally {
    await fake.close();
  }
}

/** The benchmark's printout, for bench/run.ts. */
export async function printSnapshotBench(): Promise<SnapshotBenchResult> {
  const r = await benchSnapshots();
  console.log(
    `\nvolume snapshots: ${r.volumes} volumes vs 1, ${r.latencyMs / 1000} s ARM latency per Compute request`,
  );
  console.log(`  concurrency             ${r.concurrency} (default)`);
  console.log(`  1 volume                ${r.singleSeconds.toFixed(2)} s`);
  console.log(`  ${String(r.volumes).padEnd(2)} volumes              ${r.manySeconds.toFixed(2)} s`);
  console.log(`  ratio                   ${r.ratio.toFixed(2)}  (target < 3)`);
  console.log(
    `  ARM writes              ${r.armWrites} for ${r.volumes} volumes, ${r.retriedWrites} retried  (target <= volumes + retries)`,
  );
  if (r.failed > 0) console.log(`  FAILED snapshots        ${r.failed}`);
  return r;
}
