// Routes as data: a method and a path pattern per handler; `{name}` segments are percent-decoded
// parameters. An unknown path is a 404, a known path with another method a 405 with `Allow`.
import { ApiError, type ApiRequest, type ApiResponse } from "./http.js";

export type Params = Readonly<Record<string, string>>;

export type Handler = (request: ApiRequest, params: Params) => Promise<ApiResponse>;

export interface Route {
  readonly method: "GET" | "PUT" | "POST" | "DELETE";
  /** `/api/policies/{name}`: literal segments and `{parameter}` segments. */
  readonly pattern: string;
  readonly handler: Handler;
}

interface Match {
  route: Route;
  params: Params;
}

/** The route answering a request; throws ApiError 404 or 405. */
export function matchRoute(routes: readonly Route[], request: ApiRequest): Match {
  const segments = splitPath(request.path);
  const matching: Match[] = [];
  for (const route of routes) {
    const params = matchPattern(route.pattern, segments);
    if (params) matching.push({ route, params });
  }
  if (matching.length === 0) throw new ApiError(404, `no API route ${request.path}`);
  const method = request.method.toUpperCase() === "HEAD" ? "GET" : request.method.toUpperCase();
  const found = matching.find((m) => m.route.method === method);
  if (found) return found;
  const allow = [...new Set(matching.map((m) => m.route.method))].join(", ");
  throw new ApiError(405, `${request.path} does not answer ${request.method}; it answers ${allow}`, [], {
    allow,
  });
}

function splitPath(path: string): string[] {
  return path.split("/").filter((segment) => segment !== "");
}

function matchPattern(pattern: string, segments: readonly string[]): Params | undefined {
  const parts = splitPath(pattern);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const segment = segments[index] ?? "";
    if (part.startsWith("{") && part.endsWith("}")) {
      params[part.slice(1, -1)] = decodeSegment(segment);
    } else if (part !== segment) {
      return undefined;
    }
  }
  return params;
}

// A malformed escape (`%zz`) is kept as written: the handler's name check then refuses it.
function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
