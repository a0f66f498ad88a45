// PATCH on a resource or its status: JSON patch, merge patch, strategic merge patch (built-in
// types only, as CRs refuse it) and server-side apply, which may also create; plus the scale subresource.
import { baseContentType, decodeBody, readBody } from "./http-io.js";
import { applyJsonPatch, applyMergePatch, applyServerSideApply, applyStrategicMergePatch } from "./patch.js";
import { dryRunOf, fieldValidationOf } from "./request-options.js";
import {
  checkObjectMatchesRequest,
  fieldManagerOf,
  groupVersion,
  type ResourceRequest,
  requireVerb,
  sendEntry,
  sendObject,
} from "./resource-handlers.js";
import {
  badRequest,
  invalid,
  notFound,
  notFoundPath,
  type StatusError,
  unsupportedMediaType,
} from "./status.js";
import { jsonOf } from "./store-table.js";
import type { KubeObject } from "./types.js";

const jsonPatch = "application/json-patch+json";
const mergePatch = "application/merge-patch+json";
const strategicPatch = "application/strategic-merge-patch+json";
const applyPatch = "application/apply-patch+yaml";

function patchOptionsInvalid(field: string, reason: string, message: string): StatusError {
  return invalid("PatchOptions", "meta.k8s.io", "", [{ reason, message, field }]);
}

function acceptedPatchTypes(crd: boolean): string[] {
  return crd ? [jsonPatch, mergePatch, applyPatch] : [jsonPatch, mergePatch, strategicPatch, applyPatch];
}

/** Applies a non-apply patch document of `contentType` to `current`. */
function applyPatchDocument(
  contentType: string,
  current: KubeObject,
  body: Buffer,
  kind: { group: string; kind: string },
): KubeObject {
  let patch: unknown;
  try {
    patch = JSON.parse(body.toString("utf8"));
  } catch (err) {
    throw badRequest(`error decoding patch: ${(err as Error).message}`);
  }
  if (contentType === jsonPatch) return applyJsonPatch(current, patch);
  if (contentType === mergePatch) return applyMergePatch(current, patch);
  return applyStrategicMergePatch(current, patch, kind);
}

export async function handlePatch(r: ResourceRequest): Promise<void> {
  requireVerb(r.type, "patch");
  fieldValidationOf(r.query);
  const contentType = baseContentType(r.req.headers["content-type"]);
  const crd = r.type.crd !== undefined;
  if (!acceptedPatchTypes(crd).includes(contentType)) {
    throw unsupportedMediaType(contentType, acceptedPatchTypes(crd));
  }
  const dryRun = dryRunOf(r.query.getAll("dryRun"), "PatchOptions");
  const force = r.query.get("force");
  if (force !== null && contentType !== applyPatch) {
    throw patchOptionsInvalid(
      "force",
      "FieldValueForbidden",
      "Forbidden: may not be specified for non-apply patch",
    );
  }
  const sub = r.route.subresource;
  if (sub === "scale") return patchScale(r, contentType, dryRun);
  if (sub !== undefined && sub !== "status") throw notFoundPath();
  const body = await readBody(r.req);
  const name = r.route.name ?? "";
  const entry = r.store.entry(r.type, r.route.namespace, name);
  const gv = groupVersion(r.type);
  const kind = { group: r.type.group, kind: r.type.kind };
  const fieldManager = fieldManagerOf(r);
  const subresource = sub === "status" ? { subresource: "status" as const } : {};

  if (contentType === applyPatch) {
    if (!r.query.get("fieldManager")) {
      throw patchOptionsInvalid(
        "fieldManager",
        "FieldValueRequired",
        "Required value: is required for apply patch",
      );
    }
    const applied = decodeBody(body, applyPatch) as KubeObject;
    if (!applied.apiVersion || !applied.kind) {
      throw badRequest("apiVersion and kind must be set in the applied configuration");
    }
    checkObjectMatchesRequest(r, applied);
    if (!entry && sub) throw notFound(r.type.resource, r.type.group, name);
    const existing = entry ? withVersion(JSON.parse(jsonOf(entry)) as KubeObject, gv) : undefined;
    const result = applyServerSideApply(existing, applied, {
      fieldManager,
      force: force === "true" || force === "1",
      kind,
    });
    // Patch results are fresh objects the store may keep as they are.
    const options = { dryRun, fieldManager, managedFieldsComputed: true, owned: true, ...subresource };
    if (!entry) {
      if (result.metadata) delete result.metadata.resourceVersion;
      sendEntry(r, 201, r.store.createEntry(r.type, result, options));
      return;
    }
    result.metadata = { ...(result.metadata ?? {}), resourceVersion: String(entry.rv) };
    sendEntry(r, 200, r.store.updateEntry(r.type, result, options));
    return;
  }

  if (!entry) throw notFound(r.type.resource, r.type.group, name);
  const current = withVersion(JSON.parse(jsonOf(entry)) as KubeObject, gv);
  const patched = applyPatchDocument(contentType, current, body, kind);
  checkPatchedIdentity(r, patched);
  patched.metadata ??= {};
  patched.metadata.resourceVersion ||= String(entry.rv);
  const options = { dryRun, fieldManager, owned: true, ...subresource };
  sendEntry(r, 200, r.store.updateEntry(r.type, patched, options));
}

