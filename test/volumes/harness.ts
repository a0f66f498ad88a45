// Shared setup of the volume tests: compute clients for an Azure fake through the real SDK, virtual
// time for our own waits, and a way to read what the fake was asked.
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import type { AzureFake, RequestRecord } from "../../src/sim/azure/server.js";
import type { SnapshotDeps } from "../../src/volumes/azure-disk.js";
import { type ComputeClients, createComputeClients } from "../../src/volumes/compute-clients.js";
import type { DiskVolume } from "../../src/volumes/discovery.js";
import { SnapshotRateGuard } from "../../src/volumes/rate-guard.js";

export interface VirtualTime {
  clock: () => number;
  delay: (ms: number) => Promise<void>;
  advance(ms: number): void;
  /** Every delay asked for, in order. */
  delays: number[];
}

export function virtualTime(): VirtualTime {
  let now = 0;
  const delays: number[] = [];
  return {
    clock: () => now,
    delay: async (ms) => {
      delays.push(ms);
      now += ms;
    },
    advance: (ms) => {
      now += ms;
    },
    delays,
  };
}

export function computeFor(
  fake: AzureFake,
  caCert: string,
  token: string,
  subscriptions: string[] = [fake.subscriptionId],
): ComputeClients {
  return createComputeClients({
    credential: new StaticTokenCredential(token),
    arm: { endpoint: fake.url, caCert },
    subscriptions,
    retry: { retryDelayInMs: 10, maxRetryDelayInMs: 50 },
  });
}

export function depsFor(
  compute: ComputeClients,
  time: VirtualTime,
  extra: Partial<SnapshotDeps> = {},
): SnapshotDeps {
  return {
    compute,
    rateGuard: new SnapshotRateGuard({ clock: time.clock }),
    clock: time.clock,
    delay: time.delay,
    updateIntervalInMs: 5,
    completionPollMs: 1_000,
    ...extra,
  };
}

export function volumeOn(diskId: string, claimName = "data", namespace = "shop"): DiskVolume {
  return {
    pvc: `${namespace}/${claimName}`,
    namespace,
    claimName,
    pv: `pv-${claimName}`,
    diskId,
    source: "csi",
    storageClass: "managed-csi",
  };
}

export function snapshotWrites(requests: readonly RequestRecord[], method = "PUT"): RequestRecord[] {
  return requests.filter((r) => r.method === method && /\/snapshots\/[^/]+$/i.test(r.path));
}

export function armWrites(requests: readonly RequestRecord[]): RequestRecord[] {
  return requests.filter((r) => r.method !== "GET" && r.method !== "HEAD");
}
