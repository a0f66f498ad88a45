// Resource type references in Azure's and kubectl's forms, and which served types they select.
import { describe, expect, it } from "vitest";
import {
  formatResourceType,
  matchesResourceType,
  parseResourceType,
  type ResourceTypeRef,
  type ServedResourceType,
} from "../../src/model/resource-type.js";

describe("parseResourceType", () => {
  it.each<[string, ResourceTypeRef]>([
    ["v1/Secret", { group: "", version: "v1", kind: "Secret" }],
    ["apps/v1/Deployment", { group: "apps", version: "v1", kind: "Deployment" }],
    [
      "monitoring.coreos.com/v1/ServiceMonitor",
      { group: "monitoring.coreos.com", version: "v1", kind: "ServiceMonitor" },
    ],
    ["batch/v1beta1/CronJob", { group: "batch", version: "v1beta1", kind: "CronJob" }],
    ["secrets", { resource: "secrets" }],
    ["deployments.apps", { resource: "deployments", group: "apps" }],
    ["deployments.v1.apps", { resource: "deployments", version: "v1", group: "apps" }],
    [
      "servicemonitors.monitoring.coreos.com",
      { resource: "servicemonitors", group: "monitoring.coreos.com" },
    ],
    ["Deployment", { kind: "Deployment" }],
    ["Deployment.apps", { kind: "Deployment", group: "apps" }],
  ])("reads %s", (text, ref) => {
    expect(parseResourceType(text)).toEqual(ref);
  });

  it.each([
    ["", /expected <version>\/<Kind>/],
    ["apps/Deployment", /"apps" is not an API version.*apps\/v1\/Deployment/],
    ["apps/v1/", /"" is not a Kind/],
    ["a/b/c/Kind", /expected <version>\/<Kind>/],
    ["Apps/v1/Deployment", /"Apps" is not an API group/],
    ["apps/1/Deployment", /"1" is not an API version/],
    ["deployments.v1", /a version needs a group after it/],
    ["deployments..apps", /is not an API group/],
    ["secrets ", /white space/],
    ["my_things", /expected/],
    ["v1/Secret-x", /is not a Kind/],
  ])("refuses %j", (text, message) => {
    expect(() => parseResourceType(text)).toThrow(message);
  });

  it.each([
    "v1/Secret",
    "apps/v1/Deployment",
    "deployments.apps",
    "deployments.v1.apps",
    "secrets",
    "Deployment",
  ])("formats %s back", (text) => {
    expect(formatResourceType(parseResourceType(text))).toBe(text);
  });
});

describe("matchesResourceType", () => {
  const types: Record<string, ServedResourceType> = {
    secret: { group: "", version: "v1", resource: "secrets", kind: "Secret" },
    deployment: { group: "apps", version: "v1", resource: "deployments", kind: "Deployment" },
    coreEvent: { group: "", version: "v1", resource: "events", kind: "Event" },
    event: { group: "events.k8s.io", version: "v1", resource: "events", kind: "Event" },
    hpa: {
      group: "autoscaling",
      version: "v2",
      resource: "horizontalpodautoscalers",
      kind: "HorizontalPodAutoscaler",
    },
    monitor: {
      group: "monitoring.coreos.com",
      version: "v1",
      resource: "servicemonitors",
      kind: "ServiceMonitor",
    },
  };

  it.each([
    ["v1/Secret", "secret", true],
    ["v1/Secret", "deployment", false],
    ["secrets", "secret", true],
    ["secret", "secret", true],
    ["Secret", "secret", true],
    ["Secrets", "secret", true],
    ["apps/v1/Deployment", "deployment", true],
    ["apps/v1/deployment", "deployment", true],
    ["deployments.apps", "deployment", true],
    ["deployments.v1.apps", "deployment", true],
    ["deployments.extensions", "deployment", false],
    ["v1/Deployment", "deployment", false],
    ["Deployment", "deployment", true],
    ["events", "coreEvent", true],
    ["events", "event", true],
    ["v1/Event", "coreEvent", true],
    ["v1/Event", "event", false],
    ["events.events.k8s.io", "event", true],
    ["events.events.k8s.io", "coreEvent", false],
    ["autoscaling/v1/HorizontalPodAutoscaler", "hpa", true],
    ["monitoring.coreos.com/v1/ServiceMonitor", "monitor", true],
    ["servicemonitors.monitoring.coreos.com", "monitor", true],
  ])("%s selects %s: %s", (text, type, expected) => {
    const served = types[type];
    if (!served) throw new Error(`no type ${type}`);
    expect(matchesResourceType(parseResourceType(text), served)).toBe(expected);
  });
});
