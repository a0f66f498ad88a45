// A backup of a small "shop" cluster held as an archive in memory, with the manifest that describes
// it: every case the restore planner decides on (dependencies, volumes, never-restored kinds,
// owners, system and missing namespaces) appears once.
import type { ArchiveItem } from "../../src/archive/index.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { type RestoreRequestInput, restoreRequestSchema } from "../../src/model/restore-request.js";
import type { PlannedItem, RestorePlan } from "../../src/restore/types.js";
import { buildArchive, itemOf, type KubeLike } from "../archive/build-archive.js";

export const RECOVERY_POINT = "shop-20260101-020000-0a1b";
const DISK = "/subscriptions/s/resourceGroups/mc_rg/providers/Microsoft.Compute/disks/pvc-data";
const SNAPSHOT = "/subscriptions/s/resourceGroups/snaps/providers/Microsoft.Compute/snapshots/shop-data";

const o = (
  apiVersion: string,
  kind: string,
  name: string,
  namespace?: string,
  fields: Record<string, unknown> = {},
  metadata: Record<string, unknown> = {},
): KubeLike => ({
  apiVersion,
  kind,
  metadata: {
    name,
    ...(namespace ? { namespace } : {}),
    uid: `uid-${kind}-${name}`,
    resourceVersion: "42",
    creationTimestamp: "2026-01-01T00:00:00Z",
    ...metadata,
  },
  ...fields,
});
const ns = (name: string, labels: Record<string, string> = {}) =>
  o(
    "v1",
    "Namespace",
    name,
    undefined,
    { status: { phase: "Active" } },
    {
      labels: { "kubernetes.io/metadata.name": name, ...labels },
    },
  );
const crd = (plural: string, group: string, kind: string) =>
  o("apiextensions.k8s.io/v1", "CustomResourceDefinition", `${plural}.${group}`, undefined, {
    spec: {
      group,
      scope: "Namespaced",
      names: { plural, kind },
      versions: [{ name: "v1", served: true, storage: true }],
    },
  });
const pv = (name: string, claim: string, reclaimPolicy: string, source: Record<string, unknown>) =>
  o("v1", "PersistentVolume", name, undefined, {
    spec: {
      capacity: { storage: "8Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: reclaimPolicy,
      storageClassName: "managed-csi-premium",
      claimRef: {
        kind: "PersistentVolumeClaim",
        namespace: "shop",
        name: claim,
        uid: `uid-pvc-${claim}`,
        resourceVersion: "7",
      },
      ...source,
    },
    status: { phase: "Bound" },
  });
const pvc = (name: string, volumeName: string) =>
  o(
    "v1",
    "PersistentVolumeClaim",
    name,
    "shop",
    {
      spec: {
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "8Gi" } },
        storageClassName: "managed-csi-premium",
        volumeName,
      },
      status: { phase: "Bound" },
    },
    { annotations: { "pv.kubernetes.io/bind-completed": "yes" } },
  );
const owner = (kind: string, name: string, apiVersion = "apps/v1") => ({
  ownerReferences: [{ apiVersion, kind, name, uid: `uid-${kind}-${name}`, controller: true }],
});
const configMap = (name: string, namespace: string, labels: Record<string, string> = {}) =>
  o("v1", "ConfigMap", name, namespace, { data: { mode: "prod" } }, { labels });
const sa = (namespace: string) => ({ kind: "ServiceAccount", name: "default", namespace });

/** Items whose plural is not the kind plus "s". */
const typed = (object: KubeLike, resource: string): ArchiveItem => itemOf(object, resource);

