// The controllers at the scale of the benchmarks: 50,000 objects created in a burst must not
// make them scan everything per event.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { container, namespace, startTestCluster, statusOf, type TestCluster } from "./controllers-harness.js";

describe("controllers: scale", () => {
  let cluster: TestCluster;
  beforeEach(async () => {
    cluster = await startTestCluster({ azure: false });
    cluster.create("", "namespaces", namespace("load"));
  });
  afterEach(async () => {
    expect(cluster.logs).toEqual([]);
    await cluster.close();
  });

  it("settles 45,000 ConfigMaps and a 5,000-replica Deployment, then deletes the namespace", async () => {
    const started = Date.now();
    for (let i = 0; i < 45_000; i++) {
      cluster.create("", "configmaps", {
        metadata: { name: `cm-${i}`, namespace: "load" },
        data: { i: String(i) },
      });
    }
    cluster.create("apps", "deployments", {
      metadata: { name: "fleet", namespace: "load" },
      spec: {
        replicas: 5_000,
        selector: { matchLabels: { app: "fleet" } },
        template: { metadata: { labels: { app: "fleet" } }, spec: { containers: [container()] } },
      },
    });
    await cluster.idle();
    const settled = Date.now() - started;
    expect(statusOf(cluster.get("apps", "deployments", "load", "fleet"))).toMatchObject({
      readyReplicas: 5_000,
    });

    cluster.store.delete(cluster.type("", "namespaces"), undefined, "load");
    await cluster.idle();
    expect(cluster.get("", "namespaces", undefined, "load")).toBeUndefined();
    const total = Date.now() - started;
    console.log(`50,000 objects: settled in ${settled} ms, namespace deleted after ${total} ms`);
  }, 60_000);
});
