// When a failed request to the API server is worth another attempt, and how long to wait first:
// exponential backoff with jitter, or the server's own Retry-After when it sent one.

export interface RetryOptions {
  /** Attempts after the first (default 5). */
  maxRetries?: number;
  /** First backoff (default 250 ms); doubles per attempt. */
  baseDelayMs?: number;
  /** Longest backoff (default 8 s). */
  maxDelayMs?: number;
  /** Longest Retry-After honoured (default 120 s); longer ones are cut to this. */
  maxRetryAfterMs?: number;
}

export type RetrySettings = Required<RetryOptions>;

export const defaultRetry: RetrySettings = {
  maxRetries: 5,
  baseDelayMs: 250,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 120_000,
};

/** What one attempt ended with, as far as retrying is concerned. */
export type AttemptFailure =
  | { kind: "status"; statusCode: number; retryAfterMs: number | undefined }
  | { kind: "network"; errorCode: string | undefined };

// Nothing reached the server: safe to repeat any request.
const notSentCodes = new Set(["ECONNREFUSED", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
// The connection broke after the request may have been processed.
const brokenCodes = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "UND_ERR_SOCKET"]);

/**
 * The wait before the next attempt, or undefined when the failure is final. POST is not
 * idempotent: it is repeated only when the server surely did not act on it (429, 503, refused),
 * so a retried create cannot make a second object with a generated name.
 */
export function retryDelay(
  failure: AttemptFailure,
  method: string,
  attempt: number,
  settings: RetrySettings,
  random: () => number = Math.random,
): number | undefined {
  if (attempt > settings.maxRetries) return undefined;
  const mayRepeat = method !== "POST";
  if (failure.kind === "status") {
    const { statusCode } = failure;
    const retryable =
      statusCode === 429 ||
      statusCode === 503 ||
      (mayRepeat && (statusCode === 500 || statusCode === 502 || statusCode === 504));
    if (!retryable) return undefined;
    if (failure.retryAfterMs !== undefined) return Math.min(failure.retryAfterMs, settings.maxRetryAfterMs);
    return backoff(attempt, settings, random);
  }
  const code = failure.errorCode ?? "";
  if (notSentCodes.has(code) || (mayRepeat && brokenCodes.has(code))) {
    return backoff(attempt, settings, random);
  }
  return undefined;
}

/** "Equal jitter": half the exponential step for sure, half at random, so clients spread out. */
function backoff(attempt: number, settings: RetrySettings, random: () => number): number {
  const step = Math.min(settings.maxDelayMs, settings.baseDelayMs * 2 ** (attempt - 1));
  return step / 2 + random() * (step / 2);
}

/** Retry-After as seconds or as an HTTP date (RFC 9110), in milliseconds from `nowMs`. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