function withVersion(object: KubeObject, gv: string): KubeObject {
  object.apiVersion = gv;
  return object;
}

/** A patch may not move the object: name, namespace, kind and version stay those of the URL. */
function checkPatchedIdentity(r: ResourceRequest, patched: KubeObject): void {
  const name = patched.metadata?.name;
  if (name !== r.route.name) {
    throw badRequest(
      `the name of the object (${name ?? ""}) does not match the name on the URL (${r.route.name ?? ""})`,
    );
  }
  checkObjectMatchesRequest(r, patched);
}

// ---- scale ----

const scalable = new Set([
  "apps/deployments",
  "apps/statefulsets",
  "apps/replicasets",
  "/replicationcontrollers",
]);

function selectorString(object: KubeObject): string {
  const selector = (object.spec as { selector?: unknown } | undefined)?.selector;
  if (!selector || typeof selector !== "object") return "";
  const s = selector as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
  if (!s.matchLabels && !s.matchExpressions) {
    return Object.entries(selector as Record<string, string>)
      .map(([k, v]) => `${k}=${v}`)
      .join(",");
  }
  return Object.entries(s.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(",");
}

export function scaleOf(object: KubeObject): KubeObject {
  const m = object.metadata ?? {};
  const spec = (object.spec ?? {}) as { replicas?: number };
  const status = (object.status ?? {}) as { replicas?: number };
  return {
    kind: "Scale",
    apiVersion: "autoscaling/v1",
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selectorString(object) },
  };
}

function requireScalable(r: ResourceRequest): KubeObject {
  if (!scalable.has(`${r.type.group}/${r.type.resource}`)) throw notFoundPath();
  const entry = r.store.entry(r.type, r.route.namespace, r.route.name ?? "");
  if (!entry) throw notFound(r.type.resource, r.type.group, r.route.name ?? "");
  return JSON.parse(jsonOf(entry)) as KubeObject;
}

export function handleGetScale(r: ResourceRequest): void {
  sendObject(r, 200, scaleOf(requireScalable(r)));
}

function writeScale(r: ResourceRequest, current: KubeObject, scale: KubeObject, dryRun: boolean): void {
  const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
  if (typeof replicas !== "number" || !Number.isInteger(replicas) || replicas < 0) {
    throw invalid("Scale", "autoscaling", r.route.name ?? "", [
      {
        reason: "FieldValueInvalid",
        message: `Invalid value: ${String(replicas)}: must be greater than or equal to 0`,
        field: "spec.replicas",
      },
    ]);
  }
  const next = { ...current, spec: { ...((current.spec as object) ?? {}), replicas } };
  next.metadata = { ...(current.metadata ?? {}) };
  const rv = scale.metadata?.resourceVersion;
  if (rv) next.metadata.resourceVersion = rv;
  const updated = r.store.update(r.type, next, { dryRun, fieldManager: fieldManagerOf(r) });
  sendObject(r, 200, scaleOf(updated));
}

export async function handlePutScale(r: ResourceRequest): Promise<void> {
  const current = requireScalable(r);
  const dryRun = dryRunOf(r.query.getAll("dryRun"), "UpdateOptions");
  const scale = decodeBody(await readBody(r.req), r.req.headers["content-type"]) as KubeObject;
  writeScale(r, current, scale, dryRun);
}

async function patchScale(r: ResourceRequest, contentType: string, dryRun: boolean): Promise<void> {
  const current = requireScalable(r);
  const body = await readBody(r.req);
  const scale =
    contentType === applyPatch
      ? (decodeBody(body, applyPatch) as KubeObject)
      : applyPatchDocument(contentType, scaleOf(current), body, { group: "autoscaling", kind: "Scale" });
  writeScale(r, current, scale, dryRun);
}
