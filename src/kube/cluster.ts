// A connected cluster: every request to its API server goes through one token bucket, one
// keep-alive agent and one retry policy, and is counted, so callers see what a backup cost.
import type { IncomingHttpHeaders } from "node:http";
import type { ClusterCredentials, RequestAuth } from "./credentials.js";
import {
  ClusterConfigError,
  ClusterUnreachableError,
  KubeApiError,
  type KubeStatus,
  systemErrorCode,
} from "./errors.js";
import { TokenBucket } from "./rate-limiter.js";
import { type AttemptFailure, parseRetryAfter, type RetrySettings, retryDelay } from "./retry-policy.js";
import type { Clock, Delay } from "./timing.js";
import { type ExchangeResult, exchange } from "./transport.js";

export type HttpMethod = "GET" | "HEAD" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface KubeRequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  /** Sent as JSON unless it is a string or Buffer. */
  body?: unknown;
  /** Default "application/json" (pass e.g. "application/merge-patch+json" for patches). */
  contentType?: string;
  /** Default "application/json". */
  accept?: string;
  abortSignal?: AbortSignal;
}

export interface ClusterStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** Time requests waited for the client-side rate limit. */
  throttledMs: number;
  /** Time spent waiting before retries (backoff and Retry-After). */
  backoffMs: number;
}

/** A server warning header (e.g. a deprecated API version), with the request that drew it. */
export interface ServerWarning {
  message: string;
  method: string;
  path: string;
}

export interface ClusterSettings {
  name: string;
  server: URL;
  credentials: ClusterCredentials;
  qps: number;
  burst: number;
  timeoutMs: number;
  retry: RetrySettings;
  clock: Clock;
  delay: Delay;
  userAgent: string;
  random?: () => number;
  onWarning?: (warning: ServerWarning) => void;
}

/** What a streaming connection needs from the cluster (see Cluster.streamTarget). */
export interface StreamTarget {
  url: URL;
  agent: RequestAuth["agent"];
  headers: Record<string, string>;
}

export class Cluster {
  readonly name: string;
  /** The API server's URL, e.g. "https://prod-dns-1a2b.hcp.westeurope.azmk8s.io:443". */
  readonly server: string;
  readonly #settings: ClusterSettings;
  readonly #limiter: TokenBucket;
  readonly #stats: ClusterStats = { requests: 0, retries: 0, throttledMs: 0, backoffMs: 0 };

  constructor(settings: ClusterSettings) {
    this.name = settings.name;
    this.server = settings.server.origin + settings.server.pathname.replace(/\/+$/, "");
    this.#settings = settings;
    this.#limiter = new TokenBucket(settings.qps, settings.burst, settings.clock, settings.delay);
  }

