// Per-test fault knobs of the simulated Kubernetes API (latency, 429 + Retry-After, 5xx, dropped
// connections, each limited to matching requests), answered with kube-apiserver's Status bodies;
// and answers no API server gives but a proxy in front of one may (misanswer).
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { type FaultFilter, FaultInjector } from "../azure/faults.js";
import { sendJson } from "./http-io.js";
import { StatusError, type StatusReason } from "./status.js";

export type KubeFaultFilter = Omit<FaultFilter, "resourceType">;

/** The Azure fake's injector (generic in method and path) with the knobs the kube API needs. */
export class KubeFaults {
  readonly #injector = new FaultInjector();
  /** Answer discovery as a server without aggregated discovery (before Kubernetes 1.26) does. */
  legacyDiscoveryOnly = false;

  /** Delays matching requests by `ms`; all of them unless `count` is given. */
  latency(ms: number, options: KubeFaultFilter & { count?: number } = {}): void {
    this.#injector.latency(ms, options);
  }

  /** Answers the next `count` (default 1) matching requests with 429 TooManyRequests + Retry-After. */
  throttle(options: KubeFaultFilter & { count?: number; retryAfterSeconds?: number } = {}): void {
    this.#injector.throttle(options);
  }

  /** Answers the next `count` (default 1) matching requests with a 5xx (default 500). */
  fail(
    options: KubeFaultFilter & { count?: number; status?: number; retryAfterSeconds?: number } = {},
  ): void {
    this.#injector.fail(options);
  }

  /** Destroys the connection of the next `count` (default 1) matching requests without answering. */
  drop(options: KubeFaultFilter & { count?: number } = {}): void {
    this.#injector.drop(options);
  }

  readonly #forbidden: { group: string; resource: string; path: RegExp }[] = [];
  readonly #vanished: RegExp[] = [];

  /**
   * Answers every request for a type with the API server's 404 for a path it does not serve, while
   * discovery still lists the type: a type removed (say, its CRD deleted) after discovery.
   */
  vanish(type: { group: string; resource: string }): void {
    this.#vanished.push(typePath(type));
  }

  /**
   * Refuses every list and get of a type with 403, worded as RBAC's authorizer words it: what a
   * backup identity without read access to, say, Secrets meets.
   */
  forbid(type: { group: string; resource: string }): void {
    this.#forbidden.push({ ...type, path: typePath(type) });
  }

  readonly #misanswered: { path: RegExp; contentType: string; body: string }[] = [];

  /**
   * Answers every list and get of a type with 200 and `body` as `contentType`: what a backup meets
   * behind a proxy that serves its own page, or from an aggregated API server that misbehaves.
   */
  misanswer(type: { group: string; resource: string }, answer: { contentType: string; body: string }): void {
    this.#misanswered.push({ path: typePath(type), ...answer });
  }

  /** Removes every fault and turns legacy discovery off. */
  clear(): void {
    this.#injector.clear();
    this.#forbidden.length = 0;
    this.#vanished.length = 0;
    this.#misanswered.length = 0;
    this.legacyDiscoveryOnly = false;
  }

  /** How many injected throttles, errors and drops have not been used yet. */
  get pending(): number {
    return this.#injector.pending;
  }

  /** Applies the faults matching a request; true when one answered it (or dropped it). */
  async answer(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const method = (req.method ?? "GET").toUpperCase();
    const path = new URL(req.url ?? "/", "https://localhost").pathname;
    const forbidden = method === "GET" ? this.#forbidden.find((f) => f.path.test(path)) : undefined;
    if (forbidden) {
      const qualified = forbidden.group ? `${forbidden.resource}.${forbidden.group}` : forbidden.resource;
      const error = new StatusError(
        403,
        "Forbidden",
        `${qualified} is forbidden: User "system:serviceaccount:aks-backup:backup" cannot list resource "${forbidden.resource}" in API group "${forbidden.group}" at the cluster scope`,
        { kind: forbidden.resource, ...(forbidden.group ? { group: forbidden.group } : {}) },
      );
      sendJson(res, 403, error.status);
      return true;
    }
    const misanswer = method === "GET" ? this.#misanswered.find((m) => m.path.test(path)) : undefined;
    if (misanswer) {
      res.writeHead(200, { "Content-Type": misanswer.contentType });
      res.end(misanswer.body);
      return true;
    }
    if (this.#vanished.some((p) => p.test(path))) {
      const error = new StatusError(404, "NotFound", "the server could not find the requested resource", {});
      sendJson(res, 404, error.status);
      return true;
    }
    const delay = this.#injector.delayFor(method, path);
    if (delay > 0) await sleep(delay);
    const action = this.#injector.takeAction(method, path);
    if (action === undefined) return false;
    if (action.kind === "drop") {
      req.socket.destroy();
      return true;
    }
    const retryAfter = action.retryAfterSeconds;
    const error =
      action.kind === "throttle"
        ? new StatusError(429, "TooManyRequests", "Too many requests, please try again later.", {
            retryAfterSeconds: action.retryAfterSeconds,
          })
        : serverError(action.status, retryAfter);
    const headers: Record<string, string> =
      retryAfter === undefined ? {} : { "Retry-After": String(retryAfter) };
    sendJson(res, error.status.code, error.status, headers);
    return true;
  }
}

function serverError(status: number, retryAfterSeconds: number | undefined): StatusError {
  const known: Record<number, [StatusReason, string]> = {
    503: ["ServiceUnavailable", "the server is currently unable to handle the request"],
    504: [
      "Timeout",
      "the server was unable to return a response in the time allotted, but may still be processing the request",
    ],
  };
  const [reason, message] = known[status] ?? ["InternalError", "Internal error occurred: injected fault"];
  return new StatusError(
    status,
    reason,
    message,
    retryAfterSeconds === undefined ? undefined : { retryAfterSeconds },
  );
}

/** Collection and object paths of a type, in every namespace. */
function typePath(type: { group: string; resource: string }): RegExp {
  const root = type.group === "" ? "/api/v1" : `/apis/${type.group.replaceAll(".", "\\.")}/[^/]+`;
  return new RegExp(`^${root}(/namespaces/[^/]+)?/${type.resource}(/[^/]+)?$`);
}
