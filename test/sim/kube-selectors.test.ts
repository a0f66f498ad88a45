// Label and field selector parsing and matching, with kube-apiserver's error wording for bad input.
import { describe, expect, it } from "vitest";
import { matchesFields, parseFieldSelector } from "../../src/sim/kube/field-selectors.js";
import { matchesLabels, parseLabelSelector } from "../../src/sim/kube/selectors.js";
import { StatusError } from "../../src/sim/kube/status.js";

const labels = { app: "web", tier: "front", version: "3" };

describe("label selectors", () => {
  it.each([
    ["", true],
    ["app=web", true],
    ["app==web", true],
    ["app!=web", false],
    ["app!=db", true],
    ["missing!=x", true],
    ["app in (web, db)", true],
    ["app in (db)", false],
    ["app notin (db)", true],
    ["missing notin (db)", true],
    ["app", true],
    ["missing", false],
    ["!missing", true],
    ["!app", false],
    ["app=web,tier=front", true],
    ["app=web,tier=back", false],
    ["version>2", true],
    ["version<2", false],
    ["app=", false],
    ["in=x", false],
  ])("%j matches {app: web, tier: front, version: 3}: %s", (selector, expected) => {
    expect(matchesLabels(parseLabelSelector(selector), labels)).toBe(expected);
  });

  it.each([
    ["app in web", "unable to parse requirement: found 'web' expected: '('"],
    ["app=web,", "found '', expected: identifier after ','"],
    ["app web", "unable to parse requirement: found 'web', expected: in, notin, =, ==, !=, gt, lt"],
    ["=web", "found '=', expected: !, identifier, or 'end of string'"],
    ["app=(web)", "unable to parse requirement: found '(', expected: identifier"],
    ["app in (web", "unable to parse requirement: found '', expected: ',' or ')'"],
    ["app=a b", "found 'b', expected: ',' or 'end of string'"],
    [
      "app=-x",
      `unable to parse requirement: values[0][app]: Invalid value: "-x": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  ])("refuses %j with 400: %s", (selector, message) => {
    let error: unknown;
    try {
      parseLabelSelector(selector);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StatusError);
    expect((error as StatusError).status).toMatchObject({ code: 400, reason: "BadRequest", message });
  });
});

describe("field selectors", () => {
  const pod = {
    metadata: { name: "p", namespace: "shop" },
    spec: { nodeName: "n1" },
    status: { phase: "Running" },
  };

  it.each([
    ["metadata.name=p", true],
    ["metadata.name==p", true],
    ["metadata.name!=p", false],
    ["metadata.namespace=shop,status.phase=Running", true],
    ["spec.nodeName=n2", false],
    ["spec.nodeName=", false],
  ])("%j on a pod: %s", (selector, expected) => {
    expect(matchesFields(parseFieldSelector(selector, "", "pods"), pod)).toBe(expected);
  });

  it("refuses fields the type does not index and unparseable terms with 400", () => {
    expect(() => parseFieldSelector("spec.nodeName=n1", "", "configmaps")).toThrow(
      "field label not supported: spec.nodeName",
    );
    expect(() => parseFieldSelector("metadata.name", "", "configmaps")).toThrow(
      "invalid selector: 'metadata.name'; can't understand 'metadata.name'",
    );
  });
});
