// The simulated API server's front door: authentication, version and health, discovery in the
// legacy and aggregated forms exactly as recorded from kube-apiserver, OpenAPI, CRD groups.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoveryDataDir } from "../../src/sim/kube/discovery-fixtures.js";
import type { ObjectBody, StatusBody } from "../helpers/kube-shapes.js";
import { establishCrd, finalizeCrd, raw, useKubeSim } from "../helpers/kube-sim.js";

/** One entry of a legacy discovery `APIResourceList`. */
interface APIResource {
  name: string;
  singularName: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
  shortNames?: string[];
}

/** Legacy discovery for one group-version (`/api/v1`, `/apis/<group>/<version>`). */
interface APIResourceList {
  kind: "APIResourceList";
  apiVersion?: string;
  groupVersion: string;
  resources: APIResource[];
}

interface GroupVersionForDiscovery {
  groupVersion: string;
  version: string;
}

/** Legacy discovery of the groups (`/apis`). */
interface APIGroupList {
  kind: "APIGroupList";
  apiVersion: string;
  groups: {
    name: string;
    versions: GroupVersionForDiscovery[];
    preferredVersion?: GroupVersionForDiscovery;
  }[];
}

interface APISubresourceDiscovery {
  subresource: string;
  responseKind?: { group: string; version: string; kind: string };
  verbs: string[];
}

interface APIResourceDiscovery {
  resource: string;
  responseKind: { group: string; version: string; kind: string };
  scope: "Namespaced" | "Cluster";
  singularResource: string;
  verbs: string[];
  shortNames?: string[];
  subresources: APISubresourceDiscovery[];
}

/** Aggregated discovery (apidiscovery.k8s.io/v2), as served for `/api` and `/apis`. */
interface APIGroupDiscoveryList {
  kind: "APIGroupDiscoveryList";
  apiVersion: string;
  metadata: Record<string, unknown>;
  items: {
    metadata: { name?: string };
    versions: { version: string; resources: APIResourceDiscovery[]; freshness?: string }[];
  }[];
}

/** The OpenAPI v3 index (`/openapi/v3`); the test reads the apps/v1 entry. */
interface OpenAPIV3Index {
  paths: {
    "apis/apps/v1": { serverRelativeURL: string };
    [groupVersion: string]: { serverRelativeURL: string };
  };
}

interface OpenAPIOperation {
  "x-kubernetes-group-version-kind": { group: string; version: string; kind: string };
  parameters: { name: string }[];
}

/** One group-version's OpenAPI v3 document; the test reads the Deployment item path's PATCH. */
interface OpenAPIV3Document {
  paths: {
    "/apis/apps/v1/namespaces/{namespace}/deployments/{name}": { patch: OpenAPIOperation };
    [path: string]: { patch?: OpenAPIOperation };
  };
}

const aggregatedAccept =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

function fixture(file: string): unknown {
  return JSON.parse(readFileSync(join(discoveryDataDir(), file), "utf8"));
}

describe("kube-sim authentication and health", () => {
  const h = useKubeSim();

  it("refuses requests without a token or with a wrong one with a 401 Status", async () => {
    for (const token of [null, "wrong"]) {
      const res = await raw(h(), "GET", "/api/v1/namespaces", { token });
      expect(res.status).toBe(401);
      expect(res.json).toMatchObject({
        kind: "Status",
        status: "Failure",
        reason: "Unauthorized",
        code: 401,
      });
    }
  });

  it("reports version 1.37 and answers health checks with ok", async () => {
    const version = await raw(h(), "GET", "/version");
    expect(version.json).toMatchObject({
      major: "1",
      minor: "37",
      gitVersion: "v1.37.0-aks-backup-sim",
      platform: "linux/amd64",
    });
    for (const path of ["/healthz", "/readyz", "/livez"]) {
      const res = await raw(h(), "GET", path);
      expect([res.status, res.text]).toEqual([200, "ok"]);
    }
  });

  it("answers unknown paths with a 404 Status and unknown methods with 405", async () => {
    const missing = await raw(h(), "GET", "/apis/nope.example.com/v1/things");
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ kind: "Status", reason: "NotFound" });
    const method = await raw<StatusBody>(h(), "PUT", "/api/v1/namespaces");
    expect(method.status).toBe(405);
    expect(method.json.reason).toBe("MethodNotAllowed");
  });
});

