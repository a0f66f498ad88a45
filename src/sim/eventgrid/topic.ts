// A fake Event Grid custom topic: an HTTPS server on loopback that takes publishes the way the
// service documents them (POST /api/events, Microsoft Entra bearer token, one input schema per
// topic, 200 / 400 / 401 / 404 / 413 with Event Grid's error body), records what it accepted, and
// answers injected faults (503 for the next requests) for retry tests.
import { timingSafeEqual } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { TlsMaterial } from "../tls.js";

/** The topic's input schema, as `az eventgrid topic create --input-schema` names them. */
export type TopicInputSchema = "EventGridSchema" | "CloudEventSchemaV1_0";

export interface EventGridTopicOptions {
  tls: Pick<TlsMaterial, "cert" | "key">;
  /** The one bearer token the topic accepts. */
  token: string;
  /** Default CloudEventSchemaV1_0. */
  inputSchema?: TopicInputSchema;
  /** Default "127.0.0.1". */
  host?: string;
}

export interface TopicRequest {
  method: string;
  path: string;
  contentType: string;
  status: number;
  /** Set when an injected fault answered. */
  fault?: true;
}

export interface TopicFaults {
  /** The next `count` publishes are answered `status` (default 503) before anything is checked. */
  failNext(count: number, status?: number): void;
  /** Every publish fails until `clear`. */
  failAlways(status?: number): void;
  clear(): void;
  readonly pending: number;
}

export interface FakeEventGridTopic {
  /** The topic endpoint, as `az eventgrid topic show --query endpoint` prints it. */
  url: string;
  inputSchema: TopicInputSchema;
  /** Every event accepted, in arrival order, as sent (JSON). */
  readonly events: Record<string, unknown>[];
  /** Every request answered, in arrival order. */
  readonly requests: TopicRequest[];
  faults: TopicFaults;
  close(): Promise<void>;
}

// Event Grid's limit on one publish (the whole array) and on one event.
const MAX_BODY_BYTES = 1024 * 1024;

const EVENT_GRID_REQUIRED = ["id", "subject", "eventType", "eventTime"] as const;
const CLOUD_EVENT_REQUIRED = ["id", "source", "type", "specversion"] as const;

interface Answer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Event Grid's error body: `{ error: { code, message, details: [{ code, message }] } }`. */
function failure(status: number, code: string, message: string, detailCode = code): Answer {
  return { status, body: { error: { code, message, details: [{ code: detailCode, message }] } } };
}

