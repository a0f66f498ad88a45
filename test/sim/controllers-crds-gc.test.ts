// CustomResourceDefinition establishment and cleanup, and the garbage collector's three
// propagation policies.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/sim/kube/types.js";
import { container, namespace, startTestCluster, statusOf, type TestCluster } from "./controllers-harness.js";

function crd(plural: string, kind: string): KubeObject {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: "example.com",
      scope: "Namespaced",
      names: { plural, singular: plural.replace(/s$/, ""), kind, listKind: `${kind}List` },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  };
}

type Conditions = Array<{ type: string; status: string; reason?: string }>;
const conditions = (o: KubeObject | undefined) => (statusOf(o).conditions ?? []) as Conditions;
const condition = (o: KubeObject | undefined, type: string) => conditions(o).find((c) => c.type === type);

describe("controllers: CustomResourceDefinitions", () => {
  let cluster: TestCluster;
  beforeEach(async () => {
    cluster = await startTestCluster({ azure: false, crdEstablishDelayMs: 150 });
  });
  afterEach(async () => {
    expect(cluster.logs).toEqual([]);
    await cluster.close();
  });

  it("a CRD becomes Established after the delay, and only then serves its resources", async () => {
    const started = Date.now();
    cluster.create("apiextensions.k8s.io", "customresourcedefinitions", crd("widgets", "Widget"));
    const accepted = new Promise<KubeObject>((resolve) => {
      const stop = cluster.store.subscribe((event) => {
        if (event.object.metadata?.name !== "widgets.example.com") return;
        if (condition(event.object, "NamesAccepted")?.status !== "True") return;
        stop();
        resolve(event.object);
      });
    });
    const first = await accepted;
    expect(condition(first, "Established")).toMatchObject({ status: "False", reason: "Installing" });
    expect(statusOf(first).acceptedNames).toMatchObject({
      plural: "widgets",
      kind: "Widget",
      listKind: "WidgetList",
    });
    expect(cluster.store.resourceFor("example.com", "widgets")).toBeUndefined();

    await cluster.idle();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
    const established = cluster.get(
      "apiextensions.k8s.io",
      "customresourcedefinitions",
      undefined,
      "widgets.example.com",
    );
    expect(condition(established, "Established")).toMatchObject({
      status: "True",
      reason: "InitialNamesAccepted",
    });
    expect(statusOf(established).storedVersions).toEqual(["v1"]);
    expect(cluster.store.resourceFor("example.com", "widgets")).toMatchObject({
      kind: "Widget",
      namespaced: true,
    });
  });

  it("a CRD whose kind another CRD of the group already has is not accepted", async () => {
    cluster.create("apiextensions.k8s.io", "customresourcedefinitions", crd("widgets", "Widget"));
    await cluster.idle();
    cluster.create("apiextensions.k8s.io", "customresourcedefinitions", crd("gadgets", "Widget"));
    await cluster.idle();
    const second = cluster.get(
      "apiextensions.k8s.io",
      "customresourcedefinitions",
      undefined,
      "gadgets.example.com",
    );
    expect(condition(second, "NamesAccepted")).toMatchObject({ status: "False", reason: "KindConflict" });
    expect(condition(second, "Established")).toMatchObject({ status: "False", reason: "NotAccepted" });
  });

  it("deleting a CRD removes it and its custom resources", async () => {
    cluster.create("", "namespaces", namespace("shop"));
    cluster.create("apiextensions.k8s.io", "customresourcedefinitions", crd("widgets", "Widget"));
    await cluster.idle();
    cluster.create("example.com", "widgets", {
      metadata: { name: "w1", namespace: "shop" },
      spec: { size: 1 },
    });
    cluster.store.delete(
      cluster.type("apiextensions.k8s.io", "customresourcedefinitions"),
      undefined,
      "widgets.example.com",
    );
    await cluster.idle();
    expect(
      cluster.get("apiextensions.k8s.io", "customresourcedefinitions", undefined, "widgets.example.com"),
    ).toBeUndefined();
    expect(cluster.store.resourceFor("example.com", "widgets")).toBeUndefined();
  });

  it("a deleted CRD stays Terminating, serving reads but refusing creates, until instances held by finalizers go", async () => {
    cluster.create("", "namespaces", namespace("shop"));
    cluster.create("apiextensions.k8s.io", "customresourcedefinitions", crd("widgets", "Widget"));
    await cluster.idle();
    cluster.create("example.com", "widgets", {
      metadata: { name: "held", namespace: "shop", finalizers: ["example.com/keep"] },
    });
    cluster.create("example.com", "widgets", { metadata: { name: "free", namespace: "shop" } });
    const crds = cluster.type("apiextensions.k8s.io", "customresourcedefinitions");
    const marked = cluster.store.delete(crds, undefined, "widgets.example.com");
    expect(marked.metadata).toMatchObject({
      deletionTimestamp: expect.any(String),
      finalizers: ["customresourcecleanup.apiextensions.k8s.io"],
    });
    expect(condition(marked, "Terminating")).toMatchObject({
      status: "True",
      reason: "InstanceDeletionPending",
    });
    await cluster.idle();

    const terminating = cluster.get(
      "apiextensions.k8s.io",
      "customresourcedefinitions",
      undefined,
      "widgets.example.com",
    );
    expect(condition(terminating, "Terminating")).toMatchObject({ reason: "InstanceDeletionInProgress" });
    expect(cluster.list("example.com", "widgets", "shop").map((w) => w.metadata?.name)).toEqual(["held"]);
    expect(cluster.get("example.com", "widgets", "shop", "held")?.metadata?.deletionTimestamp).toBeDefined();
    expect(() =>
      cluster.create("example.com", "widgets", { metadata: { name: "late", namespace: "shop" } }),
    ).toThrow("create not allowed while custom resource definition is terminating");

    const held = cluster.get("example.com", "widgets", "shop", "held");
    if (!held?.metadata) throw new Error("held widget missing");
    held.metadata.finalizers = [];
    cluster.store.update(cluster.type("example.com", "widgets"), held);
    await cluster.idle();
    expect(cluster.store.get(crds, undefined, "widgets.example.com")).toBeUndefined();
    expect(cluster.store.resourceFor("example.com", "widgets")).toBeUndefined();
  });

  it("a deleted CRD holding the cleanup finalizer loses it once its instances are gone", async () => {
    cluster.create("", "namespaces", namespace("shop"));
    const definition = crd("widgets", "Widget");
    definition.metadata = {
      ...definition.metadata,
      finalizers: ["customresourcecleanup.apiextensions.k8s.io"],
    };
    cluster.create("apiextensions.k8s.io", "customresourcedefinitions", definition);
    await cluster.idle();
    cluster.create("example.com", "widgets", { metadata: { name: "w1", namespace: "shop" } });
    const crds = cluster.type("apiextensions.k8s.io", "customresourcedefinitions");
    expect(
      cluster.store.delete(crds, undefined, "widgets.example.com").metadata?.deletionTimestamp,
    ).toBeDefined();
    await cluster.idle();
    expect(cluster.store.get(crds, undefined, "widgets.example.com")).toBeUndefined();
  });
});

