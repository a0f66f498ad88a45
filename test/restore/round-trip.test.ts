// Round trip of the whole real-world manifest corpus: every document the simulator accepts is
// created (namespaced ones in their file's namespace), backed up once by runBackup into Azurite,
// planned by loadRestorePlan and applied by applyPlan into mapped namespaces of the same cluster
// and into a second simulated cluster, and each restored object is compared field by field with
// its source, apart from what the server sets or the restore changes on purpose.

import { BlobServiceClient } from "@azure/storage-blob";
import { KubernetesObjectApi } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runBackup } from "../../src/backup/run.js";
import type { Cluster } from "../../src/kube/cluster.js";
import { connectCluster } from "../../src/kube/connect.js";
import { discoverResources } from "../../src/kube/discovery.js";
import type { KubeObject, ResourceType } from "../../src/kube/types.js";
import { backupInstanceSchema } from "../../src/model/backup-instance.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { restoreRequestSchema } from "../../src/model/restore-request.js";
import { applyPlan } from "../../src/restore/apply.js";
import { loadRestorePlan } from "../../src/restore/load.js";
import type { RestoreResult } from "../../src/restore/result.js";
import type { KubeObject as SimObject } from "../../src/sim/kube/types.js";
import { type Simulator, startSimulator } from "../../src/sim/simulator.js";
import { Catalog } from "../../src/store/catalog.js";
import { SnapshotRateGuard } from "../../src/volumes/rate-guard.js";
import { acceptedManifests, createManifestFile, NAMED_NAMESPACES } from "../helpers/corpus.js";
import { differences } from "../helpers/manifests.js";
import { kubeConfigFor, useSimulator } from "../helpers/sim.js";
import { computeFor } from "../volumes/harness.js";

/** Annotations a server (controllers, binders) sets: not the backup's to bring back. */
const SERVER_ANNOTATIONS =
  /^(deployment\.kubernetes\.io|pv\.kubernetes\.io|volume\.beta\.kubernetes\.io|volume\.kubernetes\.io)\//;
/** Labels and selector keys a Job's controller derives from its uid. */
const JOB_UID_KEYS = ["controller-uid", "batch.kubernetes.io/controller-uid"];
const TOKEN_VOLUME = /^kube-api-access-/;

type Json = Record<string, unknown>;
const objectAt = (value: unknown): Json | undefined =>
  value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Json) : undefined;
const listAt = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);

/** Where a restored namespace's objects came from: mapped target -> source. */
type Unmapping = (namespace: string) => string;

function withoutJobUid(labels: unknown): void {
  const map = objectAt(labels);
  for (const key of JOB_UID_KEYS) delete map?.[key];
}

/**
 * An object without what the server sets (uid, resourceVersion, timestamps, generation, managed
 * fields, status, allocated cluster IPs and node ports, bind annotations, the service-account token
 * volume admission adds, a Job's controller uid) and with namespaces named as in the source; what
 * is left is what a restore is responsible for.
 */
function normalise(object: KubeObject, unmap: Unmapping): Json {
  const copy = structuredClone(object) as KubeObject & Json;
  const metadata = copy.metadata as Json;
  for (const key of [
    "uid",
    "resourceVersion",
    "creationTimestamp",
    "generation",
    "managedFields",
    "selfLink",
  ]) {
    delete metadata[key];
  }
  delete metadata.ownerReferences;
  if (typeof metadata.namespace === "string") metadata.namespace = unmap(metadata.namespace);
  const annotations = Object.entries(objectAt(metadata.annotations) ?? {}).filter(
    ([key]) => !SERVER_ANNOTATIONS.test(key),
  );
  if (annotations.length > 0) metadata.annotations = Object.fromEntries(annotations);
  else delete metadata.annotations;
  delete copy.status;
  const spec = objectAt(copy.spec);
  switch (copy.kind) {
    case "Namespace": {
      metadata.name = unmap(String(metadata.name));
      const labels = objectAt(metadata.labels);
      if (labels?.["kubernetes.io/metadata.name"] !== undefined)
        labels["kubernetes.io/metadata.name"] = metadata.name;
      break;
    }
    case "Service":
      delete spec?.clusterIP;
      delete spec?.clusterIPs;
      delete spec?.healthCheckNodePort;
      for (const port of listAt(spec?.ports)) delete port.nodePort;
      break;
    case "Pod":
      delete spec?.nodeName;
      if (spec) spec.volumes = listAt(spec.volumes).filter((v) => !TOKEN_VOLUME.test(String(v.name)));
      for (const container of [...listAt(spec?.containers), ...listAt(spec?.initContainers)]) {
        container.volumeMounts = listAt(container.volumeMounts).filter(
          (m) => !TOKEN_VOLUME.test(String(m.name)),
        );
      }
      break;
    case "PersistentVolumeClaim":
      // Planned without volume data: a dynamically provisioned claim gets a new volume.
      delete spec?.volumeName;
      break;
    case "PersistentVolume": {
      const claimRef = objectAt(spec?.claimRef);
      if (claimRef) {
        delete claimRef.uid;
        delete claimRef.resourceVersion;
        if (typeof claimRef.namespace === "string") claimRef.namespace = unmap(claimRef.namespace);
      }
      break;
    }
    case "RoleBinding":
    case "ClusterRoleBinding":
      for (const subject of listAt(copy.subjects)) {
        if (typeof subject.namespace === "string") subject.namespace = unmap(subject.namespace);
      }
      break;
    case "Job": {
      withoutJobUid(objectAt(spec?.selector)?.matchLabels);
      withoutJobUid(objectAt(objectAt(spec?.template)?.metadata)?.labels);
      withoutJobUid(metadata.labels);
      break;
    }
  }
  return copy;
}

