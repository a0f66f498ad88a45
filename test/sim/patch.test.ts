import { describe, expect, it } from "vitest";
import {
  applyJsonPatch,
  applyMergePatch,
  applyServerSideApply,
  applyStrategicMergePatch,
  recordUpdateManagedFields,
} from "../../src/sim/kube/patch.js";
import { StatusError } from "../../src/sim/kube/status.js";
import type { KubeObject } from "../../src/sim/kube/types.js";

const apps = { group: "apps", kind: "Deployment" };
const pod = { group: "", kind: "Pod" };
const crd = { group: "example.com", kind: "Widget" };

function deployment(
  containers: unknown[] = [{ name: "web", image: "nginx:1" }],
  extra: object = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers } },
      ...extra,
    },
  };
}

function thrown(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StatusError) return error;
    throw error;
  }
  throw new Error("expected a StatusError");
}

function containersOf(object: KubeObject): unknown {
  const spec = object.spec as { template: { spec: { containers: unknown } } };
  return spec.template.spec.containers;
}

describe("JSON patch", () => {
  const base: KubeObject = {
    kind: "ConfigMap",
    metadata: { name: "c", labels: { "a/b": "1", "t~x": "2" } },
    data: { k: "v" },
    list: [1, 2, 3],
  };

  it.each([
    ["add sets a new key", [{ op: "add", path: "/data/n", value: "w" }], { data: { k: "v", n: "w" } }],
    ["add to an array index inserts", [{ op: "add", path: "/list/1", value: 9 }], { list: [1, 9, 2, 3] }],
    ["add with - appends", [{ op: "add", path: "/list/-", value: 4 }], { list: [1, 2, 3, 4] }],
    ["add at the array's length appends", [{ op: "add", path: "/list/3", value: 4 }], { list: [1, 2, 3, 4] }],
    ["remove deletes a key", [{ op: "remove", path: "/data/k" }], { data: {} }],
    ["remove deletes an array element", [{ op: "remove", path: "/list/0" }], { list: [2, 3] }],
    ["replace changes a value", [{ op: "replace", path: "/data/k", value: "x" }], { data: { k: "x" } }],
    // evanphx/json-patch v4 (what kube-apiserver uses) treats a missing object key as add.
    [
      "replace of a missing object key adds it",
      [{ op: "replace", path: "/data/z", value: "x" }],
      { data: { k: "v", z: "x" } },
    ],
    [
      "~1 in a pointer is a slash",
      [{ op: "replace", path: "/metadata/labels/a~1b", value: "9" }],
      { metadata: { name: "c", labels: { "a/b": "9", "t~x": "2" } } },
    ],
    [
      "~0 in a pointer is a tilde",
      [{ op: "remove", path: "/metadata/labels/t~0x" }],
      { metadata: { name: "c", labels: { "a/b": "1" } } },
    ],
    ["move relocates a value", [{ op: "move", from: "/data/k", path: "/data/m" }], { data: { m: "v" } }],
    [
      "copy duplicates a value",
      [{ op: "copy", from: "/data/k", path: "/data/c" }],
      { data: { k: "v", c: "v" } },
    ],
    [
      "a passing test lets later operations run",
      [
        { op: "test", path: "/data/k", value: "v" },
        { op: "remove", path: "/data/k" },
      ],
      { data: {} },
    ],
    ["test of a missing key against null passes", [{ op: "test", path: "/data/none", value: null }], {}],
    [
      "operations apply in order",
      [
        { op: "add", path: "/data/a", value: "1" },
        { op: "move", from: "/data/a", path: "/data/b" },
      ],
      { data: { k: "v", b: "1" } },
    ],
  ])("%s", (_name, ops, expected) => {
    const before = structuredClone(base);
    expect(applyJsonPatch(base, ops)).toEqual({ ...base, ...expected });
    expect(base).toEqual(before);
  });

  it.each([
    [
      "a failed test",
      [{ op: "test", path: "/data/k", value: "other" }],
      "testing value /data/k failed: test failed",
    ],
    [
      "removing a missing key",
      [{ op: "remove", path: "/data/none" }],
      "error in remove for path: '/data/none': Unable to remove nonexistent key: none: missing value",
    ],
    [
      "adding under a missing parent",
      [{ op: "add", path: "/spec/x/y", value: 1 }],
      'add operation does not apply: doc is missing path: "/spec/x/y": missing value',
    ],
    [
      "adding past the end of an array",
      [{ op: "add", path: "/list/7", value: 1 }],
      "error in add for path: '/list/7': Unable to access invalid index: 7: invalid index referenced",
    ],
    [
      "replacing past the end of an array",
      [{ op: "replace", path: "/list/5", value: 1 }],
      "replace operation does not apply: doc is missing key: /list/5: missing value",
    ],
    ["an unknown op", [{ op: "frobnicate", path: "/data/k" }], "Unexpected kind: frobnicate"],
    [
      "moving from a missing parent",
      [{ op: "move", from: "/nope/x", path: "/data/x" }],
      "move operation does not apply: doc is missing from path: /nope/x: missing value",
    ],
  ])("%s is 422 with kube-apiserver's generic message", (_name, ops, reason) => {
    const error = thrown(() => applyJsonPatch(base, ops));
    expect(error.status).toMatchObject({
      code: 422,
      reason: "Invalid",
      message: "the server rejected our request due to an error in our request",
    });
    expect((error.cause as Error).message).toBe(reason);
  });

  it.each([
    [
      "a body that is not a list",
      { op: "add" },
      "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp",
    ],
    ["an operation without a path", [{ op: "add", value: 1 }], "json patch add operation 0 has no path"],
    [
      "an operation that is not an object",
      ["add"],
      "error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp",
    ],
  ])("%s is 400 BadRequest", (_name, ops, message) => {
    expect(thrown(() => applyJsonPatch(base, ops)).status).toMatchObject({
      code: 400,
      reason: "BadRequest",
      message,
    });
  });

  it("more than 10000 operations is 413", () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: "test", path: "/data/k", value: "v" }));
    expect(thrown(() => applyJsonPatch(base, ops)).code).toBe(413);
  });
});