describe("controllers: garbage collector", () => {
  let cluster: TestCluster;
  beforeEach(async () => {
    cluster = await startTestCluster({ azure: false });
    cluster.create("", "namespaces", namespace("shop"));
  });
  afterEach(async () => {
    expect(cluster.logs).toEqual([]);
    await cluster.close();
  });

  function ownedConfigMaps(owner: KubeObject, count: number): void {
    for (let i = 0; i < count; i++) {
      cluster.create("", "configmaps", {
        metadata: {
          name: `part-${i}`,
          namespace: "shop",
          ownerReferences: [
            {
              apiVersion: "v1",
              kind: "ConfigMap",
              name: owner.metadata?.name,
              uid: owner.metadata?.uid,
              blockOwnerDeletion: true,
            },
          ],
        },
      });
    }
  }

  it("deleting an owner deletes its dependents", async () => {
    cluster.create("apps", "deployments", {
      metadata: { name: "web", namespace: "shop" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: { metadata: { labels: { app: "web" } }, spec: { containers: [container()] } },
      },
    });
    await cluster.idle();
    expect(cluster.list("", "pods", "shop")).toHaveLength(2);
    cluster.store.delete(cluster.type("apps", "deployments"), "shop", "web");
    await cluster.idle();
    expect(cluster.list("apps", "replicasets", "shop")).toEqual([]);
    expect(cluster.list("", "pods", "shop")).toEqual([]);
  });

  it("an object created with an owner that does not exist is collected", async () => {
    cluster.create("", "configmaps", {
      metadata: {
        name: "stray",
        namespace: "shop",
        ownerReferences: [
          { apiVersion: "v1", kind: "ConfigMap", name: "nope", uid: "6f1c1b1e-0000-4000-8000-000000000000" },
        ],
      },
    });
    await cluster.idle();
    expect(cluster.get("", "configmaps", "shop", "stray")).toBeUndefined();
  });

  it("foreground deletion removes the dependents before the owner", async () => {
    const owner = cluster.create("", "configmaps", { metadata: { name: "owner", namespace: "shop" } });
    ownedConfigMaps(owner, 3);
    const deleting = cluster.store.delete(cluster.type("", "configmaps"), "shop", "owner", {
      propagationPolicy: "Foreground",
    });
    expect(deleting.metadata?.finalizers).toEqual(["foregroundDeletion"]);
    await cluster.idle();
    expect(cluster.list("", "configmaps", "shop").map((c) => c.metadata?.name)).toEqual(["kube-root-ca.crt"]);
  });

  it("orphan deletion keeps the dependents and drops their owner references", async () => {
    const owner = cluster.create("", "configmaps", { metadata: { name: "owner", namespace: "shop" } });
    ownedConfigMaps(owner, 2);
    cluster.store.delete(cluster.type("", "configmaps"), "shop", "owner", { propagationPolicy: "Orphan" });
    await cluster.idle();
    expect(cluster.get("", "configmaps", "shop", "owner")).toBeUndefined();
    const parts = cluster.list("", "configmaps", "shop").filter((c) => c.metadata?.name?.startsWith("part-"));
    expect(parts).toHaveLength(2);
    expect(parts.every((p) => !p.metadata?.ownerReferences?.length)).toBe(true);
  });
});