/** The API path of one object, its type found by apiVersion and kind in the cluster's discovery. */
function pathOf(types: readonly ResourceType[], object: KubeObject, namespace?: string): string {
  const slash = object.apiVersion.lastIndexOf("/");
  const group = slash < 0 ? "" : object.apiVersion.slice(0, slash);
  const version = object.apiVersion.slice(slash + 1);
  const type = types.find((t) => t.group === group && t.kind === object.kind && t.versions.includes(version));
  if (!type) throw new Error(`no type serves ${object.apiVersion} ${object.kind}`);
  const base = group === "" ? `/api/${version}` : `/apis/${group}/${version}`;
  const scope = type.namespaced ? `/namespaces/${namespace ?? object.metadata.namespace}` : "";
  return `${base}${scope}/${type.resource}/${object.metadata.name}`;
}

const keyOf = (object: KubeObject) =>
  `${object.kind} ${object.metadata.namespace ? `${object.metadata.namespace}/` : ""}${object.metadata.name}`;

/**
 * Source objects a restore leaves out on purpose, with the plan's reason: asserted (as the plan's
 * skipped items, and as absent from the target), so a change in either direction shows.
 */
const NOT_RESTORED: Record<string, string> = {
  // The descheduler's one-shot Job has run to completion in the source: running it again on a
  // restore would repeat its work (Velero skips finished Jobs too).
  "Job kube-system/descheduler-job": "job: the Job has finished",
};

