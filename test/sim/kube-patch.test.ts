// PATCH as clients send it: JSON, merge and strategic merge patches, server-side apply (which
// creates and tracks ownership), and the refusals: strategic patches of custom resources, unknown types.
import { type KubernetesObject, KubernetesObjectApi, PatchStrategy } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ObjectBody, StatusBody } from "../helpers/kube-shapes.js";
import { establishCrd, raw, useKubeSim } from "../helpers/kube-sim.js";

/** A Deployment as the server returns it, with the fields these tests read. */
interface DeploymentBody extends ObjectBody {
  spec: {
    replicas?: number;
    template: { spec: { containers: { name: string; image: string }[] } };
  };
}

const deployment = {
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name: "web", namespace: "default" },
  spec: {
    selector: { matchLabels: { app: "web" } },
    template: {
      metadata: { labels: { app: "web" } },
      spec: {
        containers: [
          { name: "web", image: "nginx:1.25" },
          { name: "sidecar", image: "envoy:1" },
        ],
      },
    },
  },
};
const path = "/apis/apps/v1/namespaces/default/deployments/web";

describe("kube-sim patch", () => {
  const h = useKubeSim();

  it("applies a merge patch", async () => {
    expect(
      (await raw(h(), "POST", "/apis/apps/v1/namespaces/default/deployments", { body: deployment })).status,
    ).toBe(201);
    const res = await raw<ObjectBody>(h(), "PATCH", path, {
      body: { metadata: { labels: { team: "a" } } },
      contentType: "application/merge-patch+json",
    });
    expect(res.status).toBe(200);
    expect(res.json.metadata.labels).toEqual({ team: "a" });
    expect(res.json.metadata.generation).toBe(1);
  });

  it("applies a JSON patch", async () => {
    const res = await raw<DeploymentBody>(h(), "PATCH", path, {
      body: [{ op: "replace", path: "/spec/replicas", value: 4 }],
      contentType: "application/json-patch+json",
    });
    expect(res.json.spec.replicas).toBe(4);
    expect(res.json.metadata.generation).toBe(2);
  });

  it("merges containers by name in a strategic merge patch", async () => {
    const res = await raw<DeploymentBody>(h(), "PATCH", path, {
      body: { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.27" }] } } } },
      contentType: "application/strategic-merge-patch+json",
    });
    const containers = res.json.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`);
    expect(containers).toEqual(["web=nginx:1.27", "sidecar=envoy:1"]);
  });

  it("refuses a patch of a missing object with 404 and unknown patch types with 415", async () => {
    const missing = await raw(h(), "PATCH", "/apis/apps/v1/namespaces/default/deployments/nope", {
      body: {},
      contentType: "application/merge-patch+json",
    });
    expect(missing.status).toBe(404);
    const unknown = await raw<StatusBody>(h(), "PATCH", path, { body: {}, contentType: "text/plain" });
    expect(unknown.status).toBe(415);
    expect(unknown.json.reason).toBe("UnsupportedMediaType");
  });

  it("creates with server-side apply, requires a fieldManager and reports ownership conflicts", async () => {
    const api = KubernetesObjectApi.makeApiClient(h().kubeConfig);
    const cm: KubernetesObject & { data: Record<string, string> } = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "applied", namespace: "default" },
      data: { a: "1" },
    };
    const noManager = await raw<StatusBody>(h(), "PATCH", "/api/v1/namespaces/default/configmaps/applied", {
      body: JSON.stringify(cm),
      contentType: "application/apply-patch+yaml",
    });
    expect(noManager.status).toBe(422);
    expect(noManager.json.message).toContain("fieldManager: Required value: is required for apply patch");

    const created = await api.patch(
      cm,
      undefined,
      undefined,
      "tool-a",
      undefined,
      PatchStrategy.ServerSideApply,
    );
    expect(created.metadata?.managedFields?.[0]).toMatchObject({ manager: "tool-a", operation: "Apply" });
    const yaml =
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  namespace: default\ndata:\n  a: '2'\n";
    const conflict = await raw<StatusBody>(
      h(),
      "PATCH",
      "/api/v1/namespaces/default/configmaps/applied?fieldManager=tool-b",
      {
        body: yaml,
        contentType: "application/apply-patch+yaml",
      },
    );
    expect(conflict.status).toBe(409);
    expect(conflict.json.reason).toBe("Conflict");
    const forced = await raw<ObjectBody>(
      h(),
      "PATCH",
      "/api/v1/namespaces/default/configmaps/applied?fieldManager=tool-b&force=true",
      {
        body: yaml,
        contentType: "application/apply-patch+yaml",
      },
    );
    expect(forced.status).toBe(200);
    expect(forced.json.data).toEqual({ a: "2" });
  });

  it("refuses strategic merge patches of custom resources with 415", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gadgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "gadgets", kind: "Gadget" },
        versions: [
          { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } },
        ],
      },
    };
    await raw(h(), "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", { body: crd });
    establishCrd(h(), "gadgets.example.com");
    await raw(h(), "POST", "/apis/example.com/v1/namespaces/default/gadgets", {
      body: { apiVersion: "example.com/v1", kind: "Gadget", metadata: { name: "g" }, spec: { a: 1 } },
    });
    const res = await raw(h(), "PATCH", "/apis/example.com/v1/namespaces/default/gadgets/g", {
      body: { spec: { a: 2 } },
      contentType: "application/strategic-merge-patch+json",
    });
    expect(res.status).toBe(415);
    const merged = await raw<ObjectBody>(h(), "PATCH", "/apis/example.com/v1/namespaces/default/gadgets/g", {
      body: { spec: { b: 2 } },
      contentType: "application/merge-patch+json",
    });
    expect(merged.json.spec).toEqual({ a: 1, b: 2 });
    expect(merged.json.metadata.generation).toBe(2);
  });

  it("scales through the scale subresource", async () => {
    const res = await raw(h(), "PATCH", `${path}/scale`, {
      body: { spec: { replicas: 2 } },
      contentType: "application/merge-patch+json",
    });
    expect(res.json).toMatchObject({ kind: "Scale", spec: { replicas: 2 }, status: { selector: "app=web" } });
    expect((await raw<DeploymentBody>(h(), "GET", path)).json.spec.replicas).toBe(2);
  });
});
