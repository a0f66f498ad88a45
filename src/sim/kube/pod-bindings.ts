// kube-apiserver's binding REST (pods/<name>/binding and the legacy bindings resource): assigns a
// pending pod to a node (spec.nodeName, PodScheduled=True); the Binding itself is never stored.
import { kubeTime } from "./object-meta.js";
import type { ServedType } from "./registry.js";
import { badRequest, conflict, notFound, StatusError } from "./status.js";
import type { MemoryStore } from "./store.js";
import { objectKey } from "./store-table.js";
import type { StoreWriter } from "./store-writes.js";
import type { KubeObject } from "./types.js";

interface BindingTarget {
  kind?: string;
  name?: string;
}

interface PodCondition {
  type?: string;
  status?: string;
  lastTransitionTime?: string;
}

export function isBindingType(type: ServedType): boolean {
  return type.group === "" && type.resource === "bindings";
}

/** What the binding REST answers on success: a Status, not the Binding. */
const bound = { apiVersion: "v1", kind: "Status", metadata: {}, status: "Success", code: 201 };

/**
 * Binds the pod the Binding names. `urlName` is the pod name of a pods/<name>/binding request.
 * Errors that are not Status errors in kube-apiserver (target validation) surface as 500, as there.
 */
export function bindPod(
  store: MemoryStore,
  writer: StoreWriter,
  binding: KubeObject,
  options: { dryRun?: boolean; urlName?: string } = {},
): KubeObject {
  const name = binding.metadata?.name ?? "";
  const namespace = binding.metadata?.namespace ?? "";
  if (options.urlName !== undefined && options.urlName !== name) {
    throw badRequest("name in URL does not match name in Binding object");
  }
  const target = (binding.target ?? {}) as BindingTarget;
  const problems: string[] = [];
  if (target.kind && target.kind !== "Node") {
    problems.push(`target.kind: Unsupported value: "${target.kind}": supported values: "Node", "<empty>"`);
  }
  if (!target.name) problems.push("target.name: Required value");
  if (problems.length > 0) {
    const message = problems.length === 1 ? (problems[0] ?? "") : `[${problems.join(", ")}]`;
    const error = new StatusError(500, "InternalError", message);
    // Not a Status error in kube-apiserver either: it answers with an empty (Unknown) reason.
    error.status.reason = "";
    throw error;
  }

  const pods = store.registry.lookup("", "v1", "pods");
  const current = pods ? store.entry(pods, namespace, name) : undefined;
  if (!pods || !current) throw notFound("pods", "", name);
  const refuse = (why: string) => conflict("pods/binding", "", name, why);
  const pod = current.object;
  const uid = binding.metadata?.uid;
  if (uid && uid !== pod.metadata?.uid) {
    throw conflict(
      "pods",
      "",
      name,
      `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${pod.metadata?.uid ?? ""}`,
    );
  }
  const spec = (pod.spec ?? {}) as { nodeName?: string; schedulingGates?: unknown[] };
  if (pod.metadata?.deletionTimestamp) {
    throw refuse(`pod ${name} is being deleted, cannot be assigned to a host`);
  }
  if (spec.nodeName) throw refuse(`pod ${name} is already assigned to node "${spec.nodeName}"`);
  if ((spec.schedulingGates ?? []).length > 0)
    throw refuse(`pod ${name} has non-empty .spec.schedulingGates`);
  if (options.dryRun) return { ...bound };

  const next: KubeObject = { ...pod, metadata: { ...(pod.metadata ?? {}) } };
  next.spec = { ...spec, nodeName: target.name };
  const annotations = binding.metadata?.annotations;
  if (annotations && Object.keys(annotations).length > 0) {
    next.metadata = {
      ...next.metadata,
      annotations: { ...(next.metadata?.annotations ?? {}), ...annotations },
    };
  }
  next.status = { ...((next.status as object | undefined) ?? {}), conditions: scheduled(next, store.now()) };
  writer.commitModified(pods, objectKey(namespace, name), current, next);
  return { ...bound };
}

/** The pod's conditions with PodScheduled=True, as podutil.UpdatePodCondition leaves them. */
function scheduled(pod: KubeObject, now: Date): PodCondition[] {
  const conditions = [...((pod.status as { conditions?: PodCondition[] } | undefined)?.conditions ?? [])];
  const i = conditions.findIndex((c) => c.type === "PodScheduled");
  const old = i >= 0 ? conditions[i] : undefined;
  const condition: PodCondition = {
    type: "PodScheduled",
    status: "True",
    lastTransitionTime:
      old?.status === "True" && old.lastTransitionTime ? old.lastTransitionTime : kubeTime(now),
  };
  if (i >= 0) conditions[i] = condition;
  else conditions.push(condition);
  return conditions;
}
