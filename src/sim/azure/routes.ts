// The ARM paths the Azure fake serves and which handler answers each method on them; path
// literals match case-insensitively, as in ARM, and names keep the casing the client sent.
import { ArmError, subscriptionNotFound } from "./arm-error.js";
import { requireBody, requireLocation } from "./compute-resource.js";
import { deleteDisk, getDisk, listDisks, patchDisk, putDisk } from "./disks.js";
import type { ArmRequest, ArmResponse } from "./exchange.js";
import { getManagedCluster, listCredentials, listManagedClusters } from "./managed-clusters.js";
import { tagsAt } from "./request-body.js";
import { deleteSnapshot, getSnapshot, listSnapshots, patchSnapshot, putSnapshot } from "./snapshots.js";
import {
  type ArmWorld,
  ensureResourceGroup,
  type ResourceGroupRecord,
  requireResourceGroup,
} from "./state.js";

type Param = (name: string) => string;
type Handler = (world: ArmWorld, request: ArmRequest, param: Param) => ArmResponse;

interface Route {
  pattern: string[];
  methods: Record<string, Handler>;
}

function route(pattern: string, methods: Record<string, Handler>): Route {
  return { pattern: pattern.split("/"), methods };
}

const group = "subscriptions/:subscription/resourcegroups/:group";
const compute = `${group}/providers/microsoft.compute`;
const aks = `${group}/providers/microsoft.containerservice/managedclusters`;

function renderResourceGroup(world: ArmWorld, rg: ResourceGroupRecord): Record<string, unknown> {
  const body: Record<string, unknown> = {
    id: `/subscriptions/${world.subscriptionId}/resourceGroups/${rg.name}`,
    name: rg.name,
    type: "Microsoft.Resources/resourceGroups",
    location: rg.location,
    properties: { provisioningState: "Succeeded" },
  };
  if (Object.keys(rg.tags).length > 0) body.tags = { ...rg.tags };
  return body;
}

function putResourceGroup(world: ArmWorld, request: ArmRequest, param: Param): ArmResponse {
  const body = requireBody(request);
  const location = requireLocation(body);
  const existed = world.resourceGroups.has(param("group").toLowerCase());
  const rg = ensureResourceGroup(world, param("group"), location);
  rg.tags = tagsAt(body, "tags") ?? {};
  return { status: existed ? 200 : 201, body: renderResourceGroup(world, rg) };
}

const routes: Route[] = [
  route(group, {
    PUT: putResourceGroup,
    GET: (w, _r, p) => ({ status: 200, body: renderResourceGroup(w, requireResourceGroup(w, p("group"))) }),
  }),
  route(`${compute}/disks`, { GET: (w, r, p) => listDisks(w, r, p("group")) }),
  route(`${compute}/disks/:name`, {
    PUT: (w, r, p) => putDisk(w, r, p("group"), p("name")),
    PATCH: (w, r, p) => patchDisk(w, r, p("group"), p("name")),
    GET: (w, _r, p) => getDisk(w, p("group"), p("name")),
    DELETE: (w, r, p) => deleteDisk(w, r, p("group"), p("name")),
  }),
  route(`${compute}/snapshots`, { GET: (w, r, p) => listSnapshots(w, r, p("group")) }),
  route(`${compute}/snapshots/:name`, {
    PUT: (w, r, p) => putSnapshot(w, r, p("group"), p("name")),
    PATCH: (w, r, p) => patchSnapshot(w, r, p("group"), p("name")),
    GET: (w, _r, p) => getSnapshot(w, p("group"), p("name")),
    DELETE: (w, r, p) => deleteSnapshot(w, r, p("group"), p("name")),
  }),
  route("subscriptions/:subscription/providers/microsoft.compute/disks", { GET: (w, r) => listDisks(w, r) }),
  route("subscriptions/:subscription/providers/microsoft.compute/snapshots", {
    GET: (w, r) => listSnapshots(w, r),
  }),
  route(
    "subscriptions/:subscription/providers/microsoft.compute/locations/:location/diskoperations/:operation",
    {
      GET: (w, r, p) => w.operations.poll(p("operation"), r.query.get("monitor") === "true"),
    },
  ),
  route(aks, { GET: (w, r, p) => listManagedClusters(w, r, p("group")) }),
  route(`${aks}/:name`, { GET: (w, _r, p) => getManagedCluster(w, p("group"), p("name")) }),
  route(`${aks}/:name/listclusterusercredential`, {
    POST: (w, r, p) => listCredentials(w, r, p("group"), p("name"), "user"),
  }),
  route(`${aks}/:name/listclusteradmincredential`, {
    POST: (w, r, p) => listCredentials(w, r, p("group"), p("name"), "admin"),
  }),
  route("subscriptions/:subscription/providers/microsoft.containerservice/managedclusters", {
    GET: (w, r) => listManagedClusters(w, r),
  }),
];

function match(pattern: string[], segments: string[]): Map<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined;
  const params = new Map<string, string>();
  for (const [i, part] of pattern.entries()) {
    const segment = segments[i] ?? "";
    if (part.startsWith(":")) {
      if (segment === "") return undefined;
      params.set(part.slice(1), decodeURIComponent(segment));
    } else if (part !== segment.toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

/** Finds the handler for a request and runs it; ARM's 404/405 answers for paths it does not serve. */
export function dispatch(world: ArmWorld, request: ArmRequest): ArmResponse {
  const segments = request.path.replace(/^\/+|\/+$/g, "").split("/");
  for (const candidate of routes) {
    const params = match(candidate.pattern, segments);
    if (params === undefined) continue;
    const subscription = params.get("subscription") ?? "";
    if (subscription.toLowerCase() !== world.subscriptionId.toLowerCase()) {
      throw subscriptionNotFound(subscription);
    }
    const handler = candidate.methods[request.method];
    if (handler === undefined) {
      throw new ArmError(
        405,
        "MethodNotAllowed",
        `The requested resource does not support http method '${request.method}'.`,
      );
    }
    return handler(world, request, (name) => params.get(name) ?? "");
  }
  throw new ArmError(
    404,
    "NotFound",
    `No HTTP resource was found that matches the request URI '${request.baseUrl}${request.path}'.`,
  );
}
