// The verbs on one served resource: get, list, create, update (main, status, finalize),
// delete and deletecollection, answered in the format the client negotiated.
import type { IncomingMessage, ServerResponse } from "node:http";
import { stringify as toYaml } from "yaml";
import { baseContentType, decodeBody, readBody, sendBody, sendJson } from "./http-io.js";
import { decodeProtobufObject, protobufMediaType } from "./protobuf.js";
import type { ServedType } from "./registry.js";
import {
  deleteOptionsOf,
  dryRunOf,
  fieldValidationOf,
  limitOf,
  negotiateFormat,
  type ResponseFormat,
} from "./request-options.js";
import type { ResourceRoute } from "./routes.js";
import { badRequest, methodNotAllowed, notFound, notFoundPath, unsupportedMediaType } from "./status.js";
import type { MemoryStore } from "./store.js";
import { type Entry, jsonOf } from "./store-table.js";
import { columnsFor, table, tableRows } from "./table.js";
import type { KubeObject } from "./types.js";

export interface ResourceRequest {
  req: IncomingMessage;
  res: ServerResponse;
  query: URLSearchParams;
  route: ResourceRoute;
  type: ServedType;
  store: MemoryStore;
  /** Manager name kube-apiserver derives from the User-Agent when fieldManager is absent. */
  defaultManager: string;
}

