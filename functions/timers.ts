// Timer triggers: the schedule tick every 5 minutes starts the tick's orchestration (once per tick,
// however often the timer fires).
import { app, type InvocationContext, type Timer } from "@azure/functions";
import * as df from "durable-functions";
import { durableOrchestrationClient } from "../src/orchestrations/durable-client.js";
import { startTick } from "../src/orchestrations/scheduled-backups.js";

app.timer("scheduleTick", {
  schedule: "0 */5 * * * *",
  extraInputs: [df.input.durableClient()],
  handler: async (_timer: Timer, context: InvocationContext) => {
    const started = await startTick(durableOrchestrationClient(df.getClient(context)), new Date());
    context.log(started ? "schedule tick started" : "schedule tick already started");
  },
});
