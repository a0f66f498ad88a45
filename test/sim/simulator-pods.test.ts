// Pods in the whole simulator (API server, controllers, Azure fake): the seeded system pods are
// scheduled through real bindings and run; nothing of the bindings is left behind.
import { describe, expect, it } from "vitest";
import { useSimulator } from "../helpers/sim.js";

describe("simulator pods", () => {
  const sim = useSimulator();

  it("runs the seeded CoreDNS and kube-proxy pods on nodes bound by the scheduler", async () => {
    const { store } = sim().kube;
    await sim().controllers.idle();
    const podType = store.resourceFor("", "pods");
    if (!podType) throw new Error("pods are not served");
    const pods = store.list(podType, { namespace: "kube-system" }).items;
    const names = pods.map((p) => p.metadata?.name ?? "");
    expect(names.some((n) => n.startsWith("coredns-"))).toBe(true);
    expect(names.some((n) => n.startsWith("kube-proxy-"))).toBe(true);
    for (const pod of pods) {
      expect((pod.spec as { nodeName?: string }).nodeName).toMatch(/^aks-/);
      expect(pod.status).toMatchObject({
        phase: "Running",
        conditions: expect.arrayContaining([
          expect.objectContaining({ type: "PodScheduled", status: "True" }),
        ]),
      });
    }
    const bindings = store.registry.lookup("", "v1", "bindings");
    expect(bindings).toBeDefined();
    expect(bindings && store.table(bindings).size).toBe(0);
  });

  it("shows a deleted pod terminating until its kubelet finishes the deletion", async () => {
    const { store } = sim().kube;
    const pods = store.resourceFor("", "pods");
    if (!pods) throw new Error("pods are not served");
    store.create(pods, {
      metadata: { name: "web", namespace: "default" },
      spec: { containers: [{ name: "app", image: "nginx" }] },
    });
    await sim().controllers.idle();
    expect(store.get(pods, "default", "web")?.status).toMatchObject({ phase: "Running" });
    const deleting = store.delete(pods, "default", "web");
    expect(deleting.metadata).toMatchObject({
      deletionTimestamp: expect.any(String),
      deletionGracePeriodSeconds: 30,
    });
    expect(store.get(pods, "default", "web")?.metadata?.deletionTimestamp).toBeDefined();
    await sim().controllers.idle();
    expect(store.get(pods, "default", "web")).toBeUndefined();
  });
});
