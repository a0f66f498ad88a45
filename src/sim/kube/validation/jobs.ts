// batch/v1 Job and CronJob: a pod template that does not restart Always, a CronJob schedule, and
// the Job fields an update may not change.
import { jsonEqual } from "../patch/json-value.js";
import { type Causes, goLabelSelector, immutable, invalid, notSupported, required } from "./field-errors.js";
import type { KindValidator } from "./kind-validator.js";
import { validateLabelSelector } from "./label-selectors.js";
import { validateAnnotations, validateLabels } from "./metadata.js";
import { type JsonObject, objectAt, stringAt } from "./object-access.js";
import { validatePodTemplate } from "./pod-template.js";

function validateJobSpec(spec: JsonObject | undefined, path: string): Causes {
  const s = spec ?? {};
  const causes: Causes = [];
  for (const field of ["parallelism", "completions", "backoffLimit", "ttlSecondsAfterFinished"]) {
    const value = s[field];
    if (typeof value === "number" && value < 0) {
      causes.push(invalid(`${path}.${field}`, value, "must be greater than or equal to 0"));
    }
  }
  const deadline = s.activeDeadlineSeconds;
  if (typeof deadline === "number" && deadline <= 0) {
    causes.push(invalid(`${path}.activeDeadlineSeconds`, deadline, "must be greater than 0"));
  }
  const mode = stringAt(s.completionMode);
  if (mode !== undefined && !["NonIndexed", "Indexed"].includes(mode)) {
    causes.push(notSupported(`${path}.completionMode`, mode, ["NonIndexed", "Indexed"]));
  }
  const selector = objectAt(s.selector);
  causes.push(...validateLabelSelector(selector, `${path}.selector`));
  causes.push(
    ...validatePodTemplate(objectAt(s.template), `${path}.template`, {
      selector,
      checkSelector: selector !== undefined,
      restartPolicies: ["OnFailure", "Never"],
    }),
  );
  return causes;
}

/** On create, unless manualSelector: the generated labels are there and the selector matches them. */
function validateGeneratedSelector(job: JsonObject): Causes {
  const spec = objectAt(job.spec) ?? {};
  if (spec.manualSelector === true) return [];
  const meta = objectAt(job.metadata) ?? {};
  const uid = stringAt(meta.uid) ?? "";
  const name = stringAt(meta.name) ?? "";
  const causes: Causes = [];
  if (uid === "") causes.push(required("metadata.uid"));
  const labels = objectAt(objectAt(objectAt(spec.template)?.metadata)?.labels);
  const expected: Record<string, string> = {
    "controller-uid": uid,
    "job-name": name,
    "batch.kubernetes.io/controller-uid": uid,
    "batch.kubernetes.io/job-name": name,
  };
  for (const [key, value] of Object.entries(expected)) {
    const field = `spec.template.metadata.labels[${key}]`;
    const actual = labels?.[key];
    if (actual === undefined) causes.push(required(field, `must be '${value}'`));
    else if (actual !== value) causes.push(invalid(field, labels, `must be '${value}'`));
  }
  const selector = objectAt(spec.selector);
  if (selector && !selectorMatches(selector, expected)) {
    causes.push(
      invalid("spec.selector", selector, "`selector` not auto-generated", goLabelSelector(selector)),
    );
  }
  return causes;
}

/** Whether a (valid) LabelSelector selects `labels`; only what generated selectors use is needed. */
function selectorMatches(selector: JsonObject, labels: Record<string, string>): boolean {
  const matchLabels = objectAt(selector.matchLabels) ?? {};
  if (Object.entries(matchLabels).some(([k, v]) => labels[k] !== v)) return false;
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  return expressions.every((e) => {
    const r = objectAt(e) ?? {};
    const key = stringAt(r.key) ?? "";
    const values = Array.isArray(r.values) ? r.values.map(String) : [];
    const has = key in labels;
    switch (r.operator) {
      case "In":
        return has && values.includes(labels[key] ?? "");
      case "NotIn":
        return !has || !values.includes(labels[key] ?? "");
      case "Exists":
        return has;
      case "DoesNotExist":
        return !has;
      default:
        return false;
    }
  });
}

