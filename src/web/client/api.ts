// The page's way to the HTTP API (docs/api.md): the base URL the server wrote into the page,
// resolved against the page's own address (so a path prefix works), and on Azure the function key
// the page was opened with (`#code=` or `?code=`), sent as `x-functions-key`.
import { browser } from "./dom.js";

const KEY_STORAGE = "aks-backup-function-key";

/** A failed call: the problem+json detail, with each field's message. */
export class ApiCallError extends Error {
  override name = "ApiCallError";
  // A plain field, not a parameter property: the browser code is type-stripped, never transformed.
  readonly status: number;
  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body: unknown): Promise<T>;
}

export function connectApi(): Api {
  const meta = browser.document.querySelector('meta[name="aks-backup-api"]');
  const base = new URL(meta?.getAttribute("content") ?? "api/", browser.location.href);
  const key = functionKey();
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const headers: Record<string, string> = { accept: "application/json" };
    if (key) headers["x-functions-key"] = key;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(new URL(path, base), {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!response.ok) throw new ApiCallError(problemText(parsed, response.status), response.status);
    return parsed as T;
  };
  return {
    get: (path) => call("GET", path),
    post: (path, body) => call("POST", path, body),
  };
}

// The key is taken out of the address bar (it would otherwise be bookmarked and shared) and kept
// for this tab only.
function functionKey(): string | undefined {
  const url = new URL(browser.location.href);
  const fromHash = new URLSearchParams(url.hash.slice(1)).get("code");
  const fromQuery = url.searchParams.get("code");
  const key = fromHash ?? fromQuery;
  if (key) {
    browser.sessionStorage.setItem(KEY_STORAGE, key);
    url.searchParams.delete("code");
    url.hash = "";
    browser.history.replaceState(null, "", url.href);
    return key;
  }
  return browser.sessionStorage.getItem(KEY_STORAGE) ?? undefined;
}

interface Problem {
  detail?: unknown;
  errors?: Array<{ field?: unknown; message?: unknown }>;
}

function problemText(body: unknown, status: number): string {
  const problem = (typeof body === "object" && body !== null ? body : {}) as Problem;
  const detail = typeof problem.detail === "string" ? problem.detail : `the API answered ${status}`;
  const fields = (problem.errors ?? [])
    .map((error) => `${String(error.field ?? "")}: ${String(error.message ?? "")}`)
    .join("; ");
  return fields && !detail.includes(fields) ? `${detail} (${fields})` : detail;
}
