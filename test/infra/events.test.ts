// The Event Grid subscriptions the templates create deliver to functions the app registers, with
// exactly the event types each function handles: a wrong name fails the deploy, a missing type is
// an upgrade nobody backs up before.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  EVENT_FUNCTIONS,
  PRE_UPGRADE_TYPES,
  RESOURCE_DELETE,
  RESOURCE_WRITE,
} from "../../src/events/index.js";
import { bicepFile, bicepFiles, block, ROOT } from "./bicep.js";

interface Subscription {
  file: string;
  functionName: string;
  eventTypes: string[];
  topicType: string;
  operations: string[];
}

function subscriptions(): Subscription[] {
  const found: Subscription[] = [];
  for (const file of bicepFiles()) {
    for (const m of file.text.matchAll(
      /^resource\s+\w+\s+'Microsoft\.EventGrid\/systemTopics\/eventSubscriptions@/gm,
    )) {
      const body = block(file.text, file.text.indexOf("{", m.index ?? 0));
      const target = /resourceId: '\$\{functionAppId\}\/functions\/(\w+)'/.exec(body);
      const types = block(body, body.indexOf("{", body.indexOf("filter:")));
      const included = types.slice(types.indexOf("includedEventTypes"), types.indexOf("]"));
      const operations = /values: \[([^\]]*)\]/.exec(types)?.[1] ?? "";
      found.push({
        file: file.path,
        functionName: target?.[1] ?? "",
        eventTypes: [...included.matchAll(/'([\w.]+)'/g)].map((t) => t[1] ?? ""),
        topicType: /topicType: '([\w.]+)'/.exec(file.text)?.[1] ?? "",
        operations: [...operations.matchAll(/'([^']+)'/g)].map((t) => t[1] ?? ""),
      });
    }
  }
  return found;
}

describe("Event Grid subscriptions in infra/", () => {
  const found = subscriptions();

  it("deliver to each Event Grid function the app registers, one subscription each", () => {
    expect(found.map((s) => s.functionName).sort()).toEqual([...EVENT_FUNCTIONS].sort());
    const registrations = readFileSync(join(ROOT, "functions/events.ts"), "utf8");
    for (const name of EVENT_FUNCTIONS) expect(registrations).toContain(`"${name}"`);
  });

  it("send AKS's upgrade events, from the cluster's system topic, to aksClusterEvents", () => {
    const aks = found.find((s) => s.functionName === "aksClusterEvents");
    expect(aks?.topicType).toBe("Microsoft.ContainerService.ManagedClusters");
    expect(aks?.eventTypes.sort()).toEqual([...PRE_UPGRADE_TYPES].sort());
  });

  it("send managed cluster writes and deletes, from the subscription's system topic, to clusterResourceWrites", () => {
    const writes = found.find((s) => s.functionName === "clusterResourceWrites");
    expect(writes?.topicType).toBe("Microsoft.Resources.Subscriptions");
    expect(writes?.eventTypes.sort()).toEqual([RESOURCE_DELETE, RESOURCE_WRITE].sort());
    // Only managed clusters and tag changes: every other write in the subscription stays out.
    expect(writes?.operations.sort()).toEqual(
      [
        "Microsoft.ContainerService/managedClusters/delete",
        "Microsoft.ContainerService/managedClusters/write",
        "Microsoft.Resources/tags/delete",
        "Microsoft.Resources/tags/write",
      ].sort(),
    );
  });

  it("use the AzureFunction endpoint type, and exist only once the functions are deployed", () => {
    for (const file of ["infra/modules/cluster-events.bicep", "infra/modules/resource-write-events.bicep"]) {
      const text = bicepFile(file).text;
      expect(text, file).toContain("endpointType: 'AzureFunction'");
      expect(text, file).toMatch(/eventSubscriptions@[^']+' = if \(subscribe\)/);
    }
    const main = bicepFile("infra/main.bicep").text;
    expect(main.match(/subscribe: subscribeEvents/g)?.length).toBe(2);
  });
});
