// Which pods get which hooks: the running pods that mount a claim being snapshotted, with their
// annotation hooks, or else the BackupHook rules that select them; containers resolved. Pure.
import type { KubeObject } from "../../kube/types.js";
import { matchesLabels } from "../../model/label-selector.js";
import type { DiskVolume } from "../../volumes/discovery.js";
import { namespaceMatcher } from "../namespaces.js";
import { type ExecHook, type HookRule, hookFromAnnotations } from "./parse.js";

export interface PlannedHook extends ExecHook {
  container: string;
}

export interface PodHooks {
  namespace: string;
  pod: string;
  /** The snapshotted claims the pod mounts, "namespace/name". */
  claims: string[];
  pre: PlannedHook[];
  post: PlannedHook[];
}

export interface HookPlan {
  pods: PodHooks[];
  warnings: string[];
}

interface PodSpec {
  containers?: Array<{ name?: string }>;
  volumes?: Array<{ persistentVolumeClaim?: { claimName?: string } }>;
}

/** The hook with its container named (default: the pod's first), or a problem if the pod has no such container. */
export function resolveContainer<T extends ExecHook>(
  hook: T,
  pod: KubeObject,
  containers: readonly string[],
): T & { container: string } {
  const container = hook.container ?? containers[0] ?? "";
  const planned: T & { container: string } = { ...hook, container };
  if (!planned.problem && !containers.includes(container)) {
    const name = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    planned.problem = `container "${container}" is not in pod ${name} (its containers: ${containers.join(", ") || "none"})`;
  }
  return planned;
}

function ruleMatches(rule: HookRule, pod: KubeObject): boolean {
  const inNamespace = namespaceMatcher({
    includedNamespaces: rule.includedNamespaces,
    excludedNamespaces: rule.excludedNamespaces,
  });
  if (!inNamespace(pod.metadata?.namespace ?? "")) return false;
  return !rule.selector || matchesLabels(rule.selector, pod.metadata?.labels);
}

/**
 * Hooks exist to make snapshots consistent, so only pods that mount a snapshotted claim get them
 * (Velero runs them for every backed-up pod). A pod's annotations win over BackupHook rules, as in
 * Velero; pods not Running have nothing mounted to quiesce and are left alone.
 */
export function planHooks(
  pods: readonly KubeObject[],
  disks: readonly DiskVolume[],
  rules: readonly HookRule[],
): HookPlan {
  const snapshotted = new Set(disks.map((d) => d.pvc));
  const warnings: string[] = [];
  const planned: PodHooks[] = [];
  for (const pod of pods) {
    const namespace = pod.metadata?.namespace ?? "";
    const name = pod.metadata?.name ?? "";
    const spec = (pod.spec ?? {}) as PodSpec;
    const claims = [
      ...new Set(
        (spec.volumes ?? [])
          .map((v) => v.persistentVolumeClaim?.claimName)
          .filter((c): c is string => c !== undefined && snapshotted.has(`${namespace}/${c}`))
          .map((c) => `${namespace}/${c}`),
      ),
    ];
    if (claims.length === 0) continue;
    if ((pod.status as { phase?: string } | undefined)?.phase !== "Running") continue;
    if (pod.metadata?.deletionTimestamp) continue;
    const containers = (spec.containers ?? []).map((c) => c.name ?? "");
    const pre = hookFromAnnotations(pod.metadata?.annotations, "pre");
    const post = hookFromAnnotations(pod.metadata?.annotations, "post");
    let preHooks: ExecHook[];
    let postHooks: ExecHook[];
    if (pre || post) {
      for (const w of [...(pre?.warnings ?? []), ...(post?.warnings ?? [])]) {
        warnings.push(`pod ${namespace}/${name}: ${w}`);
      }
      preHooks = pre ? [pre.value] : [];
      postHooks = post ? [post.value] : [];
    } else {
      const matching = rules.filter((rule) => ruleMatches(rule, pod));
      preHooks = matching.flatMap((rule) => rule.pre);
      postHooks = matching.flatMap((rule) => rule.post);
    }
    if (preHooks.length === 0 && postHooks.length === 0) continue;
    planned.push({
      namespace,
      pod: name,
      claims,
      pre: preHooks.map((h) => resolveContainer(h, pod, containers)),
      post: postHooks.map((h) => resolveContainer(h, pod, containers)),
    });
  }
  return { pods: planned, warnings };
}
