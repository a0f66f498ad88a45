// The namespace lifecycle controllers: defaults in every new namespace, and deletion that empties
// a namespace (waiting for finalizers) before the namespace goes.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { namespace, startTestCluster, statusOf, type TestCluster } from "./controllers-harness.js";

describe("controllers: namespaces", () => {
  let cluster: TestCluster;
  beforeEach(async () => {
    cluster = await startTestCluster({
      azure: false,
      caCert: "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n",
    });
  });
  afterEach(() => cluster.close());

  it("a new namespace gets a default ServiceAccount and kube-root-ca.crt", async () => {
    cluster.create("", "namespaces", namespace("shop"));
    await cluster.idle();
    expect(cluster.get("", "serviceaccounts", "shop", "default")).toBeDefined();
    const ca = cluster.get("", "configmaps", "shop", "kube-root-ca.crt");
    expect(ca?.data).toEqual({ "ca.crt": "-----BEGIN CERTIFICATE-----\nabc\n-----END CERTIFICATE-----\n" });
    expect(ca?.metadata?.annotations?.["kubernetes.io/description"]).toContain("CA bundle");
  });

  it("the seeded system namespaces have them too, and a deleted default ServiceAccount comes back", async () => {
    await cluster.idle();
    for (const ns of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      expect(cluster.get("", "serviceaccounts", ns, "default"), ns).toBeDefined();
      expect(cluster.get("", "configmaps", ns, "kube-root-ca.crt"), ns).toBeDefined();
    }
    cluster.store.delete(cluster.type("", "serviceaccounts"), "default", "default");
    await cluster.idle();
    expect(cluster.get("", "serviceaccounts", "default", "default")).toBeDefined();
  });

  it("deleting a namespace removes its contents then the namespace", async () => {
    cluster.create("", "namespaces", namespace("shop"));
    await cluster.idle();
    cluster.create("", "configmaps", { metadata: { name: "settings", namespace: "shop" }, data: { a: "1" } });
    cluster.create("", "secrets", { metadata: { name: "token", namespace: "shop" }, stringData: { t: "x" } });
    cluster.create("", "configmaps", {
      metadata: { name: "held", namespace: "shop", finalizers: ["example.com/hold"] },
    });
    cluster.store.delete(cluster.type("", "namespaces"), undefined, "shop");
    await cluster.idle();

    const ns = cluster.get("", "namespaces", undefined, "shop");
    expect(ns?.status).toMatchObject({ phase: "Terminating" });
    const conditions = (
      statusOf(ns) as { conditions: Array<{ type: string; status: string; message: string }> }
    ).conditions;
    expect(conditions.find((c) => c.type === "NamespaceFinalizersRemaining")).toMatchObject({
      status: "True",
      message: expect.stringContaining("example.com/hold in 1 resource instances"),
    });
    expect(cluster.list("", "secrets", "shop")).toEqual([]);
    expect(cluster.list("", "configmaps", "shop").map((c) => c.metadata?.name)).toEqual(["held"]);

    const held = cluster.get("", "configmaps", "shop", "held");
    if (!held?.metadata) throw new Error("held configmap missing");
    held.metadata.finalizers = [];
    cluster.store.update(cluster.type("", "configmaps"), held);
    await cluster.idle();
    expect(cluster.get("", "namespaces", undefined, "shop")).toBeUndefined();
  });
});
