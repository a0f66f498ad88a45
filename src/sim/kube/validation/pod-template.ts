// Pod templates inside workloads (ValidatePodTemplateSpecForReplicaSet and friends): the selector
// must select the template's labels, and the template's pod spec must be valid.
import { type Causes, goSyntax, invalid, notSupported, required } from "./field-errors.js";
import { isEmptySelector, selectorMatches } from "./label-selectors.js";
import { validateAnnotations, validateLabels } from "./metadata.js";
import { type JsonObject, objectAt, stringAt } from "./object-access.js";
import { validatePodSpec } from "./pod-spec.js";

export function validatePodTemplate(
  template: JsonObject | undefined,
  path: string,
  options: {
    selector: JsonObject | undefined;
    checkSelector: boolean;
    restartPolicies?: string[];
    claimNames?: string[];
  },
): Causes {
  if (!template) return [required(path)];
  const causes: Causes = [];
  const metadata = objectAt(template.metadata) ?? {};
  // A missing selector selects nothing, so it never matches; an empty one selects everything.
  if (options.checkSelector && !(options.selector && isEmptySelector(options.selector))) {
    if (!selectorMatches(options.selector, metadata.labels)) {
      const labels = goSyntax(objectAt(metadata.labels), "map[string]string");
      causes.push(
        invalid(`${path}.metadata.labels`, undefined, "`selector` does not match template `labels`", labels),
      );
    }
  }
  causes.push(...validateLabels(metadata.labels, `${path}.metadata.labels`));
  causes.push(...validateAnnotations(metadata.annotations, `${path}.metadata.annotations`));
  const spec = objectAt(template.spec);
  causes.push(...validatePodSpec(spec, `${path}.spec`, options.claimNames));
  if (options.restartPolicies) {
    // The server defaults an unset restartPolicy to Always before validating.
    const restartPolicy = stringAt(spec?.restartPolicy) ?? "Always";
    if (!options.restartPolicies.includes(restartPolicy)) {
      causes.push(notSupported(`${path}.spec.restartPolicy`, restartPolicy, options.restartPolicies));
    }
  }
  return causes;
}
