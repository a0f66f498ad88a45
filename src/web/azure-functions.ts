// The backup center behind Azure Functions' HTTP trigger (functions/web.ts): route `ui/{*asset}`
// with the host's routePrefix "" serves the page at `/ui/` and its assets at `/ui/web/...`; the API
// it calls is the `api` function at `/api/...`, one level up, hence the page's API base `../api/`.
import type { HttpRequest, HttpResponseInit } from "@azure/functions";
import { webResponse } from "./assets.js";

export const PAGE_ROUTE = "ui/{*asset}";

export async function functionsWebHandler(request: HttpRequest): Promise<HttpResponseInit> {
  const url = new URL(request.url);
  const asset = request.params.asset ?? "";
  // Relative asset URLs need the trailing slash: `/ui` becomes `/ui/`, the query (a key) kept.
  if (asset === "" && !url.pathname.endsWith("/")) {
    const last = url.pathname.split("/").pop() ?? "ui";
    return { status: 308, headers: { location: `${last}/${url.search}`, "cache-control": "no-store" } };
  }
  const ifNoneMatch = request.headers.get("if-none-match") ?? undefined;
  const response = await webResponse({ asset, ...(ifNoneMatch ? { ifNoneMatch } : {}) }, "../api/");
  return {
    status: response.status,
    headers: response.headers,
    ...(response.body === undefined ? {} : { body: response.body }),
  };
}
