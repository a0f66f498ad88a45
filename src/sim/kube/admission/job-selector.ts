// Selector generation of the Job registry (its PrepareForCreate): unless spec.manualSelector is
// true, the template gets the job-name and controller-uid labels and the selector the uid.
import type { AdmissionHook } from "../admission.js";
import type { KubeObject } from "../types.js";

export const controllerUidLabel = "batch.kubernetes.io/controller-uid";
export const legacyControllerUidLabel = "controller-uid";
export const jobNameLabel = "batch.kubernetes.io/job-name";
export const legacyJobNameLabel = "job-name";

interface JobSpec {
  manualSelector?: boolean;
  selector?: { matchLabels?: Record<string, string> };
  template?: { metadata?: { labels?: Record<string, string> } };
}

/** In place; labels the user already set are kept (validation then refuses wrong ones). */
export function generateJobSelector(job: KubeObject): void {
  const spec = (job.spec ?? {}) as JobSpec;
  job.spec = spec as Record<string, unknown>;
  if (spec.manualSelector === true) return;
  const uid = job.metadata?.uid ?? "";
  const name = job.metadata?.name ?? "";
  const template = spec.template ?? {};
  const templateMeta = template.metadata ?? {};
  const labels = templateMeta.labels ?? {};
  for (const key of [legacyJobNameLabel, jobNameLabel]) labels[key] ??= name;
  for (const key of [legacyControllerUidLabel, controllerUidLabel]) labels[key] ??= uid;
  spec.template = { ...template, metadata: { ...templateMeta, labels } };
  const selector = spec.selector ?? {};
  spec.selector = { ...selector, matchLabels: { ...(selector.matchLabels ?? {}) } };
  spec.selector.matchLabels ??= {};
  spec.selector.matchLabels[controllerUidLabel] ??= uid;
}

export const jobSelectorGeneration: AdmissionHook = (request) => {
  if (request.operation === "CREATE" && request.type.group === "batch" && request.type.resource === "jobs") {
    generateJobSelector(request.object);
  }
  return undefined;
};
