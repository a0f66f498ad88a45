// The framework-neutral request and response the API handlers speak, and the problem+json errors
// (RFC 9457) every failure becomes: the same shapes behind Azure Functions' app.http and `serve`.

export interface ApiRequest {
  readonly method: string;
  /** The path without the query, still percent-encoded (`/api/policies/daily`). */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The parsed JSON body; undefined when the request had none. */
  readonly body?: unknown;
}

export interface ApiResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** Serialised as JSON; absent for an empty body. */
  readonly body?: unknown;
}

export interface FieldError {
  /** Where the problem is: a body path (`retention.default`), a query parameter or a header. */
  readonly field: string;
  readonly message: string;
}

export const PROBLEM_CONTENT_TYPE = "application/problem+json";
export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

const TITLES: Record<number, string> = {
  400: "Bad Request",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  412: "Precondition Failed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  500: "Internal Server Error",
  501: "Not Implemented",
  503: "Service Unavailable",
};

/** A failure with the HTTP status it is answered with; its message is shown to the caller. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
    readonly errors: readonly FieldError[] = [],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** 400 for bad input, naming each field with its problem. */
export function invalid(detail: string, errors: readonly FieldError[]): ApiError {
  return new ApiError(400, detail, errors);
}

export function notFound(detail: string): ApiError {
  return new ApiError(404, detail);
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): ApiResponse {
  return { status, headers: { "content-type": JSON_CONTENT_TYPE, ...headers }, body };
}

export function noContent(headers: Record<string, string> = {}): ApiResponse {
  return { status: 204, headers };
}

/** An application/problem+json response; `errors` only for validation problems. */
export function problem(
  status: number,
  detail: string,
  errors: readonly FieldError[] = [],
  headers: Record<string, string> = {},
): ApiResponse {
  const title = TITLES[status] ?? "Error";
  return {
    status,
    headers: { "content-type": PROBLEM_CONTENT_TYPE, ...headers },
    body: {
      // RFC 9457: "about:blank" says the status code is the whole explanation of the kind.
      type: "about:blank",
      title,
      status,
      detail,
      ...(errors.length > 0 ? { errors } : {}),
    },
  };
}
