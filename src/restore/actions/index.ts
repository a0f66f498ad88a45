// What a restore changes in each item, in the order it happens: types never restored, items skipped
// per kind, per-kind rewrites, then the rules for every item. The first skip ends the list.
import type { KubeObject } from "../../kube/types.js";
import { initContainerHookAction } from "../hooks/init-container.js";
import { jobAction } from "./job.js";
import { namespaceMappingAction } from "./namespace-mapping.js";
import { neverRestoreActions, rootCaConfigMapAction } from "./never-restore.js";
import { ownerReferencesAction } from "./owner-references.js";
import { persistentVolumeAction } from "./persistent-volume.js";
import { persistentVolumeClaimAction } from "./persistent-volume-claim.js";
import { podAction } from "./pod.js";
import { roleBindingAction } from "./role-binding.js";
import { secretAction } from "./secret.js";
import { serverFieldsAction } from "./server-fields.js";
import { serviceAction } from "./service.js";
import { appliesTo, type RestoreContext, type RestoreItemAction } from "./types.js";

export type { ActionResult, AppliesTo, RestoreContext, RestoredItemRef, RestoreItemAction } from "./types.js";

// Kind-specific actions read status and managedFields, so server fields go after them.
export const restoreItemActions: readonly RestoreItemAction[] = [
  ...neverRestoreActions,
  rootCaConfigMapAction,
  secretAction,
  podAction,
  initContainerHookAction,
  jobAction,
  serviceAction,
  persistentVolumeClaimAction,
  persistentVolumeAction,
  roleBindingAction,
  serverFieldsAction,
  ownerReferencesAction,
  namespaceMappingAction,
];

/** What the actions made of one item: the item to restore, or why it is skipped. */
export interface ActionsOutcome {
  item?: KubeObject;
  skip?: { action: string; reason: string };
  warnings: string[];
}

/** Runs every action that applies to the item's type, each on the previous one's result. */
export function runRestoreItemActions(
  item: KubeObject,
  type: { group: string; resource: string },
  context: RestoreContext,
  actions: readonly RestoreItemAction[] = restoreItemActions,
): ActionsOutcome {
  let current = item;
  const warnings: string[] = [];
  for (const action of actions) {
    if (!appliesTo(action, type)) continue;
    const result = action.execute(current, context);
    warnings.push(...(result.warnings ?? []).map((warning) => `${action.name}: ${warning}`));
    if (result.skip !== undefined) return { skip: { action: action.name, reason: result.skip }, warnings };
    current = result.item ?? current;
  }
  return { item: current, warnings };
}