  /** A copy of the counters since connecting. */
  get stats(): ClusterStats {
    return { ...this.#stats };
  }

  /** Sends one API request (retried as the policy allows) and returns the parsed JSON body. */
  async request<T = unknown>(method: HttpMethod, path: string, options: KubeRequestOptions = {}): Promise<T> {
    return parseBody<T>(await this.#send(method, path, options));
  }

  /**
   * As request(), with the response's bytes left unparsed (a backup archives them as the server
   * sent them, and reads only what it needs of them); `json` tells whether they claim to be JSON.
   */
  async requestBytes(
    method: HttpMethod,
    path: string,
    options: KubeRequestOptions = {},
  ): Promise<{ body: Buffer; json: boolean }> {
    const res = await this.#send(method, path, options);
    return { body: res.body, json: isJson(res) };
  }

  /**
   * Where and how to open a connection that upgrades to a stream (exec over WebSocket): the URL,
   * and this cluster's agent and auth headers. Rate-limited and counted as a request; not retried,
   * since a stream that ran a command cannot be replayed.
   */
  async streamTarget(pathAndQuery: string, abortSignal?: AbortSignal): Promise<StreamTarget> {
    abortSignal?.throwIfAborted();
    this.#stats.throttledMs += await this.#limiter.take(abortSignal);
    const auth = await this.#authFor(abortSignal);
    this.#stats.requests++;
    return {
      url: new URL(this.server + pathAndQuery),
      agent: auth.agent,
      headers: { ...auth.headers, "User-Agent": this.#settings.userAgent },
    };
  }

  async #send(method: HttpMethod, path: string, options: KubeRequestOptions): Promise<ExchangeResult> {
    const s = this.#settings;
    const signal = options.abortSignal;
    const url = this.#url(path, options.query);
    const body = encodeBody(options.body);
    for (let attempt = 1; ; attempt++) {
      signal?.throwIfAborted();
      const throttled = await this.#limiter.take(signal);
      this.#stats.throttledMs += throttled;
      const auth = await this.#authFor(signal);
      const headers: Record<string, string> = {
        ...auth.headers,
        Accept: options.accept ?? "application/json",
        "User-Agent": s.userAgent,
      };
      if (body) headers["Content-Type"] = options.contentType ?? "application/json";
      this.#stats.requests++;
      let res: ExchangeResult;
      try {
        res = await exchange({
          url,
          method,
          headers,
          agent: auth.agent,
          timeoutMs: s.timeoutMs,
          ...(body ? { body } : {}),
          ...(signal ? { abortSignal: signal } : {}),
        });
      } catch (caught) {
        if (signal?.aborted) throw signal.reason;
        const cause = caught instanceof Error ? caught : new Error(String(caught));
        const request = { cluster: this.name, server: this.server, method, path, attempts: attempt };
        const wait = retryDelay(
          { kind: "network", errorCode: systemErrorCode(cause) },
          method,
          attempt,
          s.retry,
          s.random,
        );
        if (wait === undefined) throw new ClusterUnreachableError(request, cause);
        await this.#backOff(wait, signal);
        continue;
      }
      this.#reportWarnings(res.headers, method, path);
      if (res.statusCode >= 200 && res.statusCode < 300) return res;
      const status = parseStatus(res);
      const failure: AttemptFailure = {
        kind: "status",
        statusCode: res.statusCode,
        retryAfterMs: retryAfterOf(res, status),
      };
      const wait = retryDelay(failure, method, attempt, s.retry, s.random);
      if (wait === undefined) {
        throw new KubeApiError(
          { cluster: this.name, method, path, attempts: attempt },
          res.statusCode,
          status,
        );
      }
      await this.#backOff(wait, signal);
    }
  }

  async #backOff(wait: number, signal: AbortSignal | undefined): Promise<void> {
    this.#stats.retries++;
    this.#stats.backoffMs += wait;
    await this.#settings.delay(wait, signal);
  }

  async #authFor(signal: AbortSignal | undefined): Promise<RequestAuth> {
    try {
      return await this.#settings.credentials.forRequest(signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      // Typically an exec plugin (kubelogin) that failed or is not installed.
      throw new ClusterConfigError(this.name, `cannot get credentials: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }

  /** Closes the pooled connections; requests after this open new ones. */
  close(): void {
    this.#settings.credentials.close();
  }

  #url(path: string, query: KubeRequestOptions["query"]): URL {
    const url = new URL(this.server + path);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, String(value));
    }
    return url;
  }

  #reportWarnings(headers: IncomingHttpHeaders, method: string, path: string): void {
    const raw = headers.warning;
    if (!raw || !this.#settings.onWarning) return;
    // RFC 7234 warning: `299 - "text"`; kube-apiserver only sends code 299 with agent "-".
    for (const match of raw.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)) {
      this.#settings.onWarning({ message: (match[1] ?? "").replace(/\\(.)/g, "$1"), method, path });
    }
  }
}

function encodeBody(body: unknown): Buffer | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
}

/** JSON as JSON; anything else (e.g. /healthz's "ok") as text. */
function parseBody<T>(res: ExchangeResult): T {
  if (res.body.length === 0) return undefined as T;
  const text = res.body.toString("utf8");
  return (isJson(res) ? JSON.parse(text) : text) as T;
}

function isJson(res: ExchangeResult): boolean {
  return /\bjson\b/i.test(res.headers["content-type"] ?? "");
}

function parseStatus(res: ExchangeResult): KubeStatus | undefined {
  try {
    const parsed: unknown = JSON.parse(res.body.toString("utf8"));
    if (typeof parsed === "object" && parsed !== null && (parsed as KubeStatus).kind === "Status") {
      return parsed as KubeStatus;
    }
  } catch {
    // Not JSON: a proxy or load balancer answered; the status code alone must do.
  }
  return undefined;
}

function retryAfterOf(res: ExchangeResult, status: KubeStatus | undefined): number | undefined {
  const header = res.headers["retry-after"];
  const fromHeader = parseRetryAfter(Array.isArray(header) ? header[0] : header, Date.now());
  if (fromHeader !== undefined) return fromHeader;
  const seconds = status?.details?.retryAfterSeconds;
  return typeof seconds === "number" && seconds >= 0 ? seconds * 1000 : undefined;
}