export function groupVersion(type: ServedType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** The stored JSON of an entry, as the requested version (objects are stored once per resource). */
export function entryJson(entry: Entry, gv: string): string {
  if (entry.object.apiVersion === gv) return jsonOf(entry);
  return JSON.stringify({ ...entry.object, apiVersion: gv });
}

export function requireVerb(type: ServedType, verb: string): void {
  if (!type.verbs.includes(verb)) throw methodNotAllowed();
}

function asObject(json: string, gv: string): KubeObject {
  const o = JSON.parse(json) as KubeObject;
  o.apiVersion = gv;
  return o;
}

/** Sends a stored entry: as JSON its cached serialisation, so later reads reuse it. */
export function sendEntry(r: ResourceRequest, code: number, entry: Entry): void {
  const format = negotiateFormat(r.req, r.query);
  if (format.kind === "json") sendBody(r.res, code, entryJson(entry, groupVersion(r.type)));
  else sendRendered(r, code, format, [asObject(jsonOf(entry), groupVersion(r.type))], undefined);
}

/** Sends one object in the negotiated format. */
export function sendObject(r: ResourceRequest, code: number, object: KubeObject): void {
  const format = negotiateFormat(r.req, r.query);
  sendRendered(r, code, format, [object], undefined);
}

function sendRendered(
  r: ResourceRequest,
  code: number,
  format: ResponseFormat,
  objects: KubeObject[],
  listMeta: Record<string, unknown> | undefined,
): void {
  if (format.kind === "table") {
    const columns = columnsFor(r.type);
    sendBody(
      r.res,
      code,
      JSON.stringify(
        table(columns, tableRows(columns, objects, format.include), listMeta ?? {}, {
          withDefinitions: true,
        }),
      ),
      "application/json;as=Table;v=v1;g=meta.k8s.io",
    );
    return;
  }
  if (format.kind === "partial") {
    const partial = objects.map((o) => ({
      kind: "PartialObjectMetadata",
      apiVersion: "meta.k8s.io/v1",
      metadata: o.metadata ?? {},
    }));
    const body = listMeta
      ? {
          kind: "PartialObjectMetadataList",
          apiVersion: "meta.k8s.io/v1",
          metadata: listMeta,
          items: partial,
        }
      : partial[0];
    sendBody(
      r.res,
      code,
      JSON.stringify(body),
      "application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io",
    );
    return;
  }
  const value = listMeta
    ? { kind: `${r.type.kind}List`, apiVersion: groupVersion(r.type), metadata: listMeta, items: objects }
    : objects[0];
  if (format.kind === "yaml") sendBody(r.res, code, toYaml(value), "application/yaml");
  else sendJson(r.res, code, value);
}

export function handleGet(r: ResourceRequest): void {
  requireVerb(r.type, "get");
  const { route, type, store } = r;
  const entry = store.entry(type, route.namespace, route.name ?? "");
  if (!entry) throw notFound(type.resource, type.group, route.name ?? "");
  const format = negotiateFormat(r.req, r.query);
  if (format.kind === "json") {
    sendBody(r.res, 200, entryJson(entry, groupVersion(type)));
    return;
  }
  sendRendered(r, 200, format, [asObject(jsonOf(entry), groupVersion(type))], undefined);
}

export function handleList(r: ResourceRequest): void {
  requireVerb(r.type, "list");
  const { query, type, store } = r;
  const page = store.listEntries(type, {
    ...(r.route.namespace ? { namespace: r.route.namespace } : {}),
    ...optionalString("labelSelector", query.get("labelSelector")),
    ...optionalString("fieldSelector", query.get("fieldSelector")),
    ...optionalString("continue", query.get("continue")),
    ...optionalString("resourceVersion", query.get("resourceVersion")),
    ...optionalString("resourceVersionMatch", query.get("resourceVersionMatch")),
    ...(limitOf(query) !== undefined ? { limit: limitOf(query) } : {}),
  });
  const listMeta: Record<string, unknown> = { resourceVersion: String(page.resourceVersion) };
  if (page.continue) listMeta.continue = page.continue;
  if (page.remainingItemCount !== undefined) listMeta.remainingItemCount = page.remainingItemCount;
  const format = negotiateFormat(r.req, query);
  const gv = groupVersion(type);
  if (format.kind === "json") {
    // Built as a string from each object's cached JSON: no copies, no re-serialisation.
    const items = page.entries.map((e) => entryJson(e, gv)).join(",");
    const head = JSON.stringify({ kind: `${type.kind}List`, apiVersion: gv, metadata: listMeta });
    sendBody(r.res, 200, `${head.slice(0, -1)},"items":[${items}]}`);
    return;
  }
  sendRendered(
    r,
    200,
    format,
    page.entries.map((e) => asObject(jsonOf(e), gv)),
    listMeta,
  );
}

function optionalString<K extends string>(key: K, value: string | null): { [P in K]?: string } {
  return (value ? { [key]: value } : {}) as { [P in K]?: string };
}

const writableTypes = ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf"];

/** Reads a create/update body and checks it against the URL (type, namespace, name). */
export async function readObject(r: ResourceRequest): Promise<KubeObject> {
  const contentType = baseContentType(r.req.headers["content-type"]);
  let object: KubeObject;
  if (contentType === protobufMediaType) {
    object = decodeProtobufObject(await readBody(r.req));
  } else if (contentType === "application/json" || contentType === "application/yaml" || contentType === "") {
    object = decodeBody(await readBody(r.req), contentType) as KubeObject;
  } else {
    throw unsupportedMediaType(contentType, writableTypes);
  }
  checkObjectMatchesRequest(r, object);
  return object;
}

export function checkObjectMatchesRequest(r: ResourceRequest, object: KubeObject): void {
  const gv = groupVersion(r.type);
  if (object.apiVersion !== undefined && object.apiVersion !== gv) {
    throw badRequest(
      `the API version in the data (${object.apiVersion}) does not match the expected API version (${gv})`,
    );
  }
  if (object.kind !== undefined && object.kind !== r.type.kind) {
    throw badRequest(
      `the kind in the data (${object.kind}) does not match the expected kind (${r.type.kind})`,
    );
  }
  object.metadata ??= {};
  if (r.type.namespaced) {
    const ns = object.metadata.namespace;
    if (ns && ns !== r.route.namespace) {
      throw badRequest(
        "the namespace of the provided object does not match the namespace sent on the request",
      );
    }
    if (r.route.namespace) object.metadata.namespace = r.route.namespace;
  }
  if (
    r.route.name !== undefined &&
    object.metadata.name !== undefined &&
    object.metadata.name !== r.route.name
  ) {
    throw badRequest(
      `the name of the object (${object.metadata.name}) does not match the name on the URL (${r.route.name})`,
    );
  }
  if (r.route.name !== undefined) object.metadata.name = r.route.name;
}

export function fieldManagerOf(r: ResourceRequest): string {
  return r.query.get("fieldManager") || r.defaultManager;
}

export async function handleCreate(r: ResourceRequest): Promise<void> {
  requireVerb(r.type, "create");
  if (r.type.namespaced && !r.route.namespace) throw methodNotAllowed();
  fieldValidationOf(r.query);
  const dryRun = dryRunOf(r.query.getAll("dryRun"), "CreateOptions");
  const object = await readObject(r);
  if (isReview(r.type)) {
    sendObject(r, 201, answerReview(r.type, object));
    return;
  }
  sendEntry(
    r,
    201,
    r.store.createEntry(r.type, object, { dryRun, fieldManager: fieldManagerOf(r), owned: true }),
  );
}

export async function handleUpdate(r: ResourceRequest): Promise<void> {
  requireVerb(r.type, "update");
  fieldValidationOf(r.query);
  const dryRun = dryRunOf(r.query.getAll("dryRun"), "UpdateOptions");
  const sub = r.route.subresource;
  if (sub !== undefined && sub !== "status" && !(sub === "finalize" && r.type.resource === "namespaces")) {
    throw notFoundPath();
  }
  const object = await readObject(r);
  const existed = r.store.entry(r.type, r.route.namespace, r.route.name ?? "") !== undefined;
  const options = { dryRun, fieldManager: fieldManagerOf(r), owned: true };
  const updated =
    sub === "status" || sub === "finalize"
      ? r.store.updateEntry(r.type, object, { ...options, subresource: sub })
      : r.store.updateEntry(r.type, object, { ...options, viaMainResourcePut: true });
  sendEntry(r, existed ? 200 : 201, updated);
}

/** Kinds whose registries delete by returning the object rather than a Status. */
function returnsDeletedObject(type: ServedType): boolean {
  if (type.crd) return true;
  return type.group === "" && ["pods", "services", "namespaces"].includes(type.resource);
}

async function optionalBody(r: ResourceRequest): Promise<Record<string, unknown> | undefined> {
  const body = await readBody(r.req);
  if (body.length === 0 || body.toString("utf8").trim() === "") return undefined;
  return decodeBody(body, "application/json");
}

export async function handleDelete(r: ResourceRequest): Promise<void> {
  requireVerb(r.type, "delete");
  const options = deleteOptionsOf(r.query, await optionalBody(r));
  const { object, deleted } = r.store.deleteObject(r.type, r.route.namespace, r.route.name ?? "", options);
  if (deleted && !returnsDeletedObject(r.type)) {
    sendJson(r.res, 200, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      details: {
        name: r.route.name,
        ...(r.type.group ? { group: r.type.group } : {}),
        kind: r.type.resource,
        uid: object.metadata?.uid,
      },
    });
    return;
  }
  const code = !deleted && options.orphanDependents === false ? 202 : 200;
  sendObject(r, code, object);
}

