// The objects a new AKS cluster has before anyone uses it: namespaces, nodes, storage classes and
// CSI drivers, priority classes, the `kubernetes` Service and the kube-system add-ons. Idempotent.
import type { ObjectStore } from "../api.js";
import type { KubeObject, ResourceInfo } from "../types.js";
import { type ControllerOptions, resolveOptions } from "./context.js";
import { resolveCoreTypes } from "./core-types.js";
import { seedNodes } from "./seed-nodes.js";
import { seedCsiDrivers, seedStorageClasses } from "./seed-storage.js";
import { seedDefaultNamespace, seedKubeSystem, seedPriorityClasses } from "./seed-system.js";
import { createIfAbsent } from "./store-errors.js";

const systemNamespaces = ["default", "kube-node-lease", "kube-public", "kube-system"];

export function seedCluster(store: ObjectStore, options: ControllerOptions): void {
  const resolved = resolveOptions(options);
  const types = resolveCoreTypes(store);
  const create = (type: ResourceInfo, object: KubeObject) => {
    const meta = object.metadata ?? {};
    if (store.get(type, meta.namespace, meta.name ?? "")) return;
    createIfAbsent(() => store.create(type, object));
  };

  for (const name of systemNamespaces) {
    create(types.namespaces, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name, labels: { "kubernetes.io/metadata.name": name } },
      spec: { finalizers: ["kubernetes"] },
    });
  }
  for (const { node, status } of seedNodes(resolved)) {
    const name = node.metadata?.name ?? "";
    if (store.get(types.nodes, undefined, name)) continue;
    const created = store.create(types.nodes, node);
    // Nodes report their own status after registering; the store may have reset it on create.
    if (JSON.stringify(created.status) !== JSON.stringify(status)) {
      created.status = status;
      store.updateStatus(types.nodes, created);
    }
  }
  for (const sc of seedStorageClasses()) create(types.storageClasses, sc);
  for (const driver of seedCsiDrivers()) create(types.csiDrivers, driver);
  for (const pc of seedPriorityClasses()) create(types.priorityClasses, pc);
  for (const object of [...seedDefaultNamespace(), ...seedKubeSystem(resolved)]) {
    const type = store.resourceFor(
      object.apiVersion?.includes("/") ? (object.apiVersion.split("/")[0] ?? "") : "",
      object.kind ?? "",
    );
    if (type) create(type, object);
  }
}
