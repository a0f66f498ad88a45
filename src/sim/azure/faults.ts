// Per-test fault knobs of the Azure fake: latency, throttling (429 + Retry-After), server errors,
// dropped connections and failed long-running operations, each limited to matching requests.

export interface FaultFilter {
  /** HTTP method(s) to match, e.g. "PUT" or ["PUT", "DELETE"]; all when omitted. */
  method?: string | string[];
  /** A regular expression (or substring) matched against the request path. */
  path?: RegExp | string;
  /** e.g. "Microsoft.Compute/snapshots"; matched against the path's last provider segment. */
  resourceType?: string;
}

export type FaultAction =
  | { kind: "throttle"; retryAfterSeconds: number }
  | { kind: "error"; status: number; retryAfterSeconds: number | undefined }
  | { kind: "drop" };

/** A 403 AuthorizationFailed to answer; `action` overrides the operation named in the message. */
export interface Denial {
  action: string | undefined;
}

export interface OperationFailure {
  code: string;
  message: string;
}

interface Rule<T> {
  filter: FaultFilter;
  remaining: number;
  value: T;
}

/** Resource type of a request path: the namespace and first type segment after the last "providers". */
export function resourceTypeOfPath(path: string): string | undefined {
  const segments = path.split("/");
  const index = segments.map((s) => s.toLowerCase()).lastIndexOf("providers");
  const namespace = segments[index + 1];
  const type = segments[index + 2];
  return index >= 0 && namespace && type ? `${namespace}/${type}` : undefined;
}

function matches(filter: FaultFilter, method: string, path: string): boolean {
  if (filter.method !== undefined) {
    const methods = Array.isArray(filter.method) ? filter.method : [filter.method];
    if (!methods.some((m) => m.toUpperCase() === method)) return false;
  }
  if (filter.path !== undefined) {
    const hit = typeof filter.path === "string" ? path.includes(filter.path) : filter.path.test(path);
    if (!hit) return false;
  }
  if (filter.resourceType !== undefined) {
    const type = resourceTypeOfPath(path);
    if (type?.toLowerCase() !== filter.resourceType.toLowerCase()) return false;
  }
  return true;
}

function take<T>(rules: Rule<T>[], method: string, path: string): T | undefined {
  const rule = rules.find((r) => r.remaining > 0 && matches(r.filter, method, path));
  if (rule === undefined) return undefined;
  rule.remaining -= 1;
  return rule.value;
}

function filterOf(options: FaultFilter): FaultFilter {
  const { method, path, resourceType } = options;
  return { method, path, resourceType };
}

export class FaultInjector {
  readonly #latencies: Rule<number>[] = [];
  readonly #actions: Rule<FaultAction>[] = [];
  readonly #operationFailures: Rule<OperationFailure>[] = [];
  readonly #denials: Rule<Denial>[] = [];

  /** Delays matching requests by `ms` (without blocking others); all of them unless `count` is given. */
  latency(ms: number, options: FaultFilter & { count?: number } = {}): void {
    this.#latencies.push({ filter: filterOf(options), remaining: options.count ?? Infinity, value: ms });
  }

  /** Answers the next `count` (default 1) matching requests with 429 TooManyRequests and Retry-After. */
  throttle(options: FaultFilter & { count?: number; retryAfterSeconds?: number } = {}): void {
    this.#actions.push({
      filter: filterOf(options),
      remaining: options.count ?? 1,
      value: { kind: "throttle", retryAfterSeconds: options.retryAfterSeconds ?? 1 },
    });
  }

  /** Answers the next `count` (default 1) matching requests with a 5xx (default 500). */
  fail(options: FaultFilter & { count?: number; status?: number; retryAfterSeconds?: number } = {}): void {
    const status = options.status ?? 500;
    if (status < 500 || status > 599) throw new Error(`fail() injects 5xx statuses, not ${status}`);
    this.#actions.push({
      filter: filterOf(options),
      remaining: options.count ?? 1,
      value: { kind: "error", status, retryAfterSeconds: options.retryAfterSeconds },
    });
  }

  /**
   * Answers the next `count` (default 1) matching requests with 403 AuthorizationFailed, as ARM does
   * when the caller's identity lacks a role; `action` is the operation named in the message
   * (default: derived from the method and path).
   */
  deny(options: FaultFilter & { count?: number; action?: string } = {}): void {
    this.#denials.push({
      filter: filterOf(options),
      remaining: options.count ?? 1,
      value: { action: options.action },
    });
  }

  /** Destroys the connection of the next `count` (default 1) matching requests without answering. */
  drop(options: FaultFilter & { count?: number } = {}): void {
    this.#actions.push({ filter: filterOf(options), remaining: options.count ?? 1, value: { kind: "drop" } });
  }

  /**
   * Makes the next `count` (default 1) long-running operations started by matching requests end
   * "Failed" with this error (the resource is left in provisioningState "Failed", as Azure does).
   */
  failOperations(options: FaultFilter & { count?: number; code?: string; message?: string } = {}): void {
    this.#operationFailures.push({
      filter: filterOf(options),
      remaining: options.count ?? 1,
      value: {
        code: options.code ?? "InternalOperationError",
        message: options.message ?? "An internal execution error occurred. Please retry later.",
      },
    });
  }

  /** Removes every fault, used or not. */
  clear(): void {
    this.#latencies.length = 0;
    this.#actions.length = 0;
    this.#operationFailures.length = 0;
    this.#denials.length = 0;
  }

  /** How many injected throttles, errors, drops and operation failures have not been used yet. */
  get pending(): number {
    const sum = (rules: Rule<unknown>[]) => rules.reduce((n, r) => n + r.remaining, 0);
    return sum(this.#actions) + sum(this.#operationFailures) + sum(this.#denials);
  }

  /** The total delay for a request; consumes one use of each matching latency rule. */
  delayFor(method: string, path: string): number {
    let total = 0;
    for (const rule of this.#latencies) {
      if (rule.remaining > 0 && matches(rule.filter, method, path)) {
        rule.remaining -= 1;
        total += rule.value;
      }
    }
    return total;
  }

  takeAction(method: string, path: string): FaultAction | undefined {
    return take(this.#actions, method, path);
  }

  takeDenial(method: string, path: string): Denial | undefined {
    return take(this.#denials, method, path);
  }

  takeOperationFailure(method: string, path: string): OperationFailure | undefined {
    return take(this.#operationFailures, method, path);
  }
}
