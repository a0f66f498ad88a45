// Owner references survive only towards owners restored in the same run; they keep the owner's
// old uid, which the apply step re-points to the new one. References to absent owners are dropped,
// because the garbage collector would delete an item whose owner does not exist.
import type { KubeObject } from "../../kube/types.js";
import type { RestoreItemAction } from "./types.js";

export const ownerReferencesAction: RestoreItemAction = {
  name: "owner-references",
  appliesTo: { group: "*", resources: ["*"] },
  execute(item, context) {
    const references = item.metadata.ownerReferences;
    if (!references || references.length === 0) return {};
    const kept = references.filter(
      (ref) => typeof ref.uid === "string" && context.itemsByOldUid.has(ref.uid),
    );
    if (kept.length === references.length) return {};
    const warnings = references
      .filter((ref) => !kept.includes(ref))
      .map((ref) => `owner ${String(ref.kind)}/${String(ref.name)} is not restored; reference dropped`);
    const restored = structuredClone(item) as KubeObject;
    if (kept.length > 0) restored.metadata.ownerReferences = structuredClone(kept);
    else delete restored.metadata.ownerReferences;
    return { item: restored, warnings };
  },
};
