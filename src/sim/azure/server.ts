// The Azure fake: an HTTPS server on loopback that answers the Resource Manager calls the app makes
// (disks, snapshots, managed clusters) the way ARM does, with authentication, faults and a request log.

import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import type { DiskProvisioner } from "../contracts.js";
import { trackSockets } from "../sockets.js";
import type { TlsMaterial } from "../tls.js";
import { ArmError } from "./arm-error.js";
import { normalizeLocation } from "./compute-resource.js";
import type { ArmRequest, ArmResponse } from "./exchange.js";
import { FaultInjector } from "./faults.js";
import {
  authorizationFailed,
  checkApiVersion,
  checkToken,
  faultResponse,
  parseJson,
  quotaHeader,
} from "./front-door.js";
import { type ManagedClusterSpec, registerManagedCluster } from "./managed-clusters.js";
import { Operations } from "./operations.js";
import { clusterNodeResourceGroup, createDiskProvisioner, defaultNodeResourceGroup } from "./provisioner.js";
import { resourceKey } from "./resource-id.js";
import { dispatch } from "./routes.js";
import { completionPercent } from "./snapshots.js";
import {
  type ArmWorld,
  type DiskRecord,
  ensureResourceGroup,
  type SnapshotLimits,
  type SnapshotRecord,
} from "./state.js";

export interface AzureFakeOptions {
  tls: TlsMaterial;
  /** The one bearer token the fake accepts. */
  token: string;
  /** Default: a fixed id, so the ids of a simulated cluster stay the same across runs. */
  subscriptionId?: string;
  /** Default "westeurope". */
  location?: string;
  /** Default "127.0.0.1". */
  host?: string;
  /** Default 0: a free port. */
  port?: number;
  /** Time as ARM sees it (timeCreated, the snapshot rate window); default the system clock. */
  clock?: () => Date;
  /** Polls before a long-running operation finishes, and GETs before an incremental snapshot's copy reaches 100%. Default 2. */
  lroSteps?: number;
  /** Retry-After (seconds) on 202 answers and running operation statuses. Default 0. */
  lroRetryAfterSeconds?: number;
  /** Items per list page before a nextLink. Default 100. */
  pageSize?: number;
  /** Where `createDisk` puts disks; default the node resource group of the first registered cluster. */
  defaultNodeResourceGroup?: string;
  /** Azure's incremental snapshot limits; lower them to test the limits cheaply. */
  snapshotLimits?: Partial<SnapshotLimits>;
}

export interface RequestRecord {
  method: string;
  /** Path as sent, without the query string. */
  path: string;
  /** Query string with its "?", or "". */
  query: string;
  /** Status answered; 0 when the connection was dropped. */
  status: number;
  /** Arrival time (Date.now(), real time, not the injectable clock). */
  at: number;
  /** Set when an injected fault answered instead of the fake. */
  fault?: "throttle" | "error" | "drop" | "deny";
}

export type DiskView = Readonly<DiskRecord>;
export type SnapshotView = Readonly<SnapshotRecord> & { readonly completionPercent: number };

export interface AzureFake extends DiskProvisioner {
  /** https://127.0.0.1:<port> */
  url: string;
  subscriptionId: string;
  location: string;
  faults: FaultInjector;
  /** Every request answered (or dropped), in arrival order. */
  requests: RequestRecord[];
  /** Adds a managed cluster, creating its resource group and node resource group; returns its ARM id. */
  registerManagedCluster(spec: ManagedClusterSpec): string;
  /**
   * The disk provisioner of one registered cluster (disks go to its node resource group): what a
   * simulated cluster's CSI driver uses when several clusters share this fake.
   */
  provisionerFor(clusterId: string): DiskProvisioner;
  /** Creates a resource group (idempotent); returns its ARM id. */
  createResourceGroup(name: string, location?: string): string;
  disk(id: string): DiskView | undefined;
  disks(): DiskView[];
  snapshot(id: string): SnapshotView | undefined;
  /** Snapshots whose source is this disk, oldest first. */
  snapshotsOf(diskId: string): SnapshotView[];
  /** Finishes every running long-running operation and background snapshot copy now. */
  settle(): void;
  close(): Promise<void>;
}

const defaultSubscriptionId = "9b1f7a54-2c4e-4d0a-8f3e-5a6b7c8d9e0f";
const azureSnapshotLimits: SnapshotLimits = { perWindow: 7, windowMs: 5 * 60_000, perDisk: 500 };
const maxBodyBytes = 4 * 1024 * 1024;

/** The request body, or undefined when it is larger than ARM accepts. */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBodyBytes) chunks.push(chunk);
    });
    req.on("end", () => resolve(size <= maxBodyBytes ? Buffer.concat(chunks) : undefined));
    req.on("error", reject);
  });
}

