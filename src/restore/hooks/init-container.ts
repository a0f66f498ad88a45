// Velero's init-container restore hook: a restored Pod whose `init.hook.restore.velero.io/`
// annotations name an image gets that init container first, so it runs before the pod's own init
// and app containers. Only Pod items are changed, as in Velero: pods a controller creates later
// come from its template, which the restore leaves as it was.
import type { KubeObject } from "../../kube/types.js";
import { list, type RestoreItemAction, record } from "../actions/types.js";
import { initContainerFromAnnotations } from "./parse.js";

export const initContainerHookAction: RestoreItemAction = {
  name: "init-container-hook",
  appliesTo: { group: "", resources: ["pods"] },
  execute(item) {
    const parsed = initContainerFromAnnotations(item.metadata.annotations);
    if (!parsed) return {};
    const { value: hook, warnings } = parsed;
    const spec = record(item.spec) ?? {};
    const names = ["initContainers", "containers"].flatMap((field) => list(spec[field]).map((c) => c.name));
    if (names.includes(hook.name)) {
      // A pod backed up after an earlier restore carries the hook's container already.
      return {
        warnings: [
          ...warnings,
          `init container ${hook.name} not added: the pod has a container of that name`,
        ],
      };
    }
    const restored = structuredClone(item) as KubeObject;
    const restoredSpec = (restored.spec ?? {}) as Record<string, unknown>;
    restored.spec = restoredSpec;
    const container: Record<string, unknown> = { name: hook.name, image: hook.image };
    if (hook.command) container.command = hook.command;
    restoredSpec.initContainers = [container, ...list(restoredSpec.initContainers)];
    return { item: restored, warnings };
  },
};
