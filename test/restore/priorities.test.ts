// The restore order: Velero's proven priorities, Services before Ingresses and workloads, CRDs in
// a phase of their own before custom resources, admission configuration last, and overrides.
import { describe, expect, it } from "vitest";
import { RESTORE_PRIORITIES, restorePhases, type TypeKey } from "../../src/restore/priorities.js";

const t = (text: string): TypeKey => {
  const [resource = "", ...group] = text.split(".");
  return { resource, group: group.join(".") };
};
const names = (types: TypeKey[]) =>
  types.map((type) => [type.resource, type.group].filter(Boolean).join("."));
const flat = (types: string[], override?: string[]) =>
  restorePhases(types.map(t), override).flatMap((phase) => names(phase.types));

const ALL = [
  "validatingwebhookconfigurations.admissionregistration.k8s.io",
  "deployments.apps",
  "ingresses.networking.k8s.io",
  "foos.samplecontroller.k8s.io",
  "services",
  "pods",
  "secrets",
  "namespaces",
  "customresourcedefinitions.apiextensions.k8s.io",
  "mutatingwebhookconfigurations.admissionregistration.k8s.io",
  "validatingadmissionpolicies.admissionregistration.k8s.io",
  "validatingadmissionpolicybindings.admissionregistration.k8s.io",
  "configmaps",
  "persistentvolumeclaims",
  "persistentvolumes",
];

const before = (order: string[], a: string, b: string) => order.indexOf(a) < order.indexOf(b);

describe("restore priorities", () => {
  it("gives every entry a reason", () => {
    for (const entry of RESTORE_PRIORITIES) expect(entry.reason.length).toBeGreaterThan(10);
  });

  it.each([
    ["CRDs come first", "customresourcedefinitions.apiextensions.k8s.io", "namespaces"],
    ["namespaces come before what lives in them", "namespaces", "secrets"],
    ["PVs come before PVCs", "persistentvolumes", "persistentvolumeclaims"],
    ["PVCs come before pods", "persistentvolumeclaims", "pods"],
    ["Secrets and ConfigMaps come before pods", "configmaps", "pods"],
    ["Services come before Ingresses", "services", "ingresses.networking.k8s.io"],
    ["Services come before workloads", "services", "deployments.apps"],
    ["Services come before bare pods", "services", "pods"],
    ["the rest follows alphabetically", "deployments.apps", "ingresses.networking.k8s.io"],
    [
      "custom resources come after their CRD",
      "customresourcedefinitions.apiextensions.k8s.io",
      "foos.samplecontroller.k8s.io",
    ],
    [
      "webhook configurations come last",
      "ingresses.networking.k8s.io",
      "validatingwebhookconfigurations.admissionregistration.k8s.io",
    ],
    [
      "admission policies come after workloads",
      "deployments.apps",
      "validatingadmissionpolicies.admissionregistration.k8s.io",
    ],
    [
      "policy bindings follow their policies",
      "validatingadmissionpolicies.admissionregistration.k8s.io",
      "validatingadmissionpolicybindings.admissionregistration.k8s.io",
    ],
  ])("%s", (_, first, second) => {
    expect(before(flat(ALL), first, second)).toBe(true);
  });

  it("places CRDs in their own phase followed by a wait for Established", () => {
    const phases = restorePhases(ALL.map(t));
    expect(phases.map((phase) => phase.name)).toEqual(["definitions", "resources", "admission"]);
    expect(names(phases[0]?.types ?? [])).toEqual(["customresourcedefinitions.apiextensions.k8s.io"]);
    expect(phases[0]?.waitAfter).toMatch(/Established/);
  });

  it.each([
    ["no CRDs: no definitions phase", ["services", "pods"], ["resources"]],
    ["only CRDs: nothing to wait for", ["customresourcedefinitions.apiextensions.k8s.io"], ["definitions"]],
    [
      "only webhooks: one admission phase",
      ["validatingwebhookconfigurations.admissionregistration.k8s.io"],
      ["admission"],
    ],
    ["nothing: no phases", [], []],
  ])("%s", (_, types, phaseNames) => {
    const phases = restorePhases(types.map(t));
    expect(phases.map((phase) => phase.name)).toEqual(phaseNames);
    if (phaseNames.length === 1) expect(phases[0]?.waitAfter).toBeUndefined();
  });

  it.each([
    [
      "an override puts named types first, in its order",
      ["deployments.apps", "configmaps"],
      ["deployments.apps", "configmaps", "namespaces"],
    ],
    [
      "an override accepts Kinds and group/version/Kind",
      ["apps/v1/Deployment", "Secret"],
      ["deployments.apps", "secrets", "namespaces"],
    ],
  ])("%s", (_, override, expectedStart) => {
    const kinds = {
      namespaces: "Namespace",
      secrets: "Secret",
      configmaps: "ConfigMap",
      deployments: "Deployment",
    };
    const types = ["namespaces", "secrets", "configmaps", "deployments.apps"].map(t);
    const withKinds = types.map((type) => ({ ...type, kind: kinds[type.resource as keyof typeof kinds] }));
    const order = restorePhases(withKinds, override).flatMap((phase) => names(phase.types));
    expect(order.slice(0, expectedStart.length)).toEqual(expectedStart);
  });

  it("an override cannot move a custom resource before its CRD", () => {
    const order = flat(
      ["foos.samplecontroller.k8s.io", "customresourcedefinitions.apiextensions.k8s.io"],
      ["foos"],
    );
    expect(order).toEqual(["customresourcedefinitions.apiextensions.k8s.io", "foos.samplecontroller.k8s.io"]);
  });

  it("lists each type once", () => {
    expect(flat(["pods", "pods", "services"])).toEqual(["services", "pods"]);
  });
});