export async function startAzureFake(options: AzureFakeOptions): Promise<AzureFake> {
  const host = options.host ?? "127.0.0.1";
  const clock = options.clock ?? (() => new Date());
  const subscriptionId = options.subscriptionId ?? defaultSubscriptionId;
  const location = normalizeLocation(options.location ?? "westeurope");
  const steps = options.lroSteps ?? 2;
  const faults = new FaultInjector();
  const world: ArmWorld = {
    subscriptionId,
    location,
    clock,
    steps,
    pageSize: options.pageSize ?? 100,
    limits: { ...azureSnapshotLimits, ...options.snapshotLimits },
    faults,
    operations: new Operations({
      subscriptionId,
      location,
      clock,
      steps,
      retryAfterSeconds: options.lroRetryAfterSeconds ?? 0,
    }),
    resourceGroups: new Map(),
    disks: new Map(),
    snapshots: new Map(),
    clusters: new Map(),
    snapshotCreations: new Map(),
  };
  const expectedToken = Buffer.from(options.token);
  const requests: RequestRecord[] = [];
  const closing = new AbortController();
  // Every request delayed by injected latency waits on this one signal; many at once are normal.
  setMaxListeners(0, closing.signal);
  let baseUrl = "";

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = Date.now();
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", baseUrl);
    const record: RequestRecord = { method, path: url.pathname, query: url.search, status: 0, at };
    const raw = await readBody(req);
    const delay = faults.delayFor(method, url.pathname);
    if (delay > 0) await sleep(delay, undefined, { signal: closing.signal });
    const action = faults.takeAction(method, url.pathname);
    let response: ArmResponse;
    if (action?.kind === "drop") {
      requests.push({ ...record, fault: "drop" });
      req.socket.destroy();
      return;
    }
    const denial = action === undefined ? faults.takeDenial(method, url.pathname) : undefined;
    if (action !== undefined) {
      record.fault = action.kind;
      response = faultResponse(action, method);
    } else if (denial !== undefined) {
      record.fault = "deny";
      response = authorizationFailed(denial, method, url.pathname);
    } else {
      response = handle(method, url, req.headers.authorization, raw);
    }
    record.status = response.status;
    requests.push(record);
    send(res, method, req.headers["x-ms-client-request-id"], response);
  }

  function handle(
    method: string,
    url: URL,
    authorization: string | undefined,
    raw: Buffer | undefined,
  ): ArmResponse {
    try {
      if (raw === undefined) {
        throw new ArmError(
          413,
          "RequestEntityTooLarge",
          `The request content exceeds ${maxBodyBytes} bytes.`,
        );
      }
      const denied = checkToken(authorization, expectedToken);
      if (denied !== undefined) throw denied;
      const apiVersion = checkApiVersion(url.searchParams);
      const request: ArmRequest = {
        method,
        path: url.pathname,
        query: url.searchParams,
        body: parseJson(raw),
        apiVersion,
        baseUrl,
      };
      return dispatch(world, request);
    } catch (error) {
      if (error instanceof ArmError)
        return { status: error.status, headers: error.headers, body: error.toBody() };
      if (error instanceof URIError) {
        return { status: 400, body: new ArmError(400, "InvalidRequestUri", error.message).toBody() };
      }
      const message = error instanceof Error ? error.message : String(error);
      return {
        status: 500,
        body: new ArmError(500, "InternalServerError", `Azure fake bug: ${message}`).toBody(),
      };
    }
  }

  function send(res: ServerResponse, method: string, clientRequestId: unknown, response: ArmResponse): void {
    const requestId = randomUUID();
    const headers: Record<string, string> = {
      "cache-control": "no-cache",
      "x-ms-request-id": requestId,
      "x-ms-correlation-request-id": requestId,
      [quotaHeader(method)]: method === "GET" ? "11999" : "1199",
      ...response.headers,
    };
    if (typeof clientRequestId === "string") headers["x-ms-client-request-id"] = clientRequestId;
    let payload = "";
    if (response.body !== undefined) {
      payload = JSON.stringify(response.body);
      headers["content-type"] = "application/json; charset=utf-8";
    }
    headers["content-length"] = String(Buffer.byteLength(payload));
    res.writeHead(response.status, headers);
    res.end(payload);
  }

  const server = createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    answer(req, res).catch(() => {
      // Only a shutdown or a broken socket gets here; there is nobody left to answer.
      res.destroy();
    });
  });
  const destroySockets = trackSockets(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
  const provisioner = createDiskProvisioner(world, () =>
    defaultNodeResourceGroup(world, options.defaultNodeResourceGroup),
  );

  const snapshotView = (s: SnapshotRecord): SnapshotView => ({
    ...structuredClone(s),
    completionPercent: completionPercent(world, s),
  });
  return {
    url: baseUrl,
    subscriptionId,
    location,
    faults,
    requests,
    createDisk: (request) => provisioner.createDisk(request),
    deleteDisk: (id) => provisioner.deleteDisk(id),
    registerManagedCluster: (spec) => registerManagedCluster(world, spec).id,
    provisionerFor: (clusterId) => {
      clusterNodeResourceGroup(world, clusterId);
      return createDiskProvisioner(world, () => clusterNodeResourceGroup(world, clusterId));
    },
    createResourceGroup: (name, groupLocation) => {
      const group = ensureResourceGroup(world, name, groupLocation && normalizeLocation(groupLocation));
      return `/subscriptions/${subscriptionId}/resourceGroups/${group.name}`;
    },
    disk: (id) => {
      const disk = world.disks.get(resourceKey(id));
      return disk && structuredClone(disk);
    },
    disks: () => [...world.disks.values()].map((d) => structuredClone(d)),
    snapshot: (id) => {
      const snapshot = world.snapshots.get(resourceKey(id));
      return snapshot && snapshotView(snapshot);
    },
    snapshotsOf: (diskId) =>
      [...world.snapshots.values()]
        .filter((s) => resourceKey(s.sourceResourceId) === resourceKey(diskId))
        .sort((a, b) => a.timeCreated.getTime() - b.timeCreated.getTime())
        .map(snapshotView),
    settle: () => {
      world.operations.settle();
      for (const snapshot of world.snapshots.values()) {
        if (snapshot.provisioningState === "Succeeded") {
          snapshot.readsSinceProvisioned = Math.max(snapshot.readsSinceProvisioned, world.steps);
        }
      }
    },
    close: async () => {
      closing.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      destroySockets();
      await closed;
    },
  };
}
