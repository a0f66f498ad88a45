// Policies, backup instances and clusters over HTTP: list, read (with ETag), create or update
// (If-Match), delete. The definition store validates with the model's zod schemas and holds the lock.
import {
  DefinitionConflictError,
  type DefinitionKind,
  type DefinitionStore,
  type DefinitionTypes,
  type Stored,
} from "../store/definitions.js";
import type { ApiDeps } from "./deps.js";
import { ApiError, type ApiRequest, type ApiResponse, invalid, json, noContent, notFound } from "./http.js";
import { checkedName, objectBody } from "./names.js";
import type { Route } from "./router.js";

export interface DefinitionRoutes {
  readonly kind: DefinitionKind;
  /** The collection's path segment: `policies`, `backup-instances`, `clusters`. */
  readonly collection: string;
}

export const DEFINITION_COLLECTIONS: readonly DefinitionRoutes[] = [
  { kind: "policy", collection: "policies" },
  { kind: "instance", collection: "backup-instances" },
  { kind: "cluster", collection: "clusters" },
];

export const KIND_LABEL: Record<DefinitionKind, string> = {
  policy: "policy",
  instance: "backup instance",
  cluster: "cluster",
};

/** GET list, GET/PUT one; DELETE is added by the caller (an instance's delete stops protection). */
export function definitionRoutes(deps: ApiDeps, { kind, collection }: DefinitionRoutes): Route[] {
  const store = deps.env.definitions;
  const item = `/api/${collection}/{name}`;
  return [
    {
      method: "GET",
      pattern: `/api/${collection}`,
      handler: async () => json(200, { value: (await store.list(kind)).map((entry) => entry.value) }),
    },
    {
      method: "GET",
      pattern: item,
      handler: async (_request, params) => {
        const found = await getDefinition(store, kind, checkedName(params.name));
        return json(200, found.value, { etag: found.etag });
      },
    },
    {
      method: "PUT",
      pattern: item,
      handler: (request, params) => putDefinition(store, kind, request, params.name),
    },
  ];
}

/** DELETE of a policy or cluster: refused while an instance uses it (409 naming the instances). */
export function deleteDefinitionRoute(deps: ApiDeps, { kind, collection }: DefinitionRoutes): Route {
  return {
    method: "DELETE",
    pattern: `/api/${collection}/{name}`,
    handler: async (request, params) => {
      const name = checkedName(params.name);
      const ifMatch = ifMatchOf(request);
      const deleted = await deps.env.definitions.delete(kind, name, ifMatch === undefined ? {} : { ifMatch });
      if (!deleted) throw notFound(`${KIND_LABEL[kind]} "${name}" does not exist`);
      return noContent();
    },
  };
}

export async function getDefinition<K extends DefinitionKind>(
  store: DefinitionStore,
  kind: K,
  name: string,
): Promise<Stored<DefinitionTypes[K]>> {
  const found = await store.get(kind, name);
  if (!found) throw notFound(`${KIND_LABEL[kind]} "${name}" does not exist`);
  return found;
}

async function putDefinition(
  store: DefinitionStore,
  kind: DefinitionKind,
  request: ApiRequest,
  pathName: string | undefined,
): Promise<ApiResponse> {
  const name = checkedName(pathName);
  const body = objectBody(request.body) ?? {};
  if (body.name !== undefined && body.name !== name) {
    const message = `must match the name in the path ("${name}"); to rename, create the new name and delete the old one`;
    throw invalid(`the body's name does not match the path: ${message}`, [{ field: "name", message }]);
  }
  const ifMatch = ifMatchOf(request);
  try {
    const stored = await store.put(kind, { name, ...body }, ifMatch === undefined ? {} : { ifMatch });
    return json(ifMatch === undefined ? 201 : 200, stored.value, {
      etag: stored.etag,
      ...(ifMatch === undefined ? { location: request.path } : {}),
    });
  } catch (error) {
    if (error instanceof DefinitionConflictError && ifMatch === undefined) {
      throw new ApiError(
        409,
        `${KIND_LABEL[kind]} "${name}" already exists; to change it, send If-Match with the ETag from GET (or If-Match: * to overwrite whatever is stored)`,
      );
    }
    throw error;
  }
}

/** The If-Match header, as the store takes it; absent means "create only". */
export function ifMatchOf(request: ApiRequest): string | undefined {
  const value = request.headers["if-match"]?.trim();
  if (value === undefined) return undefined;
  if (value === "") {
    throw invalid("If-Match is empty", [
      { field: "If-Match", message: "is empty; send the ETag from GET, or * to match any version" },
    ]);
  }
  return value;
}
