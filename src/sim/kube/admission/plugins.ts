// The built-in admission steps of kube-apiserver a restore meets, in the order they run after the
// Service allocator: ServiceAccount (pods), DefaultStorageClass (claims), Job selector generation.
import type { AdmissionHook } from "../admission.js";
import type { MemoryStore } from "../store.js";
import { defaultStorageClassAdmission } from "./default-storage-class.js";
import { jobSelectorGeneration } from "./job-selector.js";
import { serviceAccountAdmission } from "./service-account.js";

export function builtinAdmission(store: MemoryStore): AdmissionHook[] {
  return [serviceAccountAdmission(store), defaultStorageClassAdmission(store), jobSelectorGeneration];
}
