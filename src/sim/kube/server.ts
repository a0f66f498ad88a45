// The simulated Kubernetes API server: HTTPS on loopback, bearer-token authentication, and the
// routing of discovery, OpenAPI, health, version and resource requests onto the in-memory store.
import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import { trackSockets } from "../sockets.js";
import type { TlsMaterial } from "../tls.js";
import type { AdmissionHook } from "./admission.js";
import { handlePodBinding } from "./binding-handler.js";
import { Discovery, type DiscoveryBody } from "./discovery.js";
import { type ExecOptions, ExecRegistry } from "./exec/registry.js";
import { prepareExec } from "./exec/session.js";
import { serveExec } from "./exec/websocket.js";
import { KubeFaults } from "./faults.js";
import { parseMediaTypes, sendBody, sendError, sendJson } from "./http-io.js";
import { OpenApi } from "./openapi.js";
import { handleGetScale, handlePatch, handlePutScale } from "./patch-handler.js";
import {
  handleCreate,
  handleDelete,
  handleDeleteCollection,
  handleGet,
  handleList,
  handleUpdate,
  type ResourceRequest,
} from "./resource-handlers.js";
import { parseRoute, type ResourceRoute } from "./routes.js";
import { badRequest, methodNotAllowed, notFoundPath, unauthorized } from "./status.js";
import { MemoryStore, type MemoryStoreOptions } from "./store.js";
import { handleWatch, isWatchRequest, type WatchSettings } from "./watch.js";

export interface KubeSimOptions {
  tls: TlsMaterial;
  token: string;
  host?: string;
  /** 0 (default) = a free port. */
  port?: number;
  /** Options of the store (compaction interval, service CIDR, clock). */
  store?: MemoryStoreOptions;
  /** Extra admission steps, run after the built-in ones on every write. */
  admission?: AdmissionHook[];
  /** Watch bookmark interval (default 60 s) and longest watch (default 30 min). */
  watch?: Partial<WatchSettings>;
  /** How `sleep` in exec'd commands is scaled and waited for. */
  exec?: ExecOptions;
  /** Create the namespaces and the `kubernetes` Service kube-apiserver bootstraps (default true). */
  bootstrap?: boolean;
}

export interface KubeSim {
  url: string;
  store: MemoryStore;
  /** What pods/exec runs: register handlers, read the log of execs, see frozen mounts. */
  exec: ExecRegistry;
  /** Injected latency, 429s, 5xx and dropped connections; legacy-only discovery. */
  faults: KubeFaults;
  close(): Promise<void>;
}

export const simVersion = {
  major: "1",
  minor: "37",
  emulationMajor: "1",
  emulationMinor: "37",
  minCompatibilityMajor: "1",
  minCompatibilityMinor: "36",
  gitVersion: "v1.37.0-aks-backup-sim",
  gitCommit: "0000000000000000000000000000000000000000",
  gitTreeState: "clean",
  buildDate: "2026-06-01T00:00:00Z",
  goVersion: "go1.25.0",
  compiler: "gc",
  platform: "linux/amd64",
};

// Readable without credentials, as kube-apiserver's system:public-info-viewer role allows.
const publicPaths = new Set(["/healthz", "/livez", "/readyz", "/version"]);

function wantsAggregated(req: IncomingMessage): boolean {
  for (const t of parseMediaTypes(req.headers.accept)) {
    if (t.params.as === "APIGroupDiscoveryList") {
      if (t.type === "application/json" && t.params.g === "apidiscovery.k8s.io" && t.params.v === "v2")
        return true;
      continue;
    }
    if (t.type === "application/json" || t.type === "*/*" || t.type === "application/*") return false;
  }
  return false;
}

function sendDiscovery(req: IncomingMessage, res: ServerResponse, doc: DiscoveryBody | undefined): void {
  if (!doc) throw notFoundPath();
  const headers: Record<string, string> = { Vary: "Accept" };
  if (doc.etag) {
    headers.ETag = doc.etag;
    if (req.headers["if-none-match"] === doc.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
  }
  sendBody(res, 200, doc.body, doc.contentType, headers);
}

function authorized(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization ?? "";
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!match?.[1]) return false;
  const given = createHash("sha256").update(match[1].trim()).digest();
  const expected = createHash("sha256").update(token).digest();
  return given.equals(expected);
}

