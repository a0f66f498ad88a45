import { describe, expect, it } from "vitest";
import { isDenied } from "../../src/backup/deny-list.js";
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
  it.each([
    [{ group: "", resource: "events" }, true],
    [{ group: "events.k8s.io", resource: "events" }, true],
    [{ group: "discovery.k8s.io", resource: "endpointslices" }, true],
    [{ group: "", resource: "configmaps" }, false],
    [{ group: "apps", resource: "deployments" }, false],
  ])("denies %o: %s", (type, denied) => {
    expect(Boolean(isDenied(type))).toBe(denied);
  });

  it("can be replaced by a configured list", () => {
    expect(isDenied({ group: "", resource: "events" }, [])).toBeUndefined();
    expect(
      isDenied({ group: "", resource: "secrets" }, [{ group: "", resource: "secrets", reason: "x" }]),
    ).toBeTruthy();
  });
});