export async function handleDeleteCollection(r: ResourceRequest): Promise<void> {
  requireVerb(r.type, "deletecollection");
  const options = deleteOptionsOf(r.query, await optionalBody(r));
  const page = r.store.listEntries(r.type, {
    ...(r.route.namespace ? { namespace: r.route.namespace } : {}),
    ...optionalString("labelSelector", r.query.get("labelSelector")),
    ...optionalString("fieldSelector", r.query.get("fieldSelector")),
  });
  const deleted: KubeObject[] = [];
  for (const entry of page.entries) {
    const meta = entry.object.metadata ?? {};
    try {
      deleted.push(r.store.deleteObject(r.type, meta.namespace, meta.name ?? "", options).object);
    } catch (err) {
      // Gone in the meantime (a cascade removed it): deletecollection skips it, as the server does.
      if (!(err instanceof Error && "code" in err && (err as { code: number }).code === 404)) throw err;
    }
  }
  const listMeta = { resourceVersion: String(r.store.resourceVersion) };
  sendRendered(r, 200, negotiateFormat(r.req, r.query), deleted, listMeta);
}

const reviewKinds = new Set([
  "SelfSubjectAccessReview",
  "SubjectAccessReview",
  "LocalSubjectAccessReview",
  "SelfSubjectRulesReview",
  "SelfSubjectReview",
  "TokenReview",
]);

/** Create-only review types are answered, never stored; the simulated user may do anything. */
function isReview(type: ServedType): boolean {
  return reviewKinds.has(type.kind);
}

function answerReview(type: ServedType, object: KubeObject): KubeObject {
  const user = { username: "aks-backup-sim", groups: ["system:masters", "system:authenticated"] };
  const status: Record<string, Record<string, unknown>> = {
    SelfSubjectAccessReview: { allowed: true, reason: "the simulated user is a cluster admin" },
    SubjectAccessReview: { allowed: true },
    LocalSubjectAccessReview: { allowed: true },
    SelfSubjectRulesReview: {
      resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
      nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
      incomplete: false,
    },
    SelfSubjectReview: { userInfo: user },
    TokenReview: { authenticated: true, user, audiences: [] },
  };
  return {
    ...object,
    apiVersion: groupVersion(type),
    kind: type.kind,
    metadata: { ...(object.metadata ?? {}) },
    status: status[type.kind] ?? {},
  };
}