describe("JSON merge patch", () => {
  it.each([
    ["null deletes a key", { metadata: { labels: { app: null } } }, { labels: {} }],
    [
      "objects merge recursively",
      { metadata: { labels: { tier: "db" } } },
      { labels: { app: "web", tier: "db" } },
    ],
    [
      "a new object drops its null members",
      { metadata: { annotations: { a: "1", b: null } } },
      { labels: { app: "web" }, annotations: { a: "1" } },
    ],
  ])("%s", (_name, patch, expectedMeta) => {
    const result = applyMergePatch(deployment(), patch);
    expect(result.metadata).toEqual({ name: "web", namespace: "shop", ...expectedMeta });
  });

  it("arrays replace rather than merge", () => {
    const result = applyMergePatch(deployment(), {
      spec: { template: { spec: { containers: [{ name: "side", image: "busybox" }] } } },
    });
    expect(containersOf(result)).toEqual([{ name: "side", image: "busybox" }]);
  });

  it("leaves its input untouched", () => {
    const input = deployment();
    applyMergePatch(input, { spec: { replicas: null } });
    expect(input).toEqual(deployment());
  });

  it.each([[null], [[1]], ["x"]])("a patch of %j is 400 Invalid JSON Patch", (patch) => {
    expect(thrown(() => applyMergePatch(deployment(), patch)).status).toMatchObject({
      code: 400,
      message: "Invalid JSON Patch",
    });
  });
});

