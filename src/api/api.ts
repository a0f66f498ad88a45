// The HTTP API as one function from request to response, the same behind Azure Functions' app.http
// and `aks-backup serve`: the route table, then errors turned into problem+json in one place.
import { backupRoutes } from "./backups.js";
import { DEFINITION_COLLECTIONS, definitionRoutes, deleteDefinitionRoute } from "./definitions.js";
import type { ApiDeps } from "./deps.js";
import { errorResponse } from "./errors.js";
import { healthRoutes } from "./health.js";
import type { ApiRequest, ApiResponse } from "./http.js";
import { jobRoutes } from "./jobs.js";
import { restoreRoutes } from "./restores.js";
import { matchRoute, type Route } from "./router.js";
import { usageRoute } from "./usage.js";

export type ApiHandler = (request: ApiRequest) => Promise<ApiResponse>;

export function apiRoutes(deps: ApiDeps): Route[] {
  const routes: Route[] = [...healthRoutes(deps), usageRoute(deps)];
  for (const collection of DEFINITION_COLLECTIONS) {
    routes.push(...definitionRoutes(deps, collection));
    // An instance's delete stops protection (backupRoutes); policies and clusters are plain deletes.
    if (collection.kind !== "instance") routes.push(deleteDefinitionRoute(deps, collection));
  }
  routes.push(...backupRoutes(deps), ...restoreRoutes(deps), ...jobRoutes(deps));
  return routes;
}

export function createApi(deps: ApiDeps): ApiHandler {
  const routes = apiRoutes(deps);
  const log = deps.log ?? ((message: string) => process.stderr.write(`aks-backup api: ${message}\n`));
  return async (request) => {
    try {
      const { route, params } = matchRoute(routes, request);
      return await route.handler(request, params);
    } catch (error) {
      return errorResponse(error, log);
    }
  };
}
