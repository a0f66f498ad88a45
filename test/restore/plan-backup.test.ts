// Restore planning from a real recovery point: real-world manifests applied to a simulated cluster,
// backed up by runBackup (volumes snapshotted in the Azure fake) into Azurite, then planned through
// loadRestorePlan, which also refuses the recovery points a restore must not read.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { isArchiveIntegrityError } from "../../src/archive/index.js";
import { runBackup, type VolumeDeps } from "../../src/backup/run.js";
import { connectCluster } from "../../src/kube/connect.js";
import { backupInstanceSchema } from "../../src/model/backup-instance.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { restoreRequestSchema } from "../../src/model/restore-request.js";
import { loadRestorePlan } from "../../src/restore/load.js";
import { Catalog } from "../../src/store/catalog.js";
import { SnapshotRateGuard } from "../../src/volumes/rate-guard.js";
import { MANIFEST_ROOT } from "../helpers/manifests.js";
import { kubectl, useSimulator } from "../helpers/sim.js";
import { computeFor } from "../volumes/harness.js";
import { find, itemsOf, keysOf } from "./plan-world.js";

const corpus = (path: string) => readFileSync(join(MANIFEST_ROOT, path), "utf8");
const PROMETHEUS_RBAC = "prometheus-operator/example/rbac/prometheus-operator";

const BINDING = `
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: operator, namespace: nginx-example}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: prometheus-operator}
subjects:
- {kind: ServiceAccount, name: prometheus-operator, namespace: default}
- {kind: ServiceAccount, name: default, namespace: nginx-example}
`;

