// The errors of the Kubernetes adapter, each with a stable `code`: the API's refusals (with the
// Status it sent), clusters that cannot be reached, and cluster specs that cannot be used.

/** The `Status` object kube-apiserver sends with an error (only the fields we read). */
export interface KubeStatus {
  kind?: string;
  apiVersion?: string;
  metadata?: { continue?: string; resourceVersion?: string };
  status?: string;
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; retryAfterSeconds?: number };
  code?: number;
}

interface RequestDescription {
  cluster: string;
  method: string;
  path: string;
  attempts: number;
}

/** A non-2xx answer of the API server. The message names the request and quotes the server. */
export class KubeApiError extends Error {
  readonly code = "KubeApiError";
  readonly statusCode: number;
  /** The Status reason, e.g. "NotFound", "Expired", "TooManyRequests"; "" when the body had none. */
  readonly reason: string;
  readonly status: KubeStatus | undefined;
  readonly cluster: string;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  constructor(request: RequestDescription, statusCode: number, status: KubeStatus | undefined) {
    const reason = status?.reason ?? "";
    const said = status?.message ? `: ${status.message}` : "";
    const tries = request.attempts > 1 ? ` (after ${request.attempts} attempts)` : "";
    super(
      `${request.method} ${request.path} on cluster "${request.cluster}" failed with ` +
        `${statusCode}${reason ? ` ${reason}` : ""}${said}${tries}`,
    );
    this.name = "KubeApiError";
    this.statusCode = statusCode;
    this.reason = reason;
    this.status = status;
    this.cluster = request.cluster;
    this.method = request.method;
    this.path = request.path;
    this.attempts = request.attempts;
  }
}

/**
 * A 2xx answer that is not what the request asks for: a list that is not JSON, or JSON that is not
 * a list (a proxy's HTML page, a misbehaving aggregated API server, a truncated body).
 */
export class KubeResponseError extends Error {
  readonly code = "KubeBadResponse";
  readonly cluster: string;
  readonly method: string;
  readonly path: string;

  constructor(request: Omit<RequestDescription, "attempts">, detail: string) {
    super(`${request.method} ${request.path} on cluster "${request.cluster}" answered with ${detail}`);
    this.name = "KubeResponseError";
    this.cluster = request.cluster;
    this.method = request.method;
    this.path = request.path;
  }
}

/** No HTTP answer at all: refused, reset, timed out, TLS failure, DNS. */
export class ClusterUnreachableError extends Error {
  readonly code = "ClusterUnreachable";
  readonly cluster: string;
  readonly server: string;
  /** The system error code, e.g. "ECONNREFUSED", when there was one. */
  readonly causeCode: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly attempts: number;

  constructor(request: RequestDescription & { server: string }, cause: Error) {
    const causeCode = systemErrorCode(cause);
    const tries = request.attempts > 1 ? ` (after ${request.attempts} attempts)` : "";
    super(`cannot reach cluster "${request.cluster}" at ${request.server}: ${describeCause(cause)}${tries}`, {
      cause,
    });
    this.name = "ClusterUnreachableError";
    this.cluster = request.cluster;
    this.server = request.server;
    this.causeCode = causeCode;
    this.method = request.method;
    this.path = request.path;
    this.attempts = request.attempts;
  }
}

/** The cluster spec cannot be turned into a connection: kubeconfig, context, AKS id, credentials. */
export class ClusterConfigError extends Error {
  readonly code = "ClusterConfigError";
  readonly cluster: string;

  constructor(cluster: string, message: string, options?: { cause?: unknown }) {
    super(`cluster "${cluster}": ${message}`, options);
    this.name = "ClusterConfigError";
    this.cluster = cluster;
  }
}

export function isKubeApiError(error: unknown, statusCode?: number): error is KubeApiError {
  return error instanceof KubeApiError && (statusCode === undefined || error.statusCode === statusCode);
}

export function systemErrorCode(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") return code;
  // Node reports a failed connection to a name with several addresses as an AggregateError.
  if (error instanceof AggregateError) return systemErrorCode(error.errors[0]);
  return undefined;
}

function describeCause(error: Error): string {
  if (error.message) return error.message;
  if (error instanceof AggregateError) {
    const first: unknown = error.errors[0];
    if (first instanceof Error) return describeCause(first);
  }
  return systemErrorCode(error) ?? error.name;
}
