// Patch over an application that still runs: a real backup (runBackup of Velero's nginx example
// and a suspended Job, into Azurite) restored with Patch into the same cluster. Pods, Jobs, claims
// and volumes refuse most spec changes; the restore patches only what they let change, and says so.
// Then the rule itself (frozenSpecPatch) as a table.
import { BlobServiceClient } from "@azure/storage-blob";
import { beforeAll, describe, expect, inject, it } from "vitest";
import { runBackup } from "../../src/backup/run.js";
import type { Cluster } from "../../src/kube/cluster.js";
import { connectCluster } from "../../src/kube/connect.js";
import type { KubeObject } from "../../src/kube/types.js";
import { backupInstanceSchema } from "../../src/model/backup-instance.js";
import type { RecoveryPointManifest } from "../../src/model/recovery-point.js";
import { restoreRequestSchema } from "../../src/model/restore-request.js";
import { applyPlan } from "../../src/restore/apply.js";
import { frozenSpecPatch, frozenSpecRuleOf } from "../../src/restore/conflicts.js";
import { loadRestorePlan } from "../../src/restore/load.js";
import type { RestoreResult } from "../../src/restore/result.js";
import { Catalog } from "../../src/store/catalog.js";
import { SnapshotRateGuard } from "../../src/volumes/rate-guard.js";
import { loadManifests } from "../helpers/manifests.js";
import { kubectl, useSimulator } from "../helpers/sim.js";
import { computeFor } from "../volumes/harness.js";

const NGINX_APP = "velero/examples/nginx-app/with-pv.yaml";

const REPORT_JOB = `
apiVersion: batch/v1
kind: Job
metadata: {name: report, namespace: nginx-example, labels: {app: report}}
spec:
  suspend: true
  parallelism: 1
  template:
    spec:
      restartPolicy: Never
      containers: [{name: report, image: busybox:1.36, command: ["sh", "-c", "echo done"]}]
`;