describe("kube-sim discovery", () => {
  const h = useKubeSim();

  it.each([
    ["/api", "api.json"],
    ["/api/", "api.json"],
    ["/api/v1", "api__v1.json"],
    ["/api/v1/", "api__v1.json"],
    ["/apis", "apis.json"],
    ["/apis/apps", "apis__apps.json"],
    ["/apis/apps/v1/", "apis__apps__v1.json"],
    ["/apis/batch/v1", "apis__batch__v1.json"],
  ])("serves %s as recorded in %s", async (path, file) => {
    const res = await raw(h(), "GET", path, { headers: { Accept: "application/json, */*;q=0.8" } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual(fixture(file));
  });

  it("serves the aggregated /apis document with its media type, ETag, Vary and 304", async () => {
    const res = await raw(h(), "GET", "/apis", { headers: { Accept: aggregatedAccept } });
    expect(res.headers["content-type"]).toBe(
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    );
    expect(res.headers.vary).toBe("Accept");
    expect(res.json).toEqual(fixture("aggregated_v2.json"));
    const etag = res.headers.etag as string;
    expect(etag).toMatch(/^".+"$/);
    const again = await raw(h(), "GET", "/apis", {
      headers: { Accept: aggregatedAccept, "If-None-Match": etag },
    });
    expect(again.status).toBe(304);
  });

  it("builds the core group's aggregated form from the legacy list", async () => {
    const res = await raw<APIGroupDiscoveryList>(h(), "GET", "/api", {
      headers: { Accept: aggregatedAccept },
    });
    expect(res.json.kind).toBe("APIGroupDiscoveryList");
    expect(res.json.items).toHaveLength(1);
    const [core] = res.json.items;
    expect(core?.metadata).toEqual({});
    expect(core?.versions[0]?.version).toBe("v1");
    const pods = core?.versions[0]?.resources.find((r) => r.resource === "pods");
    expect(pods).toMatchObject({
      scope: "Namespaced",
      singularResource: "pod",
      responseKind: { kind: "Pod" },
    });
    expect(pods?.subresources.map((s) => s.subresource)).toContain("status");
  });

  it("builds legacy lists for group-versions recorded only in the aggregated form", async () => {
    const res = await raw<APIResourceList>(h(), "GET", "/apis/resource.k8s.io/v1beta1");
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ kind: "APIResourceList", groupVersion: "resource.k8s.io/v1beta1" });
    expect(res.json.resources.length).toBeGreaterThan(0);
  });

  it("lists a CRD's group and resource in both forms only once it is Established", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "widgets.example.com" },
      spec: {
        group: "example.com",
        scope: "Namespaced",
        names: { plural: "widgets", singular: "widget", kind: "Widget", shortNames: ["wd"] },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object" } },
            subresources: { status: {} },
          },
        ],
      },
    };
    expect(
      (await raw(h(), "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", { body: crd }))
        .status,
    ).toBe(201);
    expect((await raw(h(), "GET", "/apis/example.com/v1")).status).toBe(404);
    const early = await raw(h(), "POST", "/apis/example.com/v1/namespaces/default/widgets", {
      body: { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } },
    });
    expect(early.status).toBe(404);

    establishCrd(h(), "widgets.example.com");
    const legacy = await raw<APIResourceList>(h(), "GET", "/apis/example.com/v1");
    expect(legacy.json.resources.map((r) => r.name)).toEqual(["widgets", "widgets/status"]);
    const groups = await raw<APIGroupList>(h(), "GET", "/apis");
    expect(groups.json.groups.map((g) => g.name)).toContain("example.com");
    const aggregated = await raw<APIGroupDiscoveryList>(h(), "GET", "/apis", {
      headers: { Accept: aggregatedAccept },
    });
    const group = aggregated.json.items.find((g) => g.metadata.name === "example.com");
    expect(group?.versions[0]?.resources[0]).toMatchObject({
      resource: "widgets",
      scope: "Namespaced",
      shortNames: ["wd"],
    });
    const created = await raw(h(), "POST", "/apis/example.com/v1/namespaces/default/widgets", {
      body: { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec: { size: 1 } },
    });
    expect(created.status).toBe(201);

    const deleted = await raw<ObjectBody>(
      h(),
      "DELETE",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com",
    );
    expect(deleted.status).toBe(200);
    // Terminating: still discovered until its instances are gone and the finalizer is removed.
    expect(deleted.json.metadata.finalizers).toEqual(["customresourcecleanup.apiextensions.k8s.io"]);
    expect((await raw(h(), "GET", "/apis/example.com/v1")).status).toBe(200);
    finalizeCrd(h(), "widgets.example.com");
    expect((await raw(h(), "GET", "/apis/example.com/v1")).status).toBe(404);
    const widgets = h().sim.store.registry.lookup("example.com", "v1", "widgets");
    expect(widgets).toBeUndefined();
  });

  it("serves an OpenAPI v3 index whose documents declare fieldValidation on PATCH", async () => {
    const index = await raw<OpenAPIV3Index>(h(), "GET", "/openapi/v3");
    const apps = index.json.paths["apis/apps/v1"].serverRelativeURL;
    expect(apps).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
    const doc = await raw<OpenAPIV3Document>(h(), "GET", apps);
    const patch = doc.json.paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"].patch;
    expect(patch["x-kubernetes-group-version-kind"]).toEqual({
      group: "apps",
      version: "v1",
      kind: "Deployment",
    });
    expect(patch.parameters.map((p) => p.name)).toContain("fieldValidation");
  });
});
