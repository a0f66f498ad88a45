// Label selector strings parsed with the API server's syntax, matched as the API server matches them.
import { describe, expect, it } from "vitest";
import {
  formatLabelSelector,
  type LabelRequirement,
  matchesAnySelector,
  matchesLabels,
  parseLabelSelector,
} from "../../src/model/label-selector.js";

describe("parseLabelSelector", () => {
  it.each<[string, LabelRequirement[]]>([
    ["", []],
    ["app=web", [{ key: "app", operator: "In", values: ["web"] }]],
    ["app==web", [{ key: "app", operator: "In", values: ["web"] }]],
    ["env!=dev", [{ key: "env", operator: "NotIn", values: ["dev"] }]],
    ["tier in (a,b)", [{ key: "tier", operator: "In", values: ["a", "b"] }]],
    ["tier notin ( a , b )", [{ key: "tier", operator: "NotIn", values: ["a", "b"] }]],
    ["!legacy", [{ key: "legacy", operator: "DoesNotExist", values: [] }]],
    ["legacy", [{ key: "legacy", operator: "Exists", values: [] }]],
    ["app=", [{ key: "app", operator: "In", values: [""] }]],
    ["replicas>2", [{ key: "replicas", operator: "Gt", values: ["2"] }]],
    ["replicas < 10", [{ key: "replicas", operator: "Lt", values: ["10"] }]],
    [
      "app.kubernetes.io/name=shop,tier in (web,api), !legacy ,env!=dev",
      [
        { key: "app.kubernetes.io/name", operator: "In", values: ["shop"] },
        { key: "tier", operator: "In", values: ["web", "api"] },
        { key: "legacy", operator: "DoesNotExist", values: [] },
        { key: "env", operator: "NotIn", values: ["dev"] },
      ],
    ],
    ["  app = web  ", [{ key: "app", operator: "In", values: ["web"] }]],
    ["v in (a,)", [{ key: "v", operator: "In", values: ["a", ""] }]],
  ])("reads %j", (selector, requirements) => {
    expect(parseLabelSelector(selector)).toEqual(requirements);
  });

  it.each([
    ["app in (a,b", 12, /expected "\)" to close the value list/],
    ["tier in ()", 9, /value list of "in"\/"notin" can't be empty/],
    ["tier in a", 9, /expected "\(" to start the value list/],
    ["app=web,", 9, /expected a requirement after ","/],
    [",app=web", 1, /expected a label key, found ","/],
    ["app=web env=prod", 9, /expected "," between requirements/],
    ["app web", 5, /expected an operator/],
    ["app=web=x", 8, /expected "," between requirements, found "="/],
    ["App_=x", 1, /invalid label key "App_"/],
    ["-app=x", 1, /invalid label key/],
    ["Example.com/app=x", 1, /invalid prefix/],
    [`app=${"v".repeat(64)}`, 5, /invalid label value/],
    ["app=w$b", 5, /invalid label value "w\$b"/],
    ["replicas>two", 10, /expected a whole number after ">"/],
    ["!", 2, /expected a label key, found the end/],
    ["tier in (a b)", 12, /expected "," or "\)"/],
  ])("refuses %j at position %i", (selector, position, message) => {
    let caught: unknown;
    try {
      parseLabelSelector(selector);
    } catch (error) {
      caught = error;
    }
    expect(caught).toMatchObject({ code: "InvalidLabelSelector", position });
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain(`at position ${position}:`);
  });
});

describe("matchesLabels", () => {
  const labels = { app: "web", tier: "front", replicas: "3" };
  it.each([
    ["app=web", true],
    ["app=api", false],
    ["env!=dev", true],
    ["app!=web", false],
    ["tier in (front,back)", true],
    ["tier notin (front)", false],
    ["env notin (dev)", true],
    ["app", true],
    ["env", false],
    ["!env", true],
    ["!app", false],
    ["replicas>2", true],
    ["replicas<3", false],
    ["app>1", false],
    ["app=web,tier=front", true],
    ["app=web,tier=back", false],
    ["", true],
  ])("%j against app=web,tier=front,replicas=3: %s", (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it("treats missing labels as no labels", () => {
    expect(matchesLabels(parseLabelSelector("!app"), undefined)).toBe(true);
    expect(matchesLabels(parseLabelSelector("app"), undefined)).toBe(false);
  });

  it("does not mistake inherited properties for labels", () => {
    expect(matchesLabels(parseLabelSelector("constructor"), {})).toBe(false);
  });

  it("ORs several selectors, and selects everything when there are none", () => {
    const selectors = ["app=api", "tier=front"].map(parseLabelSelector);
    expect(matchesAnySelector(selectors, labels)).toBe(true);
    expect(matchesAnySelector([parseLabelSelector("app=api")], labels)).toBe(false);
    expect(matchesAnySelector([], labels)).toBe(true);
  });
});

describe("formatLabelSelector", () => {
  it.each(["app=web", "env!=dev", "tier in (a,b)", "tier notin (a,b)", "!legacy", "legacy", "n>2", "n<2"])(
    "writes %j back as the API server reads it",
    (selector) => {
      expect(formatLabelSelector(parseLabelSelector(selector))).toBe(selector);
    },
  );
});
