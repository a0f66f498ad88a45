// The API behind Azure Functions' HTTP trigger: the host's request becomes an ApiRequest, the
// answer an HttpResponseInit, and the durable client supplies the management URLs (with the
// host's keys). functions/ registers one catch-all route that calls `functionsApiHandler`.
import type { HttpRequest, HttpResponseInit, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { restoreEnabled } from "../orchestrations/app-settings.js";
import { durableOrchestrationClient } from "../orchestrations/durable-client.js";
import type { EnvironmentProvider } from "../orchestrations/environment.js";
import { createApi } from "./api.js";
import { DEFAULT_BODY_LIMIT, parseJsonBody, tooLarge } from "./body.js";
import { errorResponse } from "./errors.js";
import type { ApiRequest, ApiResponse } from "./http.js";

/** The handler of `app.http("api", { route: "api/{*path}", extraInputs: [df.input.durableClient()], ... })`. */
export function functionsApiHandler(provide: EnvironmentProvider) {
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    const log = (message: string) => context.error(message);
    try {
      const durable = df.getClient(context);
      const api = createApi({
        env: await provide(),
        client: durableOrchestrationClient(durable),
        links: (instanceId) => durable.createHttpManagementPayload(instanceId),
        restoreEnabled: restoreEnabled(),
        log,
      });
      return toResponseInit(await api(await toApiRequest(request)));
    } catch (error) {
      return toResponseInit(errorResponse(error, log));
    }
  };
}

/** The host's request as the handlers take it; the body is read up to `limit` bytes. */
export async function toApiRequest(request: HttpRequest, limit = DEFAULT_BODY_LIMIT): Promise<ApiRequest> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const headers: Record<string, string> = {};
  request.headers.forEach((value, key) => {
    headers[key.toLowerCase()] = value;
  });
  const raw = Buffer.from(await request.arrayBuffer());
  const body = parseJsonBody(raw, headers["content-type"], limit);
  return {
    method: request.method,
    path: new URL(request.url).pathname,
    query: new URLSearchParams(request.query),
    headers,
    ...(body === undefined ? {} : { body }),
  };
}

export function toResponseInit(response: ApiResponse): HttpResponseInit {
  return {
    status: response.status,
    headers: response.headers,
    ...(response.body === undefined ? {} : { body: `${JSON.stringify(response.body, null, 2)}\n` }),
  };
}
