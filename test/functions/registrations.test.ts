// What the Functions host would see: loading functions/ registers every orchestrator, activity and
// trigger of the app under the names the orchestrations call each other by.
import { describe, expect, it } from "vitest";
import { captureRegistrations } from "../../src/local/registry.js";
import { MODULES } from "../../src/orchestrations/index.js";

describe("functions/", () => {
  it("registers every orchestration module, the timers, the Event Grid triggers and the function-key protected API", async () => {
    const registry = await captureRegistrations(async () => {
      await import("../../functions/orchestrations.js");
      await import("../../functions/timers.js");
      await import("../../functions/http.js");
      await import("../../functions/events.js");
    });
    const orchestrators = MODULES.flatMap((m) => Object.keys(m.orchestrators ?? {}));
    const activities = MODULES.flatMap((m) => Object.keys(m.activities ?? {}));
    expect(registry.names("orchestrationTrigger").sort()).toEqual(orchestrators.sort());
    expect(registry.names("activityTrigger").sort()).toEqual(activities.sort());
    expect(orchestrators).toContain("scheduledBackups");
    expect(orchestrators).toEqual(expect.arrayContaining(["backupInstance", "retentionSweep"]));
    expect(registry.names("timerTrigger").sort()).toEqual(["retentionSweepTimer", "scheduleTick"]);
    expect(registry.names("httpTrigger")).toEqual(["api"]);
    expect(registry.names("eventGridTrigger").sort()).toEqual(["aksClusterEvents", "clusterResourceWrites"]);
    expect(registry.get("api", "httpTrigger").trigger).toMatchObject({
      route: "api/{*path}",
      authLevel: "function",
    });
  });
});
