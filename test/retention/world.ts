// A world for retention I/O tests: a fresh container in Azurite and a fresh Azure fake per test, an
// Environment on both with a settable clock, stored definitions, and recovery points committed with
// real tagged snapshots (taken by snapshotDisk through the real @azure/arm-compute client).
import { Readable } from "node:stream";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterEach, beforeEach, inject } from "vitest";
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { ARCHIVE_BLOB, LOG_BLOB } from "../../src/store/catalog.js";
import { newRecoveryPointId } from "../../src/store/recovery-point-id.js";
import { snapshotDisk } from "../../src/volumes/azure-disk.js";
import type { ComputeClients } from "../../src/volumes/compute-clients.js";
import { SnapshotRateGuard } from "../../src/volumes/rate-guard.js";
import { type AzureHarness, useAzureFake } from "../helpers/azure-fake.js";
import { computeFor, depsFor, virtualTime, volumeOn } from "../volumes/harness.js";

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

export interface PointOptions {
  volumes?: number;
  status?: RecoveryPointManifest["status"];
  trigger?: RecoveryPointManifest["trigger"];
  retention?: string;
  /** Leave the manifest out: a backup that crashed (or is still running). */
  commit?: boolean;
  /** Leave the archive and log out too (with `commit: false`: nothing but its snapshots exists). */
  upload?: boolean;
}

export interface CommittedPoint {
  id: string;
  snapshotIds: string[];
  blobs: string[];
}

export interface RetentionWorld {
  azure: AzureHarness;
  env: Environment;
  /** Compute clients on the fake with fast retries (the environment's own retry after ~1 s, 2 s, 4 s). */
  compute: ComputeClients;
  /** ARM id of the instances' snapshot resource group. */
  group: string;
  /** The clock of the environment and of the Azure fake (snapshot timeCreated). */
  setNow(at: Date | number): void;
  now(): Date;
  /** Stores cluster `prod`, policy `daily` (default `P7D` unless given) and the instance. */
  protect(instance: string, retention?: { default: string }): Promise<void>;
  /** A recovery point of `instance` started at `start`, with its blobs and snapshots. */
  commitPoint(instance: string, start: Date, options?: PointOptions): Promise<CommittedPoint>;
  /** The blob names under a prefix. */
  blobsUnder(prefix: string): Promise<string[]>;
}

export function useRetentionWorld(): () => RetentionWorld {
  let clock = Date.now();
  const azure = useAzureFake({
    defaultNodeResourceGroup: "MC_nodes",
    lroSteps: 1,
    clock: () => new Date(clock),
    snapshotLimits: { perWindow: 10_000 },
  });
  let world: RetentionWorld | undefined;
  let nonce = 0;

  beforeEach(async () => {
    clock = Date.now();
    const harness = azure();
    const { fake, tls, token } = harness;
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    const env = createEnvironment({
      service,
      container: `retention-${Date.now()}-${Math.floor(Math.random() * 1e6)}`,
      azure: {
        credential: new StaticTokenCredential(token),
        endpoint: { endpoint: fake.url, caCert: tls.caCert },
      },
      now: () => new Date(clock),
    });
    await env.catalog.ensureContainer();
    const group = fake.createResourceGroup("aks-snapshots");
    const time = virtualTime();
    const compute = computeFor(fake, tls.caCert, token);
    const snapshotDeps = depsFor(compute, time, {
      rateGuard: new SnapshotRateGuard({ clock: time.clock, perWindow: 10_000 }),
    });
    const disks = new Map<string, string>();
    const diskFor = async (name: string) => {
      let id = disks.get(name);
      if (id === undefined) {
        id = (await fake.createDisk({ name, sizeGiB: 8, skuName: "Premium_LRS" })).id;
        disks.set(name, id);
      }
      return id;
    };

    world = {
      azure: harness,
      env,
      compute,
      group,
      setNow(at) {
        clock = typeof at === "number" ? at : at.getTime();
      },
      now: () => new Date(clock),
      async protect(instance, retention = { default: "P7D" }) {
        if (!(await env.definitions.get("cluster", "prod"))) {
          await env.definitions.put("cluster", {
            name: "prod",
            aksResourceId: `/subscriptions/${fake.subscriptionId}/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod`,
          });
        }
        if (!(await env.definitions.get("policy", "daily"))) {
          await env.definitions.put("policy", {
            name: "daily",
            schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
            retention,
          });
        }
        await env.definitions.put("instance", {
          name: instance,
          cluster: "prod",
          policy: "daily",
          snapshotResourceGroup: group,
        });
      },
      async commitPoint(instance, start, options = {}) {
        const id = newRecoveryPointId(instance, start, nonce++);
        const volumes = [];
        for (let i = 0; i < (options.volumes ?? 1); i++) {
          const diskId = await diskFor(`${instance}-pvc-${i}`);
          const result = await snapshotDisk(
            {
              recoveryPointId: id,
              instance,
              cluster: "prod",
              snapshotResourceGroup: group,
              volume: volumeOn(diskId, `data-${i}`),
            },
            snapshotDeps,
          );
          if (!result.ok) throw new Error(result.error.message);
          volumes.push(result.record);
        }
        const blobs =
          options.upload === false
            ? []
            : [
                await env.catalog.uploadFile(id, ARCHIVE_BLOB, Readable.from([Buffer.from("archive")])),
                await env.catalog.uploadFile(id, LOG_BLOB, Readable.from([Buffer.from("log")])),
              ];
        if (options.commit !== false) {
          await env.catalog.commitManifest({
            formatVersion: 1,
            id,
            instance,
            policy: "daily",
            cluster: "prod",
            trigger: options.trigger ?? "Scheduled",
            ...(options.retention ? { retention: options.retention } : {}),
            startTime: start.toISOString(),
            endTime: new Date(start.getTime() + 60_000).toISOString(),
            status: options.status ?? "Succeeded",
            itemCounts: { "v1/ConfigMap": 1 },
            totalItems: 1,
            volumeSnapshots: volumes,
            warnings: [],
            errors: [],
          });
          blobs.push(`${instance}/${id}/manifest.json`);
        }
        return { id, snapshotIds: volumes.map((v) => v.snapshotId), blobs };
      },
      async blobsUnder(prefix) {
        const names: string[] = [];
        for await (const blob of env.catalog.container.listBlobsFlat({ prefix })) names.push(blob.name);
        return names.sort();
      },
    };
  });

  afterEach(async () => {
    await world?.env.catalog.container.deleteIfExists();
    await world?.env.close();
    world = undefined;
  });

  return () => {
    if (world === undefined) throw new Error("useRetentionWorld must be called in a describe block");
    return world;
  };
}
