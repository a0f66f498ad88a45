// The controllers of the simulated AKS cluster, in one list that reads as what a restore meets:
// namespace lifecycle, CRDs, garbage collection, workloads, scheduling, volumes.
import type { ObjectStore } from "../api.js";
import type { ControllerFactory, ControllerOptions } from "./context.js";
import { crdEstablishingController } from "./crd-establishing.js";
import { crdFinalizerController } from "./crd-finalizer.js";
import { crdNamingController } from "./crd-naming.js";
import { csiProvisioner } from "./csi-provisioner.js";
import { daemonSetController } from "./daemon-set.js";
import { deploymentController } from "./deployment.js";
import { garbageCollector } from "./garbage-collector.js";
import { jobController } from "./job.js";
import { kubelet } from "./kubelet.js";
import { type Controllers, runControllers } from "./manager.js";
import { namespaceController } from "./namespace.js";
import { pvBinder } from "./pv-binder.js";
import { pvProtectionController } from "./pv-protection.js";
import { pvcProtectionController } from "./pvc-protection.js";
import { replicaSetController } from "./replica-set.js";
import { rootCaPublisher } from "./root-ca-publisher.js";
import { scheduler } from "./scheduler.js";
import { serviceAccountController } from "./service-account.js";
import { statefulSetController } from "./stateful-set.js";

export type { ControllerOptions } from "./context.js";
export type { Controllers } from "./manager.js";
export { seedCluster } from "./seed.js";

export const controllerFactories: readonly ControllerFactory[] = [
  // Namespaces: defaults in every new one, contents removed before one goes.
  serviceAccountController,
  rootCaPublisher,
  namespaceController,
  // CustomResourceDefinitions: names accepted, Established after a delay, instances cleaned up.
  crdNamingController,
  crdEstablishingController,
  crdFinalizerController,
  // Owners and dependents.
  garbageCollector,
  // Workloads down to running pods.
  deploymentController,
  replicaSetController,
  statefulSetController,
  daemonSetController,
  jobController,
  scheduler,
  kubelet,
  // Storage: binding, Azure Disk / Azure Files provisioning, protection finalizers.
  pvBinder,
  csiProvisioner,
  pvcProtectionController,
  pvProtectionController,
];

export function startControllers(store: ObjectStore, options: ControllerOptions): Controllers {
  return runControllers(store, options, controllerFactories);
}
