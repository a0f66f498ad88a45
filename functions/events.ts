// Event Grid triggers: AKS upgrade events (pre-upgrade backups) and Resource Manager writes of
// managed clusters (auto-protection by tag), handled in src/events (docs/events.md).
import { app } from "@azure/functions";
import * as df from "durable-functions";
import { eventGridHandler } from "../src/events/azure-functions.js";
import { provideEnvironment } from "./environment.js";

for (const name of ["aksClusterEvents", "clusterResourceWrites"] as const) {
  app.eventGrid(name, {
    extraInputs: [df.input.durableClient()],
    handler: eventGridHandler(name, provideEnvironment),
  });
}
