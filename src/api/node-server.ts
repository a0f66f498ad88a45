// The API over node:http for `aks-backup serve` and the tests: JSON bodies up to a limit, the
// handlers of api.ts, and the durable status endpoint the 202 payload's URLs point at, so polling
// `statusQueryGetUri` works locally as it does against the Functions host.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type AllowedSubscriptions,
  armAccessOf,
  armClusterReader,
  type ClusterReader,
} from "../events/index.js";
import type { OrchestrationClient } from "../orchestrations/client.js";
import type { AzureSettings, Environment } from "../orchestrations/environment.js";
import { pageAssetOf, type WebResponse, webResponse } from "../web/assets.js";
import { type ApiHandler, createApi } from "./api.js";
import { DEFAULT_BODY_LIMIT, parseJsonBody, tooLarge } from "./body.js";
import { durableLinks } from "./deps.js";
import { errorResponse } from "./errors.js";
import { EVENTGRID_PATH, type EventGridEndpoint, eventGridEndpoint } from "./eventgrid-endpoint.js";
import type { ApiRequest, ApiResponse } from "./http.js";
import { matchRoute } from "./router.js";
import { durableStatusRoutes } from "./status-endpoint.js";

export interface ApiServerOptions {
  env: Environment;
  client: OrchestrationClient;
  /** Default 127.0.0.1: the local API has no authentication. */
  host?: string;
  /** Default 7071 (the Functions host's); 0 picks a free port. */
  port?: number;
  bodyLimitBytes?: number;
  log?: (message: string) => void;
  /** Demo mode's sentence, shown by `GET /api/health`. */
  notice?: string;
  /** The Event Grid webhook's Azure access (to read a cluster's tags) and allowed subscriptions. */
  events?: EventOptions;
}

export interface EventOptions {
  /** Default: a reader over `azure` (absent: Azure's public cloud with DefaultAzureCredential). */
  readCluster?: ClusterReader;
  azure?: AzureSettings;
  /** Absent or empty: events from any subscription. */
  allowedSubscriptions?: AllowedSubscriptions;
}

export interface ApiServer {
  /** `http://127.0.0.1:7071`. */
  readonly url: string;
  close(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const log = options.log ?? ((message: string) => process.stderr.write(`aks-backup serve: ${message}\n`));
  const limit = options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
  const statusRoutes = durableStatusRoutes(options.client);
  // The management URLs use the host the caller used, as the Functions host's do; one API per host.
  const apis = new Map<string, ApiHandler>();
  const apiFor = (baseUrl: string): ApiHandler => {
    let api = apis.get(baseUrl);
    if (!api) {
      api = createApi({
        env: options.env,
        client: options.client,
        links: durableLinks(baseUrl),
        log,
        ...(options.notice ? { notice: options.notice } : {}),
      });
      if (apis.size < 16) apis.set(baseUrl, api);
    }
    return api;
  };
  let events: EventGridEndpoint | undefined;
  const eventsEndpoint = (): EventGridEndpoint => {
    events ??= eventGridEndpoint({
      env: options.env,
      client: options.client,
      readCluster: options.events?.readCluster ?? armClusterReader(armAccessOf(options.events?.azure)),
      allowedSubscriptions: options.events?.allowedSubscriptions,
      log,
    });
    return events;
  };
  let url = "";
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    // The backup center page (docs/web.md) at `/`, its assets under `/web/`; the API is under `/api/`.
    const asset = req.method === "GET" || req.method === "HEAD" ? pageAssetOf(pathOf(req), "/") : undefined;
    if (asset !== undefined) {
      const ifNoneMatch = req.headers["if-none-match"];
      try {
        const page = await webResponse({ asset, ...(ifNoneMatch ? { ifNoneMatch } : {}) }, "api/");
        writeWebResponse(req, res, page);
      } catch (error) {
        writeResponse(res, errorResponse(error, log));
      }
      return;
    }
    let response: ApiResponse;
    try {
      const request = await readRequest(req, limit);
      if (request.path.startsWith("/runtime/webhooks/durabletask/")) {
        const { route, params } = matchRoute(statusRoutes, request);
        response = await route.handler(request, params);
      } else if (request.path.toLowerCase() === EVENTGRID_PATH.toLowerCase()) {
        response = await eventsEndpoint()(request);
      } else {
        response = await apiFor(baseUrlOf(req, url))(request);
      }
    } catch (error) {
      response = errorResponse(error, log);
    }
    writeResponse(res, response);
  };
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => reject(listenError(error, options));
    server.once("error", fail);
    server.listen(options.port ?? 7071, options.host ?? "127.0.0.1", () => {
      server.off("error", fail);
      resolve();
    });
  });
  url = urlOf(server);
  return { url, close: () => closeServer(server) };
}

async function readRequest(req: IncomingMessage, limit: number): Promise<ApiRequest> {
  const target = new URL(req.url ?? "/", "http://localhost");
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  const body = parseJsonBody(await readBody(req, limit), headers["content-type"], limit);
  return {
    method: req.method ?? "GET",
    path: target.pathname,
    query: target.searchParams,
    headers,
    ...(body === undefined ? {} : { body }),
  };
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > limit) {
    req.resume();
    throw tooLarge(limit);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > limit) {
      req.resume();
      throw tooLarge(limit);
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

function writeResponse(res: ServerResponse, response: ApiResponse): void {
  const text = response.body === undefined ? undefined : `${JSON.stringify(response.body, null, 2)}\n`;
  res.writeHead(response.status, {
    ...response.headers,
    ...(text === undefined ? {} : { "content-length": String(Buffer.byteLength(text)) }),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(text);
}

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? "/", "http://localhost").pathname;
}

function writeWebResponse(req: IncomingMessage, res: ServerResponse, response: WebResponse): void {
  const length =
    response.body === undefined ? {} : { "content-length": String(Buffer.byteLength(response.body)) };
  res.writeHead(response.status, { ...response.headers, ...length });
  res.end(req.method === "HEAD" ? undefined : response.body);
}

// The Host header is only echoed back to the same caller in URLs; anything odd falls back.
function baseUrlOf(req: IncomingMessage, fallback: string): string {
  const host = req.headers.host;
  return host && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(host) ? `http://${host}` : fallback;
}

function listenError(error: NodeJS.ErrnoException, options: ApiServerOptions): Error {
  const where = `${options.host ?? "127.0.0.1"}:${options.port ?? 7071}`;
  if (error.code === "EADDRINUSE") {
    return new Error(`cannot listen on ${where}: the port is in use; pass --port <port> (0 = any free port)`);
  }
  return new Error(`cannot listen on ${where}: ${error.code ?? error.message}`);
}

function urlOf(server: Server): string {
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}
