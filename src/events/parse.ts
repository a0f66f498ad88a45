// Event Grid deliveries in either schema, reduced to one shape. The Event Grid schema
// (`eventType`, `subject`, `topic`, `eventTime`, `dataVersion`) arrives as an array; CloudEvents 1.0
// (`specversion`, `type`, `source`, `subject`) as one object or a batch array. Each element is checked
// on its own: a malformed one is dropped with a reason and the others still count.

export type EventSchema = "EventGrid" | "CloudEvents";

/** One event, whatever schema it came in. */
export interface GridEvent {
  readonly schema: EventSchema;
  readonly id: string;
  readonly type: string;
  /** Event Grid's `subject`, or CloudEvents' `subject` (absent: ""). */
  readonly subject: string;
  /** Event Grid's `topic`, or CloudEvents' `source` (absent in a direct Event Grid post: ""). */
  readonly source: string;
  readonly time?: string;
  readonly data: unknown;
}

export interface DroppedEvent {
  /** The event's id when it had one, else its position in the delivery. */
  readonly id: string;
  readonly type?: string;
  readonly reason: string;
}

export interface ParsedDelivery {
  readonly events: GridEvent[];
  readonly dropped: DroppedEvent[];
}

export const VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent";

/** A delivery is at most this many events (Event Grid's own batch limit is 5,000). */
export const MAX_EVENTS = 5_000;

export class MalformedDeliveryError extends Error {
  override name = "MalformedDeliveryError";
}

/**
 * Splits a delivery into events. Throws MalformedDeliveryError only when the whole body is not a
 * delivery (not an object or array, empty, too long); single bad events are dropped with a reason.
 */
export function parseDelivery(body: unknown): ParsedDelivery {
  const items = Array.isArray(body) ? body : isObject(body) ? [body] : undefined;
  if (!items) throw new MalformedDeliveryError("the body is not an event or an array of events");
  if (items.length === 0) throw new MalformedDeliveryError("the body is an empty array: no events");
  if (items.length > MAX_EVENTS) {
    throw new MalformedDeliveryError(
      `the body has ${items.length} events; at most ${MAX_EVENTS} are accepted`,
    );
  }
  const events: GridEvent[] = [];
  const dropped: DroppedEvent[] = [];
  items.forEach((item, index) => {
    const parsed = parseEvent(item, index);
    if ("reason" in parsed) dropped.push(parsed);
    else events.push(parsed);
  });
  return { events, dropped };
}

/** One element of a delivery, or why it is not an event. */
export function parseEvent(item: unknown, index = 0): GridEvent | DroppedEvent {
  const position = `#${index}`;
  if (!isObject(item)) return { id: position, reason: "the event is not a JSON object" };
  const id = shortString(item.id) ?? position;
  if ("specversion" in item) return parseCloudEvent(item, id);
  if ("eventType" in item) return parseGridEvent(item, id);
  return {
    id,
    reason: "the event is neither Event Grid schema (eventType) nor CloudEvents 1.0 (specversion)",
  };
}

function parseGridEvent(item: Record<string, unknown>, id: string): GridEvent | DroppedEvent {
  const type = shortString(item.eventType);
  const fail = (reason: string): DroppedEvent => ({ id, ...(type ? { type } : {}), reason });
  if (!type) return fail("eventType is missing or not a string");
  if (shortString(item.id) === undefined) return fail("id is missing or not a string");
  const subject = item.subject;
  if (typeof subject !== "string") return fail("subject is missing or not a string");
  if (item.topic !== undefined && typeof item.topic !== "string") return fail("topic is not a string");
  if (item.eventTime !== undefined && typeof item.eventTime !== "string")
    return fail("eventTime is not a string");
  return {
    schema: "EventGrid",
    id,
    type,
    subject,
    source: typeof item.topic === "string" ? item.topic : "",
    ...(typeof item.eventTime === "string" ? { time: item.eventTime } : {}),
    data: item.data,
  };
}

function parseCloudEvent(item: Record<string, unknown>, id: string): GridEvent | DroppedEvent {
  const type = shortString(item.type);
  const fail = (reason: string): DroppedEvent => ({ id, ...(type ? { type } : {}), reason });
  if (item.specversion !== "1.0") return fail(`specversion ${JSON.stringify(item.specversion)} is not "1.0"`);
  if (!type) return fail("type is missing or not a string");
  if (shortString(item.id) === undefined) return fail("id is missing or not a string");
  const source = shortString(item.source);
  if (!source) return fail("source is missing or not a string");
  if (item.subject !== undefined && typeof item.subject !== "string") return fail("subject is not a string");
  if (item.time !== undefined && typeof item.time !== "string") return fail("time is not a string");
  return {
    schema: "CloudEvents",
    id,
    type,
    subject: typeof item.subject === "string" ? item.subject : "",
    source,
    ...(typeof item.time === "string" ? { time: item.time } : {}),
    data: item.data,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty string of at most 1,024 characters. */
function shortString(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 && value.length <= 1024 ? value : undefined;
}
