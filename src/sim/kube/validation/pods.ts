// Pods: a valid pod spec on create, and on update only the fields kube-apiserver lets a running
// pod change (images, activeDeadlineSeconds, added tolerations, terminationGracePeriodSeconds).
import { jsonEqual } from "../patch/json-value.js";
import { type Causes, forbidden } from "./field-errors.js";
import type { KindValidator } from "./kind-validator.js";
import { type JsonObject, listAt, objectAt } from "./object-access.js";
import { validatePodSpec } from "./pod-spec.js";

/** The pod spec without the fields an update may change. */
function fixedPodSpec(spec: JsonObject | undefined): JsonObject {
  const copy: JsonObject = { ...(spec ?? {}) };
  for (const field of ["containers", "initContainers"]) {
    copy[field] = listAt(copy[field]).map((c) => ({ ...objectAt(c), image: undefined }));
  }
  delete copy.activeDeadlineSeconds;
  delete copy.tolerations;
  delete copy.terminationGracePeriodSeconds;
  return JSON.parse(JSON.stringify(copy)) as JsonObject;
}

export const podValidator: KindValidator = {
  appliesTo: { group: "", kinds: ["Pod"] },
  validate(object, old) {
    const causes: Causes = validatePodSpec(objectAt(object.spec), "spec");
    if (old && !jsonEqual(fixedPodSpec(objectAt(object.spec)), fixedPodSpec(objectAt(old.spec)))) {
      causes.push(
        forbidden(
          "spec",
          "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
        ),
      );
    }
    return causes;
  },
};
