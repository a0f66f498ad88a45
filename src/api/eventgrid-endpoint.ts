// The Functions host's Event Grid webhook for `serve`: `POST /runtime/webhooks/EventGrid?functionName=`
// with either schema. It answers the subscription validation handshake (Event Grid schema:
// `{ validationResponse }`; CloudEvents: the OPTIONS abuse-protection request with
// `WebHook-Request-Origin`), 400 for a body that is no delivery at all (Event Grid does not retry a
// 400), 200 with what was handled and dropped otherwise.
import {
  type DeliveryReport,
  EVENT_FUNCTIONS,
  type EventDeps,
  type EventFunction,
  handleDelivery,
  MalformedDeliveryError,
  VALIDATION_EVENT,
} from "../events/index.js";
import { ApiError, type ApiRequest, type ApiResponse, invalid, json, notFound } from "./http.js";

export const EVENTGRID_PATH = "/runtime/webhooks/EventGrid";

// Event Grid's codes are GUIDs; anything else (odd characters, very long) is refused.
const VALIDATION_CODE = /^[A-Za-z0-9-]{1,128}$/;

export type EventGridEndpoint = (request: ApiRequest) => Promise<ApiResponse>;

export function eventGridEndpoint(deps: EventDeps): EventGridEndpoint {
  return async (request) => {
    const name = request.query.get("functionName") ?? "";
    const fn = EVENT_FUNCTIONS.find((known) => known === name);
    if (!fn) {
      throw notFound(
        `no Event Grid function named "${name.slice(0, 60)}"; functionName is one of ${EVENT_FUNCTIONS.join(", ")}`,
      );
    }
    if (request.method === "OPTIONS") return cloudEventsHandshake(request);
    if (request.method !== "POST") {
      throw new ApiError(405, `${request.method} is not supported here; use POST`, [], {
        allow: "POST, OPTIONS",
      });
    }
    if (request.body === undefined) throw invalid("the request has no body: expected events", []);
    const validation = validationCodeOf(request.body);
    if (validation !== undefined) return validation;
    let report: DeliveryReport;
    try {
      report = await handleDelivery(fn as EventFunction, request.body, deps);
    } catch (error) {
      if (error instanceof MalformedDeliveryError) {
        throw invalid(`the body is not an Event Grid delivery: ${error.message}`, [
          { field: "(top level)", message: error.message },
        ]);
      }
      throw error;
    }
    return json(200, report);
  };
}

function cloudEventsHandshake(request: ApiRequest): ApiResponse {
  const origin = request.headers["webhook-request-origin"];
  if (!origin || !/^[A-Za-z0-9.-]{1,253}$/.test(origin)) {
    throw invalid("the OPTIONS handshake needs a WebHook-Request-Origin header naming a host", [
      { field: "WebHook-Request-Origin", message: origin ? "is not a host name" : "is missing" },
    ]);
  }
  return {
    status: 200,
    headers: { "webhook-allowed-origin": origin, "webhook-allowed-rate": "*", allow: "POST, OPTIONS" },
  };
}

/** The handshake answer when the body is a subscription validation event; undefined otherwise. */
function validationCodeOf(body: unknown): ApiResponse | undefined {
  const items = Array.isArray(body) ? body : [body];
  const event = items.find(
    (item): item is Record<string, unknown> =>
      typeof item === "object" &&
      item !== null &&
      ((item as Record<string, unknown>).eventType === VALIDATION_EVENT ||
        (item as Record<string, unknown>).type === VALIDATION_EVENT),
  );
  if (!event) return undefined;
  const data = event.data;
  const code =
    typeof data === "object" && data !== null ? (data as Record<string, unknown>).validationCode : undefined;
  if (typeof code !== "string" || !VALIDATION_CODE.test(code)) {
    const message =
      typeof code === "string"
        ? "is not a validation code (letters, digits and '-', at most 128)"
        : "is missing";
    throw invalid(`the subscription validation event's data.validationCode ${message}`, [
      { field: "data.validationCode", message },
    ]);
  }
  return json(200, { validationResponse: code });
}
