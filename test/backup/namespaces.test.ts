import { describe, expect, it } from "vitest";
import { configuredDenyList, isDenied } from "../../src/backup/deny-list.js";
import { namespaceMatcher } from "../../src/backup/namespaces.js";

describe("namespace selection", () => {
  it.each([
    ["everything but system namespaces by default", {}, "shop", true],
    ["kube-system is left out by default", {}, "kube-system", false],
    ["kube-system is left out of a wildcard", { includedNamespaces: ["*"] }, "kube-system", false],
    ["kube-system is left out of kube-*", { includedNamespaces: ["kube-*"] }, "kube-node-lease", false],
    ["kube-system named exactly is included", { includedNamespaces: ["kube-system"] }, "kube-system", true],
    ["a prefix wildcard matches", { includedNamespaces: ["shop-*"] }, "shop-eu", true],
    ["a prefix wildcard needs the prefix", { includedNamespaces: ["shop-*"] }, "shop", false],
    ["exact and wildcard together", { includedNamespaces: ["shop", "shop-*"] }, "shop", true],
    [
      "exclusion wins over inclusion",
      { includedNamespaces: ["shop-*"], excludedNamespaces: ["shop-dev"] },
      "shop-dev",
      false,
    ],
    ["exclusions take wildcards", { excludedNamespaces: ["*-test"] }, "pay-test", false],
    ["dots in names are literal", { includedNamespaces: ["a.b"] }, "aXb", false],
    ["a middle wildcard", { includedNamespaces: ["team-*-prod"] }, "team-pay-prod", true],
  ])("%s", (_what, filter, namespace, expected) => {
    expect(namespaceMatcher(filter)(namespace)).toBe(expected);
  });
});

describe("deny list", () => {
  const type = (group: string, resource: string, kind: string) => ({ group, version: "v1", resource, kind });
  it.each([
    [type("", "events", "Event"), true],
    [type("events.k8s.io", "events", "Event"), true],
    [type("discovery.k8s.io", "endpointslices", "EndpointSlice"), true],
    [type("", "configmaps", "ConfigMap"), false],
    [type("apps", "deployments", "Deployment"), false],
    [type("example.com", "events", "Event"), false],
  ])("denies %o: %s", (served, denied) => {
    expect(Boolean(isDenied(served))).toBe(denied);
  });

  it("is replaced by the configured list, in any resource type form", () => {
    const list = configuredDenyList(["v1/Secret", "deployments.apps"]);
    expect(isDenied(type("", "events", "Event"), list)).toBeUndefined();
    expect(isDenied(type("", "secrets", "Secret"), list)?.reason).toBe(
      "listed in backup.deniedResourceTypes",
    );
    expect(isDenied(type("apps", "deployments", "Deployment"), list)).toBeTruthy();
    expect(configuredDenyList(undefined).length).toBeGreaterThan(10);
  });
});