export function shopItems(): (ArchiveItem | KubeLike)[] {
  return [
    crd("widgets", "example.com", "Widget"),
    crd("gadgets", "example.com", "Gadget"),
    ns("shop", { team: "a" }),
    ns("shop-staging"),
    ns("other"),
    ns("kube-system"),
    typed(
      o("storage.k8s.io/v1", "StorageClass", "managed-csi-premium", undefined, {
        provisioner: "disk.csi.azure.com",
      }),
      "storageclasses",
    ),
    typed(
      o("storage.k8s.io/v1", "StorageClass", "unused-class", undefined, {
        provisioner: "file.csi.azure.com",
      }),
      "storageclasses",
    ),
    pv("pvc-data", "data", "Delete", { csi: { driver: "disk.csi.azure.com", volumeHandle: DISK } }),
    pv("pvc-logs", "logs", "Delete", { csi: { driver: "disk.csi.azure.com", volumeHandle: `${DISK}-logs` } }),
    pv("nfs-share", "shared", "Retain", { nfs: { server: "10.1.1.1", path: "/exports" } }),
    o("rbac.authorization.k8s.io/v1", "ClusterRole", "shop-reader", undefined, { rules: [] }),
    o("rbac.authorization.k8s.io/v1", "ClusterRole", "unrelated", undefined, { rules: [] }),
    o("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "shop-admins", undefined, {
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "unrelated" },
      subjects: [sa("shop")],
    }),
    o("v1", "Node", "aks-node-1"),
    o("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", "policy", undefined, {
      webhooks: [],
    }),
    o("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "inject", undefined, {
      webhooks: [],
    }),

    configMap("settings", "shop", { app: "web" }),
    o(
      "v1",
      "Secret",
      "db",
      "shop",
      { type: "Opaque", data: { password: "aHVudGVyMg==" } },
      { labels: { app: "db" } },
    ),
    o("v1", "Secret", "default-token", "shop", { type: "kubernetes.io/service-account-token", data: {} }),
    pvc("data", "pvc-data"),
    pvc("logs", "pvc-logs"),
    pvc("shared", "nfs-share"),
    o("v1", "ServiceAccount", "default", "shop"),
    o(
      "rbac.authorization.k8s.io/v1",
      "RoleBinding",
      "readers",
      "shop",
      {
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "shop-reader" },
        subjects: [sa("shop"), sa("other")],
      },
      { labels: { app: "web" } },
    ),
    o("v1", "Service", "web", "shop", {
      spec: { clusterIP: "10.0.0.5", clusterIPs: ["10.0.0.5"], ports: [{ port: 80 }] },
    }),
    o("apps/v1", "Deployment", "web", "shop", { spec: { replicas: 2 } }, { labels: { app: "web" } }),
    o("apps/v1", "ReplicaSet", "web-abc", "shop", { spec: { replicas: 2 } }, owner("Deployment", "web")),
    o(
      "v1",
      "Pod",
      "web-abc-1",
      "shop",
      { spec: { nodeName: "aks-node-1", containers: [] }, status: { phase: "Running" } },
      {
        labels: { app: "web" },
        ...owner("ReplicaSet", "web-abc"),
      },
    ),
    o("batch/v1", "Job", "migrate", "shop", { spec: {}, status: { completionTime: "2026-01-01T01:00:00Z" } }),
    o(
      "v1",
      "Pod",
      "migrate-x",
      "shop",
      { spec: { containers: [] }, status: { phase: "Running" } },
      owner("Job", "migrate", "batch/v1"),
    ),
    o("v1", "Pod", "done", "shop", { spec: { containers: [] }, status: { phase: "Succeeded" } }),
    o(
      "v1",
      "Pod",
      "static-web",
      "shop",
      { spec: { containers: [] }, status: { phase: "Running" } },
      {
        annotations: { "kubernetes.io/config.mirror": "abc" },
      },
    ),
    o("v1", "Event", "web.1", "shop", { reason: "Scheduled" }),
    o("example.com/v1", "Widget", "blue", "shop", { spec: { size: 3 } }),
    typed(o("networking.k8s.io/v1", "Ingress", "web", "shop", { spec: {} }), "ingresses"),

    configMap("settings", "shop-staging", { app: "web" }),
    configMap("elsewhere", "other"),
    configMap("coredns", "kube-system"),
    configMap("orphan", "ghost"),
  ];
}

export async function shopArchive(items = shopItems()) {
  const { bytes, summary } = await buildArchive(items);
  const manifest: RecoveryPointManifest = {
    formatVersion: 1,
    id: RECOVERY_POINT,
    instance: "shop",
    cluster: "prod",
    trigger: "OnDemand",
    startTime: "2026-01-01T02:00:00Z",
    endTime: "2026-01-01T02:01:00Z",
    status: "Succeeded",
    archive: {
      blob: `shop/${RECOVERY_POINT}/resources.tar.gz`,
      sizeBytes: summary.sizeBytes,
      sha256: summary.sha256,
    },
    itemCounts: summary.countsByType,
    totalItems: summary.itemCount,
    volumeSnapshots: [
      {
        pvc: "shop/data",
        pv: "pvc-data",
        diskId: DISK,
        snapshotId: SNAPSHOT,
        sizeGiB: 8,
        zone: "2",
        storageClass: "managed-csi-premium",
        completionPercent: 100,
      },
      {
        pvc: "shop/logs",
        pv: "pvc-logs",
        diskId: `${DISK}-logs`,
        snapshotId: `${SNAPSHOT}-logs`,
        sizeGiB: 8,
        completionPercent: 40,
        error: "the copy did not reach 100% in time",
      },
    ],
    warnings: [],
    errors: [],
  };
  return { bytes, manifest };
}

export const request = (input: Partial<RestoreRequestInput> = {}) =>
  restoreRequestSchema.parse({ recoveryPointId: RECOVERY_POINT, ...input });

/** Every planned item, in creation order. */
export const itemsOf = (plan: RestorePlan): PlannedItem[] => plan.phases.flatMap((phase) => phase.items);

/** `resource.group/namespace/name` of each planned item, in creation order. */
export const keysOf = (plan: RestorePlan): string[] =>
  itemsOf(plan).map(
    (item) =>
      `${[item.resource, item.group].filter(Boolean).join(".")}/${item.namespace ? `${item.namespace}/` : ""}${item.name}`,
  );

export function find(plan: RestorePlan, resource: string, name: string, namespace?: string): PlannedItem {
  const item = itemsOf(plan).find(
    (candidate) =>
      candidate.resource === resource && candidate.name === name && candidate.namespace === namespace,
  );
  if (!item)
    throw new Error(`${resource} ${namespace ?? ""}/${name} is not planned: ${keysOf(plan).join(", ")}`);
  return item;
}