describe("strategic merge patch", () => {
  const web = {
    name: "web",
    image: "nginx:1",
    env: [
      { name: "A", value: "1" },
      { name: "B", value: "2" },
    ],
    ports: [{ containerPort: 80 }],
  };
  const side = { name: "side", image: "busybox" };
  const twoContainers = () => deployment([web, side]);

  it.each([
    [
      "strategic merge of containers keeps the other containers",
      { spec: { template: { spec: { containers: [{ name: "web", image: "nginx:2" }] } } } },
      [{ ...web, image: "nginx:2" }, side],
    ],
    [
      "a new container goes before the ones the patch does not name, as apimachinery orders it",
      { spec: { template: { spec: { containers: [{ name: "third", image: "redis" }] } } } },
      [{ name: "third", image: "redis" }, web, side],
    ],
    [
      "$patch: delete removes the container",
      { spec: { template: { spec: { containers: [{ name: "side", $patch: "delete" }] } } } },
      [web],
    ],
    [
      "$patch: delete removes the env entry",
      {
        spec: {
          template: { spec: { containers: [{ name: "web", env: [{ name: "A", $patch: "delete" }] }] } },
        },
      },
      [{ ...web, env: [{ name: "B", value: "2" }] }, side],
    ],
    [
      "env entries merge by name",
      { spec: { template: { spec: { containers: [{ name: "web", env: [{ name: "B", value: "3" }] }] } } } },
      [
        {
          ...web,
          env: [
            { name: "A", value: "1" },
            { name: "B", value: "3" },
          ],
        },
        side,
      ],
    ],
    [
      "container ports merge by containerPort",
      { spec: { template: { spec: { containers: [{ name: "web", ports: [{ containerPort: 443 }] }] } } } },
      [{ ...web, ports: [{ containerPort: 443 }, { containerPort: 80 }] }, side],
    ],
    [
      "$patch: replace in a list replaces the whole list",
      { spec: { template: { spec: { containers: [{ $patch: "replace" }, { name: "only", image: "x" }] } } } },
      [{ name: "only", image: "x" }],
    ],
    [
      "$setElementOrder orders the merged list",
      {
        spec: {
          template: {
            spec: {
              "$setElementOrder/containers": [{ name: "side" }, { name: "web" }],
            },
          },
        },
      },
      [side, web],
    ],
    [
      "null removes a field of a merged item",
      { spec: { template: { spec: { containers: [{ name: "web", ports: null }] } } } },
      [{ name: "web", image: "nginx:1", env: web.env }, side],
    ],
  ])("%s", (_name, patch, containers) => {
    const input = twoContainers();
    expect(containersOf(applyStrategicMergePatch(input, patch, apps))).toEqual(containers);
    expect(input).toEqual(twoContainers());
  });

  it.each([
    [
      "volumes merge by name",
      { volumes: [{ name: "a", emptyDir: {} }] },
      { volumes: [{ name: "b", configMap: { name: "cm" } }] },
      {
        volumes: [
          { name: "b", configMap: { name: "cm" } },
          { name: "a", emptyDir: {} },
        ],
      },
    ],
    [
      "$retainKeys drops a volume's old source",
      { volumes: [{ name: "a", emptyDir: {} }] },
      { volumes: [{ name: "a", $retainKeys: ["name", "hostPath"], hostPath: { path: "/x" } }] },
      { volumes: [{ name: "a", hostPath: { path: "/x" } }] },
    ],
    [
      "volumeMounts merge by mountPath",
      { containers: [{ name: "c", volumeMounts: [{ name: "a", mountPath: "/a" }] }] },
      { containers: [{ name: "c", volumeMounts: [{ name: "a", mountPath: "/a", readOnly: true }] }] },
      { containers: [{ name: "c", volumeMounts: [{ name: "a", mountPath: "/a", readOnly: true }] }] },
    ],
    [
      "imagePullSecrets merge by name",
      { imagePullSecrets: [{ name: "a" }] },
      { imagePullSecrets: [{ name: "a" }, { name: "b" }] },
      { imagePullSecrets: [{ name: "a" }, { name: "b" }] },
    ],
    [
      "tolerations have no merge key and are replaced",
      { tolerations: [{ key: "a", operator: "Exists" }] },
      { tolerations: [{ key: "b", operator: "Exists" }] },
      { tolerations: [{ key: "b", operator: "Exists" }] },
    ],
    [
      "hostAliases merge by ip",
      { hostAliases: [{ ip: "10.0.0.1", hostnames: ["a"] }] },
      { hostAliases: [{ ip: "10.0.0.2", hostnames: ["b"] }] },
      {
        hostAliases: [
          { ip: "10.0.0.2", hostnames: ["b"] },
          { ip: "10.0.0.1", hostnames: ["a"] },
        ],
      },
    ],
  ])("%s (Pod)", (_name, spec, patchSpec, expected) => {
    const input: KubeObject = { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec };
    expect(applyStrategicMergePatch(input, { spec: patchSpec }, pod).spec).toEqual(expected);
  });

  it.each([
    // apimachinery puts patch items before server-only ones unless both sit in the live order.
    ["finalizers merge as a set", { finalizers: ["b", "a"] }, ["b", "a", "c"]],
    ["$deleteFromPrimitiveList removes a finalizer", { "$deleteFromPrimitiveList/finalizers": ["a"] }, ["c"]],
    ["$setElementOrder orders a primitive list", { "$setElementOrder/finalizers": ["c", "a"] }, ["c", "a"]],
  ])("%s", (_name, metadataPatch, finalizers) => {
    const input: KubeObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "c", finalizers: ["a", "c"] },
    };
    expect(
      applyStrategicMergePatch(input, { metadata: metadataPatch }, { group: "", kind: "ConfigMap" }).metadata
        ?.finalizers,
    ).toEqual(finalizers);
  });

  it("ownerReferences merge by uid", () => {
    const input: KubeObject = {
      kind: "ConfigMap",
      metadata: { name: "c", ownerReferences: [{ uid: "1", name: "a" }] },
    };
    const out = applyStrategicMergePatch(
      input,
      { metadata: { ownerReferences: [{ uid: "2", name: "b" }] } },
      { group: "", kind: "ConfigMap" },
    );
    expect(out.metadata?.ownerReferences).toEqual([
      { uid: "2", name: "b" },
      { uid: "1", name: "a" },
    ]);
  });

  it("Service ports merge by port", () => {
    const svc: KubeObject = {
      kind: "Service",
      metadata: { name: "s" },
      spec: { ports: [{ port: 80, name: "http" }] },
    };
    const out = applyStrategicMergePatch(
      svc,
      { spec: { ports: [{ port: 80, targetPort: 8080 }] } },
      { group: "", kind: "Service" },
    );
    expect(out.spec).toEqual({ ports: [{ port: 80, name: "http", targetPort: 8080 }] });
  });

  it("status conditions merge by type", () => {
    const input = {
      ...deployment(),
      status: {
        conditions: [
          { type: "Available", status: "False" },
          { type: "Progressing", status: "True" },
        ],
      },
    };
    const out = applyStrategicMergePatch(
      input,
      { status: { conditions: [{ type: "Available", status: "True" }] } },
      apps,
    );
    expect(out.status).toEqual({
      conditions: [
        { type: "Available", status: "True" },
        { type: "Progressing", status: "True" },
      ],
    });
  });

  it.each([
    [
      "$patch: replace on a map replaces it",
      { metadata: { labels: { $patch: "replace", tier: "db" } } },
      { tier: "db" },
    ],
    ["$patch: delete on a map empties it", { metadata: { labels: { $patch: "delete" } } }, {}],
    ["null deletes a label", { metadata: { labels: { app: null } } }, {}],
  ])("%s", (_name, patch, labels) => {
    expect(applyStrategicMergePatch(deployment(), patch, apps).metadata?.labels).toEqual(labels);
  });

  it("Deployment strategy honours $retainKeys", () => {
    const input = deployment(undefined, {
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1 } },
    });
    const out = applyStrategicMergePatch(
      input,
      { spec: { strategy: { $retainKeys: ["type"], type: "Recreate" } } },
      apps,
    );
    expect((out.spec as { strategy: unknown }).strategy).toEqual({ type: "Recreate" });
  });

  it("merges into a CronJob's nested pod template", () => {
    const cron: KubeObject = {
      kind: "CronJob",
      spec: { jobTemplate: { spec: { template: { spec: { containers: [web, side] } } } } },
    };
    const out = applyStrategicMergePatch(
      cron,
      {
        spec: {
          jobTemplate: { spec: { template: { spec: { containers: [{ name: "side", image: "alpine" }] } } } },
        },
      },
      { group: "batch", kind: "CronJob" },
    );
    expect(out.spec).toEqual({
      jobTemplate: { spec: { template: { spec: { containers: [web, { ...side, image: "alpine" }] } } } },
    });
  });

  it("an unknown kind behaves like a merge patch (lists replace)", () => {
    const input: KubeObject = { kind: "Widget", spec: { items: [{ name: "a" }], keep: 1 } };
    expect(applyStrategicMergePatch(input, { spec: { items: [{ name: "b" }] } }, crd).spec).toEqual({
      items: [{ name: "b" }],
      keep: 1,
    });
  });

  it.each([
    [
      "a $retainKeys that is not a list",
      { spec: { strategy: { $retainKeys: "type" } } },
      400,
      "invalid patch format of retainKeys",
    ],
    [
      "patch content outside $retainKeys",
      { spec: { strategy: { $retainKeys: ["type"], rollingUpdate: {} } } },
      422,
      "the server rejected our request due to an error in our request",
    ],
    [
      "a $setElementOrder that is not a list",
      { metadata: { "$setElementOrder/finalizers": "x" } },
      400,
      "invalid patch format of setElementOrder list",
    ],
    [
      "$deleteFromPrimitiveList that is not a list",
      { metadata: { "$deleteFromPrimitiveList/finalizers": "x" } },
      400,
      "invalid patch format of primitive list",
    ],
    [
      "a list item without its merge key",
      { spec: { template: { spec: { containers: [{ image: "x" }] } } } },
      500,
      "map: map[image:x] does not contain declared merge key: name",
    ],
    [
      "an unknown $patch value",
      { spec: { $patch: "explode" } },
      500,
      "unknown patch type: explode in map: map[$patch:explode]",
    ],
    [
      "a patch that is not an object",
      [1],
      400,
      "json: cannot unmarshal array into Go value of type map[string]interface {}",
    ],
  ])("%s is refused like kube-apiserver (%s)", (_name, patch, code, message) => {
    expect(thrown(() => applyStrategicMergePatch(deployment(), patch, apps)).status).toMatchObject({
      code,
      message,
    });
  });
});

