// Applying restore plans to a simulated AKS cluster: what a user finds in the cluster afterwards and
// what the result says, for fresh creates, both conflict policies, dry runs, CRDs with their custom
// resources, owner references, refusals, Terminating namespaces, re-runs and a cluster that is gone.
import { beforeAll, describe, expect, it } from "vitest";
import type { Cluster } from "../../src/kube/cluster.js";
import { connectCluster } from "../../src/kube/connect.js";
import type { KubeObject } from "../../src/kube/types.js";
import { applyPlan } from "../../src/restore/apply.js";
import type { ItemResult } from "../../src/restore/types.js";
import { loadManifests } from "../helpers/manifests.js";
import { kubectl, useSimulator } from "../helpers/sim.js";
import { configMap, get, item, ns, ownerRef, phase, plan, planOfManifests } from "./apply-builders.js";

const outcomes = (items: readonly ItemResult[]) =>
  Object.fromEntries(
    items.map((i) => [`${i.resource}/${i.namespace ? `${i.namespace}/` : ""}${i.name}`, i.outcome]),
  );

const deployment = (namespace: string, name: string): KubeObject => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace, labels: { app: name } },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
    },
  },
});

const widgetCrd = (plural: string, kind: string): KubeObject => ({
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: `${plural}.example.com` },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: { plural, singular: plural.slice(0, -1), kind, listKind: `${kind}List` },
    versions: [
      {
        name: "v1",
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      },
    ],
  },
});

