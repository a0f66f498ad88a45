// The whole config: defaults, each mistake worded once with its path, and references across lists
// (unique names, instances naming a real cluster and policy).
import { describe, expect, it } from "vitest";
import { type ConfigInput, parseConfig } from "../../src/model/config.js";
import { formatIssuePath } from "../../src/model/issues.js";

const SUB = "9b1f7a54-2c4e-4d0a-8f3e-5a6b7c8d9e0f";
const AKS_ID = `/subscriptions/${SUB}/resourceGroups/rg-prod/providers/Microsoft.ContainerService/managedClusters/prod`;

function valid(): ConfigInput {
  return {
    clusters: [{ name: "prod", aksResourceId: AKS_ID }],
    policies: [
      {
        name: "daily",
        schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
        retention: { default: "P7D", rules: [{ criteria: "FirstOfWeek", duration: "P12W" }] },
      },
      { name: "hourly", schedule: ["R/2026-01-01T00:00:00Z/PT4H"], retention: { default: "P2D" } },
    ],
    instances: [{ name: "prod-shop", cluster: "prod", policy: "daily" }],
  };
}

function problems(input: unknown): string[] {
  const result = parseConfig(input);
  if (result.ok) return [];
  return result.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}

describe("config", () => {
  it("fills in Azure's defaults and the client limits", () => {
    const result = parseConfig(valid());
    if (!result.ok) throw new Error(JSON.stringify(result.issues));
    const config = result.value;
    expect(config.storage).toBeUndefined();
    expect(config.kube).toEqual({ qps: 50, burst: 100, pageSize: 500 });
    expect(config.instances[0]).toMatchObject({ includeClusterScopeResources: true, snapshotVolumes: true });
    expect(config.policies[1]?.retention.rules).toEqual([]);
  });

  it("reads an empty document as nothing configured", () => {
    const result = parseConfig(null);
    expect(result.ok && result.value).toMatchObject({ clusters: [], policies: [], instances: [] });
  });

  it.each<[string, (c: ConfigInput) => void, string]>([
    [
      "an unknown policy",
      (c) => {
        c.instances = [{ name: "x", cluster: "prod", policy: "dayly" }];
      },
      'instances[0].policy: unknown policy "dayly" (did you mean "daily"?); known policies: daily, hourly',
    ],
    [
      "an unknown cluster",
      (c) => {
        c.instances = [{ name: "x", cluster: "staging", policy: "daily" }];
      },
      'instances[0].cluster: unknown cluster "staging"; known clusters: prod',
    ],
    [
      "a duplicate instance name",
      (c) => {
        c.instances?.push({ name: "prod-shop", cluster: "prod", policy: "hourly" });
      },
      'instances[1].name: "prod-shop" is already the name of an earlier entry; names must be unique within instances',
    ],
    [
      "a duplicate policy name",
      (c) => {
        c.policies?.push({
          name: "daily",
          schedule: ["R/2026-01-01T00:00:00Z/P1D"],
          retention: { default: "P1D" },
        });
      },
      'policies[2].name: "daily" is already the name of an earlier entry; names must be unique within policies',
    ],
    [
      "a typo'd key",
      (c) => {
        c.instances = [{ name: "x", cluster: "prod", policy: "daily", includeNamespaces: ["a"] } as never];
      },
      'instances[0].includeNamespaces: unknown key "includeNamespaces" (did you mean "includedNamespaces"?); known keys:',
    ],
    [
      "a typo'd top-level key",
      (c) => {
        Object.assign(c, { polices: [] });
      },
      'polices: unknown key "polices" (did you mean "policies"?)',
    ],
    [
      "a bad schedule",
      (c) => {
        c.policies = [
          { name: "daily", schedule: ["R/2026-01-01T02:00:00/P1D"], retention: { default: "P7D" } },
        ];
      },
      'policies[0].schedule[0]: "R/2026-01-01T02:00:00/P1D": start "2026-01-01T02:00:00" has no UTC offset',
    ],
    [
      "no schedule",
      (c) => {
        c.policies = [{ name: "daily", schedule: [], retention: { default: "P7D" } }];
      },
      "policies[0].schedule: needs at least 1 entry",
    ],
    [
      "a bad retention duration",
      (c) => {
        c.policies = [
          { name: "daily", schedule: ["R/2026-01-01T02:00:00Z/P1D"], retention: { default: "7 days" } },
        ];
      },
      'policies[0].retention.default: "7 days" is not an ISO 8601 duration',
    ],
    [
      "a retention criteria given twice",
      (c) => {
        c.policies = [
          {
            name: "daily",
            schedule: ["R/2026-01-01T02:00:00Z/P1D"],
            retention: {
              default: "P7D",
              rules: [
                { criteria: "FirstOfMonth", duration: "P12M" },
                { criteria: "FirstOfMonth", duration: "P2Y" },
              ],
            },
          },
        ];
      },
      "policies[0].retention.rules[1].criteria: FirstOfMonth appears more than once",
    ],
    [
      "an unknown retention criteria",
      (c) => {
        c.policies = [
          {
            name: "daily",
            schedule: ["R/2026-01-01T02:00:00Z/P1D"],
            retention: { default: "P7D", rules: [{ criteria: "FirstOfWeak" as never, duration: "P12W" }] },
          },
        ];
      },
      'policies[0].retention.rules[0].criteria: unknown value "FirstOfWeak" (did you mean "FirstOfWeek"?); expected one of FirstOfDay, FirstOfWeek, FirstOfMonth, FirstOfYear',
    ],
    [
      "a bad selector",
      (c) => {
        c.instances = [{ name: "x", cluster: "prod", policy: "daily", labelSelectors: ["app in (a"] }];
      },
      'instances[0].labelSelectors[0]: "app in (a" at position 10: expected ")" to close the value list',
    ],
    [
      "a bad resource type",
      (c) => {
        c.instances = [
          { name: "x", cluster: "prod", policy: "daily", excludedResourceTypes: ["apps/Deployment"] },
        ];
      },
      'instances[0].excludedResourceTypes[0]: "apps/Deployment" is not a resource type',
    ],
    [
      "a bad ARM id",
      (c) => {
        c.clusters = [
          {
            name: "prod",
            aksResourceId:
              "/subscriptions/abc/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod",
          },
        ];
      },
      'clusters[0].aksResourceId: "/subscriptions/abc/resourceGroups/rg/providers/Microsoft.ContainerService/managedClusters/prod": subscription "abc" is not a GUID',
    ],
    [
      "a cluster with neither kubeconfig nor aksResourceId",
      (c) => {
        c.clusters = [{ name: "prod" }];
      },
      "clusters[0]: give kubeconfig (a kubeconfig file) or aksResourceId (an AKS cluster's ARM id), or both",
    ],
    [
      "a context without a kubeconfig",
      (c) => {
        c.clusters = [{ name: "prod", aksResourceId: AKS_ID, context: "prod" }];
      },
      "clusters[0].context: context selects a context of the kubeconfig, so it needs kubeconfig as well",
    ],
    [
      "a bad snapshot resource group",
      (c) => {
        c.instances = [{ name: "x", cluster: "prod", policy: "daily", snapshotResourceGroup: AKS_ID }];
      },
      "instances[0].snapshotResourceGroup: ",
    ],
    [
      "a missing field",
      (c) => {
        c.instances = [{ name: "x", cluster: "prod" } as never];
      },
      "instances[0].policy: missing; expected a string",
    ],
    [
      "yes for a boolean",
      (c) => {
        c.instances = [{ name: "x", cluster: "prod", policy: "daily", snapshotVolumes: "yes" as never }];
      },
      'instances[0].snapshotVolumes: expected true or false, got the string "yes"',
    ],
    [
      "an upper-case name",
      (c) => {
        c.policies?.push({
          name: "Weekly",
          schedule: ["R/2026-01-01T00:00:00Z/P1W"],
          retention: { default: "P1M" },
        });
      },
      'policies[2].name: "Weekly" must be a DNS-1123 label',
    ],
  ])("reports %s once, with its path", (_, mutate, expected) => {
    const input = valid();
    mutate(input);
    const found = problems(input);
    expect(found).toHaveLength(1);
    expect(found[0]).toContain(expected);
  });

  it("reports every problem at once, cross references included", () => {
    const input = valid();
    input.clusters = [{ name: "Prod" }];
    input.instances = [
      { name: "a", cluster: "prod", policy: "dayly", labelSelectors: ["=x"] },
      { name: "a", cluster: "prod", policy: "daily" },
    ];
    expect(problems(input)).toHaveLength(7);
  });
});
