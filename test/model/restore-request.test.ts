// The restore request: Azure's KubernetesClusterRestoreCriteria names and defaults, and bad input
// refused with a message that names the field.
import { describe, expect, it } from "vitest";
import { formatIssuePath, parseModel } from "../../src/model/issues.js";
import { restoreRequestSchema } from "../../src/model/restore-request.js";

const ID = "prod-shop-20260101-020000-0a1b";

function problems(input: Record<string, unknown>): string[] {
  const parsed = parseModel(restoreRequestSchema, { recoveryPointId: ID, ...input });
  return parsed.ok ? [] : parsed.issues.map((issue) => `${formatIssuePath(issue.path)}: ${issue.message}`);
}

describe("restore request", () => {
  it("takes a full request with Azure's names and fills in the defaults", () => {
    const parsed = parseModel(restoreRequestSchema, {
      recoveryPointId: ID,
      targetCluster: "dr",
      includedNamespaces: ["shop", "shop-*"],
      excludedNamespaces: ["shop-tmp"],
      includedResourceTypes: ["apps/v1/Deployment", "secrets"],
      excludedResourceTypes: ["v1/Event"],
      labelSelectors: ["app=web", "tier in (a,b)"],
      includeClusterScopeResources: false,
      namespaceMappings: { shop: "shop-copy" },
      conflictPolicy: "Patch",
      persistentVolumeRestoreMode: "RestoreWithoutVolumeData",
      restoreHookReferences: [{ name: "warm-cache", namespace: "shop" }],
      dryRun: true,
      resourceOrder: ["services", "apps/v1/Deployment"],
    });
    expect(parsed.ok).toBe(true);
    const defaults = parseModel(restoreRequestSchema, { recoveryPointId: ID });
    expect(defaults.ok && defaults.value).toEqual({
      recoveryPointId: ID,
      includeClusterScopeResources: true,
      namespaceMappings: {},
      conflictPolicy: "Skip",
      persistentVolumeRestoreMode: "RestoreWithVolumeData",
      dryRun: false,
    });
  });

  it.each([
    [{ recoveryPointId: "latest" }, /^recoveryPointId: "latest" is not a recovery point id/],
    [
      { targetCluster: "https://10.0.0.1:443" },
      /^targetCluster: must be the name of a registered cluster; a server URL or kubeconfig/,
    ],
    [
      { targetCluster: "apiVersion: v1\nkind: Config" },
      /^targetCluster: must be the name of a registered cluster/,
    ],
    [{ targetCluster: "Prod" }, /^targetCluster: "Prod" must be a DNS-1123 label/],
    [
      { includedNamespaces: ["shop", "Shop_1"] },
      /^includedNamespaces\[1\]: "Shop_1" is not a namespace name or pattern/,
    ],
    [
      { excludedResourceTypes: ["apps/Deployment"] },
      /^excludedResourceTypes\[0\]: "apps\/Deployment" is not a resource type/,
    ],
    [{ labelSelectors: ["=web"] }, /^labelSelectors\[0\]: "=web" at position 1/],
    [
      { conflictPolicy: "Overwrite" },
      /^conflictPolicy: unknown value "Overwrite"; expected one of Skip, Patch/,
    ],
    [{ conflictPolicy: "skip" }, /^conflictPolicy: unknown value "skip" \(did you mean "Skip"\?\)/],
    [{ persistentVolumeRestoreMode: "WithData" }, /^persistentVolumeRestoreMode: unknown value "WithData"/],
    [
      { namespaceMappings: { shop: "Shop Copy" } },
      /^namespaceMappings\.shop: "Shop Copy" must be a DNS-1123 label/,
    ],
    [
      { namespaceMappings: { "shop/x": "y" } },
      /^namespaceMappings\["shop\/x"\]: source "shop\/x" must be a DNS-1123 label/,
    ],
    [
      { namespaceMappings: { shop: "copy", store: "copy" } },
      /^namespaceMappings\.store: "shop" and "store" both map onto "copy"; each target namespace takes one source/,
    ],
    [
      { namespaceMappings: { shop: "kube-system" } },
      /^namespaceMappings\.shop: "kube-system" is a system namespace/,
    ],
    [{ restoreHookReferences: [{ name: "h" }] }, /^restoreHookReferences\[0\]\.namespace: missing/],
    [{ dryRun: "yes" }, /^dryRun: expected true or false, got the string "yes"/],
    [{ resourceOrder: ["not a type"] }, /^resourceOrder\[0\]: "not a type" is not a resource type/],
    [
      { includedNamespace: ["shop"] },
      /^includedNamespace: unknown key "includedNamespace" \(did you mean "includedNamespaces"\?\)/,
    ],
  ])("refuses %j naming the field", (input, message) => {
    const found = problems(input);
    expect(
      found.some((problem) => message.test(problem)),
      found.join("\n"),
    ).toBe(true);
  });

  it("refuses a request without a recovery point", () => {
    const parsed = parseModel(restoreRequestSchema, {});
    expect(!parsed.ok && parsed.issues.map((issue) => formatIssuePath(issue.path))).toEqual([
      "recoveryPointId",
    ]);
  });
});
