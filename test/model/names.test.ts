// Names of policies, instances and clusters are DNS-1123 labels and can never leave their blob prefix.
import { posix } from "node:path";
import { describe, expect, it } from "vitest";
import { isValidName, nameProblem, namespaceMatches, namespacePatternSchema } from "../../src/model/names.js";

describe("names", () => {
  it.each(["a", "daily", "prod-shop", "0", "9lives", "a-1-b", "x".repeat(63)])("accepts %j", (name) => {
    expect(nameProblem(name)).toBeUndefined();
  });

  it.each([
    ["", /is empty/],
    ["Daily", /DNS-1123 label/],
    ["prod_shop", /DNS-1123 label/],
    ["-prod", /starting and ending with a letter or digit/],
    ["prod-", /starting and ending with a letter or digit/],
    ["prod.shop", /DNS-1123 label/],
    ["x".repeat(64), /64 characters long/],
    ["prod shop", /DNS-1123 label/],
  ])("refuses %j and names the rule", (name, message) => {
    expect(nameProblem(name)).toMatch(message);
  });

  it.each(["..", ".", "../other", "a/b", "/etc", "a\\b", "~", "%2e%2e", "a\u0000b", "a\nb", "ａｂｃ"])(
    "can never become a path outside its prefix: %j",
    (name) => {
      expect(isValidName(name)).toBe(false);
    },
  );

  it("keeps every valid name a single path segment under its prefix", () => {
    for (const name of ["a", "prod-shop", "z9"]) {
      expect(isValidName(name)).toBe(true);
      const joined = posix.join("instances", name, "rp-1");
      expect(joined).toBe(`instances/${name}/rp-1`);
      expect(posix.normalize(joined).startsWith("instances/")).toBe(true);
    }
  });
});

describe("namespace patterns", () => {
  it.each([
    ["shop", "shop", true],
    ["shop", "shop-2", false],
    ["shop-*", "shop-2", true],
    ["shop-*", "shop-", true],
    ["shop-*", "shop", false],
    ["*-staging", "web-staging", true],
    ["*", "anything", true],
    ["a*b*c", "a-x-b-y-c", true],
    ["a*b*c", "a-x-c", false],
  ])("%s matches %s: %s", (pattern, namespace, expected) => {
    expect(namespaceMatches(pattern, namespace)).toBe(expected);
  });

  it.each(["shop-*", "*", "*-staging", "kube-system"])("accepts the pattern %j", (pattern) => {
    expect(namespacePatternSchema().safeParse(pattern).success).toBe(true);
  });

  it.each(["Shop", "shop.*", "shop?", "", "-shop", "a/b"])("refuses the pattern %j", (pattern) => {
    expect(namespacePatternSchema().safeParse(pattern).success).toBe(false);
  });
});
