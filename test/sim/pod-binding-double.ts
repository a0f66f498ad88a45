// TEST DOUBLE, to delete once MemoryStore serves pods/binding itself: creating a core v1 Binding
// sets the pod's spec.nodeName and PodScheduled condition, as kube-apiserver's binding REST does.
import type { ObjectStore } from "../../src/sim/kube/api.js";
import { StatusError } from "../../src/sim/kube/status.js";
import type { MemoryStore } from "../../src/sim/kube/store.js";
import type { KubeObject, ResourceInfo } from "../../src/sim/kube/types.js";

function bind(memory: MemoryStore, binding: KubeObject): KubeObject {
  const namespace = binding.metadata?.namespace ?? "";
  const name = binding.metadata?.name ?? "";
  const node = (binding.target as { name?: string } | undefined)?.name ?? "";
  const pods = memory.resolve({ group: "", version: "v1", resource: "pods" } as ResourceInfo);
  const current = memory.entry(pods, namespace, name);
  if (!current) throw new StatusError(404, "NotFound", `pods "${name}" not found`);
  const pod = structuredClone(current.object);
  const spec = (pod.spec ?? {}) as { nodeName?: string };
  if (spec.nodeName) {
    throw new StatusError(
      409,
      "Conflict",
      `Operation cannot be fulfilled on pods/binding "${name}": pod ${name} is already assigned to node "${spec.nodeName}"`,
    );
  }
  pod.spec = { ...spec, nodeName: node };
  const status = (pod.status ?? {}) as { conditions?: Array<Record<string, unknown>> };
  const at = `${new Date().toISOString().slice(0, 19)}Z`;
  pod.status = {
    ...status,
    conditions: [
      ...(status.conditions ?? []).filter((c) => c.type !== "PodScheduled"),
      { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: at },
    ],
  };
  const rv = memory.nextRevision();
  pod.metadata = { ...pod.metadata, resourceVersion: String(rv) };
  const entry = { object: pod, rv };
  const key = `${namespace}/${name}`;
  memory.table(pods).put(key, entry);
  memory.commit({
    rv,
    table: "/pods",
    type: memory.preferred(pods),
    key,
    event: "MODIFIED",
    entry,
    prev: current,
    at: Date.now(),
  });
  return { apiVersion: "v1", kind: "Status", status: "Success", code: 201 } as KubeObject;
}

export function withPodBinding(memory: MemoryStore): ObjectStore {
  return new Proxy(memory, {
    get(target, property, receiver) {
      if (property === "create") {
        return (type: ResourceInfo, object: KubeObject, options?: object) =>
          type.group === "" && type.resource === "bindings"
            ? bind(target, object)
            : target.create(type, object, options);
      }
      const value = Reflect.get(target, property, receiver);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
