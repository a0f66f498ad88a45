// Discovery as the backup needs it: every listable type once, in its preferred version, CRDs once
// Established, aggregated discovery when served, legacy documents otherwise, broken groups as warnings.
import { afterEach, describe, expect, it } from "vitest";
import { readRootDocument } from "../../src/kube/discovery-documents.js";
import { discoverResources, type ResourceType } from "../../src/kube/index.js";
import { useSimulator } from "../helpers/sim.js";
import { connectSim } from "./harness.js";

function find(types: ResourceType[], group: string, resource: string): ResourceType | undefined {
  return types.find((t) => t.group === group && t.resource === resource);
}

const widgetCrd = {
  apiVersion: "apiextensions.k8s.io/v1",
  kind: "CustomResourceDefinition",
  metadata: { name: "widgets.example.com" },
  spec: {
    group: "example.com",
    scope: "Namespaced",
    names: {
      plural: "widgets",
      singular: "widget",
      kind: "Widget",
      listKind: "WidgetList",
      shortNames: ["wg"],
    },
    versions: [
      { name: "v1beta1", served: true, storage: false, schema: { openAPIV3Schema: { type: "object" } } },
      { name: "v1", served: true, storage: true, schema: { openAPIV3Schema: { type: "object" } } },
    ],
  },
};

describe("kube: discovery", () => {
  const sim = useSimulator({ crdEstablishDelayMs: 300 });
  afterEach(() => sim().kube.faults.clear());

  it("returns every listable type once, in its preferred version, from aggregated discovery", async () => {
    const cluster = await connectSim(sim());
    const { types, warnings, aggregated } = await discoverResources(cluster);
    expect(aggregated).toBe(true);
    expect(warnings).toEqual([]);
    expect(cluster.stats.requests).toBe(2);

    expect(find(types, "", "configmaps")).toEqual({
      group: "",
      version: "v1",
      versions: ["v1"],
      resource: "configmaps",
      kind: "ConfigMap",
      namespaced: true,
      verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
      shortNames: ["cm"],
    });
    expect(find(types, "autoscaling", "horizontalpodautoscalers")).toMatchObject({
      version: "v2",
      versions: ["v2", "v1"],
      kind: "HorizontalPodAutoscaler",
      shortNames: ["hpa"],
      categories: ["all"],
    });
    expect(find(types, "apps", "deployments")).toMatchObject({ version: "v1", namespaced: true });
    expect(find(types, "", "namespaces")).toMatchObject({ namespaced: false });
    expect(find(types, "", "bindings")).toBeUndefined();
    expect(types.some((t) => t.resource.includes("/"))).toBe(false);
    expect(types.every((t) => t.verbs.includes("list"))).toBe(true);
    const keys = types.map((t) => `${t.resource}.${t.group}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(types[0]?.group).toBe("");
    cluster.close();
  });

  it("falls back to the per-group-version documents on a server without aggregated discovery", async () => {
    const cluster = await connectSim(sim());
    const aggregated = await discoverResources(cluster);
    sim().kube.faults.legacyDiscoveryOnly = true;
    const before = cluster.stats.requests;
    const legacy = await discoverResources(cluster);
    expect(legacy.aggregated).toBe(false);
    expect(legacy.warnings).toEqual([]);
    const groupVersions = new Set(legacy.types.flatMap((t) => t.versions.map((v) => `${t.group}/${v}`)));
    expect(cluster.stats.requests - before).toBeGreaterThanOrEqual(2 + groupVersions.size);
    const summary = (types: ResourceType[]) =>
      types.map((t) => `${t.group}/${t.resource} ${t.versions.join(",")} ${t.kind} ${t.namespaced}`).sort();
    expect(summary(legacy.types)).toEqual(summary(aggregated.types));
    cluster.close();
  });

  it("reports a group-version that fails as a warning and returns the rest", async () => {
    const cluster = await connectSim(sim(), { retry: { maxRetries: 1 } });
    sim().kube.faults.legacyDiscoveryOnly = true;
    sim().kube.faults.fail({ path: /^\/apis\/batch\/v1$/, status: 503, count: 2 });
    const { types, warnings } = await discoverResources(cluster);
    expect(warnings).toEqual([
      {
        groupVersion: "batch/v1",
        message:
          'GET /apis/batch/v1 on cluster "sim" failed with 503 ServiceUnavailable: the server is currently unable to handle the request (after 2 attempts)',
      },
    ]);
    expect(find(types, "batch", "jobs")).toBeUndefined();
    expect(find(types, "apps", "deployments")).toBeDefined();
    cluster.close();
  });

  it("includes a CRD's type once the CRD is Established, with all served versions", async () => {
    const cluster = await connectSim(sim());
    await cluster.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
      body: widgetCrd,
    });
    expect(find((await discoverResources(cluster)).types, "example.com", "widgets")).toBeUndefined();
    await sim().controllers.idle();
    const established = await cluster.request<{
      status?: { conditions?: Array<{ type: string; status: string }> };
    }>("GET", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
    expect(established.status?.conditions).toContainEqual(
      expect.objectContaining({ type: "Established", status: "True" }),
    );
    expect(find((await discoverResources(cluster)).types, "example.com", "widgets")).toMatchObject({
      version: "v1",
      versions: ["v1", "v1beta1"],
      kind: "Widget",
      namespaced: true,
      shortNames: ["wg"],
    });
    cluster.close();
  });

  it("leaves out a Stale group-version of aggregated discovery, with a warning", () => {
    const root = readRootDocument({
      kind: "APIGroupDiscoveryList",
      items: [
        {
          metadata: { name: "metrics.k8s.io" },
          versions: [{ version: "v1beta1", freshness: "Stale", resources: [] }],
        },
      ],
    });
    expect(root).toEqual({
      kind: "aggregated",
      groups: [{ group: "metrics.k8s.io", versions: ["v1beta1"] }],
      served: [],
      stale: ["metrics.k8s.io/v1beta1"],
    });
  });
});
