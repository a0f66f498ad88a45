// Notifications from the Functions app's settings AKS_BACKUP_EVENTGRID_TOPIC_ENDPOINT (the custom
// topic's endpoint; empty = no notifications) and AKS_BACKUP_EVENTGRID_SCHEMA (CloudEvent or
// EventGrid), checked with errors that name the setting. The caller reads the values.
import {
  EVENT_SCHEMAS,
  type EventSchema,
  type NotificationSettings,
  topicEndpointProblem,
} from "./notifier.js";

export const TOPIC_ENDPOINT_SETTING = "AKS_BACKUP_EVENTGRID_TOPIC_ENDPOINT";
export const SCHEMA_SETTING = "AKS_BACKUP_EVENTGRID_SCHEMA";

export class NotificationSettingsError extends Error {
  override name = "NotificationSettingsError";
}

/** createEnvironment's `notifications` from the two settings' values, or undefined without a topic. */
export function notificationsFromSettings(values: {
  topicEndpoint?: string | undefined;
  schema?: string | undefined;
}): NotificationSettings | undefined {
  const endpoint = values.topicEndpoint?.trim();
  if (!endpoint) return undefined;
  const problem = topicEndpointProblem(endpoint);
  if (problem) throw new NotificationSettingsError(`app setting ${TOPIC_ENDPOINT_SETTING} ${problem}`);
  const schema = values.schema?.trim();
  if (!schema) return { topicEndpoint: endpoint };
  if (!(EVENT_SCHEMAS as readonly string[]).includes(schema)) {
    throw new NotificationSettingsError(
      `app setting ${SCHEMA_SETTING} must be one of ${EVENT_SCHEMAS.join(", ")}, not "${schema}"`,
    );
  }
  return { topicEndpoint: endpoint, schema: schema as EventSchema };
}
