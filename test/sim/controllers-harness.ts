// A simulated cluster in-process for the controller tests: the real MemoryStore, the seeded AKS
// objects, the controllers, and the real Azure fake as the disk provisioner; no HTTP in between.

import { type AzureFake, startAzureFake } from "../../src/sim/azure/server.js";
import type { ObjectStore } from "../../src/sim/kube/api.js";
import {
  type ControllerOptions,
  type Controllers,
  seedCluster,
  startControllers,
} from "../../src/sim/kube/controllers/index.js";
import { MemoryStore } from "../../src/sim/kube/store.js";
import type { KubeObject, ResourceInfo } from "../../src/sim/kube/types.js";
import { createTlsMaterial, type TlsMaterial } from "../../src/sim/tls.js";

export interface TestCluster {
  store: ObjectStore;
  memory: MemoryStore;
  controllers: Controllers;
  azure: AzureFake | undefined;
  /** What controllers reported giving up on; tests expect it empty. */
  logs: string[];
  type(group: string, resource: string): ResourceInfo;
  create(group: string, resource: string, object: KubeObject): KubeObject;
  get(group: string, resource: string, namespace: string | undefined, name: string): KubeObject | undefined;
  list(group: string, resource: string, namespace?: string): KubeObject[];
  idle(): Promise<void>;
  close(): Promise<void>;
}

let tls: TlsMaterial | undefined;

export async function startTestCluster(
  options: ControllerOptions & { azure?: boolean } = {},
): Promise<TestCluster> {
  const memory = new MemoryStore({ compactionIntervalMs: 0 });
  const store: ObjectStore = memory;
  let azure: AzureFake | undefined;
  const logs: string[] = [];
  let controllerOptions: ControllerOptions = {
    crdEstablishDelayMs: 20,
    jobPodRunMs: 10,
    log: (message) => logs.push(message),
    ...options,
  };
  if (options.azure !== false) {
    tls ??= await createTlsMaterial();
    azure = await startAzureFake({ tls, token: "controllers-test", location: "westeurope" });
    const nodeResourceGroup = "MC_rg_sim_westeurope";
    const id = azure.registerManagedCluster({
      resourceGroup: "rg",
      name: "sim",
      nodeResourceGroup,
      kubeconfig: "",
      location: "westeurope",
      zones: ["1", "2", "3"],
    });
    controllerOptions = { provisioner: azure.provisionerFor(id), nodeResourceGroup, ...controllerOptions };
  }
  seedCluster(store, controllerOptions);
  const controllers = startControllers(store, controllerOptions);
  const type = (group: string, resource: string) => {
    const t = store.resourceFor(group, resource);
    if (!t) throw new Error(`not served: ${resource}.${group}`);
    return t;
  };
  return {
    store,
    memory,
    controllers,
    azure,
    logs,
    type,
    create: (group, resource, object) => store.create(type(group, resource), object),
    get: (group, resource, namespace, name) => store.get(type(group, resource), namespace, name),
    list: (group, resource, namespace) =>
      store.list(type(group, resource), namespace ? { namespace } : {}).items,
    idle: () => controllers.idle(),
    async close() {
      controllers.stop();
      memory.close();
      await azure?.close();
    },
  };
}

export function namespace(name: string): KubeObject {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name } };
}

export function container(name = "app", image = "nginx:1.27"): Record<string, unknown> {
  return { name, image };
}

export function specOf(object: KubeObject | undefined): Record<string, unknown> {
  return (object?.spec ?? {}) as Record<string, unknown>;
}

export function statusOf(object: KubeObject | undefined): Record<string, unknown> {
  return (object?.status ?? {}) as Record<string, unknown>;
}
