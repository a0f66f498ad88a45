// Which restored pods get exec hooks, and which hooks: a bare Pod the restore created is found by
// its name; the pods of a restored workload (Deployment, StatefulSet, ...) by the workload's
// selector, because its controller may replace them under new names. A pod's hooks come from its
// annotations, or else from the RestoreHook rules that select it in its (target) namespace. Pure.
import { formatDuration, type Parsed, selectorOf } from "../../backup/hooks/parse.js";
import { resolveContainer } from "../../backup/hooks/plan.js";
import { namespaceMatcher } from "../../backup/namespaces.js";
import type { KubeObject } from "../../kube/types.js";
import { type LabelRequirement, matchesLabels } from "../../model/label-selector.js";
import type { ItemOutcome, PlannedItem } from "../types.js";
import { type RestoreExecHook, type RestoreHookRule, restoreHookFromAnnotations } from "./parse.js";

/** A restored item and what applying it did. */
export interface AppliedItem {
  item: PlannedItem;
  outcome: ItemOutcome;
}

/** Pods whose hooks run, as the restore made them: one bare pod, or the pods of one workload. */
export interface HookTarget {
  namespace: string;
  kind: string;
  name: string;
  /** A bare Pod: found by name. */
  podName?: string;
  /** A workload: its pods found by its selector. */
  selector?: LabelRequirement[];
  /** Pods to wait for; a DaemonSet's number is read from its status in the cluster. */
  replicas: number | "desiredNumberScheduled";
  /** The hooks of the pod (or pod template) as restored. */
  hooks: RestoreExecHook[];
  /** The longest wait-timeout among them: how long the target's pods are waited for. */
  waitTimeoutMs: number;
}

export interface HookTargets {
  targets: HookTarget[];
  warnings: string[];
}

/** A restore hook with the container it runs in. */
export type PlannedRestoreHook = RestoreExecHook & { container: string };

interface PodMeta {
  namespace: string;
  labels?: Readonly<Record<string, string>> | undefined;
  annotations?: Readonly<Record<string, string>> | undefined;
}

/** The workloads whose pods are waited for, by `resource.group`; Jobs and CronJobs run to completion. */
const WORKLOADS: Record<string, "replicas" | "desiredNumberScheduled"> = {
  "deployments.apps": "replicas",
  "replicasets.apps": "replicas",
  "statefulsets.apps": "replicas",
  "daemonsets.apps": "desiredNumberScheduled",
  "replicationcontrollers.": "replicas",
};

const POD = "pods.";

function ruleSelects(rule: RestoreHookRule, pod: PodMeta): boolean {
  const inNamespace = namespaceMatcher({
    includedNamespaces: rule.includedNamespaces,
    excludedNamespaces: rule.excludedNamespaces,
  });
  if (!inNamespace(pod.namespace)) return false;
  return !rule.selector || matchesLabels(rule.selector, pod.labels);
}

/**
 * A pod's exec hooks: the `post.hook.restore.velero.io/` annotations if it has them (then no rule
 * applies, as in Velero), else every hook of every rule selecting it, in the rules' order.
 */
export function restoreHooksOf(pod: PodMeta, rules: readonly RestoreHookRule[]): Parsed<RestoreExecHook[]> {
  const annotated = restoreHookFromAnnotations(pod.annotations);
  if (annotated) return { value: [annotated.value], warnings: annotated.warnings };
  return {
    value: rules.filter((rule) => ruleSelects(rule, pod)).flatMap((rule) => rule.hooks),
    warnings: [],
  };
}

/** The hooks of a live pod, each with its container (default: the first) or the problem with it. */
export function planPodHooks(
  pod: KubeObject,
  rules: readonly RestoreHookRule[],
): Parsed<PlannedRestoreHook[]> {
  const { value, warnings } = restoreHooksOf(podMeta(pod), rules);
  const containers = (
    (pod.spec as { containers?: Array<{ name?: string }> } | undefined)?.containers ?? []
  ).map((c) => c.name ?? "");
  return { value: value.map((hook) => resolveContainer(hook, pod, containers)), warnings };
}

function podMeta(object: KubeObject, namespace = object.metadata.namespace ?? ""): PodMeta {
  return { namespace, labels: object.metadata.labels, annotations: object.metadata.annotations };
}

interface ContainerStatus {
  name?: string;
  ready?: boolean;
  state?: { running?: unknown };
}

/**
 * Whether the hook can run in the pod now: the pod Running and not being deleted, its container
 * running (and ready, with wait-for-ready). Velero waits for running by default: a readiness
 * probe may well depend on what the hook restores.
 */
export function hookCanRun(pod: KubeObject, hook: PlannedRestoreHook): boolean {
  if (pod.metadata.deletionTimestamp) return false;
  const status = (pod.status ?? {}) as { phase?: string; containerStatuses?: ContainerStatus[] };
  if (status.phase !== "Running") return false;
  const container = status.containerStatuses?.find((c) => c.name === hook.container);
  if (!container?.state?.running) return false;
  return !hook.waitForReady || container.ready === true;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : undefined;
}

function workloadSelector(key: string, spec: Record<string, unknown>): LabelRequirement[] | undefined {
  if (key !== "replicationcontrollers.") return selectorOf(spec.selector);
  // A ReplicationController's selector is a plain map, defaulted from its template's labels.
  const map = record(spec.selector) ?? record(record(record(spec.template)?.metadata)?.labels);
  if (!map) return undefined;
  return Object.entries(map).map(([key, value]) => ({
    key,
    operator: "In" as const,
    values: [String(value)],
  }));
}

