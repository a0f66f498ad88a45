// The patch types kube-apiserver accepts, applied to stored objects: JSON patch, merge patch,
// strategic merge patch and server-side apply with managedFields ownership.
export { applyServerSideApply } from "./patch/apply.js";
export { applyJsonPatch } from "./patch/json-patch.js";
export { recordUpdateManagedFields } from "./patch/managed-fields.js";
export { applyMergePatch } from "./patch/merge-patch.js";
export { applyStrategicMergePatch } from "./patch/strategic.js";
