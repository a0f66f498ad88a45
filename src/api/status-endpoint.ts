// The local stand-in for the Durable Functions extension's instance endpoint: the status JSON of an
// orchestration, 202 (with Location) while it runs and 200 once it has finished, 404 when unknown.
import { isActive, type OrchestrationClient } from "../orchestrations/client.js";
import { ApiError, json } from "./http.js";
import type { Route } from "./router.js";

const INSTANCE = "/runtime/webhooks/durabletask/instances/{id}";
const LOCAL_ONLY =
  "is not available from the local runtime (aks-backup serve); the Functions host on Azure answers it";

export function durableStatusRoutes(client: OrchestrationClient): Route[] {
  const unsupported = (what: string) => async () => {
    throw new ApiError(501, `${what} ${LOCAL_ONLY}`);
  };
  return [
    {
      method: "GET",
      pattern: INSTANCE,
      handler: async (request, params) => {
        const id = params.id ?? "";
        const status = await client.getStatus(id);
        if (!status) throw new ApiError(404, `orchestration instance "${id.slice(0, 200)}" does not exist`);
        const body = {
          name: status.name,
          instanceId: status.instanceId,
          runtimeStatus: status.runtimeStatus,
          input: status.input ?? null,
          customStatus: status.customStatus ?? null,
          output: status.output ?? null,
          createdTime: status.createdTime,
          lastUpdatedTime: status.lastUpdatedTime,
        };
        if (!isActive(status)) return json(200, body);
        return json(202, body, { location: `${request.path}`, "retry-after": "1" });
      },
    },
    { method: "DELETE", pattern: INSTANCE, handler: unsupported("purging an instance's history") },
    { method: "POST", pattern: `${INSTANCE}/terminate`, handler: unsupported("terminating an instance") },
    {
      method: "POST",
      pattern: `${INSTANCE}/raiseEvent/{eventName}`,
      handler: unsupported("raising an event"),
    },
  ];
}
