// Create, read, update and delete as clients see them: server-set metadata, optimistic
// concurrency, namespaces that are missing or terminating, dry runs, finalizers and subresources.
import { ApiException, CoreV1Api, type KubernetesObject, KubernetesObjectApi } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { ObjectMeta } from "../../src/sim/kube/types.js";
import type { ListBody, ObjectBody, StatusBody } from "../helpers/kube-shapes.js";
import { raw, useKubeSim } from "../helpers/kube-sim.js";

async function failure(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof ApiException) {
      const body = typeof err.body === "string" ? JSON.parse(err.body) : err.body;
      return { code: err.code, body: body as Record<string, unknown> };
    }
    throw err;
  }
  throw new Error("expected the request to fail");
}

/** A client-node object with the fields these tests touch. */
type K8sObject = KubernetesObject & { spec?: Record<string, unknown>; data?: Record<string, string> };

interface SecretBody extends ObjectBody {
  type?: string;
  stringData?: Record<string, string>;
}

interface DeploymentBody extends ObjectBody {
  spec: { replicas?: number };
}

type ManagedFieldsEntry = {
  manager: string;
  operation: string;
  apiVersion: string;
  fieldsType: string;
  fieldsV1: Record<string, unknown>;
};

interface ManagedBody extends ObjectBody {
  metadata: ObjectMeta & { managedFields: ManagedFieldsEntry[] };
}

function configMap(namespace: string, name: string, data: Record<string, string> = {}): K8sObject {
  return { apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace }, data };
}

