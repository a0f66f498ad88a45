// `GET /api/usage`: per instance the bytes its recovery points hold in blobs (one listing of the
// container), its restorable recovery points, and its volume snapshots' count and provisioned size
// (from the manifests, or `?snapshots=azure`: one GET per snapshot; Azure does not report an
// incremental snapshot's used bytes), with totals.
import { usageReport } from "../health/report.js";
import { DefinitionError } from "../store/definitions.js";
import type { ApiDeps } from "./deps.js";
import { ApiError, json } from "./http.js";
import type { Route } from "./router.js";

export function usageRoute(deps: ApiDeps): Route {
  return {
    method: "GET",
    pattern: "/api/usage",
    handler: async (request) => {
      const source = request.query.get("snapshots") ?? "manifests";
      if (source !== "manifests" && source !== "azure") {
        throw new ApiError(400, `snapshots must be "manifests" or "azure", got "${source}"`, [
          { field: "snapshots", message: 'must be "manifests" or "azure"' },
        ]);
      }
      try {
        return json(200, await usageReport(deps.env, undefined, source));
      } catch (error) {
        if (error instanceof DefinitionError) throw error;
        throw deps.env.catalog.storageError(error, "cannot read the usage");
      }
    },
  };
}
