// managedFields as kube-apiserver records Update operations: maps and lists an Update created
// carry `.`, and writes through the status subresource are entries of their own.
import { describe, expect, it } from "vitest";
import type { ObjectMeta } from "../../src/sim/kube/types.js";
import type { ObjectBody } from "../helpers/kube-shapes.js";
import { raw, useKubeSim } from "../helpers/kube-sim.js";

const ns = "/api/v1/namespaces/default";

/** A fieldsV1 set: `f:`/`k:`/`.` keys down to empty leaves. */
interface FieldsV1 {
  [field: string]: FieldsV1;
}

/** One managedFields entry as the server records it. */
interface ManagedFieldsEntry {
  manager: string;
  operation: string;
  subresource?: string;
  fieldsV1: FieldsV1;
  [field: string]: unknown;
}

/** Metadata as the server returns it, managedFields always present. */
interface ManagedMeta extends ObjectMeta {
  managedFields: ManagedFieldsEntry[];
}

interface ManagedBody extends ObjectBody {
  metadata: ManagedMeta;
}

function entry(object: ManagedBody, manager: string, subresource?: string) {
  return object.metadata.managedFields.find((m) => m.manager === manager && m.subresource === subresource);
}

describe("kube-sim managedFields", () => {
  const h = useKubeSim();

  it("marks the maps and associative lists an Update created with `.`", async () => {
    const cm = await raw<ManagedBody>(h(), "POST", `${ns}/configmaps?fieldManager=restore`, {
      body: { metadata: { name: "settings", labels: { app: "shop" } }, data: { mode: "fast" } },
    });
    expect(entry(cm.json, "restore")?.fieldsV1).toEqual({
      "f:data": { ".": {}, "f:mode": {} },
      "f:metadata": { "f:labels": { ".": {}, "f:app": {} } },
    });
    const svc = await raw<ManagedBody>(h(), "POST", `${ns}/services?fieldManager=restore`, {
      body: { metadata: { name: "web" }, spec: { selector: { app: "web" }, ports: [{ port: 80 }] } },
    });
    const spec = entry(svc.json, "restore")?.fieldsV1["f:spec"];
    expect(spec?.["f:ports"]).toEqual({
      ".": {},
      // Defaults are applied before the fields are recorded, so the creator owns them too.
      'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:port": {}, "f:protocol": {}, "f:targetPort": {} },
    });
    expect(spec?.["f:selector"]).toEqual({});
    expect(spec?.["."]).toBeUndefined();
  });

  it("marks a map a later Update adds, and drops the mark with the map", async () => {
    const created = (
      await raw<ManagedBody>(h(), "POST", `${ns}/configmaps?fieldManager=editor`, {
        body: { metadata: { name: "later" }, data: { a: "1" } },
      })
    ).json;
    const annotated = {
      ...created,
      metadata: { ...created.metadata, annotations: { note: "x" }, managedFields: undefined },
    };
    const updated = (
      await raw<ManagedBody>(h(), "PUT", `${ns}/configmaps/later?fieldManager=editor`, { body: annotated })
    ).json;
    expect(entry(updated, "editor")?.fieldsV1["f:metadata"]).toEqual({
      "f:annotations": { ".": {}, "f:note": {} },
    });
    const stripped = { ...updated, metadata: { ...updated.metadata, annotations: undefined } };
    const back = (
      await raw<ManagedBody>(h(), "PUT", `${ns}/configmaps/later?fieldManager=editor`, { body: stripped })
    ).json;
    expect(entry(back, "editor")).toBeDefined();
    expect(entry(back, "editor")?.fieldsV1["f:metadata"]).toBeUndefined();
  });

  it("records status writes as their own entry with subresource status", async () => {
    const pvc = (
      await raw<ManagedBody>(h(), "POST", `${ns}/persistentvolumeclaims?fieldManager=creator`, {
        body: {
          metadata: { name: "data" },
          spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
        },
      })
    ).json;
    expect(entry(pvc, "creator")?.fieldsV1["f:spec"]?.["f:resources"]).toEqual({
      "f:requests": { ".": {}, "f:storage": {} },
    });
    const bound = { ...pvc, status: { phase: "Bound", capacity: { storage: "1Gi" } } };
    const res = await raw<ManagedBody>(
      h(),
      "PUT",
      `${ns}/persistentvolumeclaims/data/status?fieldManager=binder`,
      {
        body: bound,
      },
    );
    const status = entry(res.json, "binder", "status");
    expect(status).toMatchObject({ operation: "Update", subresource: "status" });
    expect(status?.fieldsV1).toEqual({
      "f:status": { "f:capacity": { ".": {}, "f:storage": {} }, "f:phase": {} },
    });
    expect(entry(res.json, "binder")).toBeUndefined();
  });
});
