// Every kind with validation rules of its own, in one list: reading it tells what the simulated
// API server refuses beyond the ObjectMeta rules all kinds share.

import { customResourceDefinitionValidator, namespaceValidator } from "./cluster-objects.js";
import { configMapValidator, secretValidator } from "./config.js";
import { cronJobValidator, jobValidator } from "./jobs.js";
import type { KindValidator } from "./kind-validator.js";
import { podValidator } from "./pods.js";
import { clusterRoleBindingValidator, roleBindingValidator, roleValidator } from "./rbac.js";
import { serviceValidator } from "./services.js";
import { persistentVolumeClaimValidator, persistentVolumeValidator } from "./storage.js";
import {
  daemonSetValidator,
  deploymentValidator,
  replicaSetValidator,
  statefulSetValidator,
} from "./workloads.js";

export const kindValidators: KindValidator[] = [
  namespaceValidator,
  podValidator,
  serviceValidator,
  configMapValidator,
  secretValidator,
  persistentVolumeClaimValidator,
  persistentVolumeValidator,
  deploymentValidator,
  replicaSetValidator,
  daemonSetValidator,
  statefulSetValidator,
  jobValidator,
  cronJobValidator,
  roleValidator,
  roleBindingValidator,
  clusterRoleBindingValidator,
  customResourceDefinitionValidator,
];

export function validatorFor(group: string, kind: string): KindValidator | undefined {
  return kindValidators.find((v) => v.appliesTo.group === group && v.appliesTo.kinds.includes(kind));
}