async function kubectlJson(args: string[]): Promise<KubeObject> {
  const { code, stdout, stderr } = await kubectl(sim(), [...args, "-o", "json"]);
  if (code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${stderr}`);
  return JSON.parse(stdout) as KubeObject;
}

const sim = useSimulator();
let cluster: Cluster;

describe("applying a restore plan", () => {
  beforeAll(async () => {
    cluster = await connectCluster({ name: "sim", kubeconfigYaml: sim().kubeconfig }, { qps: 0 });
  });

  it("creates a namespace and its objects in an empty cluster, visible to kubectl", async () => {
    const result = await applyPlan(
      cluster,
      plan([
        phase("resources", [
          item(ns("shop-a", { team: "web" })),
          item({
            apiVersion: "v1",
            kind: "ServiceAccount",
            metadata: { name: "builder", namespace: "shop-a" },
            imagePullSecrets: [{ name: "registry" }],
          }),
          item({
            apiVersion: "v1",
            kind: "Secret",
            metadata: { name: "db", namespace: "shop-a" },
            type: "Opaque",
            data: { password: Buffer.from("hunter2").toString("base64") },
          }),
          item(configMap("shop-a", "settings", { mode: "prod" })),
          item({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "web", namespace: "shop-a" },
            spec: { selector: { app: "web" }, ports: [{ port: 80, targetPort: 8080 }] },
          }),
          item(deployment("shop-a", "web")),
        ]),
      ]),
    );
    expect(result.status).toBe("Succeeded");
    expect(result.counts).toMatchObject({ total: 6, created: 6, failed: 0 });
    const settings = await kubectlJson(["get", "configmap", "settings", "-n", "shop-a"]);
    expect(settings.data).toEqual({ mode: "prod" });
    const namespace = await kubectlJson(["get", "namespace", "shop-a"]);
    expect(namespace.metadata.labels).toMatchObject({ team: "web" });
    const secret = await kubectlJson(["get", "secret", "db", "-n", "shop-a"]);
    expect(Buffer.from((secret.data as Record<string, string>).password ?? "", "base64").toString()).toBe(
      "hunter2",
    );
    const web = await kubectlJson(["get", "deployment", "web", "-n", "shop-a"]);
    expect(web.spec).toMatchObject({ replicas: 1 });
  });

  it("restores real manifests in one go: an application, a CRD and its custom resource", async () => {
    const wanted = [
      "velero/examples/nginx-app/with-pv.yaml",
      "sample-controller/artifacts/examples/crd.yaml",
      "sample-controller/artifacts/examples/example-foo.yaml",
    ];
    const objects = loadManifests()
      .filter((file) => wanted.includes(file.path))
      .flatMap((file) => file.documents)
      .map(
        (object): KubeObject => ({
          ...object,
          apiVersion: object.apiVersion ?? "",
          kind: object.kind ?? "",
          // The example Foo names no namespace; it goes with the application.
          metadata: { ...object.metadata, ...(object.kind === "Foo" ? { namespace: "nginx-example" } : {}) },
        }),
      );
    const backup = await planOfManifests(cluster, objects);
    expect(backup.phases.map((p) => [p.name, p.items.map((i) => i.kind)])).toEqual([
      ["definitions", ["CustomResourceDefinition"]],
      ["resources", ["Namespace", "PersistentVolumeClaim", "Service", "Deployment", "Foo"]],
    ]);
    const result = await applyPlan(cluster, backup);
    expect(result.status).toBe("Succeeded");
    expect(result.counts).toMatchObject({ total: 6, created: 6 });
    const foo = await kubectlJson([
      "get",
      "foos.samplecontroller.k8s.io",
      "example-foo",
      "-n",
      "nginx-example",
    ]);
    expect(foo.spec).toEqual({ deploymentName: "example-foo", replicas: 1 });
    const service = await kubectlJson(["get", "service", "my-nginx", "-n", "nginx-example"]);
    expect(service.spec).toMatchObject({ type: "LoadBalancer", selector: { app: "nginx" } });
  });

  it("leaves existing objects with Skip and lays the backup over them with Patch", async () => {
    await cluster.request("POST", "/api/v1/namespaces", { body: ns("shop-b") });
    await cluster.request("POST", "/api/v1/namespaces/shop-b/configmaps", {
      body: configMap("shop-b", "settings", { mode: "dev", extra: "kept" }, { labels: { team: "a" } }),
    });
    await cluster.request("POST", "/api/v1/namespaces/shop-b/serviceaccounts", {
      body: {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name: "builder" },
        imagePullSecrets: [{ name: "cluster-pull" }],
      },
    });
    const backup = plan([
      phase("resources", [
        item(ns("shop-b")),
        item({
          apiVersion: "v1",
          kind: "ServiceAccount",
          metadata: { name: "builder", namespace: "shop-b" },
          imagePullSecrets: [{ name: "backup-pull" }],
        }),
        item(configMap("shop-b", "settings", { mode: "prod" }, { labels: { app: "web" } })),
        item(configMap("shop-b", "added", { a: "1" })),
      ]),
    ]);

    const skipped = await applyPlan(cluster, backup, { conflictPolicy: "Skip" });
    expect(outcomes(skipped.items)).toEqual({
      "namespaces/shop-b": "skipped",
      "serviceaccounts/shop-b/builder": "patched",
      "configmaps/shop-b/settings": "skipped",
      "configmaps/shop-b/added": "created",
    });
    expect(skipped.items.find((i) => i.name === "settings")?.reason).toBe("already exists");
    expect((await kubectlJson(["get", "configmap", "settings", "-n", "shop-b"])).data).toEqual({
      mode: "dev",
      extra: "kept",
    });
    // A ServiceAccount is merged even with Skip: the cluster's pull secret stays, the backup's joins.
    const builder = await kubectlJson(["get", "serviceaccount", "builder", "-n", "shop-b"]);
    expect(builder.imagePullSecrets).toEqual([{ name: "cluster-pull" }, { name: "backup-pull" }]);

    const patched = await applyPlan(cluster, backup, { conflictPolicy: "Patch" });
    expect(outcomes(patched.items)).toEqual({
      "namespaces/shop-b": "patched",
      "serviceaccounts/shop-b/builder": "skipped",
      "configmaps/shop-b/settings": "patched",
      "configmaps/shop-b/added": "patched",
    });
    const settings = await kubectlJson(["get", "configmap", "settings", "-n", "shop-b"]);
    expect(settings.data).toEqual({ mode: "prod", extra: "kept" });
    expect(settings.metadata.labels).toEqual({ team: "a", app: "web" });
  });

  it("reports the API server's refusal of an immutable field under Patch as a failure", async () => {
    await cluster.request("POST", "/api/v1/namespaces/default/configmaps", {
      body: { ...configMap("default", "frozen", { level: "1" }), immutable: true },
    });
    const result = await applyPlan(
      cluster,
      plan([
        phase("resources", [item({ ...configMap("default", "frozen", { level: "2" }), immutable: true })]),
      ]),
      { conflictPolicy: "Patch" },
    );
    expect(result.status).toBe("Failed");
    expect(result.items[0]?.outcome).toBe("failed");
    expect(result.items[0]?.reason).toMatch(/^422 Invalid: .*field is immutable when `immutable` is set/);
    expect((await kubectlJson(["get", "configmap", "frozen", "-n", "default"])).data).toEqual({ level: "1" });
  });

  it("writes nothing in a dry run yet reports what would be created, patched or refused", async () => {
    await cluster.request("POST", "/api/v1/namespaces/default/configmaps", {
      body: configMap("default", "dry-existing", { v: "cluster" }),
    });
    const before = cluster.stats.requests;
    const result = await applyPlan(
      cluster,
      plan([
        phase("resources", [
          item(ns("dry-c")),
          item(configMap("dry-c", "inside", { a: "1" }), "inside-old"),
          item(
            configMap(
              "dry-c",
              "owned",
              { a: "1" },
              { ownerReferences: [ownerRef("ConfigMap", "v1", "inside", "inside-old")] },
            ),
          ),
          item(configMap("default", "dry-new", { a: "1" })),
          item(configMap("default", "dry-existing", { v: "backup" })),
          item(configMap("default", "dry-invalid", { "not a key!": "x" })),
        ]),
      ]),
      { dryRun: true, conflictPolicy: "Patch" },
    );
    expect(result.dryRun).toBe(true);
    expect(outcomes(result.items)).toEqual({
      "namespaces/dry-c": "created",
      "configmaps/dry-c/inside": "created",
      "configmaps/dry-c/owned": "created",
      "configmaps/default/dry-new": "created",
      "configmaps/default/dry-existing": "patched",
      "configmaps/default/dry-invalid": "failed",
    });
    expect(result.items[1]?.reason).toMatch(/dry run: not validated .* namespace dry-c/);
    expect(result.items[5]?.reason).toMatch(/^422 Invalid/);
    expect(result.warnings).toEqual([]);
    // Four dry-run creates and one dry-run patch; the item in the new namespace needs no call.
    expect(cluster.stats.requests - before).toBe(5);
    expect(await get(cluster, "/api/v1/namespaces/dry-c")).toBeUndefined();
    expect(await get(cluster, "/api/v1/namespaces/default/configmaps/dry-new")).toBeUndefined();
    expect((await get(cluster, "/api/v1/namespaces/default/configmaps/dry-existing"))?.data).toEqual({
      v: "cluster",
    });
  });

  it("creates custom resources only once their CRD is Established, and fails them clearly when it never is", async () => {
    const first = await applyPlan(
      cluster,
      plan([
        phase("definitions", [item(widgetCrd("widgets", "Widget"))], true),
        phase("resources", [
          item(ns("crd-d")),
          item(
            {
              apiVersion: "example.com/v1",
              kind: "Widget",
              metadata: { name: "w1", namespace: "crd-d" },
              spec: { size: 3 },
            },
            undefined,
            { resource: "widgets", namespaced: true },
          ),
        ]),
      ]),
    );
    expect(first.status).toBe("Succeeded");
    const widget = await kubectlJson(["get", "widgets.example.com", "w1", "-n", "crd-d"]);
    expect(widget.spec).toEqual({ size: 3 });

    // gadgets.example.com asks for the kind Widget, which widgets.example.com holds: never Established.
    const second = await applyPlan(
      cluster,
      plan([
        phase("definitions", [item(widgetCrd("gadgets", "Widget"))], true),
        phase("resources", [
          item(
            { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "g1", namespace: "crd-d" } },
            undefined,
            { resource: "gadgets", namespaced: true },
          ),
          item(configMap("crd-d", "unrelated", { a: "1" })),
        ]),
      ]),
      { establishTimeoutMs: 400, pollIntervalMs: 50 },
    );
    expect(outcomes(second.items)).toEqual({
      "customresourcedefinitions/gadgets.example.com": "created",
      "gadgets/crd-d/g1": "failed",
      "configmaps/crd-d/unrelated": "created",
    });
    expect(second.items[1]?.reason).toMatch(
      /^CustomResourceDefinition gadgets.example.com is not ready after 0.4 s: not Established: .*Widget/,
    );
  });

  it("re-points owner references to the new uids of owners restored in the same run", async () => {
    const result = await applyPlan(
      cluster,
      plan([
        phase("resources", [
          item(ns("own-e")),
          item(
            {
              apiVersion: "v1",
              kind: "ServiceAccount",
              metadata: { name: "runner", namespace: "own-e", uid: "sa-old" },
            },
            "sa-old",
          ),
          // Owned by the ServiceAccount created before it: re-pointed when created.
          item({
            ...configMap("own-e", "runner-config", { a: "1" }),
            metadata: {
              name: "runner-config",
              namespace: "own-e",
              ownerReferences: [ownerRef("ServiceAccount", "v1", "runner", "sa-old")],
            },
          }),
          // Owned by the Deployment restored after them (the restore order): added once it exists.
          item({
            ...configMap("own-e", "web-config", { a: "1" }),
            metadata: {
              name: "web-config",
              namespace: "own-e",
              ownerReferences: [ownerRef("Deployment", "apps/v1", "web", "deploy-old")],
            },
          }),
          item({
            apiVersion: "apps/v1",
            kind: "ReplicaSet",
            metadata: {
              name: "web-5d9f",
              namespace: "own-e",
              labels: { app: "web", "pod-template-hash": "5d9f" },
              ownerReferences: [ownerRef("Deployment", "apps/v1", "web", "deploy-old", true)],
            },
            spec: {
              replicas: 1,
              selector: { matchLabels: { app: "web", "pod-template-hash": "5d9f" } },
              template: {
                metadata: { labels: { app: "web", "pod-template-hash": "5d9f" } },
                spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
              },
            },
          }),
          item(deployment("own-e", "web"), "deploy-old"),
          // Its owner is not in the target cluster: the reference goes, so the collector keeps it.
          item({
            ...configMap("own-e", "stray", { a: "1" }),
            metadata: {
              name: "stray",
              namespace: "own-e",
              ownerReferences: [ownerRef("Deployment", "apps/v1", "gone", "gone-old")],
            },
          }),
        ]),
      ]),
    );
    expect(result.status).toBe("Succeeded");
    const deployUid = (await kubectlJson(["get", "deployment", "web", "-n", "own-e"])).metadata.uid;
    const saUid = (await kubectlJson(["get", "serviceaccount", "runner", "-n", "own-e"])).metadata.uid;
    expect(deployUid).toMatch(/^[0-9a-f-]{36}$/);
    const ownerUids = async (args: string[]) =>
      ((await kubectlJson(args)).metadata.ownerReferences ?? []).map((ref) => ref.uid);
    expect(await ownerUids(["get", "replicaset", "web-5d9f", "-n", "own-e"])).toEqual([deployUid]);
    expect(await ownerUids(["get", "configmap", "web-config", "-n", "own-e"])).toEqual([deployUid]);
    expect(await ownerUids(["get", "configmap", "runner-config", "-n", "own-e"])).toEqual([saUid]);
    expect(await ownerUids(["get", "configmap", "stray", "-n", "own-e"])).toEqual([]);
    expect(result.warnings).toContain(
      "configmaps own-e/stray: owner Deployment/gone is not in the target cluster; reference dropped",
    );
  });

  it("fails a Service whose explicit nodePort is taken, with the API server's message, and restores the rest", async () => {
    await cluster.request("POST", "/api/v1/namespaces/default/services", {
      body: {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "holder" },
        spec: { type: "NodePort", selector: { app: "x" }, ports: [{ port: 80, nodePort: 30111 }] },
      },
    });
    const result = await applyPlan(
      cluster,
      plan([
        phase("resources", [
          item(ns("np-f")),
          item(configMap("np-f", "settings", { a: "1" })),
          item({
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: "web", namespace: "np-f" },
            spec: { type: "NodePort", selector: { app: "web" }, ports: [{ port: 80, nodePort: 30111 }] },
          }),
          item(deployment("np-f", "web")),
        ]),
      ]),
    );
    expect(result.status).toBe("PartiallySucceeded");
    expect(outcomes(result.items)).toEqual({
      "namespaces/np-f": "created",
      "configmaps/np-f/settings": "created",
      "services/np-f/web": "failed",
      "deployments/np-f/web": "created",
    });
    expect(result.items[2]?.reason).toMatch(/^422 Invalid: .*30111.*provided port is already allocated/);
    expect(result.counts).toMatchObject({ created: 3, failed: 1 });
  });

  describe("a Terminating namespace", () => {
    async function terminatingNamespace(name: string): Promise<void> {
      await cluster.request("POST", "/api/v1/namespaces", { body: ns(name) });
      await cluster.request("POST", `/api/v1/namespaces/${name}/configmaps`, {
        body: configMap(name, "held", { a: "1" }, { finalizers: ["example.com/hold"] }),
      });
      await cluster.request("DELETE", `/api/v1/namespaces/${name}`);
    }
    const release = (name: string) =>
      cluster.request("PATCH", `/api/v1/namespaces/${name}/configmaps/held`, {
        body: { metadata: { finalizers: null } },
        contentType: "application/merge-patch+json",
      });
    const restoreOf = (name: string) =>
      plan([phase("resources", [item(ns(name)), item(configMap(name, "settings", { a: "1" }))])]);

    it("is waited for until it is gone, then created afresh", async () => {
      await terminatingNamespace("leaving-g");
      const restoring = applyPlan(cluster, restoreOf("leaving-g"), {
        namespaceTimeoutMs: 10_000,
        pollIntervalMs: 50,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      await release("leaving-g");
      const result = await restoring;
      expect(outcomes(result.items)).toEqual({
        "namespaces/leaving-g": "created",
        "configmaps/leaving-g/settings": "created",
      });
      expect(result.items[0]?.reason).toBe("waited for the Terminating namespace to be deleted");
      const namespace = await kubectlJson(["get", "namespace", "leaving-g"]);
      expect(namespace.metadata.deletionTimestamp).toBeUndefined();
    });

    it("fails its items clearly when it does not go in time", async () => {
      await terminatingNamespace("stuck-g");
      try {
        const result = await applyPlan(cluster, restoreOf("stuck-g"), {
          namespaceTimeoutMs: 400,
          pollIntervalMs: 50,
        });
        expect(result.status).toBe("Failed");
        expect(result.items[0]?.reason).toMatch(
          /^namespace stuck-g is still Terminating after 0.4 s \(.*example.com\/hold/,
        );
        expect(result.items[1]?.reason).toMatch(
          /^namespace stuck-g cannot take it: namespace stuck-g is still Terminating/,
        );
      } finally {
        await release("stuck-g");
      }
    });
  });

  it("is idempotent: a re-run finishes a half-done restore, then skips or patches everything", async () => {
    const items = [
      item(ns("idem-h")),
      item({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "app", namespace: "idem-h" } }),
      ...Array.from({ length: 5 }, (_, i) => item(configMap("idem-h", `config-${i}`, { i: String(i) }))),
      item(deployment("idem-h", "web"), "web-old"),
    ];
    const halfWay = await applyPlan(cluster, plan([phase("resources", items.slice(0, 4))]));
    expect(halfWay.counts.created).toBe(4);

    const finish = await applyPlan(cluster, plan([phase("resources", items)]));
    expect(finish.status).toBe("Succeeded");
    expect(finish.counts).toMatchObject({ created: 4, skipped: 4, failed: 0 });

    const before = cluster.stats.requests;
    const again = await applyPlan(cluster, plan([phase("resources", items)]));
    expect(again.counts).toMatchObject({ total: 8, skipped: 8 });
    // One refused create per item, a read of the Namespace (is it Terminating?) and one of the
    // ServiceAccount (to merge it).
    expect(cluster.stats.requests - before).toBe(10);

    const patched = await applyPlan(cluster, plan([phase("resources", items)]), { conflictPolicy: "Patch" });
    expect(patched.counts).toMatchObject({ patched: 7, skipped: 1, failed: 0 });
    expect(patched.items.find((i) => i.outcome === "skipped")?.reason).toBe(
      "already exists; nothing to merge",
    );
  });

  it("re-runs under Patch in about one call per object, still creating the objects that are missing", async () => {
    await cluster.request("POST", "/api/v1/namespaces", { body: ns("many-j") });
    const items = Array.from({ length: 60 }, (_, i) =>
      item(configMap("many-j", `config-${i}`, { v: "backup" })),
    );
    await applyPlan(cluster, plan([phase("resources", items.slice(0, 40))]));
    await cluster.request("PATCH", "/api/v1/namespaces/many-j/configmaps/config-7", {
      body: { data: { v: "changed in the cluster" } },
      contentType: "application/merge-patch+json",
    });

    const before = cluster.stats.requests;
    const result = await applyPlan(cluster, plan([phase("resources", items)]), {
      conflictPolicy: "Patch",
      concurrency: 4,
    });
    expect(result.counts).toMatchObject({ total: 60, patched: 40, created: 20, failed: 0 });
    expect(outcomes(result.items.slice(40))).toEqual(
      Object.fromEntries(items.slice(40).map((i) => [`configmaps/many-j/${i.name}`, "created"])),
    );
    const calls = cluster.stats.requests - before;
    // Two calls for the first few existing objects and for the first few missing ones after them.
    expect(calls).toBeLessThan(60 * 1.35);
    expect((await get(cluster, "/api/v1/namespaces/many-j/configmaps/config-7"))?.data).toEqual({
      v: "backup",
    });
  });

  it("retries creates that were throttled, failed with 5xx or lost their connection, each created once", async () => {
    const path = /\/namespaces\/retry-i\/configmaps$/;
    await cluster.request("POST", "/api/v1/namespaces", { body: ns("retry-i") });
    sim().kube.faults.throttle({ method: "POST", path, count: 2, retryAfterSeconds: 1 });
    sim().kube.faults.fail({ method: "POST", path, status: 500, count: 1 });
    sim().kube.faults.fail({ method: "POST", path, status: 502, count: 1 });
    sim().kube.faults.drop({ method: "POST", path, count: 1 });
    const retriesBefore = cluster.stats.retries;
    const result = await applyPlan(
      cluster,
      plan([
        phase(
          "resources",
          Array.from({ length: 6 }, (_, i) => item(configMap("retry-i", `config-${i}`, { i: String(i) }))),
        ),
      ]),
    );
    expect(sim().kube.faults.pending).toBe(0);
    expect(result.counts).toMatchObject({ created: 6, failed: 0 });
    // The 429s are the client's to retry; the 5xx and the dropped connection are the restore's.
    expect(cluster.stats.retries - retriesBefore).toBe(2);
    const listed = await cluster.request<{ items: KubeObject[] }>(
      "GET",
      "/api/v1/namespaces/retry-i/configmaps",
    );
    expect(listed.items.map((i) => i.metadata.name).filter((n) => n?.startsWith("config-"))).toHaveLength(6);
  });

  it("names every item as not applied when the cluster cannot be reached", async () => {
    const gone = await connectCluster(
      {
        name: "gone",
        kubeconfigYaml: sim().kubeconfig.replace(/server: https:\/\/[^\s]+/, "server: https://127.0.0.1:9"),
      },
      { retry: { maxRetries: 0 } },
    );
    const result = await applyPlan(
      gone,
      plan(
        [
          phase("definitions", [item(widgetCrd("things", "Thing"))], true),
          phase("resources", [item(ns("never")), item(configMap("never", "a", { a: "1" }))]),
        ],
        {
          skipped: [
            { group: "", resource: "events", name: "e1", namespace: "never", reason: "never restored" },
          ],
        },
      ),
    );
    expect(result.status).toBe("Failed");
    expect(result.counts).toMatchObject({ total: 4, failed: 3, skipped: 1 });
    for (const failed of result.items.filter((i) => i.outcome === "failed")) {
      expect(failed.reason).toMatch(/^not applied: cannot reach cluster "gone" at https:\/\/127.0.0.1:9/);
    }
    expect(result.items[3]).toMatchObject({
      resource: "events",
      outcome: "skipped",
      reason: "never restored",
    });
  });
});
