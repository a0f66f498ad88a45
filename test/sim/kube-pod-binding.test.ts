// Binding pods to nodes as kube-scheduler does it, over HTTP: pods/<name>/binding and the legacy
// bindings resource set spec.nodeName and PodScheduled, refuse a second binding, store nothing.
import { describe, expect, it } from "vitest";
import type { ObjectBody, StatusBody } from "../helpers/kube-shapes.js";
import { raw, useKubeSim } from "../helpers/kube-sim.js";

/** A Pod as the server returns it, with the scheduling fields these tests read. */
interface PodBody extends ObjectBody {
  spec: { nodeName?: string; [field: string]: unknown };
  status: { conditions?: { type: string; status: string }[]; [field: string]: unknown };
}

const podsPath = "/api/v1/namespaces/default/pods";

function pod(name: string) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { containers: [{ name: "app", image: "nginx" }] },
  };
}

function binding(name: string, node: string) {
  return {
    apiVersion: "v1",
    kind: "Binding",
    metadata: { name },
    target: { apiVersion: "v1", kind: "Node", name: node },
  };
}

describe("kube-sim pod binding", () => {
  const h = useKubeSim();

  it("binds a pod through pods/<name>/binding: node name and PodScheduled=True, answered with a Status", async () => {
    expect((await raw(h(), "POST", podsPath, { body: pod("web") })).status).toBe(201);
    const res = await raw(h(), "POST", `${podsPath}/web/binding`, { body: binding("web", "node-a") });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ kind: "Status", status: "Success", code: 201 });
    const bound = (await raw<PodBody>(h(), "GET", `${podsPath}/web`)).json;
    expect(bound.spec.nodeName).toBe("node-a");
    expect(bound.status.conditions).toEqual([
      expect.objectContaining({ type: "PodScheduled", status: "True" }),
    ]);
  });

  it("refuses a second binding with 409 and a missing pod with 404", async () => {
    await raw(h(), "POST", podsPath, { body: pod("twice") });
    await raw(h(), "POST", `${podsPath}/twice/binding`, { body: binding("twice", "node-a") });
    const again = await raw(h(), "POST", `${podsPath}/twice/binding`, { body: binding("twice", "node-b") });
    expect(again.status).toBe(409);
    expect(again.json).toMatchObject({
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on pods/binding "twice": pod twice is already assigned to node "node-a"',
    });
    const missing = await raw<StatusBody>(h(), "POST", `${podsPath}/ghost/binding`, {
      body: binding("ghost", "node-a"),
    });
    expect(missing.status).toBe(404);
    expect(missing.json.message).toBe('pods "ghost" not found');
  });

  it("binds through the legacy bindings resource and stores no Binding", async () => {
    await raw(h(), "POST", podsPath, { body: pod("legacy") });
    const res = await raw(h(), "POST", "/api/v1/namespaces/default/bindings", {
      body: binding("legacy", "node-c"),
    });
    expect(res.status).toBe(201);
    expect((await raw<PodBody>(h(), "GET", `${podsPath}/legacy`)).json.spec.nodeName).toBe("node-c");
    // bindings are create-only, so there is nothing to read back.
    expect((await raw(h(), "GET", "/api/v1/namespaces/default/bindings")).status).toBe(405);
    expect((await raw(h(), "GET", "/api/v1/namespaces/default/bindings/legacy")).status).toBe(405);
  });

  it("refuses a body naming another pod than the URL, and keeps nothing from a dry run", async () => {
    await raw(h(), "POST", podsPath, { body: pod("careful") });
    const mismatch = await raw<StatusBody>(h(), "POST", `${podsPath}/careful/binding`, {
      body: binding("other", "node-a"),
    });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.message).toBe("name in URL does not match name in Binding object");
    const dry = await raw(h(), "POST", `${podsPath}/careful/binding?dryRun=All`, {
      body: binding("careful", "node-a"),
    });
    expect(dry.status).toBe(201);
    expect((await raw<PodBody>(h(), "GET", `${podsPath}/careful`)).json.spec.nodeName).toBeUndefined();
  });
});