export async function startKubeSim(options: KubeSimOptions): Promise<KubeSim> {
  const store = new MemoryStore(options.store);
  for (const hook of options.admission ?? []) store.addAdmissionHook(hook);
  if (options.bootstrap !== false) bootstrapCluster(store);
  const discovery = new Discovery(store.registry);
  const faults = new KubeFaults();
  const openapi = new OpenApi(store.registry);
  const watchSettings: WatchSettings = {
    bookmarkIntervalMs: options.watch?.bookmarkIntervalMs ?? 60_000,
    maxTimeoutMs: options.watch?.maxTimeoutMs ?? 30 * 60_000,
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "https://localhost");
    const path = url.pathname;
    const isPublic = publicPaths.has(path.replace(/\/$/, "")) || /^\/(healthz|livez|readyz)\//.test(path);
    if (!authorized(req, options.token) && !(isPublic && !req.headers.authorization)) throw unauthorized();
    const route = parseRoute(path);
    if (!route) throw notFoundPath();
    const method = req.method ?? "GET";
    if (route.kind !== "resource" && method !== "GET" && method !== "HEAD") throw methodNotAllowed();
    switch (route.kind) {
      case "root":
        return sendJson(res, 200, {
          paths: ["/api", "/api/v1", "/apis", "/healthz", "/livez", "/openapi/v3", "/readyz", "/version"],
        });
      case "version":
        return sendJson(res, 200, simVersion);
      case "health":
        return sendBody(res, 200, "ok", "text/plain; charset=utf-8");
      case "openapi": {
        const doc = openapi.document(route.path);
        if (!doc) throw notFoundPath();
        const etag = `"${createHash("sha256").update(doc).digest("hex").slice(0, 32).toUpperCase()}"`;
        if (req.headers["if-none-match"] === etag) {
          res.writeHead(304, { ETag: etag });
          res.end();
          return;
        }
        return sendBody(res, 200, doc, "application/json", { ETag: etag, Vary: "Accept" });
      }
      case "coreVersions":
        return sendDiscovery(req, res, discovery.core(!faults.legacyDiscoveryOnly && wantsAggregated(req)));
      case "groups":
        return sendDiscovery(req, res, discovery.groups(!faults.legacyDiscoveryOnly && wantsAggregated(req)));
      case "group":
        return sendDiscovery(req, res, discovery.group(route.group));
      case "groupVersion":
        return sendDiscovery(req, res, discovery.groupVersion(route.group, route.version));
      case "resource":
        return handleResource(req, res, url, route, store, watchSettings);
    }
  };

  const server: Server = createServer({ cert: options.tls.cert, key: options.tls.key }, (req, res) => {
    faults
      .answer(req, res)
      .then((answered) => (answered ? undefined : handle(req, res)))
      .catch((err: unknown) => sendError(res, err));
  });
  const destroySockets = trackSockets(server);
  server.keepAliveTimeout = 60_000;
  const exec = new ExecRegistry(options.exec);
  const execSessions = serveExec(server, {
    store,
    registry: exec,
    authorized: (req) => authorized(req, options.token),
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const urlHost = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `https://${urlHost}:${address.port}`,
    store,
    faults,
    exec,
    close: async () => {
      store.close();
      execSessions.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      destroySockets();
      await closed;
    },
  };
}

async function handleResource(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  route: ResourceRoute,
  store: MemoryStore,
  watchSettings: WatchSettings,
): Promise<void> {
  const type = store.registry.lookup(route.group, route.version, route.resource);
  if (!type) throw notFoundPath();
  if (route.subresource && !type.subresources.includes(route.subresource)) throw notFoundPath();
  const r: ResourceRequest = {
    req,
    res,
    query: url.searchParams,
    route,
    type,
    store,
    defaultManager: managerFromUserAgent(req.headers["user-agent"]),
  };
  const method = req.method ?? "GET";
  const sub = route.subresource;
  if (route.name === undefined) {
    if (method === "GET") return isWatchRequest(r) ? handleWatch(r, watchSettings) : handleList(r);
    if (method === "POST") return handleCreate(r);
    if (method === "DELETE") return handleDeleteCollection(r);
    throw methodNotAllowed();
  }
  switch (method) {
    case "GET":
      if (sub === "scale") return handleGetScale(r);
      if (sub === "exec") return refuseExecWithoutUpgrade(r);
      if (sub !== undefined && sub !== "status") throw methodNotAllowed();
      return isWatchRequest(r) ? handleWatch(r, watchSettings) : handleGet(r);
    case "PUT":
      return sub === "scale" ? handlePutScale(r) : handleUpdate(r);
    case "PATCH":
      return handlePatch(r);
    case "DELETE":
      if (sub !== undefined) throw methodNotAllowed();
      return handleDelete(r);
    case "POST":
      if (sub === "binding" && type.group === "" && type.resource === "pods") return handlePodBinding(r);
      if (sub === "exec") return refuseExecWithoutUpgrade(r);
      throw methodNotAllowed();
    default:
      throw methodNotAllowed();
  }
}

/** exec streams only over an upgraded connection (the upgrade itself is served by serveExec). */
function refuseExecWithoutUpgrade(r: ResourceRequest): void {
  prepareExec(r.store, r.route.namespace ?? "", r.route.name ?? "", r.query);
  throw badRequest("Upgrade request required");
}

/** The manager name kube-apiserver derives from a User-Agent when no fieldManager is given. */
export function managerFromUserAgent(userAgent: string | undefined): string {
  return ((userAgent ?? "").split("/")[0] ?? "").slice(0, 128) || "unknown";
}

/** What kube-apiserver creates for itself on start: the system namespaces and `kubernetes` Service. */
export function bootstrapCluster(store: MemoryStore): void {
  const namespaces = store.resourceFor("", "namespaces");
  const services = store.resourceFor("", "services");
  if (!namespaces || !services) return;
  for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
    if (!store.get(namespaces, undefined, name)) {
      store.create(namespaces, { metadata: { name } }, { fieldManager: "kube-apiserver" });
    }
  }
  if (!store.get(services, "default", "kubernetes")) {
    store.create(
      services,
      {
        metadata: {
          name: "kubernetes",
          namespace: "default",
          labels: { component: "apiserver", provider: "kubernetes" },
        },
        spec: {
          clusterIP: "10.0.0.1",
          ports: [{ name: "https", port: 443, protocol: "TCP", targetPort: 443 }],
          sessionAffinity: "None",
          type: "ClusterIP",
        },
      },
      { fieldManager: "kube-apiserver" },
    );
  }
}
