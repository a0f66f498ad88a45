// A minimal but honest OpenAPI v3 surface: the index of served group-versions and, per
// group-version, the operations with their query parameters (no schemas). kubectl reads it to learn
// that the server validates fields itself (`fieldValidation`), so it need not validate client-side.
import { createHash } from "node:crypto";
import type { ServedType, TypeRegistry } from "./registry.js";

type Json = Record<string, unknown>;

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function queryParam(name: string, description: string, type = "string"): Json {
  return { name, in: "query", description, schema: { type, uniqueItems: true } };
}

const dryRun = queryParam("dryRun", "When present, indicates that modifications should not be persisted.");
const fieldManager = queryParam(
  "fieldManager",
  "fieldManager is a name associated with the actor or entity that is making these changes.",
);
const fieldValidation = queryParam(
  "fieldValidation",
  "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn - Strict",
);
const force = queryParam("force", 'Force is going to "force" Apply requests.', "boolean");

function operation(type: ServedType, action: string, parameters: Json[]): Json {
  return {
    tags: [type.group ? `${type.group.replace(/\./g, "_")}_${type.version}` : `core_${type.version}`],
    operationId: `${action}${type.kind}`,
    parameters,
    responses: { "200": { description: "OK" }, "401": { description: "Unauthorized" } },
    "x-kubernetes-action": action,
    "x-kubernetes-group-version-kind": { group: type.group, version: type.version, kind: type.kind },
  };
}

function pathsOf(type: ServedType): Json {
  const base = `/${gvPath(type.group, type.version)}${type.namespaced ? "/namespaces/{namespace}" : ""}/${type.resource}`;
  const paths: Json = {};
  const has = (verb: string) => type.verbs.includes(verb);
  const collection: Json = {};
  if (has("list")) collection.get = operation(type, "list", []);
  if (has("create")) collection.post = operation(type, "post", [dryRun, fieldManager, fieldValidation]);
  if (has("deletecollection")) collection.delete = operation(type, "deletecollection", [dryRun]);
  if (Object.keys(collection).length > 0) paths[base] = collection;
  const item: Json = {};
  if (has("get")) item.get = operation(type, "get", []);
  if (has("update")) item.put = operation(type, "put", [dryRun, fieldManager, fieldValidation]);
  if (has("patch")) item.patch = operation(type, "patch", [dryRun, fieldManager, fieldValidation, force]);
  if (has("delete")) item.delete = operation(type, "delete", [dryRun]);
  if (Object.keys(item).length > 0) paths[`${base}/{name}`] = item;
  for (const sub of type.subresources) {
    if (sub !== "status" && sub !== "scale") continue;
    paths[`${base}/{name}/${sub}`] = {
      get: operation(type, "get", []),
      put: operation(type, "put", [dryRun, fieldManager, fieldValidation]),
      patch: operation(type, "patch", [dryRun, fieldManager, fieldValidation, force]),
    };
  }
  return paths;
}

export class OpenApi {
  private revision = -1;
  private docs = new Map<string, string>();
  private index = "";

  constructor(private readonly registry: TypeRegistry) {}

  private refresh(): void {
    if (this.revision === this.registry.servedRevision) return;
    this.revision = this.registry.servedRevision;
    const byGv = new Map<string, ServedType[]>();
    for (const t of this.registry.allServed()) {
      const key = gvPath(t.group, t.version);
      const list = byGv.get(key) ?? [];
      list.push(t);
      byGv.set(key, list);
    }
    this.docs = new Map();
    const paths: Json = {};
    for (const [key, types] of byGv) {
      const doc = JSON.stringify({
        openapi: "3.0.0",
        info: { title: "Kubernetes", version: "v1.37.0" },
        paths: Object.assign({}, ...types.map(pathsOf)),
        components: { schemas: {} },
      });
      this.docs.set(key, doc);
      const hash = createHash("sha512").update(doc).digest("hex").toUpperCase().slice(0, 128);
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
    }
    this.index = JSON.stringify({ paths });
  }

  /** `/openapi/v3` (path "v3") or `/openapi/v3/<gv path>`; undefined if not served. */
  document(path: string): string | undefined {
    this.refresh();
    if (path === "v3") return this.index;
    if (!path.startsWith("v3/")) return undefined;
    return this.docs.get(path.slice(3));
  }
}
