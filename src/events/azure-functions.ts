// Event Grid deliveries behind Azure Functions' eventGrid trigger: each event parsed (a bad one is
// logged and dropped, so the function succeeds and Event Grid does not retry it) and handed to the
// same dispatcher `serve`'s webhook uses; a transient failure throws, so Event Grid delivers again.
import type { EventGridEvent, InvocationContext } from "@azure/functions";
import * as df from "durable-functions";
import { appCredential } from "../orchestrations/app-settings.js";
import { durableOrchestrationClient } from "../orchestrations/durable-client.js";
import type { EnvironmentProvider } from "../orchestrations/environment.js";
import { appSetting } from "../settings/app-settings-table.js";
import {
  allowedSubscriptionsOf,
  armClusterReader,
  type ClusterReader,
  type EventFunction,
  handleEvents,
  parseEvent,
} from "./index.js";

/** The handler of `app.eventGrid(name, { extraInputs: [df.input.durableClient()], ... })`. */
export function eventGridHandler(name: EventFunction, provide: EnvironmentProvider) {
  // Built on first use, with the identity the environment's storage access uses.
  let reader: ClusterReader | undefined;
  return async (event: EventGridEvent, context: InvocationContext): Promise<void> => {
    const parsed = parseEvent(event);
    if ("reason" in parsed) {
      context.warn(`${name}: event ${parsed.id} dropped: ${parsed.reason}`);
      return;
    }
    reader ??= armClusterReader({ credential: appCredential() });
    await handleEvents(name, [parsed], {
      env: await provide(),
      client: durableOrchestrationClient(df.getClient(context)),
      readCluster: reader,
      allowedSubscriptions: allowedSubscriptionsOf(
        appSetting(process.env, "AKS_BACKUP_ALLOWED_SUBSCRIPTIONS"),
      ),
      log: (message) => context.log(message),
    });
  };
}
