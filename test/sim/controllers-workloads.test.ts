// The workload controllers, scheduler and kubelets: what a restored Deployment, StatefulSet,
// DaemonSet or Job turns into, shaped as on a real cluster.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/sim/kube/types.js";
import {
  container,
  namespace,
  specOf,
  startTestCluster,
  statusOf,
  type TestCluster,
} from "./controllers-harness.js";

function deployment(name: string, replicas: number, image = "nginx:1.27"): KubeObject {
  return {
    metadata: { name, namespace: "shop" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container("web", image)] } },
    },
  };
}

describe("controllers: workloads", () => {
  let cluster: TestCluster;
  beforeEach(async () => {
    cluster = await startTestCluster({ azure: false });
    cluster.create("", "namespaces", namespace("shop"));
  });
  afterEach(async () => {
    expect(cluster.logs).toEqual([]);
    await cluster.close();
  });

  it("a Deployment gets a ReplicaSet and running Pods", async () => {
    const d = cluster.create("apps", "deployments", deployment("web", 3));
    await cluster.idle();

    const [rs, ...others] = cluster.list("apps", "replicasets", "shop");
    expect(others).toEqual([]);
    const hash = rs?.metadata?.labels?.["pod-template-hash"] ?? "";
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(rs?.metadata).toMatchObject({
      name: `web-${hash}`,
      annotations: {
        "deployment.kubernetes.io/revision": "1",
        "deployment.kubernetes.io/desired-replicas": "3",
      },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "Deployment",
          name: "web",
          uid: d.metadata?.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    });
    expect(specOf(rs)).toMatchObject({
      replicas: 3,
      selector: { matchLabels: { app: "web", "pod-template-hash": hash } },
    });

    const pods = cluster.list("", "pods", "shop");
    expect(pods).toHaveLength(3);
    for (const pod of pods) {
      expect(pod.metadata?.name).toMatch(new RegExp(`^web-${hash}-[bcdfghjklmnpqrstvwxz2456789]{5}$`));
      expect(pod.metadata?.ownerReferences?.[0]).toMatchObject({
        kind: "ReplicaSet",
        uid: rs?.metadata?.uid,
        controller: true,
      });
      expect(specOf(pod).nodeName).toMatch(/^aks-nodepool1-\d{8}-vmss00000[0-2]$/);
      expect(statusOf(pod)).toMatchObject({
        phase: "Running",
        podIP: expect.stringMatching(/^10\.244\.\d+\.\d+$/),
      });
      expect(statusOf(pod).containerStatuses).toEqual([
        expect.objectContaining({ name: "web", ready: true, image: "docker.io/library/nginx:1.27" }),
      ]);
    }
    // Spread over the three nodes, one per zone.
    expect(new Set(pods.map((p) => specOf(p).nodeName)).size).toBe(3);

    const after = cluster.get("apps", "deployments", "shop", "web");
    expect(after?.metadata?.annotations?.["deployment.kubernetes.io/revision"]).toBe("1");
    expect(statusOf(after)).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 3,
    });
    expect(statusOf(after).conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: "Available", status: "True", reason: "MinimumReplicasAvailable" }),
        expect.objectContaining({ type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" }),
      ]),
    );
  });

  it("scales with replicas and rolls a new ReplicaSet when the template changes", async () => {
    cluster.create("apps", "deployments", deployment("web", 2));
    await cluster.idle();
    const scale = (mutate: (d: KubeObject) => void) => {
      const d = cluster.get("apps", "deployments", "shop", "web");
      if (!d) throw new Error("deployment missing");
      mutate(d);
      cluster.store.update(cluster.type("apps", "deployments"), d);
    };
    scale((d) => {
      (d.spec as { replicas: number }).replicas = 4;
    });
    await cluster.idle();
    expect(cluster.list("", "pods", "shop")).toHaveLength(4);

    scale((d) => {
      const spec = d.spec as { template: { spec: { containers: Array<{ image: string }> } } };
      (spec.template.spec.containers[0] as { image: string }).image = "nginx:1.28";
    });
    await cluster.idle();
    const sets = cluster.list("apps", "replicasets", "shop");
    expect(sets).toHaveLength(2);
    const byRevision = Object.fromEntries(
      sets.map((rs) => [rs.metadata?.annotations?.["deployment.kubernetes.io/revision"], rs]),
    );
    expect(byRevision["1"]?.spec).toMatchObject({ replicas: 0 });
    expect(byRevision["2"]?.spec).toMatchObject({ replicas: 4 });
    const pods = cluster.list("", "pods", "shop");
    expect(pods).toHaveLength(4);
    expect(pods.every((p) => p.metadata?.ownerReferences?.[0]?.uid === byRevision["2"]?.metadata?.uid)).toBe(
      true,
    );
    expect(
      cluster.get("apps", "deployments", "shop", "web")?.metadata?.annotations?.[
        "deployment.kubernetes.io/revision"
      ],
    ).toBe("2");

    scale((d) => {
      (d.spec as { replicas: number }).replicas = 1;
    });
    await cluster.idle();
    expect(cluster.list("", "pods", "shop")).toHaveLength(1);
  });

  it("a restored ReplicaSet adopts the matching pods restored before it", async () => {
    for (const name of ["web-abc12", "web-def34"]) {
      cluster.create("", "pods", {
        metadata: { name, namespace: "shop", labels: { app: "web" } },
        spec: { containers: [container()] },
      });
    }
    const rs = cluster.create("apps", "replicasets", {
      metadata: { name: "web", namespace: "shop" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [container()] } },
      },
    });
    await cluster.idle();
    const pods = cluster.list("", "pods", "shop");
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual(["web-abc12", "web-def34"]);
    expect(pods.every((p) => p.metadata?.ownerReferences?.[0]?.uid === rs.metadata?.uid)).toBe(true);
  });

  it("a StatefulSet gets ordered pods with stable names and per-ordinal claims", async () => {
    cluster.create("apps", "statefulsets", {
      metadata: { name: "db", namespace: "shop" },
      spec: {
        replicas: 2,
        serviceName: "db",
        selector: { matchLabels: { app: "db" } },
        template: {
          metadata: { labels: { app: "db" } },
          spec: { containers: [container("pg", "postgres:16")] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: "data", labels: { tier: "storage" } },
            spec: {
              accessModes: ["ReadWriteOnce"],
              storageClassName: "azurefile-csi",
              resources: { requests: { storage: "1Gi" } },
            },
          },
        ],
      },
    });
    await cluster.idle();
    const pods = cluster.list("", "pods", "shop");
    expect(pods.map((p) => p.metadata?.name).sort()).toEqual(["db-0", "db-1"]);
    expect(pods[0]?.metadata?.labels).toMatchObject({
      app: "db",
      "statefulset.kubernetes.io/pod-name": pods[0]?.metadata?.name,
    });
    expect(pods[0]?.spec).toMatchObject({ hostname: pods[0]?.metadata?.name, subdomain: "db" });
    const claims = cluster.list("", "persistentvolumeclaims", "shop");
    expect(claims.map((c) => c.metadata?.name).sort()).toEqual(["data-db-0", "data-db-1"]);
    expect(claims[0]?.metadata?.labels).toEqual({ tier: "storage", app: "db" });
    expect(claims[0]?.metadata?.ownerReferences).toBeUndefined();
    expect(statusOf(cluster.get("apps", "statefulsets", "shop", "db"))).toMatchObject({
      replicas: 2,
      readyReplicas: 2,
      availableReplicas: 2,
    });
    expect(cluster.list("apps", "controllerrevisions", "shop")).toHaveLength(1);
  });

  it("a DaemonSet gets one pod per node", async () => {
    cluster.create("apps", "daemonsets", {
      metadata: { name: "agent", namespace: "shop" },
      spec: {
        selector: { matchLabels: { app: "agent" } },
        template: {
          metadata: { labels: { app: "agent" } },
          spec: { containers: [container("agent", "busybox:1.36")] },
        },
      },
    });
    await cluster.idle();
    const pods = cluster.list("", "pods", "shop");
    expect(pods).toHaveLength(3);
    expect(new Set(pods.map((p) => specOf(p).nodeName)).size).toBe(3);
    expect(statusOf(cluster.get("apps", "daemonsets", "shop", "agent"))).toMatchObject({
      desiredNumberScheduled: 3,
      numberReady: 3,
    });
  });

  it("a Job's pod runs, succeeds, and the Job completes", async () => {
    cluster.create("batch", "jobs", {
      metadata: { name: "migrate", namespace: "shop" },
      spec: {
        template: { spec: { restartPolicy: "Never", containers: [container("migrate", "busybox:1.36")] } },
      },
    });
    await cluster.idle();
    const job = cluster.get("batch", "jobs", "shop", "migrate");
    expect(statusOf(job)).toMatchObject({ succeeded: 1, completionTime: expect.any(String) });
    expect(statusOf(job).conditions).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: "Complete", status: "True" })]),
    );
    const [pod] = cluster.list("", "pods", "shop");
    expect(statusOf(pod)).toMatchObject({ phase: "Succeeded" });
    expect(pod?.metadata?.finalizers ?? []).toEqual([]);
    expect(pod?.metadata?.labels).toMatchObject({ "batch.kubernetes.io/job-name": "migrate" });
  });

  it("the seeded kube-system add-ons run: CoreDNS pods and one kube-proxy per node", async () => {
    await cluster.idle();
    const pods = cluster.list("", "pods", "kube-system");
    expect(pods.filter((p) => p.metadata?.name?.startsWith("coredns-"))).toHaveLength(2);
    expect(pods.filter((p) => p.metadata?.name?.startsWith("kube-proxy-"))).toHaveLength(3);
    expect(pods.every((p) => statusOf(p).phase === "Running")).toBe(true);
  });
});
