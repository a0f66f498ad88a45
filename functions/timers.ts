// Timer triggers: the schedule tick every 5 minutes and the retention sweep every day at 03:30 UTC
// each start their orchestration once per tick, however often the timer fires. The tick applies the
// config file in the backup container (AKS_BACKUP_CONFIG_BLOB) first, when it changed.
import { app, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import { configBlobName } from "../src/orchestrations/app-settings.js";
import { durableOrchestrationClient } from "../src/orchestrations/durable-client.js";
import { startRetentionSweep } from "../src/orchestrations/retention.js";
import { startTick } from "../src/orchestrations/scheduled-backups.js";

app.timer("scheduleTick", {
  schedule: "0 */5 * * * *",
  extraInputs: [df.input.durableClient()],
  handler: async (_timer: Timer, context: InvocationContext) => {
    const started = await startTick(durableOrchestrationClient(df.getClient(context)), new Date(), {
      configBlob: configBlobName(),
    });
    context.log(started ? "schedule tick started" : "schedule tick already started");
  },
});

app.timer("retentionSweepTimer", {
  schedule: "0 30 3 * * *",
  extraInputs: [df.input.durableClient()],
  handler: async (_timer: Timer, context: InvocationContext) => {
    const started = await startRetentionSweep(durableOrchestrationClient(df.getClient(context)), new Date());
    context.log(started ? "retention sweep started" : "retention sweep already started today");
  },
});
