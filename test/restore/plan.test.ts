// Restore planning from an archive in memory: the order items are created in, what is left out and
// why, namespace mapping inside objects, selection, cluster-scope dependencies, volumes, and
// archives that must not be trusted.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, it } from "vitest";
import { isArchiveIntegrityError } from "../../src/archive/index.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { RestorePlanError } from "../../src/restore/errors.js";
import { targetClusterOf } from "../../src/restore/load.js";
import { planRestore } from "../../src/restore/plan.js";
import type { RestorePlan } from "../../src/restore/types.js";
import { find, itemsOf, keysOf, RECOVERY_POINT, request, shopArchive, shopItems } from "./plan-world.js";

const { bytes, manifest } = await shopArchive();

const plan = (input: Parameters<typeof request>[0] = {}, archive = bytes, recorded = manifest) =>
  planRestore(Readable.from([archive]), recorded, request(input));

/** The sequence of types, each named once, in creation order. */
function typeOrder(restore: RestorePlan): string[] {
  const order: string[] = [];
  for (const item of itemsOf(restore)) {
    const type = [item.resource, item.group].filter(Boolean).join(".");
    if (order.at(-1) !== type) order.push(type);
  }
  return order;
}

const skippedNames = (restore: RestorePlan) =>
  restore.skipped.map((item) => `${item.resource}/${item.namespace ? `${item.namespace}/` : ""}${item.name}`);