function describeItem(item: PlannedItem): string {
  return `${item.kind} ${item.namespace}/${item.name}`;
}

/** The target an item would be, with no regard to what owns it; undefined when no hook applies. */
function candidate(
  { item }: AppliedItem,
  rules: readonly RestoreHookRule[],
  warnings: string[],
): HookTarget | undefined {
  const key = `${item.resource}.${item.group}`;
  const namespace = item.namespace ?? "";
  const base = { namespace, kind: item.kind, name: item.name };
  const withHooks = (parsed: Parsed<RestoreExecHook[]>) => {
    warnings.push(...parsed.warnings.map((w) => `${describeItem(item)}: ${w}`));
    return parsed.value;
  };
  if (key === POD) {
    const hooks = withHooks(restoreHooksOf(podMeta(item.object, namespace), rules));
    if (hooks.length === 0) return undefined;
    return { ...base, podName: item.name, replicas: 1, hooks, waitTimeoutMs: longestWait(hooks) };
  }
  const counted = WORKLOADS[key];
  if (counted === undefined) return undefined;
  const spec = record(item.object.spec) ?? {};
  const template = record(spec.template);
  const metadata = (record(template?.metadata) ?? {}) as KubeObject["metadata"];
  const hooks = withHooks(
    restoreHooksOf({ namespace, labels: metadata.labels, annotations: metadata.annotations }, rules),
  );
  if (hooks.length === 0) return undefined;
  const selector = workloadSelector(key, spec);
  if (!selector || selector.length === 0) {
    warnings.push(`${describeItem(item)}: restore hooks not run: it has no pod selector`);
    return undefined;
  }
  let replicas: HookTarget["replicas"] = "desiredNumberScheduled";
  if (counted === "replicas") {
    replicas = typeof spec.replicas === "number" ? spec.replicas : 1;
    if (replicas === 0) {
      warnings.push(`${describeItem(item)}: restore hooks not run: it has 0 replicas`);
      return undefined;
    }
  }
  return { ...base, selector, replicas, hooks, waitTimeoutMs: longestWait(hooks) };
}

function longestWait(hooks: readonly RestoreExecHook[]): number {
  return Math.max(0, ...hooks.map((hook) => hook.waitTimeoutMs));
}

/** The old uid of the item's controller (owner references still hold the backup's uids). */
function controllerUid(item: PlannedItem): string | undefined {
  const ref = item.object.metadata.ownerReferences?.find((owner) => owner.controller === true);
  return typeof ref?.uid === "string" ? ref.uid : undefined;
}

/**
 * The pods to run exec hooks in, from the items this restore created: bare Pods and workloads
 * whose pod template carries hooks or is selected by a rule. A Pod or ReplicaSet whose controller
 * (Deployment, ReplicaSet, ...) is a target itself is left to it, since the controller may replace
 * it. Items that existed already (skipped or patched) get no hooks: their pods were not restored.
 */
export function planHookTargets(
  applied: readonly AppliedItem[],
  rules: readonly RestoreHookRule[],
): HookTargets {
  const warnings: string[] = [];
  const created = applied.filter((entry) => entry.outcome === "created");
  const byOldUid = new Map<string, PlannedItem>();
  for (const { item } of created) if (item.oldUid) byOldUid.set(item.oldUid, item);
  const candidates = new Map<PlannedItem, HookTarget>();
  for (const entry of created) {
    const target = candidate(entry, rules, warnings);
    if (target) candidates.set(entry.item, target);
  }
  const coveredByController = (item: PlannedItem): boolean => {
    let current: PlannedItem | undefined = item;
    for (let depth = 0; depth < 4 && current; depth++) {
      const uid = controllerUid(current);
      current = uid === undefined ? undefined : byOldUid.get(uid);
      if (current && candidates.has(current)) return true;
    }
    return false;
  };
  const targets = [...candidates].filter(([item]) => !coveredByController(item)).map(([, target]) => target);
  return { targets, warnings: [...new Set(warnings)] };
}

/** "Deployment shop/web (2 pods): [psql -f /seed.sql] (annotations)", for a dry run's report. */
export function describeTarget(target: HookTarget): string {
  const pods =
    target.replicas === "desiredNumberScheduled"
      ? "one pod per node"
      : `${target.replicas} pod${target.replicas === 1 ? "" : "s"}`;
  const hooks = target.hooks.map((hook) => `[${hook.command.join(" ")}] (${hook.source})`).join(", ");
  return `${target.kind} ${target.namespace}/${target.name} (${pods}, waited for up to ${formatDuration(target.waitTimeoutMs)}): ${hooks}`;
}

/**
 * Whether a planned pod or pod template carries an exec hook annotation: without one, and without
 * RestoreHook references, a restore has no hooks to run and skips the step.
 */
export function hasRestoreHookAnnotations(items: readonly PlannedItem[]): boolean {
  return items.some(({ group, resource, object }) => {
    const key = `${resource}.${group}`;
    const annotations =
      key === POD
        ? object.metadata.annotations
        : WORKLOADS[key] !== undefined
          ? (record(record(record(object.spec)?.template)?.metadata)?.annotations as
              | Record<string, string>
              | undefined)
          : undefined;
    return restoreHookFromAnnotations(annotations) !== undefined;
  });
}