describe("kube-sim create, read, update, delete", () => {
  const h = useKubeSim();
  const objects = () => KubernetesObjectApi.makeApiClient(h().kubeConfig);
  const core = () => h().kubeConfig.makeApiClient(CoreV1Api);

  it("sets uid, creationTimestamp, resourceVersion and generation on create", async () => {
    const created = await objects().create<K8sObject>({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
      spec: {
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ name: "web", image: "nginx" }] },
        },
      },
    });
    const meta = created.metadata ?? {};
    expect(meta.uid).toMatch(/^[0-9a-f-]{36}$/);
    const rawRead = await raw<ObjectBody>(h(), "GET", "/apis/apps/v1/namespaces/default/deployments/web");
    expect(rawRead.json.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(meta.resourceVersion)).toBeGreaterThan(0);
    expect(meta.generation).toBe(1);
    const read = await objects().read({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
    });
    expect(read.metadata?.uid).toBe(meta.uid);
  });

  it("counts generations only for spec changes and rejects a stale resourceVersion with 409", async () => {
    const d = await objects().read<K8sObject>({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "default" },
    });
    const labelled = await objects().replace({ ...d, metadata: { ...d.metadata, labels: { team: "a" } } });
    expect(labelled.metadata?.generation).toBe(1);
    const scaled = await objects().replace({
      ...labelled,
      spec: { ...(labelled.spec as object), replicas: 3 },
    });
    expect(scaled.metadata?.generation).toBe(2);
    expect(Number(scaled.metadata?.resourceVersion)).toBeGreaterThan(
      Number(labelled.metadata?.resourceVersion),
    );
    const stale = await failure(
      objects().replace({ ...labelled, spec: { ...(labelled.spec as object), replicas: 5 } }),
    );
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({
      reason: "Conflict",
      message:
        'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it("refuses creating what exists (409), updating what does not (404) and reading the missing (404)", async () => {
    await objects().create(configMap("default", "dup"));
    const again = await failure(objects().create(configMap("default", "dup")));
    expect(again.code).toBe(409);
    expect(again.body).toMatchObject({ reason: "AlreadyExists", message: 'configmaps "dup" already exists' });
    const update = await failure(objects().replace(configMap("default", "absent")));
    expect(update.code).toBe(404);
    expect(update.body).toMatchObject({
      reason: "NotFound",
      message: 'configmaps "absent" not found',
      details: { kind: "configmaps" },
    });
  });

  it("appends five random characters to generateName", async () => {
    const created = await objects().create<K8sObject>({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { generateName: "gen-", namespace: "default" },
    });
    expect(created.metadata?.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it("refuses a body whose namespace differs from the URL's with 400", async () => {
    const res = await raw<StatusBody>(h(), "POST", "/api/v1/namespaces/default/configmaps", {
      body: configMap("other", "x"),
    });
    expect(res.status).toBe(400);
    expect(res.json.message).toBe(
      "the namespace of the provided object does not match the namespace sent on the request",
    );
  });

  it("refuses content in a missing namespace (404) and in a terminating one (403)", async () => {
    const missing = await failure(objects().create(configMap("nowhere", "x")));
    expect(missing.code).toBe(404);
    expect(missing.body.message).toBe('namespaces "nowhere" not found');

    await core().createNamespace({ body: { metadata: { name: "leaving" } } });
    const deleting = await core().deleteNamespace({ name: "leaving" });
    expect(deleting).toMatchObject({ kind: "Namespace", status: { phase: "Terminating" } });
    const refused = await failure(objects().create(configMap("leaving", "x")));
    expect(refused.code).toBe(403);
    expect(refused.body.message).toBe(
      'configmaps "x" is forbidden: unable to create new content in namespace leaving because it is being terminated',
    );
    // The namespace controller finalizes through the finalize subresource; then the namespace goes.
    const ns = await core().readNamespace({ name: "leaving" });
    const finalized = await raw(h(), "PUT", "/api/v1/namespaces/leaving/finalize", {
      body: { ...ns, spec: { finalizers: [] } },
    });
    expect(finalized.status).toBe(200);
    expect((await raw(h(), "GET", "/api/v1/namespaces/leaving")).status).toBe(404);
  });

  it("keeps nothing from a dry run, yet checks it fully", async () => {
    const res = await raw<ObjectBody>(h(), "POST", "/api/v1/namespaces/default/configmaps?dryRun=All", {
      body: configMap("default", "dry"),
    });
    expect(res.status).toBe(201);
    expect(res.json.metadata.uid).toBeDefined();
    expect((await raw(h(), "GET", "/api/v1/namespaces/default/configmaps/dry")).status).toBe(404);
    const clash = await raw(h(), "POST", "/api/v1/namespaces/default/configmaps?dryRun=All", {
      body: configMap("default", "dup"),
    });
    expect(clash.status).toBe(409);
    const bad = await raw(h(), "POST", "/api/v1/namespaces/default/configmaps?dryRun=Some", {
      body: configMap("default", "dry"),
    });
    expect(bad.status).toBe(422);
    const del = await raw(h(), "DELETE", "/api/v1/namespaces/default/configmaps/dup?dryRun=All");
    expect(del.status).toBe(200);
    expect((await raw(h(), "GET", "/api/v1/namespaces/default/configmaps/dup")).status).toBe(200);
  });

  it("merges Secret stringData into base64 data and never returns it", async () => {
    const created = await raw<SecretBody>(h(), "POST", "/api/v1/namespaces/default/secrets", {
      body: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "creds" },
        data: { a: "eA==" },
        stringData: { b: "hello" },
      },
    });
    expect(created.json.data).toEqual({ a: "eA==", b: Buffer.from("hello").toString("base64") });
    expect(created.json.stringData).toBeUndefined();
    expect(created.json.type).toBe("Opaque");
  });

  it("holds an object with finalizers until an update removes the last one", async () => {
    await objects().create({
      ...configMap("default", "held"),
      metadata: { name: "held", namespace: "default", finalizers: ["example.com/hold"] },
    });
    const del = await raw<ObjectBody>(h(), "DELETE", "/api/v1/namespaces/default/configmaps/held");
    expect(del.status).toBe(200);
    expect(del.json.metadata.deletionTimestamp).toBeDefined();
    expect(del.json.metadata.deletionGracePeriodSeconds).toBe(0);
    const current = (await raw<ObjectBody>(h(), "GET", "/api/v1/namespaces/default/configmaps/held")).json;
    const released = await raw(h(), "PUT", "/api/v1/namespaces/default/configmaps/held", {
      body: { ...current, metadata: { ...current.metadata, finalizers: [] } },
    });
    expect(released.status).toBe(200);
    expect((await raw(h(), "GET", "/api/v1/namespaces/default/configmaps/held")).status).toBe(404);
  });

  it("adds the foregroundDeletion and orphan finalizers for those propagation policies", async () => {
    await objects().create(configMap("default", "fg"));
    const fg = await raw<ObjectBody>(h(), "DELETE", "/api/v1/namespaces/default/configmaps/fg", {
      body: { propagationPolicy: "Foreground" },
    });
    expect(fg.json.metadata.finalizers).toEqual(["foregroundDeletion"]);
    await objects().create(configMap("default", "or"));
    const or = await raw<ObjectBody>(
      h(),
      "DELETE",
      "/api/v1/namespaces/default/configmaps/or?propagationPolicy=Orphan",
    );
    expect(or.json.metadata.finalizers).toEqual(["orphan"]);
  });

  it("answers an immediate delete with a Status for most types and with the object for pods", async () => {
    await objects().create(configMap("default", "gone"));
    const res = await raw<StatusBody>(h(), "DELETE", "/api/v1/namespaces/default/configmaps/gone");
    expect(res.json).toMatchObject({
      kind: "Status",
      status: "Success",
      details: { name: "gone", kind: "configmaps" },
    });
    await objects().create({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default" },
      spec: { containers: [{ name: "c", image: "busybox" }] },
    });
    const pod = await raw<ObjectBody>(h(), "DELETE", "/api/v1/namespaces/default/pods/p");
    expect(pod.json).toMatchObject({ kind: "Pod", metadata: { name: "p" } });
  });

  it("honours a resourceVersion precondition on delete", async () => {
    await objects().create(configMap("default", "pre"));
    const res = await raw<StatusBody>(h(), "DELETE", "/api/v1/namespaces/default/configmaps/pre", {
      body: { preconditions: { resourceVersion: "1" } },
    });
    expect(res.status).toBe(409);
    expect(res.json.message).toContain("Precondition failed: ResourceVersion in precondition: 1");
  });

  it("changes only status through the status subresource, and ignores status on the main resource", async () => {
    const d = (await raw<DeploymentBody>(h(), "GET", "/apis/apps/v1/namespaces/default/deployments/web"))
      .json;
    const viaStatus = await raw<DeploymentBody>(
      h(),
      "PUT",
      "/apis/apps/v1/namespaces/default/deployments/web/status",
      {
        body: { ...d, spec: { ...d.spec, replicas: 9 }, status: { replicas: 3, readyReplicas: 2 } },
      },
    );
    expect(viaStatus.json.status).toEqual({ replicas: 3, readyReplicas: 2 });
    expect(viaStatus.json.spec.replicas).toBe(d.spec.replicas);
    const viaMain = await raw<DeploymentBody>(
      h(),
      "PUT",
      "/apis/apps/v1/namespaces/default/deployments/web",
      {
        body: { ...viaStatus.json, status: { replicas: 0 } },
      },
    );
    expect(viaMain.json.status).toEqual({ replicas: 3, readyReplicas: 2 });
  });

  it("requires a resourceVersion on updates of custom resources... and on none of the built-ins", async () => {
    const cm = (await raw<ObjectBody>(h(), "GET", "/api/v1/namespaces/default/configmaps/dup")).json;
    const { resourceVersion: _, ...meta } = cm.metadata;
    const res = await raw(h(), "PUT", "/api/v1/namespaces/default/configmaps/dup", {
      body: { ...cm, metadata: meta, data: { x: "1" } },
    });
    expect(res.status).toBe(200);
  });

  it("deletes a collection by label selector and returns the deleted items", async () => {
    for (const name of ["c1", "c2", "c3"]) {
      await objects().create({
        ...configMap("default", name),
        metadata: { name, namespace: "default", labels: { batch: name === "c3" ? "b" : "a" } },
      });
    }
    const res = await raw<ListBody>(
      h(),
      "DELETE",
      "/api/v1/namespaces/default/configmaps?labelSelector=batch%3Da",
    );
    expect(res.json.kind).toBe("ConfigMapList");
    expect(res.json.items.map((i) => i.metadata.name).sort()).toEqual(["c1", "c2"]);
    const left = await raw<ListBody>(h(), "GET", "/api/v1/namespaces/default/configmaps?labelSelector=batch");
    expect(left.json.items.map((i) => i.metadata.name)).toEqual(["c3"]);
  });

  it("records managedFields per manager, defaulting the manager from the User-Agent", async () => {
    const res = await raw<ManagedBody>(h(), "POST", "/api/v1/namespaces/default/configmaps", {
      body: configMap("default", "mf", { a: "1" }),
      headers: { "User-Agent": "restore-tool/1.0 (linux)" },
    });
    expect(res.json.metadata.managedFields).toEqual([
      expect.objectContaining({
        manager: "restore-tool",
        operation: "Update",
        apiVersion: "v1",
        fieldsType: "FieldsV1",
      }),
    ]);
    expect(res.json.metadata.managedFields[0]?.fieldsV1["f:data"]).toMatchObject({ "f:a": {} });
  });
});