describe("round trip of every real-world manifest", () => {
  const sim = useSimulator();
  let second: Simulator;
  let source: Cluster;
  let catalog: Catalog;
  let manifest: RecoveryPointManifest;
  let types: ResourceType[];
  /** The corpus documents as created in the source cluster, read back. */
  const originals: KubeObject[] = [];
  const namespaces = new Set<string>(NAMED_NAMESPACES);

  beforeAll(async () => {
    second = await startSimulator({ clusterName: "second", shareAzureWith: sim(), crdEstablishDelayMs: 50 });
    const client = KubernetesObjectApi.makeApiClient(kubeConfigFor(sim()));
    for (const name of NAMED_NAMESPACES) {
      await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
    }
    const created: SimObject[] = [];
    for (const file of acceptedManifests()) created.push(...(await createManifestFile(client, file)));
    await sim().controllers.idle();

    source = await connectCluster({ name: "sim", kubeconfigYaml: sim().kubeconfig }, { qps: 0 });
    types = (await discoverResources(source)).types;
    for (const document of created) {
      const object = document as KubeObject;
      originals.push(await source.request<KubeObject>("GET", pathOf(types, object)));
      if (object.metadata.namespace) namespaces.add(object.metadata.namespace);
      if (object.kind === "Namespace" && object.metadata.name) namespaces.add(object.metadata.name);
    }

    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    catalog = new Catalog(service.getContainerClient(`round-trip-${Date.now()}`));
    const instance = backupInstanceSchema.parse({
      name: "corpus",
      cluster: "sim",
      policy: "daily",
      includedNamespaces: [...namespaces],
    });
    manifest = await runBackup(
      { instance, trigger: "OnDemand" },
      {
        cluster: source,
        catalog,
        volumes: {
          snapshot: {
            compute: computeFor(sim().azure, sim().tls.caCert, sim().token),
            rateGuard: new SnapshotRateGuard({ clock: () => Date.now() }),
            updateIntervalInMs: 5,
            completionPollMs: 5,
          },
          snapshotResourceGroup: `/subscriptions/${sim().azure.subscriptionId}/resourceGroups/${sim().nodeResourceGroup}`,
        },
      },
    );
    // The cassandra StatefulSet's claim asks for a GCE storage class no AKS provisioner serves.
    expect(manifest.errors.map((error) => `${error.namespace}/${error.name}`)).toEqual([
      "t-k8s-examples-databases-cassandra-cassandra-statefulset/cassandra-data-cassandra-0",
    ]);
    expect(manifest.status).toBe("PartiallySucceeded");
  }, 60_000);

  afterAll(async () => {
    await second?.close();
  });

  async function restore(target: Cluster, mappings: Record<string, string>): Promise<RestoreResult> {
    const request = restoreRequestSchema.parse({
      recoveryPointId: manifest.id,
      includedNamespaces: [...namespaces],
      namespaceMappings: mappings,
      persistentVolumeRestoreMode: "RestoreWithoutVolumeData",
    });
    const { plan } = await loadRestorePlan(catalog, request);
    return applyPlan(target, plan);
  }

  /** Each original compared with its restored copy; the objects that differ, with the differences. */
  async function compare(
    target: Cluster,
    mappings: Record<string, string>,
  ): Promise<Record<string, string[]>> {
    const unmapping = new Map(Object.entries(mappings).map(([from, to]) => [to, from]));
    const unmap: Unmapping = (namespace) => unmapping.get(namespace) ?? namespace;
    const mismatches: Record<string, string[]> = {};
    for (const original of originals) {
      const namespace = original.metadata.namespace;
      const renamed =
        original.kind === "Namespace"
          ? {
              ...original,
              metadata: { name: mappings[original.metadata.name ?? ""] ?? original.metadata.name },
            }
          : original;
      const path = pathOf(
        types,
        renamed as KubeObject,
        namespace ? (mappings[namespace] ?? namespace) : undefined,
      );
      let restored: KubeObject;
      try {
        restored = await target.request<KubeObject>("GET", path);
      } catch (error) {
        mismatches[keyOf(original)] = [`not in the target: ${(error as Error).message}`];
        continue;
      }
      const expected = normalise(original, (n) => n);
      const actual = normalise(restored, unmap);
      const found = [
        ...differences(expected, actual),
        ...differences(actual, expected).map((d) => `extra ${d}`),
      ];
      if (found.length > 0) mismatches[keyOf(original)] = found;
    }
    return mismatches;
  }

  /** The plan's skipped items among the corpus documents, with the reason. */
  const leftOut = (result: RestoreResult, mappings: Record<string, string>) => {
    const unmapping = new Map(Object.entries(mappings).map(([from, to]) => [to, from]));
    const wanted = new Set(originals.map(keyOf));
    return Object.fromEntries(
      result.items
        .map((item) => {
          const namespace =
            item.namespace === undefined ? "" : `${unmapping.get(item.namespace) ?? item.namespace}/`;
          return [`${item.kind} ${namespace}${item.name}`, item] as const;
        })
        .filter(
          ([key, item]) => wanted.has(key) && item.outcome === "skipped" && item.reason !== "already exists",
        )
        .map(([key, item]) => [key, item.reason]),
    );
  };
  const absent = () =>
    Object.fromEntries(
      Object.keys(NOT_RESTORED).map((key) => [key, [expect.stringContaining("404 NotFound")]]),
    );

  const failures = (result: RestoreResult) =>
    Object.fromEntries(
      result.items
        .filter((item) => item.outcome === "failed")
        .map((item) => [
          `${item.kind} ${item.namespace ? `${item.namespace}/` : ""}${item.name}`,
          item.reason,
        ]),
    );

  it("creates, backs up and restores every document of the corpus the simulator accepts", () => {
    expect(originals.length).toBeGreaterThan(50);
    expect(manifest.totalItems).toBeGreaterThan(originals.length);
  });

  it("restores into mapped namespaces of the same cluster, every object equal to its source", async () => {
    const mappings = Object.fromEntries(
      [...namespaces].map((n) => [n, `r-${n.replace(/^t-/, "")}`.slice(0, 63)]),
    );
    const result = await restore(source, mappings);
    expect(failures(result)).toEqual({});
    expect(leftOut(result, mappings)).toEqual(NOT_RESTORED);
    expect(await compare(source, mappings)).toEqual(absent());
  });

  it("restores into a second cluster, every object equal to its source", async () => {
    const target = await connectCluster({ name: "second", kubeconfigYaml: second.kubeconfig }, { qps: 0 });
    const result = await restore(target, {});
    expect(failures(result)).toEqual({});
    expect(leftOut(result, {})).toEqual(NOT_RESTORED);
    expect(await compare(target, {})).toEqual(absent());
  });
});