describe("planning the restore of a real backup", () => {
  const sim = useSimulator();
  let catalog: Catalog;
  let manifest: RecoveryPointManifest;
  const request = (input: Record<string, unknown> = {}) =>
    restoreRequestSchema.parse({ recoveryPointId: manifest.id, ...input });

  beforeAll(async () => {
    const apply = async (text: string, namespace?: string) => {
      const created = await kubectl(sim(), ["create", "-f", "-"], text, namespace ? { namespace } : {});
      expect(created.code, created.stderr).toBe(0);
    };
    await apply(corpus("sample-controller/artifacts/examples/crd.yaml"));
    await kubectl(sim(), ["wait", "--for=condition=Established", "crd/foos.samplecontroller.k8s.io"]);
    await apply(corpus("velero/examples/nginx-app/with-pv.yaml"));
    await apply(corpus("sample-controller/artifacts/examples/example-foo.yaml"), "nginx-example");
    for (const file of ["service-account", "cluster-role", "cluster-role-binding"]) {
      await apply(corpus(`${PROMETHEUS_RBAC}/prometheus-operator-${file}.yaml`));
    }
    await apply(BINDING);
    await sim().controllers.idle();

    const cluster = await connectCluster({ name: "sim", kubeconfigYaml: sim().kubeconfig });
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    catalog = new Catalog(service.getContainerClient(`restore-plan-${Date.now()}`));
    const volumes: VolumeDeps = {
      snapshot: {
        compute: computeFor(sim().azure, sim().tls.caCert, sim().token),
        rateGuard: new SnapshotRateGuard({ clock: () => Date.now() }),
        updateIntervalInMs: 5,
        completionPollMs: 5,
      },
      snapshotResourceGroup: `/subscriptions/${sim().azure.subscriptionId}/resourceGroups/${sim().nodeResourceGroup}`,
    };
    const instance = backupInstanceSchema.parse({
      name: "nginx",
      cluster: "sim",
      policy: "daily",
      includedNamespaces: ["nginx-example", "default"],
    });
    manifest = await runBackup({ instance, trigger: "OnDemand" }, { cluster, catalog, volumes });
    expect(manifest.status).toBe("Succeeded");
    expect(manifest.volumeSnapshots).toHaveLength(1);
  });

  it("plans the backup into mapped namespaces: CRD first, then the app with its volume and permissions", async () => {
    const { plan } = await loadRestorePlan(
      catalog,
      request({
        includedNamespaces: ["nginx-example"],
        includeClusterScopeResources: false,
        namespaceMappings: { "nginx-example": "nginx-copy" },
      }),
    );
    expect(plan.phases[0]).toMatchObject({ name: "definitions", waitForEstablished: true });
    expect(plan.phases[0]?.items.map((item) => item.name)).toEqual(["foos.samplecontroller.k8s.io"]);
    const keys = keysOf(plan);
    expect(keys.indexOf("namespaces/nginx-copy")).toBeLessThan(
      keys.indexOf("persistentvolumeclaims/nginx-copy/nginx-logs"),
    );
    expect(keys.indexOf("services/nginx-copy/my-nginx")).toBeLessThan(
      keys.indexOf("deployments.apps/nginx-copy/nginx-deployment"),
    );
    expect(keys).toContain("foos.samplecontroller.k8s.io/nginx-copy/example-foo");
    expect(keys).toContain("clusterroles.rbac.authorization.k8s.io/prometheus-operator");
    expect(keys.some((key) => key.includes("nginx-example") || key.includes("clusterrolebindings"))).toBe(
      false,
    );

    expect(find(plan, "namespaces", "nginx-copy").object.metadata.labels).toMatchObject({ app: "nginx" });
    const [snapshot] = manifest.volumeSnapshots;
    const pvName = `${snapshot?.pv}-nginx-copy`;
    expect(plan.volumes).toEqual([
      expect.objectContaining({
        namespace: "nginx-copy",
        claim: "nginx-logs",
        sourceNamespace: "nginx-example",
        pv: pvName,
        sourcePv: snapshot?.pv,
        snapshotId: snapshot?.snapshotId,
      }),
    ]);
    const pv = find(plan, "persistentvolumes", pvName);
    expect(pv.object.spec).toMatchObject({ claimRef: { namespace: "nginx-copy", name: "nginx-logs" } });
    expect(pv.object.spec).not.toHaveProperty("claimRef.uid");
    const claim = find(plan, "persistentvolumeclaims", "nginx-logs", "nginx-copy");
    expect(claim.object.spec).toMatchObject({ volumeName: pvName });
    expect(claim.object.metadata.annotations ?? {}).not.toHaveProperty("pv.kubernetes.io/bind-completed");
    expect(find(plan, "rolebindings", "operator", "nginx-copy").object.subjects).toEqual([
      { kind: "ServiceAccount", name: "prometheus-operator", namespace: "default" },
      { kind: "ServiceAccount", name: "default", namespace: "nginx-copy" },
    ]);

    const service = find(plan, "services", "my-nginx", "nginx-copy").object.spec as Record<string, unknown>;
    expect(service).not.toHaveProperty("clusterIP");
    expect(service).not.toHaveProperty("clusterIPs");
    const pods = itemsOf(plan).filter((item) => item.resource === "pods");
    expect(pods.length).toBeGreaterThan(0);
    for (const pod of pods) {
      const spec = pod.object.spec as { nodeName?: string; volumes?: { name: string }[] };
      expect(spec.nodeName).toBeUndefined();
      expect(spec.volumes?.map((volume) => volume.name)).toEqual(["nginx-logs"]);
      expect(pod.object.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: "ReplicaSet" })]);
    }
    for (const item of itemsOf(plan)) {
      expect(item.object.metadata.uid, item.name).toBeUndefined();
      expect(item.object.metadata.resourceVersion, item.name).toBeUndefined();
      expect(item.object.status, item.name).toBeUndefined();
    }
  });

  it("with the whole cluster scope brings the ClusterRoleBinding, its subjects mapped", async () => {
    const { plan } = await loadRestorePlan(
      catalog,
      request({ namespaceMappings: { default: "default-copy" } }),
    );
    expect(find(plan, "clusterrolebindings", "prometheus-operator").object.subjects).toEqual([
      { kind: "ServiceAccount", name: "prometheus-operator", namespace: "default-copy" },
    ]);
    expect(find(plan, "serviceaccounts", "prometheus-operator", "default-copy").sourceNamespace).toBe(
      "default",
    );
  });

  it("refuses unknown, unfinished, failed and deleted recovery points, and a tampered archive", async () => {
    const refused = (id: string) => loadRestorePlan(catalog, request({ recoveryPointId: id }));
    await expect(refused("nginx-20200101-000000-0000")).rejects.toMatchObject({
      code: "RecoveryPointNotFound",
      statusCode: 404,
      message: expect.stringContaining("aks-backup recovery-points nginx"),
    });

    const unfinished = "nginx-20200101-000000-0001";
    await catalog.container.getBlockBlobClient(`nginx/${unfinished}/resources.tar.gz`).upload("x", 1);
    await expect(refused(unfinished)).rejects.toMatchObject({
      code: "RecoveryPointIncomplete",
      statusCode: 409,
    });

    const failed = "nginx-20200101-000000-0002";
    const { archive: _archive, ...noArchive } = manifest;
    await catalog.commitManifest({
      ...noArchive,
      id: failed,
      status: "Failed",
      errors: [{ message: "cluster unreachable" }],
    });
    await expect(refused(failed)).rejects.toMatchObject({
      code: "RecoveryPointFailed",
      message: expect.stringContaining("is of a failed backup (cluster unreachable)"),
    });

    const tampered = "nginx-20200101-000000-0003";
    const blob = `nginx/${tampered}/resources.tar.gz`;
    const original = await catalog.container.getBlobClient(manifest.archive?.blob ?? "").downloadToBuffer();
    const at = original.length - 20;
    original.writeUInt8(original.readUInt8(at) ^ 0xff, at);
    await catalog.container.getBlockBlobClient(blob).uploadData(original);
    await catalog.commitManifest({
      ...manifest,
      id: tampered,
      archive: { blob, sizeBytes: original.length, sha256: manifest.archive?.sha256 ?? "" },
    });
    expect(isArchiveIntegrityError(await refused(tampered).catch((error: unknown) => error))).toBe(true);

    await catalog.markForDeletion(manifest.id, "expired (P7D)", new Date());
    await expect(refused(manifest.id)).rejects.toMatchObject({
      code: "RecoveryPointDeleting",
      message: expect.stringContaining("is being deleted (expired (P7D))"),
    });
  });
});
