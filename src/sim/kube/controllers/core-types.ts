// The built-in resource types the controllers read and write, resolved once from the store so a
// controller names `types.pods` instead of repeating group and resource strings.
import type { ObjectStore } from "../api.js";
import type { ResourceInfo } from "../types.js";

const wanted = {
  namespaces: ["", "namespaces"],
  nodes: ["", "nodes"],
  pods: ["", "pods"],
  bindings: ["", "bindings"],
  services: ["", "services"],
  endpoints: ["", "endpoints"],
  configMaps: ["", "configmaps"],
  secrets: ["", "secrets"],
  serviceAccounts: ["", "serviceaccounts"],
  events: ["", "events"],
  pvcs: ["", "persistentvolumeclaims"],
  pvs: ["", "persistentvolumes"],
  deployments: ["apps", "deployments"],
  replicaSets: ["apps", "replicasets"],
  statefulSets: ["apps", "statefulsets"],
  daemonSets: ["apps", "daemonsets"],
  controllerRevisions: ["apps", "controllerrevisions"],
  jobs: ["batch", "jobs"],
  storageClasses: ["storage.k8s.io", "storageclasses"],
  csiDrivers: ["storage.k8s.io", "csidrivers"],
  endpointSlices: ["discovery.k8s.io", "endpointslices"],
  priorityClasses: ["scheduling.k8s.io", "priorityclasses"],
  crds: ["apiextensions.k8s.io", "customresourcedefinitions"],
} as const;

export type CoreTypes = { readonly [K in keyof typeof wanted]: ResourceInfo };

export function resolveCoreTypes(store: ObjectStore): CoreTypes {
  const resolved: Partial<Record<keyof typeof wanted, ResourceInfo>> = {};
  for (const [name, [group, resource]] of Object.entries(wanted) as Array<
    [keyof typeof wanted, readonly [string, string]]
  >) {
    const type = store.resourceFor(group, resource);
    if (!type) throw new Error(`the store does not serve ${resource}${group ? `.${group}` : ""}`);
    resolved[name] = type;
  }
  return resolved as CoreTypes;
}
