// A backup of a simulated cluster into Azurite, read back from the catalog: what it contains is
// what a restore will have to work with.
import { gunzipSync } from "node:zlib";
import { BlobServiceClient } from "@azure/storage-blob";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { readArchive } from "../../src/archive/reader.js";
import { configuredDenyList } from "../../src/backup/deny-list.js";
import { JobLog } from "../../src/backup/job-log.js";
import { exportPhase } from "../../src/backup/phases.js";
import { runBackup } from "../../src/backup/run.js";
import type { Cluster } from "../../src/kube/cluster.js";
import { connectCluster } from "../../src/kube/connect.js";
import { type BackupInstanceInput, backupInstanceSchema } from "../../src/model/backup-instance.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import type { KubeObject } from "../../src/sim/kube/types.js";
import { Catalog } from "../../src/store/catalog.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const APP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop, labels: {app: web}}
data: {mode: prod}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop, labels: {app: db}}
stringData: {password: hunter2}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: shop, labels: {app: db}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: managed-csi-premium
  resources: {requests: {storage: 4Gi}}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: shop, labels: {app: db}}
spec:
  containers: [{name: db, image: postgres:16, volumeMounts: [{name: data, mountPath: /var/lib/postgresql}]}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: shop-reader}
rules: [{apiGroups: [""], resources: [configmaps], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: unrelated}
rules: [{apiGroups: [""], resources: [pods], verbs: [get]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: readers, namespace: shop, labels: {app: web}}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: shop-reader}
subjects: [{kind: ServiceAccount, name: default, namespace: shop}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: elsewhere, namespace: other}
data: {x: "1"}
`;

const WIDGET_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}]
`;

// Resource export only: volume snapshots are run-backup-volumes.test.ts's subject.
function instance(overrides: Partial<BackupInstanceInput> = {}) {
  return backupInstanceSchema.parse({
    name: "shop",
    cluster: "sim",
    policy: "daily",
    snapshotVolumes: false,
    ...overrides,
  });
}

interface Contents {
  manifest: RecoveryPointManifest;
  items: Map<string, KubeObject>;
  resourceList: Record<string, string[]>;
}

describe("runBackup against the simulator", () => {
  const sim = useSimulator();
  let cluster: Cluster;
  let catalog: Catalog;

  beforeAll(async () => {
    expect((await kubectl(sim(), ["create", "-f", "-"], WIDGET_CRD)).code).toBe(0);
    expect(
      (await kubectl(sim(), ["wait", "--for=condition=Established", "crd/widgets.example.com"])).code,
    ).toBe(0);
    const created = await kubectl(sim(), ["create", "-f", "-"], APP);
    expect(created.stderr).toBe("");
    const widget =
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: blue, namespace: shop}\nspec: {size: 3}\n";
    expect((await kubectl(sim(), ["create", "-f", "-"], widget)).code).toBe(0);
    await sim().controllers.idle();
    cluster = await connectCluster({ name: "sim", kubeconfigYaml: sim().kubeconfig });
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    catalog = new Catalog(service.getContainerClient(`backups-${Date.now()}`));
  });

  async function readLog(manifest: RecoveryPointManifest): Promise<Record<string, unknown>[]> {
    const body = await catalog.container.getBlobClient(manifest.logBlob ?? "").downloadToBuffer();
    return gunzipSync(body)
      .toString("utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  async function contents(manifest: RecoveryPointManifest): Promise<Contents> {
    const items = new Map<string, KubeObject>();
    const archiveBlob = catalog.container.getBlobClient(manifest.archive?.blob ?? "");
    const download = await archiveBlob.download();
    const reader = readArchive(
      download.readableStreamBody as NodeJS.ReadableStream & AsyncIterable<Uint8Array>,
      {
        expectedSha256: manifest.archive?.sha256 ?? "",
        copies: "groupResource",
      },
    );
    for await (const entry of reader) {
      const key = `${entry.group}/${entry.resource}/${entry.namespace ? `${entry.namespace}/` : ""}${entry.name}`;
      items.set(key, entry.object as KubeObject);
    }
    const list = await catalog.container.getBlobClient(manifest.resourceListBlob ?? "").downloadToBuffer();
    return { manifest, items, resourceList: JSON.parse(gunzipSync(list).toString("utf8")) };
  }

  it("backs up the selected namespace with what it needs from the cluster scope, and nothing else", async () => {
    const manifest = await runBackup(
      {
        instance: instance({ includedNamespaces: ["shop"], includeClusterScopeResources: false }),
        trigger: "OnDemand",
      },
      { cluster, catalog },
    );
    expect(manifest.status).toBe("Succeeded");
    expect(manifest.errors).toEqual([]);
    const { items, resourceList } = await contents(manifest);
    const keys = [...items.keys()];
    expect(keys).toEqual(
      expect.arrayContaining([
        "/configmaps/shop/settings",
        "/secrets/shop/db",
        "/persistentvolumeclaims/shop/data",
        "/pods/shop/db",
        "rbac.authorization.k8s.io/rolebindings/shop/readers",
        "example.com/widgets/shop/blue",
        "/namespaces/shop",
        "rbac.authorization.k8s.io/clusterroles/shop-reader",
        "apiextensions.k8s.io/customresourcedefinitions/widgets.example.com",
        "storage.k8s.io/storageclasses/managed-csi-premium",
      ]),
    );
    const pvc = items.get("/persistentvolumeclaims/shop/data");
    const volumeName = (pvc?.spec as { volumeName?: string } | undefined)?.volumeName;
    expect(volumeName).toMatch(/^pvc-/);
    expect(keys).toContain(`/persistentvolumes/${volumeName}`);
    expect(
      keys.filter((k) => k.includes("/other") || k.endsWith("/unrelated") || k.includes("kube-system")),
    ).toEqual([]);
    expect(keys.filter((k) => k.startsWith("/events/") || k.startsWith("events.k8s.io/"))).toEqual([]);
    expect(keys.filter((k) => k.startsWith("/nodes/"))).toEqual([]);

    expect(resourceList["v1/Secret"]).toEqual(["shop/db"]);
    expect(resourceList["v1/Namespace"]).toEqual(["shop"]);
    expect(manifest.itemCounts["v1/ConfigMap"]).toBe(
      items.size > 0 ? resourceList["v1/ConfigMap"]?.length : 0,
    );
    expect(manifest.totalItems).toBe(items.size);
    expect(manifest.kubernetesVersion).toMatch(/^v1\./);

    const log = await readLog(manifest);
    expect(log[0]).toMatchObject({
      level: "info",
      message: "backup of shop started",
      recoveryPoint: manifest.id,
    });
    expect(log.map((e) => e.message)).toContain("phase dependencies");
    expect(log.at(-1)).toMatchObject({
      level: "info",
      message: "backup Succeeded",
      items: manifest.totalItems,
    });
  });

  it("keeps the Secret's data and the objects' server-set fields as listed", async () => {
    const manifest = await runBackup(
      { instance: instance({ includedNamespaces: ["shop"] }), trigger: "OnDemand" },
      { cluster, catalog },
    );
    const { items } = await contents(manifest);
    const secret = items.get("/secrets/shop/db");
    expect(secret?.data).toEqual({ password: Buffer.from("hunter2").toString("base64") });
    expect(secret?.apiVersion).toBe("v1");
    expect(secret?.kind).toBe("Secret");
    expect(secret?.metadata?.uid).toBeTruthy();
  });

  it("with includeClusterScopeResources takes every cluster-scoped object, and OR-s label selectors", async () => {
    const manifest = await runBackup(
      {
        instance: instance({ includedNamespaces: ["shop"], labelSelectors: ["app=web", "app in (nothing)"] }),
        trigger: "OnDemand",
      },
      { cluster, catalog },
    );
    const { items } = await contents(manifest);
    const namespaced = [...items.keys()].filter((k) => k.includes("/shop/"));
    expect(namespaced.sort()).toEqual([
      "/configmaps/shop/settings",
      "rbac.authorization.k8s.io/rolebindings/shop/readers",
    ]);
    expect([...items.keys()]).toContain("/namespaces/shop");
  });

  it("includes every cluster-scoped object when asked to", async () => {
    const manifest = await runBackup(
      { instance: instance({ includedNamespaces: ["shop"] }), trigger: "OnDemand" },
      { cluster, catalog },
    );
    const { items } = await contents(manifest);
    expect([...items.keys()]).toEqual(
      expect.arrayContaining([
        "rbac.authorization.k8s.io/clusterroles/unrelated",
        "storage.k8s.io/storageclasses/azurefile-csi",
      ]),
    );
  });

  it("goes on past a type it may not read, and says so in a warning", async () => {
    sim().kube.faults.forbid({ group: "", resource: "secrets" });
    try {
      const manifest = await runBackup(
        { instance: instance({ includedNamespaces: ["shop"] }), trigger: "OnDemand" },
        { cluster, catalog },
      );
      expect(manifest.status).toBe("Succeeded");
      expect(manifest.warnings).toContainEqual(
        expect.objectContaining({ type: "v1/Secret", message: expect.stringContaining("403") }),
      );
      const { items } = await contents(manifest);
      expect([...items.keys()]).toContain("/configmaps/shop/settings");
      expect([...items.keys()].filter((k) => k.startsWith("/secrets/"))).toEqual([]);
    } finally {
      sim().kube.faults.clear();
    }
  });

  it("goes on past a type that vanished after discovery, and says so in a warning", async () => {
    sim().kube.faults.vanish({ group: "example.com", resource: "widgets" });
    try {
      const manifest = await runBackup(
        { instance: instance({ includedNamespaces: ["shop"] }), trigger: "OnDemand" },
        { cluster, catalog },
      );
      expect(manifest.status).toBe("Succeeded");
      expect(manifest.warnings).toContainEqual({
        type: "example.com/v1/Widget",
        message: "skipped: widgets is no longer served (removed during the backup?)",
      });
    } finally {
      sim().kube.faults.clear();
    }
  });

  it.each([
    ["a proxy's HTML page", "text/html", "<html><body>502 Bad Gateway</body></html>", "not JSON"],
    [
      "a truncated list",
      "application/json",
      '{"kind":"WidgetList","items":[{"metadata":{"name":"blue"',
      "not valid JSON",
    ],
    ["JSON that is no list", "application/json", '{"items":[1,2]}', '"items" is not a list of objects'],
  ])(
    "records %s for one type as that type's error and backs up the rest",
    async (_case, contentType, body, said) => {
      sim().kube.faults.misanswer({ group: "example.com", resource: "widgets" }, { contentType, body });
      try {
        const manifest = await runBackup(
          { instance: instance({ includedNamespaces: ["shop"] }), trigger: "OnDemand" },
          { cluster, catalog },
        );
        expect(manifest.status).toBe("PartiallySucceeded");
        expect(manifest.errors).toEqual([
          { type: "example.com/v1/Widget", message: expect.stringContaining(said) },
        ]);
        expect(manifest.errors[0]?.message).toContain(
          'listing widgets failed: GET /apis/example.com/v1/namespaces/shop/widgets on cluster "sim" answered with',
        );
        const { items } = await contents(manifest);
        expect([...items.keys()]).toContain("/configmaps/shop/settings");
        expect([...items.keys()].filter((k) => k.startsWith("example.com/widgets/"))).toEqual([]);
      } finally {
        sim().kube.faults.clear();
      }
    },
  );

  it("leaves out the types a configured deny-list names, instead of the built-in list", async () => {
    const manifest = await runBackup(
      { instance: instance({ includedNamespaces: ["shop"] }), trigger: "OnDemand" },
      { cluster, catalog, denyList: configuredDenyList(["v1/Secret"]) },
    );
    const { items } = await contents(manifest);
    expect([...items.keys()].filter((k) => k.startsWith("/secrets/"))).toEqual([]);
    expect([...items.keys()]).toContain("/configmaps/shop/settings");
  });

  it("commits a Failed recovery point that says it was cancelled when stopped half-way", async () => {
    const cancel = new AbortController();
    const manifest = await runBackup(
      { instance: instance({ includedNamespaces: ["shop"] }), trigger: "OnDemand" },
      {
        cluster,
        catalog,
        abortSignal: cancel.signal,
        onProgress: (p) => {
          if (p.phase === "namespaced") cancel.abort(new Error("cancelled by SIGINT"));
        },
      },
    );
    expect(manifest.status).toBe("Failed");
    expect(manifest.errors).toEqual([{ message: "cancelled by SIGINT" }]);
    expect(manifest.archive).toBeUndefined();
    expect(await catalog.getManifest(manifest.id)).toEqual(manifest);
  });

  it("commits a Failed recovery point that says why when the cluster cannot be reached", async () => {
    const unreachable = await connectCluster(
      { name: "gone", kubeconfigYaml: sim().kubeconfig.replace(sim().kube.url, "https://127.0.0.1:9") },
      { retry: { maxRetries: 1, baseDelayMs: 1, maxDelayMs: 1 } },
    );
    const manifest = await runBackup(
      { instance: instance(), trigger: "OnDemand" },
      { cluster: unreachable, catalog },
    );
    expect(manifest.status).toBe("Failed");
    expect(manifest.errors[0]?.message).toContain('cannot reach cluster "gone"');
    expect(manifest.archive).toBeUndefined();
    const log = await readLog(manifest);
    expect(log.filter((e) => e.level === "error").map((e) => e.message)).toEqual([
      expect.stringContaining('cannot reach cluster "gone"'),
      "backup Failed",
    ]);
    expect((await catalog.listRecoveryPoints("shop")).map((m) => m.id)).toContain(manifest.id);
    // Nothing was uploaded for the export that never started: only the log and the manifest.
    const stored: string[] = [];
    const prefix = catalog.blobName(manifest.id, "");
    for await (const blob of catalog.container.listBlobsFlat({ prefix }))
      stored.push(blob.name.slice(prefix.length));
    expect(stored.sort()).toEqual(["log.ndjson.gz", "manifest.json"]);
  });

  it("stops listing at once, requests in flight included, when storage fails during the export", async () => {
    // Storage fails once the first type is done. In a new namespace most types are empty: with
    // nothing to write, only the listing itself can notice.
    await kubectl(sim(), ["create", "namespace", "quiet"]);
    await sim().controllers.idle();
    const storageDown = new Error("storage went away");
    let failStorage: (error: Error) => void = () => undefined;
    const storageReady = new Promise<void>((_resolve, reject) => {
      failStorage = reject;
    });
    let requestsAtFailure = -1;
    const failure = await exportPhase(
      cluster,
      instance({ includedNamespaces: ["quiet"] }),
      catalog,
      { id: "never-stored", startedAt: new Date() },
      {
        log: new JobLog(),
        storageReady,
        onProgress: (progress) => {
          if (progress.typesDone === 1 && requestsAtFailure < 0) {
            requestsAtFailure = cluster.stats.requests;
            failStorage(storageDown);
          }
        },
      },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBe(storageDown);
    // Only what was already in flight or queued for the types fetched ahead (three at a time).
    expect(cluster.stats.requests - requestsAtFailure).toBeLessThanOrEqual(3);
  });

  it("fails with one clear storage error, and lists nothing more than it must, when storage cannot be reached", async () => {
    // A port nothing listens on: every storage request is refused.
    const down = new Catalog(
      BlobServiceClient.fromConnectionString(
        inject("azuriteConnectionString").replace(/127\.0\.0\.1:\d+/, "127.0.0.1:9"),
        { retryOptions: { maxTries: 1 } },
      ).getContainerClient("unreachable"),
    );
    const before = cluster.stats.requests;
    const failure = await runBackup(
      { instance: instance(), trigger: "OnDemand" },
      { cluster, catalog: down },
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toMatchObject({ code: "StorageUnavailable" });
    expect(String((failure as Error).message)).toContain("cannot create or open the container");
    // Discovery may have started meanwhile, but no type was listed into an archive that cannot be stored.
    expect(cluster.stats.requests - before).toBeLessThan(40);
  });

  it("lists recovery points newest first from the container alone", async () => {
    const listed = await catalog.listRecoveryPoints("shop");
    expect(listed.length).toBeGreaterThanOrEqual(5);
    const times = listed.map((m) => m.startTime);
    expect([...times].sort().reverse()).toEqual(times);
  });
});