describe("planRestore", () => {
  it("creates CRDs first and waits for them, then Velero's order, and admission webhooks last", async () => {
    const restore = await plan();
    expect(restore.phases.map((phase) => [phase.name, phase.waitForEstablished ?? false])).toEqual([
      ["definitions", true],
      ["resources", false],
      ["admission", false],
    ]);
    expect(typeOrder(restore)).toEqual([
      "customresourcedefinitions.apiextensions.k8s.io",
      "namespaces",
      "storageclasses.storage.k8s.io",
      "persistentvolumes",
      "persistentvolumeclaims",
      "clusterroles.rbac.authorization.k8s.io",
      "serviceaccounts",
      "clusterrolebindings.rbac.authorization.k8s.io",
      "rolebindings.rbac.authorization.k8s.io",
      "secrets",
      "configmaps",
      "services",
      "pods",
      "replicasets.apps",
      "deployments.apps",
      "ingresses.networking.k8s.io",
      "widgets.example.com",
      "mutatingwebhookconfigurations.admissionregistration.k8s.io",
      "validatingwebhookconfigurations.admissionregistration.k8s.io",
    ]);
    expect(restore.recoveryPointId).toBe(RECOVERY_POINT);
  });

  it("leaves system namespaces out unless named, and creates a namespace the backup lacks", async () => {
    const restore = await plan();
    const namespaces = itemsOf(restore).filter((item) => item.resource === "namespaces");
    expect(namespaces.map((item) => item.name)).toEqual(["ghost", "other", "shop", "shop-staging"]);
    expect(find(restore, "namespaces", "ghost").object).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "ghost" },
    });
    expect(restore.warnings).toContain(
      "Namespace ghost is not in the backup; it is created without labels or annotations",
    );
    expect(keysOf(restore).some((key) => key.includes("kube-system"))).toBe(false);
    const named = await plan({ includedNamespaces: ["kube-system"], includeClusterScopeResources: false });
    expect(keysOf(named)).toEqual(["namespaces/kube-system", "configmaps/kube-system/coredns"]);
  });

  it("lists what is never restored with the reason, and drops owner references to it", async () => {
    const restore = await plan();
    const reasons = Object.fromEntries(
      restore.skipped.map((item) => [`${item.resource}/${item.name}`, [item.action, item.reason]]),
    );
    expect(reasons).toMatchObject({
      "nodes/aks-node-1": [
        "never-restore-nodes",
        expect.stringMatching(/^nodes are never restored: machines/),
      ],
      "events/web.1": ["never-restore-events", expect.stringContaining("a record of the past")],
      "secrets/default-token": [
        "secret",
        "service-account token Secrets are issued anew by the target cluster",
      ],
      "pods/done": ["pod", "the pod has completed (Succeeded)"],
      "pods/static-web": ["pod", "a mirror pod is recreated by the kubelet from its static manifest"],
      "jobs/migrate": ["job", "the Job has finished"],
    });
    const orphan = find(restore, "pods", "migrate-x", "shop");
    expect(orphan.object.metadata.ownerReferences).toBeUndefined();
    expect(restore.warnings).toContain(
      "Pod shop/migrate-x: owner-references: owner Job/migrate is not restored; reference dropped",
    );
    const pod = find(restore, "pods", "web-abc-1", "shop");
    expect(pod.object.metadata.ownerReferences).toEqual([
      expect.objectContaining({ kind: "ReplicaSet", name: "web-abc", uid: "uid-ReplicaSet-web-abc" }),
    ]);
    expect(pod.oldUid).toBe("uid-Pod-web-abc-1");
    expect(pod.object.metadata.uid).toBeUndefined();
    expect(pod.object.spec).toEqual({ containers: [] });
    expect(pod.object.status).toBeUndefined();
    expect(find(restore, "services", "web", "shop").object.spec).toEqual({ ports: [{ port: 80 }] });
    expect(restore.unselected).toBe(2); // kube-system and its ConfigMap
  });

  it("maps a namespace everywhere: items, the Namespace, binding subjects, claim references, volumes", async () => {
    const restore = await plan({ namespaceMappings: { shop: "shop-copy" } });
    expect(keysOf(restore).filter((key) => key.includes("/shop/"))).toEqual([]);
    const namespace = find(restore, "namespaces", "shop-copy");
    expect(namespace.object.metadata.labels).toEqual({
      "kubernetes.io/metadata.name": "shop-copy",
      team: "a",
    });
    const secret = find(restore, "secrets", "db", "shop-copy");
    expect(secret.sourceNamespace).toBe("shop");
    expect(secret.object.metadata.namespace).toBe("shop-copy");
    expect(find(restore, "rolebindings", "readers", "shop-copy").object.subjects).toEqual([
      { kind: "ServiceAccount", name: "default", namespace: "shop-copy" },
      { kind: "ServiceAccount", name: "default", namespace: "other" },
    ]);
    expect(find(restore, "clusterrolebindings", "shop-admins").object.subjects).toEqual([
      { kind: "ServiceAccount", name: "default", namespace: "shop-copy" },
    ]);
    // The restored volume must not collide with the original when both live in one cluster.
    const volume = find(restore, "persistentvolumes", "pvc-data-shop-copy");
    expect((volume.object.spec as { claimRef: unknown }).claimRef).toEqual({
      kind: "PersistentVolumeClaim",
      namespace: "shop-copy",
      name: "data",
    });
    const claim = find(restore, "persistentvolumeclaims", "data", "shop-copy");
    expect(claim.object.spec).toMatchObject({ volumeName: "pvc-data-shop-copy" });
    expect(claim.object.metadata.annotations).toEqual({});
    expect(restore.volumes).toEqual([
      {
        namespace: "shop-copy",
        claim: "data",
        sourceNamespace: "shop",
        pv: "pvc-data-shop-copy",
        sourcePv: "pvc-data",
        snapshotId: manifest.volumeSnapshots[0]?.snapshotId,
        sourceDiskId: manifest.volumeSnapshots[0]?.diskId,
        sizeGiB: 8,
        zone: "2",
        storageClass: "managed-csi-premium",
      },
    ]);
    expect(restore.namespaceMappings).toEqual({ shop: "shop-copy" });
  });

  it("refuses a mapping that would merge two restored namespaces, naming the field", async () => {
    const merged = plan({ namespaceMappings: { shop: "other" } });
    await expect(merged).rejects.toThrow(RestorePlanError);
    await expect(merged).rejects.toMatchObject({
      code: "NamespaceMappingConflict",
      field: "namespaceMappings.shop",
      message: expect.stringContaining('"shop" maps onto "other", which this restore also restores'),
    });
    const swapped = await plan({ namespaceMappings: { shop: "other", other: "other-old" } });
    expect(find(swapped, "configmaps", "settings", "other").sourceNamespace).toBe("shop");
    expect(find(swapped, "configmaps", "elsewhere", "other-old").sourceNamespace).toBe("other");
    const unused = await plan({ includedNamespaces: ["other"], namespaceMappings: { shop: "x" } });
    expect(unused.warnings).toContain("namespaceMappings.shop: nothing of namespace shop is restored");
  });

  it("selects namespaces by wildcard, types, and label selectors OR-ed", async () => {
    const staging = await plan({ includedNamespaces: ["shop-*"], includeClusterScopeResources: false });
    expect(keysOf(staging)).toEqual(["namespaces/shop-staging", "configmaps/shop-staging/settings"]);
    const notShop = await plan({ excludedNamespaces: ["shop*"], includeClusterScopeResources: false });
    expect(keysOf(notShop)).toEqual([
      "namespaces/ghost",
      "namespaces/other",
      "configmaps/ghost/orphan",
      "configmaps/other/elsewhere",
    ]);
    const configOnly = await plan({
      includedNamespaces: ["shop"],
      includedResourceTypes: ["configmaps", "v1/Secret"],
      excludedResourceTypes: ["Secret"],
    });
    expect(keysOf(configOnly)).toEqual(["namespaces/shop", "configmaps/shop/settings"]);
    const labelled = await plan({
      includedNamespaces: ["shop"],
      labelSelectors: ["app=web", "app in (db)"],
      includeClusterScopeResources: false,
    });
    expect(keysOf(labelled)).toEqual([
      "namespaces/shop",
      "clusterroles.rbac.authorization.k8s.io/shop-reader",
      "rolebindings.rbac.authorization.k8s.io/shop/readers",
      "secrets/shop/db",
      "configmaps/shop/settings",
      "pods/shop/web-abc-1",
      "deployments.apps/shop/web",
    ]);
  });

  it("without cluster scope takes only what the restored items need from it", async () => {
    const restore = await plan({ includedNamespaces: ["shop"], includeClusterScopeResources: false });
    const cluster = itemsOf(restore).filter((item) => !item.namespaced);
    expect(cluster.map((item) => `${item.resource}/${item.name}`)).toEqual([
      "customresourcedefinitions/widgets.example.com",
      "namespaces/shop",
      "storageclasses/managed-csi-premium",
      "persistentvolumes/nfs-share",
      "persistentvolumes/pvc-data",
      "clusterroles/shop-reader",
    ]);
    // The whole cluster scope still brings only the volumes of restored claims.
    const all = await plan({ includedNamespaces: ["shop-staging"] });
    expect(keysOf(all).filter((key) => key.startsWith("persistentvolumes/"))).toEqual([]);
    expect(keysOf(all)).toContain("clusterroles.rbac.authorization.k8s.io/unrelated");
    expect(keysOf(all)).not.toContain("namespaces/shop");
  });

  it("restores volumes from their snapshots, or leaves claims to dynamic provisioning", async () => {
    const restore = await plan({ includedNamespaces: ["shop"] });
    expect(restore.volumes.map((volume) => [volume.namespace, volume.claim, volume.pv])).toEqual([
      ["shop", "data", "pvc-data"],
    ]);
    expect(restore.warnings).toContain(
      "PersistentVolume pvc-logs: its snapshot is not usable (the copy did not reach 100% in time)",
    );
    expect(restore.skipped).toContainEqual(
      expect.objectContaining({
        resource: "persistentvolumes",
        name: "pvc-logs",
        action: "volumes",
        reason: expect.stringContaining("no usable snapshot: its claim is provisioned anew, empty"),
      }),
    );
    const spec = (name: string, r = restore) => find(r, "persistentvolumeclaims", name, "shop").object.spec;
    expect(spec("logs")).not.toHaveProperty("volumeName");
    expect(spec("shared")).toMatchObject({ volumeName: "nfs-share" });
    expect(spec("data")).toMatchObject({ volumeName: "pvc-data" });

    const empty = await plan({
      includedNamespaces: ["shop"],
      persistentVolumeRestoreMode: "RestoreWithoutVolumeData",
    });
    expect(empty.volumes).toEqual([]);
    expect(skippedNames(empty)).toContain("persistentvolumes/pvc-data");
    expect(spec("data", empty)).not.toHaveProperty("volumeName");
    expect(empty.persistentVolumeRestoreMode).toBe("RestoreWithoutVolumeData");
  });

  it("puts the types a request names first within their phase, never before the CRDs", async () => {
    const restore = await plan({
      resourceOrder: ["configmaps", "apps/v1/Deployment", "customresourcedefinitions"],
    });
    expect(typeOrder(restore).slice(0, 4)).toEqual([
      "customresourcedefinitions.apiextensions.k8s.io",
      "configmaps",
      "deployments.apps",
      "namespaces",
    ]);
  });

  it("refuses a tampered archive and plans nothing", async () => {
    const tampered = Buffer.from(bytes);
    const at = Math.floor(tampered.length / 2);
    tampered.writeUInt8(tampered.readUInt8(at) ^ 0xff, at);
    const error = await plan({}, tampered).catch((caught: unknown) => caught);
    expect(isArchiveIntegrityError(error)).toBe(true);
    expect(String(error)).toContain("the archive was changed or truncated after the backup");
    const otherHash = {
      ...manifest,
      archive: { ...(manifest.archive ?? { blob: "", sizeBytes: 0 }), sha256: "0".repeat(64) },
    };
    expect(isArchiveIntegrityError(await plan({}, bytes, otherHash).catch((caught: unknown) => caught))).toBe(
      true,
    );
  });

  it("refuses a manifest of another recovery point or without an archive", async () => {
    await expect(plan({}, bytes, { ...manifest, id: "shop-20260102-020000-0a1b" })).rejects.toMatchObject({
      code: "RecoveryPointMismatch",
      field: "recoveryPointId",
    });
    const { archive: _archive, ...withoutArchive } = manifest;
    await expect(plan({}, bytes, { ...withoutArchive, status: "Failed" })).rejects.toMatchObject({
      code: "ArchiveMissing",
      message: expect.stringContaining("has no archive (its backup Failed)"),
    });
  });

  it("plans a Velero-written archive, reading each item once at its preferred version", async () => {
    const velero = readFileSync(
      join(import.meta.dirname, "..", "archive", "fixtures", "velero-1.1.0.tar.gz"),
    );
    const sha256 = createHash("sha256").update(velero).digest("hex");
    const recorded: RecoveryPointManifest = {
      ...manifest,
      archive: { blob: "imported/velero.tar.gz", sizeBytes: velero.length, sha256 },
      volumeSnapshots: [],
    };
    const restore = await plan({ namespaceMappings: { shop: "shop-restored" } }, velero, recorded);
    const hpa = find(restore, "horizontalpodautoscalers", "web", "shop-restored");
    expect(hpa.version).toBe("v2");
    expect(keysOf(restore).filter((key) => key.includes("horizontalpodautoscalers"))).toHaveLength(1);
    expect(restore.phases[0]?.items.map((item) => item.kind)).toEqual(["CustomResourceDefinition"]);
    expect(find(restore, "secrets", "db", "shop-restored").object.data).toEqual({ password: "aHVudGVyMg==" });
    expect(find(restore, "namespaces", "shop-restored").object.metadata.uid).toBeUndefined();
  });

  it("restores to a registered cluster only: the request's, or the backup's own", () => {
    expect(targetClusterOf({}, manifest, ["prod", "dr"])).toBe("prod");
    expect(targetClusterOf({ targetCluster: "dr" }, manifest, ["prod", "dr"])).toBe("dr");
    expect(() => targetClusterOf({ targetCluster: "dr2" }, manifest, ["prod", "dr"])).toThrow(
      'targetCluster: unknown cluster "dr2" (did you mean "dr"?); known clusters: prod, dr',
    );
    expect(() => targetClusterOf({}, manifest, ["dr"])).toThrow(
      /unknown cluster "prod".*\(the cluster of the backup; name another with targetCluster\)/,
    );
  });

  it("names archive entries that are not Kubernetes objects among the skipped, and plans the rest", async () => {
    const odd = {
      group: "",
      version: "v1",
      resource: "configmaps",
      kind: "ConfigMap",
      namespace: "shop",
      name: "odd",
    };
    const { bytes: withOdd, manifest: recorded } = await shopArchive([
      ...shopItems(),
      { ...odd, object: { data: { x: "1" } } },
    ]);
    const restore = await plan({ includedNamespaces: ["shop"] }, withOdd, recorded);
    expect(restore.skipped).toContainEqual({
      group: "",
      resource: "configmaps",
      namespace: "shop",
      name: "odd",
      reason: "the archived object has no apiVersion",
    });
    expect(keysOf(restore)).toContain("configmaps/shop/settings");
  });
});
