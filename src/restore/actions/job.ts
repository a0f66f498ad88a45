// Jobs: finished Jobs are skipped; the rest lose the selector and labels the Job controller
// generated from the old uid, which the API server would reject for the new Job.
import type { KubeObject } from "../../kube/types.js";
import { list, type RestoreItemAction, record } from "./types.js";

const CONTROLLER_UID_LABELS = ["controller-uid", "batch.kubernetes.io/controller-uid"];

function isFinished(status: Record<string, unknown> | undefined): boolean {
  if (status?.completionTime !== undefined) return true;
  return list(status?.conditions).some(
    (condition) =>
      (condition.type === "Complete" || condition.type === "Failed") && condition.status === "True",
  );
}

export const jobAction: RestoreItemAction = {
  name: "job",
  appliesTo: { group: "batch", resources: ["jobs"] },
  execute(item) {
    if (isFinished(record(item.status))) return { skip: "the Job has finished" };
    const restored = structuredClone(item) as KubeObject;
    const spec = record(restored.spec);
    if (!spec || spec.manualSelector === true) return {};
    delete spec.selector;
    const labels = record(record(record(spec.template)?.metadata)?.labels);
    for (const label of CONTROLLER_UID_LABELS) delete labels?.[label];
    return { item: restored };
  },
};