export async function startEventGridTopic(options: EventGridTopicOptions): Promise<FakeEventGridTopic> {
  const inputSchema = options.inputSchema ?? "CloudEventSchemaV1_0";
  const expected = Buffer.from(options.token);
  const events: Record<string, unknown>[] = [];
  const requests: TopicRequest[] = [];
  let faultCount = 0;
  let faultStatus = 503;

  const faults: TopicFaults = {
    failNext(count, status = 503) {
      faultCount = count;
      faultStatus = status;
    },
    failAlways(status = 503) {
      faultCount = Number.POSITIVE_INFINITY;
      faultStatus = status;
    },
    clear() {
      faultCount = 0;
    },
    get pending() {
      return faultCount;
    },
  };

  const answer = (request: IncomingMessage, body: Buffer): Answer => {
    const url = new URL(request.url ?? "/", "https://topic");
    if (url.pathname !== "/api/events") {
      return failure(404, "NotFound", `The requested path ${url.pathname} was not found on this topic.`);
    }
    if (request.method !== "POST") {
      return failure(
        405,
        "MethodNotAllowed",
        `The HTTP method ${request.method} is not allowed on /api/events.`,
      );
    }
    const denied = checkAuthorization(request.headers.authorization, expected);
    if (denied) return denied;
    if (body.length > MAX_BODY_BYTES) {
      return failure(
        413,
        "PayloadTooLarge",
        `The payload of ${body.length} bytes exceeds the limit of 1 MB.`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString("utf8"));
    } catch {
      return failure(400, "BadRequest", "The request body is not valid JSON.", "InputJsonInvalid");
    }
    const contentType = request.headers["content-type"] ?? "";
    const accepted =
      inputSchema === "EventGridSchema" ? eventGridEvents(parsed) : cloudEvents(parsed, contentType);
    if ("error" in accepted) return accepted.error;
    events.push(...accepted.events);
    return { status: 200 };
  };

  const server = createServer({ cert: options.tls.cert, key: options.tls.key }, (request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const record = (status: number, fault?: true) =>
        requests.push({
          method: request.method ?? "",
          path: new URL(request.url ?? "/", "https://topic").pathname,
          contentType: request.headers["content-type"] ?? "",
          status,
          ...(fault ? { fault } : {}),
        });
      if (faultCount > 0) {
        faultCount--;
        record(faultStatus, true);
        send(response, failure(faultStatus, "ServiceUnavailable", "The service is temporarily unavailable."));
        return;
      }
      const result = answer(request, Buffer.concat(chunks));
      record(result.status);
      send(response, result);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.host ?? "127.0.0.1", () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(":") ? `[${address}]` : address;

  return {
    url: `https://${host}:${port}/api/events`,
    inputSchema,
    events,
    requests,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(response: ServerResponse, answer: Answer): void {
  const headers: Record<string, string> = { ...answer.headers };
  if (answer.body === undefined) {
    response.writeHead(answer.status, { ...headers, "content-length": "0" });
    response.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  response.writeHead(answer.status, {
    ...headers,
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
  });
  response.end(text);
}

/** Only Microsoft Entra tokens: the app never uses the topic's access keys, so the fake has none. */
function checkAuthorization(header: string | undefined, expected: Buffer): Answer | undefined {
  const challenge = { "www-authenticate": 'Bearer error="invalid_token"' };
  if (header === undefined) {
    return {
      ...failure(
        401,
        "Unauthorized",
        "Request must contain one of the 'aeg-sas-token', 'aeg-sas-key' or 'Authorization' headers.",
      ),
      headers: challenge,
    };
  }
  const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
  const given = Buffer.from(token ?? "");
  if (token === undefined || given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return {
      ...failure(401, "Unauthorized", "The bearer token is not valid for this topic, or has expired."),
      headers: challenge,
    };
  }
  return undefined;
}

type Accepted = { events: Record<string, unknown>[] } | { error: Answer };

function eventGridEvents(body: unknown): Accepted {
  if (!Array.isArray(body)) {
    return {
      error: failure(
        400,
        "BadRequest",
        "The request body must be a JSON array of events.",
        "InputJsonInvalid",
      ),
    };
  }
  for (const [index, event] of body.entries()) {
    const problem = requiredProblem(event, EVENT_GRID_REQUIRED, index);
    if (problem) return { error: problem };
    const time = (event as { eventTime: unknown }).eventTime;
    if (typeof time !== "string" || Number.isNaN(Date.parse(time))) {
      return { error: invalid(`Property 'eventTime' of event ${index} is not a valid date-time.`) };
    }
  }
  return { events: body as Record<string, unknown>[] };
}

function cloudEvents(body: unknown, contentType: string): Accepted {
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase();
  let list: unknown[];
  if (mediaType === "application/cloudevents-batch+json" && Array.isArray(body)) list = body;
  else if (mediaType === "application/cloudevents+json" && !Array.isArray(body)) list = [body];
  else {
    return {
      error: invalid(
        `Content-Type '${contentType}' is not accepted by a CloudEvents topic: use application/cloudevents+json for one event or application/cloudevents-batch+json for an array.`,
      ),
    };
  }
  for (const [index, event] of list.entries()) {
    const problem = requiredProblem(event, CLOUD_EVENT_REQUIRED, index);
    if (problem) return { error: problem };
    const { specversion, time } = event as { specversion: unknown; time?: unknown };
    if (specversion !== "1.0") {
      return { error: invalid(`Property 'specversion' of event ${index} must be '1.0'.`) };
    }
    if (time !== undefined && (typeof time !== "string" || Number.isNaN(Date.parse(time)))) {
      return { error: invalid(`Property 'time' of event ${index} is not a valid RFC 3339 timestamp.`) };
    }
  }
  return { events: list as Record<string, unknown>[] };
}

function requiredProblem(event: unknown, required: readonly string[], index: number): Answer | undefined {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    return invalid(`Event ${index} is not a JSON object.`);
  }
  for (const field of required) {
    const value = (event as Record<string, unknown>)[field];
    if (typeof value !== "string" || value === "") {
      return invalid(`Required property '${field}' was not set in event ${index}.`);
    }
  }
  return undefined;
}

function invalid(message: string): Answer {
  return failure(400, "BadRequest", message, "InputJsonInvalid");
}