describe("server-side apply", () => {
  const now = "2024-05-01T10:00:00Z";
  const later = "2024-05-02T10:00:00Z";
  const applyAs = (
    existing: KubeObject | undefined,
    applied: KubeObject,
    fieldManager: string,
    force = false,
  ) => applyServerSideApply(existing, applied, { fieldManager, force, kind: apps, now: later });
  const config = (spec: object, metadata: object = {}): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", ...metadata },
    spec,
  });
  const created = () =>
    recordUpdateManagedFields(undefined, deployment(), "kubectl-create", "Update", "apps/v1", now);
  const entry = (object: KubeObject, manager: string) =>
    object.metadata?.managedFields?.find((m) => m.manager === manager);

  it("creating records one Update manager owning every field the client set", () => {
    expect(entry(created(), "kubectl-create")).toEqual({
      manager: "kubectl-create",
      operation: "Update",
      apiVersion: "apps/v1",
      time: now,
      fieldsType: "FieldsV1",
      // Maps the Update created carry `.` (labels); structs every Deployment has (spec, template) do not.
      fieldsV1: {
        "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
        "f:spec": {
          "f:replicas": {},
          "f:selector": {},
          "f:template": {
            "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
            "f:spec": { "f:containers": { 'k:{"name":"web"}': { ".": {}, "f:image": {}, "f:name": {} } } },
          },
        },
      },
    });
  });

  it("apply creates the object and its Apply entry when absent", () => {
    const out = applyAs(undefined, config({ replicas: 2 }, { labels: { app: "web" } }), "ci");
    expect(out.spec).toEqual({ replicas: 2 });
    expect(out.metadata?.managedFields).toEqual([
      {
        manager: "ci",
        operation: "Apply",
        apiVersion: "apps/v1",
        time: later,
        fieldsType: "FieldsV1",
        fieldsV1: { "f:metadata": { "f:labels": { "f:app": {} } }, "f:spec": { "f:replicas": {} } },
      },
    ]);
  });

  it("apply on a field an Update manager set to another value conflicts", () => {
    const error = thrown(() => applyAs(created(), config({ replicas: 3 }), "ci"));
    expect(error.status).toMatchObject({
      code: 409,
      reason: "Conflict",
      message: 'Apply failed with 1 conflict: conflict with "kubectl-create" using apps/v1: .spec.replicas',
      details: {
        causes: [
          {
            reason: "FieldManagerConflict",
            message: 'conflict with "kubectl-create" using apps/v1',
            field: ".spec.replicas",
          },
        ],
      },
    });
  });

  it("apply by a second manager on an owned field conflicts", () => {
    const first = applyAs(undefined, config({ replicas: 2 }), "alice");
    const error = thrown(() => applyAs(first, config({ replicas: 5 }), "bob"));
    expect(error.status.message).toBe('Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  });

  it("several conflicts are listed per manager", () => {
    const error = thrown(() =>
      applyAs(
        created(),
        config({ replicas: 3, template: { spec: { containers: [{ name: "web", image: "nginx:2" }] } } }),
        "ci",
      ),
    );
    expect(error.status.message).toBe(
      'Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n- .spec.replicas\n- .spec.template.spec.containers[name="web"].image',
    );
  });

  it("applying the same value as another manager shares ownership without conflict", () => {
    const out = applyAs(created(), config({ replicas: 1 }), "ci");
    expect(entry(out, "ci")?.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(entry(out, "kubectl-create")?.fieldsV1).toMatchObject({ "f:spec": { "f:replicas": {} } });
  });

  it("force takes the field over from the other manager", () => {
    const out = applyAs(created(), config({ replicas: 3 }), "ci", true);
    expect((out.spec as { replicas: number }).replicas).toBe(3);
    expect(entry(out, "ci")?.fieldsV1).toEqual({ "f:spec": { "f:replicas": {} } });
    expect(JSON.stringify(entry(out, "kubectl-create")?.fieldsV1)).not.toContain("f:replicas");
  });

  it("a field the manager stops applying is removed when nobody else owns it", () => {
    const first = applyAs(
      undefined,
      config({ replicas: 2, minReadySeconds: 5 }, { labels: { a: "1", b: "2" } }),
      "ci",
    );
    const second = applyAs(first, config({ replicas: 2 }, { labels: { a: "1" } }), "ci");
    expect(second.spec).toEqual({ replicas: 2 });
    expect(second.metadata?.labels).toEqual({ a: "1" });
  });

  it("a field the manager stops applying stays when another manager owns it", () => {
    const first = applyAs(undefined, config({ replicas: 2, minReadySeconds: 5 }), "alice");
    const shared = applyAs(first, config({ minReadySeconds: 5 }), "bob");
    const out = applyAs(shared, config({ replicas: 2 }), "alice");
    expect(out.spec).toEqual({ replicas: 2, minReadySeconds: 5 });
  });

  it("containers merge by name: applying one container keeps another manager's", () => {
    const first = applyAs(
      undefined,
      config({ template: { spec: { containers: [{ name: "a", image: "x" }] } } }),
      "alice",
    );
    const out = applyAs(
      first,
      config({ template: { spec: { containers: [{ name: "b", image: "y" }] } } }),
      "bob",
    );
    expect(containersOf(out)).toEqual([
      { name: "a", image: "x" },
      { name: "b", image: "y" },
    ]);
  });

  it("a container the manager stops applying is removed", () => {
    const first = applyAs(
      undefined,
      config({
        template: {
          spec: {
            containers: [
              { name: "a", image: "x" },
              { name: "b", image: "y" },
            ],
          },
        },
      }),
      "ci",
    );
    const out = applyAs(
      first,
      config({ template: { spec: { containers: [{ name: "b", image: "y" }] } } }),
      "ci",
    );
    expect(containersOf(out)).toEqual([{ name: "b", image: "y" }]);
  });

  it("a container another manager changed survives, reduced to that manager's fields", () => {
    const first = applyAs(
      undefined,
      config({ template: { spec: { containers: [{ name: "a", image: "x", tty: true }] } } }),
      "ci",
    );
    const edited = applyMergePatch(first, {
      spec: { template: { spec: { containers: [{ name: "a", image: "z", tty: true }] } } },
    });
    const recorded = recordUpdateManagedFields(first, edited, "kubectl-set", "Update", "apps/v1", now);
    const out = applyAs(recorded, config({ template: { spec: { containers: [] } } }), "ci");
    expect(containersOf(out)).toEqual([{ name: "a", image: "z" }]);
  });

  it("an atomic selector is one field: a different selector conflicts at .spec.selector", () => {
    const error = thrown(() =>
      applyAs(created(), config({ selector: { matchLabels: { app: "other" } } }), "ci"),
    );
    expect(error.status.details?.causes?.[0]?.field).toBe(".spec.selector");
  });

  it("an object without managedFields is owned by before-first-apply", () => {
    const error = thrown(() => applyAs(deployment(), config({ replicas: 9 }), "ci"));
    expect(error.status.message).toBe(
      'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.replicas',
    );
  });

  it("re-applying the same configuration keeps the timestamp", () => {
    const first = applyAs(undefined, config({ replicas: 2 }), "ci");
    const again = applyServerSideApply(first, config({ replicas: 2 }), {
      fieldManager: "ci",
      force: false,
      kind: apps,
      now: "2030-01-01T00:00:00Z",
    });
    expect(again).toEqual(first);
  });

  it("an applied config carrying managedFields is 400", () => {
    expect(thrown(() => applyAs(undefined, config({}, { managedFields: [] }), "ci")).status).toMatchObject({
      code: 400,
      message: "metadata.managedFields must be nil",
    });
  });

  it("never records server-set metadata", () => {
    const metadata = { uid: "u", resourceVersion: "5", generation: 2, labels: { a: "b" } };
    const out = applyAs(undefined, config({ replicas: 1 }, metadata), "ci");
    expect(entry(out, "ci")?.fieldsV1).toEqual({
      "f:metadata": { "f:labels": { "f:a": {} } },
      "f:spec": { "f:replicas": {} },
    });
  });

  it("custom resources: lists are atomic", () => {
    const widget = (items: unknown[]): KubeObject => ({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { items },
    });
    const first = applyServerSideApply(undefined, widget([{ name: "a" }]), {
      fieldManager: "a",
      force: false,
      kind: crd,
      now,
    });
    const error = thrown(() =>
      applyServerSideApply(first, widget([{ name: "b" }]), {
        fieldManager: "b",
        force: false,
        kind: crd,
        now,
      }),
    );
    expect(error.status.details?.causes?.[0]?.field).toBe(".spec.items");
  });
});

describe("Update managers", () => {
  const now = "2024-05-01T10:00:00Z";
  const then = "2024-05-03T10:00:00Z";

  it("an update takes the fields it changes from the previous manager", () => {
    const created = recordUpdateManagedFields(
      undefined,
      deployment(),
      "kubectl-create",
      "Update",
      "apps/v1",
      now,
    );
    const scaled = applyMergePatch(created, { spec: { replicas: 4 } });
    const out = recordUpdateManagedFields(created, scaled, "kubectl-scale", "Update", "apps/v1", then);
    const managers = out.metadata?.managedFields ?? [];
    expect(managers.map((m) => m.manager)).toEqual(["kubectl-create", "kubectl-scale"]);
    expect(managers[1]).toMatchObject({ time: then, fieldsV1: { "f:spec": { "f:replicas": {} } } });
    expect(JSON.stringify(managers[0]?.fieldsV1)).not.toContain("f:replicas");
  });

  it("an update that changes nothing leaves managedFields alone", () => {
    const created = recordUpdateManagedFields(
      undefined,
      deployment(),
      "kubectl-create",
      "Update",
      "apps/v1",
      now,
    );
    expect(recordUpdateManagedFields(created, created, "kubectl-create", "Update", "apps/v1", then)).toEqual(
      created,
    );
  });

  it("removed fields leave the updater's set", () => {
    const created = recordUpdateManagedFields(undefined, deployment(), "m", "Update", "apps/v1", now);
    const out = recordUpdateManagedFields(
      created,
      applyMergePatch(created, { metadata: { labels: null } }),
      "m",
      "Update",
      "apps/v1",
      then,
    );
    expect(out.metadata?.managedFields?.[0]?.fieldsV1).not.toHaveProperty("f:metadata");
  });

  it("managedFields: [{}] in the request clears the history (nothing changed, so nobody owns anything)", () => {
    const created = recordUpdateManagedFields(undefined, deployment(), "a", "Update", "apps/v1", now);
    const reset = { ...created, metadata: { ...created.metadata, managedFields: [{}] } };
    const out = recordUpdateManagedFields(created, reset, "b", "Update", "apps/v1", then);
    expect(out.metadata?.managedFields).toBeUndefined();
  });
});
