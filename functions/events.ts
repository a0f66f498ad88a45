// Event Grid triggers: AKS upgrade events start a pre-upgrade backup of every instance protecting
// the cluster; Resource Manager writes of managed clusters drive auto-protection by tag. A bad event
// is logged and dropped (the function succeeds, so Event Grid does not retry it); a transient failure
// throws, so Event Grid delivers again. See docs/events.md.
import { app, type EventGridEvent, type InvocationContext } from "@azure/functions";
import { DefaultAzureCredential } from "@azure/identity";
import * as df from "durable-functions";
import {
  allowedSubscriptionsOf,
  armClusterReader,
  type ClusterReader,
  type EventFunction,
  handleEvents,
  parseEvent,
} from "../src/events/index.js";
import { durableOrchestrationClient } from "../src/orchestrations/durable-client.js";
import { provideEnvironment } from "./environment.js";

// Built on first use, with the app's managed identity as the environment's storage access is.
let reader: ClusterReader | undefined;
function readCluster(): ClusterReader {
  const clientId = process.env.AZURE_CLIENT_ID;
  reader ??= armClusterReader({
    credential: new DefaultAzureCredential(clientId ? { managedIdentityClientId: clientId } : {}),
  });
  return reader;
}

function register(name: EventFunction): void {
  app.eventGrid(name, {
    extraInputs: [df.input.durableClient()],
    handler: async (event: EventGridEvent, context: InvocationContext) => {
      const parsed = parseEvent(event);
      if ("reason" in parsed) {
        context.warn(`${name}: event ${parsed.id} dropped: ${parsed.reason}`);
        return;
      }
      await handleEvents(name, [parsed], {
        env: await provideEnvironment(),
        client: durableOrchestrationClient(df.getClient(context)),
        readCluster: readCluster(),
        allowedSubscriptions: allowedSubscriptionsOf(process.env.AKS_BACKUP_ALLOWED_SUBSCRIPTIONS),
        log: (message) => context.log(message),
      });
    },
  });
}

register("aksClusterEvents");
register("clusterResourceWrites");