export const jobValidator: KindValidator = {
  appliesTo: { group: "batch", kinds: ["Job"] },
  validate(object, old) {
    const spec = objectAt(object.spec);
    const causes = validateJobSpec(spec, "spec");
    // The server generated the selector before validating, so a Job without one is invalid.
    if (spec?.selector === undefined) causes.push(required("spec.selector"));
    if (!old) return [...validateGeneratedSelector(object), ...causes];
    const oldSpec = objectAt(old.spec) ?? {};
    if (spec?.selector !== undefined && !jsonEqual(spec.selector, oldSpec.selector)) {
      causes.push(immutable("spec.selector", undefined, goLabelSelector(spec.selector)));
    }
    if (!jsonEqual(spec?.template, oldSpec.template)) {
      causes.push(immutable("spec.template", undefined, "core.PodTemplateSpec{...}"));
    }
    if (
      spec?.completionMode !== undefined &&
      !jsonEqual(spec.completionMode, oldSpec.completionMode ?? "NonIndexed")
    ) {
      causes.push(immutable("spec.completionMode", spec.completionMode));
    }
    return causes;
  },
};

const scheduleMacros = ["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"];

function validateSchedule(schedule: string): string | undefined {
  if (/^\s*(CRON_)?TZ=/.test(schedule))
    return "cannot use TZ or CRON_TZ in schedule, use timeZone field instead";
  if (scheduleMacros.includes(schedule) || /^@every \S+$/.test(schedule)) return undefined;
  if (schedule.startsWith("@")) return `unrecognized descriptor: ${schedule}`;
  const fields = schedule.trim().split(/\s+/).filter(Boolean);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: ${schedule}`;
  const bad = fields.find((f) => !/^[0-9A-Za-z*?/,-]+$/.test(f));
  return bad ? `failed to parse int from ${bad}: strconv.Atoi: parsing "${bad}": invalid syntax` : undefined;
}

export const cronJobValidator: KindValidator = {
  appliesTo: { group: "batch", kinds: ["CronJob"] },
  validate(object, old) {
    const causes: Causes = [];
    const name = stringAt(objectAt(object.metadata)?.name) ?? "";
    // Job names get an 11-character suffix and must stay DNS-1035 labels (ValidateCronJobCreate).
    if (!old && name.length > 52)
      causes.push(invalid("metadata.name", name, "must be no more than 52 characters"));
    const spec = objectAt(object.spec) ?? {};
    const schedule = stringAt(spec.schedule) ?? "";
    if (schedule === "") causes.push(required("spec.schedule"));
    else {
      const problem = validateSchedule(schedule);
      if (problem) causes.push(invalid("spec.schedule", schedule, problem));
    }
    const policy = stringAt(spec.concurrencyPolicy);
    if (policy !== undefined && !["Allow", "Forbid", "Replace"].includes(policy)) {
      causes.push(notSupported("spec.concurrencyPolicy", policy, ["Allow", "Forbid", "Replace"]));
    }
    for (const field of ["startingDeadlineSeconds", "successfulJobsHistoryLimit", "failedJobsHistoryLimit"]) {
      const value = spec[field];
      if (typeof value === "number" && value < 0) {
        causes.push(invalid(`spec.${field}`, value, "must be greater than or equal to 0"));
      }
    }
    const jobTemplate = objectAt(spec.jobTemplate) ?? {};
    const templateMeta = objectAt(jobTemplate.metadata) ?? {};
    causes.push(...validateLabels(templateMeta.labels, "spec.jobTemplate.metadata.labels"));
    causes.push(...validateAnnotations(templateMeta.annotations, "spec.jobTemplate.metadata.annotations"));
    causes.push(...validateJobSpec(objectAt(jobTemplate.spec), "spec.jobTemplate.spec"));
    return causes;
  },
};