describe("Patch over a running application", () => {
  const sim = useSimulator();
  let cluster: Cluster;
  let manifest: RecoveryPointManifest;
  let catalog: Catalog;
  let podName: string;

  async function run(args: string[], input?: string): Promise<string> {
    const { code, stdout, stderr } = await kubectl(sim(), args, input);
    if (code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${stderr}`);
    return stdout;
  }
  const getJson = async (args: string[]) => JSON.parse(await run([...args, "-o", "json"])) as KubeObject;

  async function restoreWithPatch(): Promise<RestoreResult> {
    const request = restoreRequestSchema.parse({
      recoveryPointId: manifest.id,
      conflictPolicy: "Patch",
      persistentVolumeRestoreMode: "RestoreWithoutVolumeData",
    });
    const { plan } = await loadRestorePlan(catalog, request);
    return applyPlan(cluster, plan);
  }

  const outcomeOf = (result: RestoreResult, kind: string, name: string) =>
    result.items.find((item) => item.kind === kind && item.name === name);

  beforeAll(async () => {
    const app = loadManifests().find((file) => file.path === NGINX_APP);
    await run(["create", "-f", "-"], app?.text);
    await run(["create", "-f", "-"], REPORT_JOB);
    await sim().controllers.idle();
    podName = (await run(["get", "pods", "-n", "nginx-example", "-l", "app=nginx", "-o", "name"]))
      .trim()
      .replace(/^pod\//, "");
    await run(["label", "pod", podName, "-n", "nginx-example", "tier=web"]);

    cluster = await connectCluster({ name: "sim", kubeconfigYaml: sim().kubeconfig }, { qps: 0 });
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    catalog = new Catalog(service.getContainerClient(`apply-patch-${Date.now()}`));
    const instance = backupInstanceSchema.parse({
      name: "nginx",
      cluster: "sim",
      policy: "daily",
      includedNamespaces: ["nginx-example"],
    });
    manifest = await runBackup(
      { instance, trigger: "OnDemand" },
      {
        cluster,
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
    expect(manifest.status).toBe("Succeeded");
  });

  it("patches a running Pod's labels and a Job's parallelism back, leaving what cannot change", async () => {
    // Changed since the backup: the pod's label, the Job's parallelism, the claim's labels.
    await run(["label", "pod", podName, "-n", "nginx-example", "tier=cache", "--overwrite"]);
    await run([
      "patch",
      "job",
      "report",
      "-n",
      "nginx-example",
      "--type=merge",
      "-p",
      '{"spec":{"parallelism":3}}',
    ]);
    const claimBefore = await getJson(["get", "pvc", "nginx-logs", "-n", "nginx-example"]);

    const result = await restoreWithPatch();
    expect(result.items.filter((item) => item.outcome === "failed")).toEqual([]);
    expect(result.status).toBe("Succeeded");
    expect(outcomeOf(result, "Pod", podName)).toMatchObject({
      outcome: "patched",
      reason: "a running Pod's spec cannot change; its labels were patched",
    });
    expect(outcomeOf(result, "Job", "report")).toMatchObject({
      outcome: "patched",
      reason: "a Job's template, selector and completions cannot change; its spec.parallelism was patched",
    });
    // A claim without volume data would be provisioned anew: its binding stays as it is.
    expect(outcomeOf(result, "PersistentVolumeClaim", "nginx-logs")).toMatchObject({
      outcome: "skipped",
      reason: expect.stringMatching(/^already exists; a PersistentVolumeClaim's spec cannot change/),
    });
    // The rest is laid over as for any kind.
    expect(outcomeOf(result, "Deployment", "nginx-deployment")?.outcome).toBe("patched");

    const pod = await getJson(["get", "pod", podName, "-n", "nginx-example"]);
    expect(pod.metadata.labels).toMatchObject({ app: "nginx", tier: "web" });
    expect((pod.spec as { nodeName?: string }).nodeName).toBeTruthy();
    expect((pod.status as { phase?: string }).phase).toBe("Running");
    const job = await getJson(["get", "job", "report", "-n", "nginx-example"]);
    expect(job.spec).toMatchObject({ parallelism: 1, suspend: true });
    const claim = await getJson(["get", "pvc", "nginx-logs", "-n", "nginx-example"]);
    expect(claim.spec).toEqual(claimBefore.spec);
    expect((claim.status as { phase?: string }).phase).toBe("Bound");
  });

  it("skips a running Pod, Job and claim that already look as backed up", async () => {
    const result = await restoreWithPatch();
    expect(result.status).toBe("Succeeded");
    expect(outcomeOf(result, "Pod", podName)).toMatchObject({
      outcome: "skipped",
      reason: "already exists; a running Pod's spec cannot change and what may change is as backed up",
    });
    expect(outcomeOf(result, "Job", "report")?.outcome).toBe("skipped");
    expect(outcomeOf(result, "PersistentVolumeClaim", "nginx-logs")?.outcome).toBe("skipped");
  });

  it("reports the same outcomes in a dry run and changes nothing", async () => {
    await run(["label", "pod", podName, "-n", "nginx-example", "tier=cache", "--overwrite"]);
    const request = restoreRequestSchema.parse({
      recoveryPointId: manifest.id,
      conflictPolicy: "Patch",
      persistentVolumeRestoreMode: "RestoreWithoutVolumeData",
      dryRun: true,
    });
    const { plan } = await loadRestorePlan(catalog, request);
    const result = await applyPlan(cluster, plan, { dryRun: true });
    expect(outcomeOf(result, "Pod", podName)?.outcome).toBe("patched");
    const pod = await getJson(["get", "pod", podName, "-n", "nginx-example"]);
    expect(pod.metadata.labels).toMatchObject({ tier: "cache" });
  });
});

describe("what Patch may change on a kind whose spec is fixed", () => {
  const ruleOf = (group: string, resource: string) => {
    const rule = frozenSpecRuleOf({ group, resource });
    if (!rule) throw new Error(`no rule for ${resource}`);
    return rule;
  };
  const pv = (spec: Record<string, unknown>, labels?: Record<string, string>): KubeObject => ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: "data", ...(labels ? { labels } : {}) },
    spec: {
      capacity: { storage: "1Gi" },
      csi: { driver: "disk.csi.azure.com", volumeHandle: "/disks/a" },
      claimRef: { namespace: "shop", name: "data", uid: "u1" },
      ...spec,
    },
  });

  it.each([
    {
      name: "a PV's reclaim policy, not its source or binding",
      existing: pv({ persistentVolumeReclaimPolicy: "Delete" }),
      backedUp: pv({
        persistentVolumeReclaimPolicy: "Retain",
        csi: { driver: "disk.csi.azure.com", volumeHandle: "/disks/b" },
        claimRef: { namespace: "shop", name: "data" },
      }),
      rule: ruleOf("", "persistentvolumes"),
      expected: {
        patch: { spec: { persistentVolumeReclaimPolicy: "Retain" } },
        changed: ["spec.persistentVolumeReclaimPolicy"],
      },
    },
    {
      name: "labels the backup has, keeping the target's own",
      existing: pv({}, { zone: "1" }),
      backedUp: pv({}, { app: "db" }),
      rule: ruleOf("", "persistentvolumes"),
      expected: { patch: { metadata: { labels: { app: "db" } } }, changed: ["labels"] },
    },
    {
      name: "nothing when only fixed fields differ",
      existing: pv({ claimRef: { namespace: "shop", name: "data", uid: "u1" } }),
      backedUp: pv({ claimRef: { name: "data", namespace: "shop" } }),
      rule: ruleOf("", "persistentvolumes"),
      expected: undefined,
    },
    {
      name: "nothing for owner references equal but for key order",
      existing: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", ownerReferences: [{ apiVersion: "v1", kind: "X", name: "x", uid: "1" }] },
        spec: { nodeName: "node-1" },
      },
      backedUp: {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p", ownerReferences: [{ uid: "1", name: "x", kind: "X", apiVersion: "v1" }] },
        spec: {},
      },
      rule: ruleOf("", "pods"),
      expected: undefined,
    },
  ])("patches $name", ({ existing, backedUp, rule, expected }) => {
    expect(frozenSpecPatch(existing, backedUp, rule)).toEqual(expected);
  });
});
