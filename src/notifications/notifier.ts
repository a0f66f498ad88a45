// Publishes a finished job's event to an Event Grid custom topic with the app's identity (Microsoft
// Entra ID: the identity needs the "EventGrid Data Sender" role on the topic; no access keys).
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import {
  EventGridPublisherClient,
  type EventGridPublisherClientOptions,
  type SendCloudEventInput,
  type SendEventGridEventInput,
} from "@azure/eventgrid";
import type { TokenCredential } from "@azure/identity";
import { JOB_EVENT_SOURCE, type JobEvent } from "./events.js";

/** The topic's input schema: CloudEvents 1.0 (the default) or Event Grid's own. */
export const EVENT_SCHEMAS = ["CloudEvent", "EventGrid"] as const;
export type EventSchema = (typeof EVENT_SCHEMAS)[number];

export interface NotifierOptions {
  /** The custom topic's endpoint, e.g. https://jobs.westeurope-1.eventgrid.azure.net/api/events. */
  topicEndpoint: string;
  schema?: EventSchema;
  credential: TokenCredential;
  /** PEM of a CA to trust besides the public roots (the simulator's fake topic). */
  caCert?: string;
  /** Pipeline options of the SDK client (retries, an agent). */
  clientOptions?: EventGridPublisherClientOptions;
}

/** What configures notifications; the credential is the environment's Azure credential. */
export type NotificationSettings = Omit<NotifierOptions, "credential">;

export interface JobNotifier {
  /** Where events go (no secret in it): for logs and errors. */
  readonly topicEndpoint: string;
  readonly schema: EventSchema;
  /** Sends one event; throws a NotificationError when the topic does not accept it. */
  publish(event: JobEvent, options?: { abortSignal?: AbortSignal }): Promise<void>;
}

export type NotificationErrorCode = "Unauthorized" | "Rejected" | "Unavailable";

export class NotificationError extends Error {
  override name = "NotificationError";

  constructor(
    message: string,
    readonly code: NotificationErrorCode,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

/** Why a topic endpoint cannot be used, or undefined when it can. */
export function topicEndpointProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "is not a URL";
  }
  // The SDK's bearer-token policy refuses plain HTTP; saying so here names the setting to fix.
  if (url.protocol !== "https:")
    return `"${url.origin}" must be an https URL: tokens are never sent in clear`;
  if (url.username || url.password) return "must not carry credentials: the app signs in with its identity";
  if (url.search || url.hash) return `"${url.origin}${url.pathname}" must have no query or fragment`;
  return undefined;
}

/** The endpoint as the SDK wants it: a bare topic host gets the publish path `/api/events`. */
export function normalisedTopicEndpoint(text: string): string {
  const problem = topicEndpointProblem(text);
  if (problem) throw new NotificationError(`Event Grid topic endpoint ${problem}`, "Rejected");
  const url = new URL(text);
  const path = url.pathname === "/" ? "/api/events" : url.pathname.replace(/\/+$/, "");
  return `${url.origin}${path}`;
}

export function createJobNotifier(options: NotifierOptions): JobNotifier {
  const topicEndpoint = normalisedTopicEndpoint(options.topicEndpoint);
  const schema = options.schema ?? "CloudEvent";
  const clientOptions: EventGridPublisherClientOptions = { ...options.clientOptions };
  if (options.caCert !== undefined && clientOptions.agent === undefined) {
    // `ca` replaces Node's default trust store, so keep the public roots next to the custom CA.
    clientOptions.agent = new Agent({ keepAlive: true, ca: [...rootCertificates, options.caCert] });
  }
  const send =
    schema === "CloudEvent"
      ? cloudEventSender(topicEndpoint, options.credential, clientOptions)
      : eventGridSender(topicEndpoint, options.credential, clientOptions);
  return {
    topicEndpoint,
    schema,
    async publish(event, publishOptions = {}) {
      try {
        await send(event, publishOptions.abortSignal);
      } catch (error) {
        throw publishError(error, event, topicEndpoint);
      }
    },
  };
}

type Sender = (event: JobEvent, abortSignal: AbortSignal | undefined) => Promise<void>;

function cloudEventSender(
  endpoint: string,
  credential: TokenCredential,
  clientOptions: EventGridPublisherClientOptions,
): Sender {
  const client = new EventGridPublisherClient(endpoint, "CloudEvent", credential, clientOptions);
  return async (event, abortSignal) => {
    const cloudEvent: SendCloudEventInput<JobEvent["data"]> = {
      id: event.id,
      type: event.type,
      source: JOB_EVENT_SOURCE,
      subject: event.subject,
      time: new Date(event.time),
      datacontenttype: "application/json",
      data: event.data,
    };
    await client.send([cloudEvent], abortSignal ? { abortSignal } : {});
  };
}

function eventGridSender(
  endpoint: string,
  credential: TokenCredential,
  clientOptions: EventGridPublisherClientOptions,
): Sender {
  const client = new EventGridPublisherClient(endpoint, "EventGrid", credential, clientOptions);
  return async (event, abortSignal) => {
    const eventGridEvent: SendEventGridEventInput<JobEvent["data"]> = {
      id: event.id,
      eventType: event.type,
      subject: event.subject,
      eventTime: new Date(event.time),
      dataVersion: event.dataVersion,
      data: event.data,
    };
    await client.send([eventGridEvent], abortSignal ? { abortSignal } : {});
  };
}

/**
 * The failure as one NotificationError naming the event, the topic and the next step. Only the
 * service's own message is kept: the SDK's error also holds the request, whose headers must not
 * travel on into logs (its sanitiser redacts them, but we carry nothing we do not need).
 */
function publishError(error: unknown, event: JobEvent, endpoint: string): NotificationError {
  const what = `publishing ${event.type} of ${event.subject} to ${endpoint} failed`;
  const statusCode = statusCodeOf(error);
  const detail = (error instanceof Error ? error.message : String(error)).slice(0, 300);
  if (statusCode === 401 || statusCode === 403) {
    return new NotificationError(
      `${what}: ${statusCode} ${detail} (does the app's identity have the "EventGrid Data Sender" role on the topic?)`,
      "Unauthorized",
      statusCode,
    );
  }
  if (
    statusCode !== undefined &&
    statusCode >= 400 &&
    statusCode < 500 &&
    statusCode !== 408 &&
    statusCode !== 429
  ) {
    return new NotificationError(
      `${what}: ${statusCode} ${detail} (is the topic's input schema the configured one?)`,
      "Rejected",
      statusCode,
    );
  }
  return new NotificationError(
    `${what}: ${statusCode !== undefined ? `${statusCode} ` : ""}${detail}`,
    "Unavailable",
    statusCode,
  );
}

function statusCodeOf(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const status = (error as { statusCode?: unknown }).statusCode;
  return typeof status === "number" ? status : undefined;
}
