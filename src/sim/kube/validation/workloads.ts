// apps/v1 workloads (Deployment, ReplicaSet, DaemonSet, StatefulSet): a selector that selects the
// pod template, a valid template, and the spec fields an update may not change.
import { jsonEqual } from "../patch/json-value.js";
import {
  type Causes,
  forbidden,
  goLabelSelector,
  immutable,
  invalid,
  notSupported,
  required,
} from "./field-errors.js";
import type { KindValidator } from "./kind-validator.js";
import { isEmptySelector, normalizedSelector, validateLabelSelector } from "./label-selectors.js";
import { type JsonObject, listAt, objectAt, stringAt } from "./object-access.js";
import { validatePodTemplate } from "./pod-template.js";
import { validatePvcSpec } from "./storage.js";

function nonNegative(spec: JsonObject, field: string, causes: Causes): void {
  const value = spec[field];
  if (typeof value === "number" && value < 0) {
    causes.push(invalid(`spec.${field}`, value, "must be greater than or equal to 0"));
  }
}

function validateWorkloadSpec(spec: JsonObject | undefined, kind: string): Causes {
  const s = spec ?? {};
  const causes: Causes = [];
  nonNegative(s, "replicas", causes);
  nonNegative(s, "minReadySeconds", causes);
  nonNegative(s, "revisionHistoryLimit", causes);
  const selector = objectAt(s.selector);
  if (!selector) causes.push(required("spec.selector"));
  else {
    causes.push(...validateLabelSelector(selector, "spec.selector"));
    if (isEmptySelector(selector)) {
      causes.push(
        invalid(
          "spec.selector",
          undefined,
          `empty selector is invalid for ${kind}`,
          goLabelSelector(selector),
        ),
      );
    }
  }
  causes.push(
    ...validatePodTemplate(objectAt(s.template), "spec.template", {
      selector,
      checkSelector: true,
      restartPolicies: ["Always"],
      claimNames: listAt(s.volumeClaimTemplates).map((t) =>
        String(objectAt(objectAt(t)?.metadata)?.name ?? ""),
      ),
    }),
  );
  return causes;
}

function selectorUpdate(object: JsonObject, old: JsonObject): Causes {
  const now = objectAt(object.spec)?.selector;
  const then = objectAt(old.spec)?.selector;
  if (jsonEqual(normalizedSelector(now), normalizedSelector(then))) return [];
  return [immutable("spec.selector", undefined, goLabelSelector(now))];
}

export const deploymentValidator: KindValidator = {
  appliesTo: { group: "apps", kinds: ["Deployment"] },
  validate(object, old) {
    const spec = objectAt(object.spec);
    const causes = validateWorkloadSpec(spec, "deployment");
    const strategy = stringAt(objectAt(spec?.strategy)?.type);
    if (strategy !== undefined && !["Recreate", "RollingUpdate"].includes(strategy)) {
      causes.push(notSupported("spec.strategy.type", strategy, ["Recreate", "RollingUpdate"]));
    }
    if (strategy === "Recreate" && objectAt(spec?.strategy)?.rollingUpdate) {
      causes.push(
        forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"),
      );
    }
    return old ? [...causes, ...selectorUpdate(object, old)] : causes;
  },
};

export const replicaSetValidator: KindValidator = {
  appliesTo: { group: "apps", kinds: ["ReplicaSet"] },
  validate(object, old) {
    const causes = validateWorkloadSpec(objectAt(object.spec), "replicaset");
    return old ? [...causes, ...selectorUpdate(object, old)] : causes;
  },
};

export const daemonSetValidator: KindValidator = {
  appliesTo: { group: "apps", kinds: ["DaemonSet"] },
  validate(object, old) {
    const spec = objectAt(object.spec);
    const causes = validateWorkloadSpec(spec, "daemonset");
    const strategy = stringAt(objectAt(spec?.updateStrategy)?.type);
    if (strategy !== undefined && !["OnDelete", "RollingUpdate"].includes(strategy)) {
      causes.push(notSupported("spec.updateStrategy.type", strategy, ["OnDelete", "RollingUpdate"]));
    }
    return old ? [...causes, ...selectorUpdate(object, old)] : causes;
  },
};

// Fields ValidateStatefulSetUpdate lets change; everything else in spec is fixed at creation.
const statefulSetMutable = [
  "replicas",
  "ordinals",
  "template",
  "updateStrategy",
  "revisionHistoryLimit",
  "persistentVolumeClaimRetentionPolicy",
  "minReadySeconds",
];

/** The fixed part of a StatefulSet spec, with the server's defaults filled in. */
function statefulSetFixedSpec(spec: JsonObject | undefined): JsonObject {
  const fixed: JsonObject = {
    podManagementPolicy: "OrderedReady",
    serviceName: "",
    volumeClaimTemplates: [],
  };
  for (const [key, value] of Object.entries(spec ?? {})) {
    if (!statefulSetMutable.includes(key) && value !== undefined && value !== null) fixed[key] = value;
  }
  fixed.selector = normalizedSelector(fixed.selector);
  fixed.volumeClaimTemplates = listAt(fixed.volumeClaimTemplates).map((t) => {
    const { status: _, ...rest } = objectAt(t) ?? {};
    const pvcSpec = { volumeMode: "Filesystem", ...objectAt(rest.spec) };
    return { ...rest, spec: pvcSpec };
  });
  return fixed;
}

export const statefulSetValidator: KindValidator = {
  appliesTo: { group: "apps", kinds: ["StatefulSet"] },
  validate(object, old) {
    const spec = objectAt(object.spec);
    const causes = validateWorkloadSpec(spec, "statefulset");
    const policy = stringAt(spec?.podManagementPolicy);
    if (policy !== undefined && !["OrderedReady", "Parallel"].includes(policy)) {
      causes.push(notSupported("spec.podManagementPolicy", policy, ["OrderedReady", "Parallel"]));
    }
    const strategy = stringAt(objectAt(spec?.updateStrategy)?.type);
    if (strategy !== undefined && !["OnDelete", "RollingUpdate"].includes(strategy)) {
      causes.push(notSupported("spec.updateStrategy.type", strategy, ["OnDelete", "RollingUpdate"]));
    }
    for (const [i, raw] of listAt(spec?.volumeClaimTemplates).entries()) {
      causes.push(...validatePvcSpec(objectAt(objectAt(raw)?.spec), `spec.volumeClaimTemplates[${i}].spec`));
    }
    if (old && !jsonEqual(statefulSetFixedSpec(spec), statefulSetFixedSpec(objectAt(old.spec)))) {
      causes.push(
        forbidden(
          "spec",
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
    return causes;
  },
};
