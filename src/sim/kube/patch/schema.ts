// Which lists of the built-in kinds merge and by what key, which maps are atomic: the struct tags
// (patchStrategy/patchMergeKey, listType/listMapKey, structType/mapType) of k8s.io/api, as data.

export interface ListMapKey {
  field: string;
  /** Value the API server defaults the key to when an item omits it (e.g. protocol TCP). */
  default?: string | number;
}

export interface FieldRule {
  /** Schema type of the field's value, or of each element of a list. */
  type?: string;
  /** `merge`: strategic merge patch merges the list (by mergeKey, or by value for primitives). */
  strategy?: "merge";
  mergeKey?: string;
  /** patchStrategy `retainKeys`: `$retainKeys` in the patch clears the keys it does not list. */
  retainKeys?: boolean;
  /** Server-side apply keys of an associative list when they are more than the merge key. */
  listMapKeys?: ListMapKey[];
  /** structType/mapType atomic: server-side apply owns and replaces the value as a whole. */
  atomic?: boolean;
}

const tcp: ListMapKey = { field: "protocol", default: "TCP" };

// [schema type, field, rule, source in k8s.io/api]. A kind's root type is its Kind; `metadata` is
// ObjectMeta everywhere. Fields not listed are maps that merge and lists that replace (atomic).
// biome-ignore format: one line per entry keeps the table readable
const fieldRules: ReadonlyArray<readonly [string, string, FieldRule, string]> = [
  ["ObjectMeta", "finalizers", { strategy: "merge" }, "meta/v1 ObjectMeta.Finalizers patchStrategy=merge listType=set"],
  ["ObjectMeta", "ownerReferences", { strategy: "merge", mergeKey: "uid" }, "meta/v1 ObjectMeta.OwnerReferences patchMergeKey=uid"],
  ["Pod", "spec", { type: "PodSpec" }, "core/v1 Pod.Spec"],
  ["Pod", "status", { type: "PodStatus" }, "core/v1 Pod.Status"],
  ["PodTemplate", "template", { type: "PodTemplateSpec" }, "core/v1 PodTemplate.Template"],
  ["PodTemplateSpec", "spec", { type: "PodSpec" }, "core/v1 PodTemplateSpec.Spec"],
  ["PodSpec", "containers", { type: "Container", strategy: "merge", mergeKey: "name" }, "core/v1 PodSpec.Containers patchMergeKey=name"],
  ["PodSpec", "initContainers", { type: "Container", strategy: "merge", mergeKey: "name" }, "core/v1 PodSpec.InitContainers patchMergeKey=name"],
  ["PodSpec", "ephemeralContainers", { type: "Container", strategy: "merge", mergeKey: "name" }, "core/v1 PodSpec.EphemeralContainers patchMergeKey=name"],
  ["PodSpec", "volumes", { strategy: "merge", mergeKey: "name", retainKeys: true }, "core/v1 PodSpec.Volumes patchStrategy=merge,retainKeys"],
  ["PodSpec", "imagePullSecrets", { strategy: "merge", mergeKey: "name" }, "core/v1 PodSpec.ImagePullSecrets patchMergeKey=name"],
  ["PodSpec", "hostAliases", { strategy: "merge", mergeKey: "ip" }, "core/v1 PodSpec.HostAliases patchMergeKey=ip"],
  ["PodSpec", "topologySpreadConstraints", { strategy: "merge", mergeKey: "topologyKey", listMapKeys: [{ field: "topologyKey" }, { field: "whenUnsatisfiable" }], }, "core/v1 PodSpec.TopologySpreadConstraints patchMergeKey=topologyKey"],
  ["PodSpec", "resourceClaims", { strategy: "merge", mergeKey: "name", retainKeys: true }, "core/v1 PodSpec.ResourceClaims patchStrategy=merge,retainKeys"],
  ["PodSpec", "schedulingGates", { strategy: "merge", mergeKey: "name" }, "core/v1 PodSpec.SchedulingGates patchMergeKey=name"],
  ["Container", "ports", { strategy: "merge", mergeKey: "containerPort", listMapKeys: [{ field: "containerPort" }, tcp] }, "core/v1 Container.Ports patchMergeKey=containerPort listMapKey=protocol"],
  ["Container", "env", { strategy: "merge", mergeKey: "name" }, "core/v1 Container.Env patchMergeKey=name"],
  ["Container", "volumeMounts", { strategy: "merge", mergeKey: "mountPath" }, "core/v1 Container.VolumeMounts patchMergeKey=mountPath"],
  ["Container", "volumeDevices", { strategy: "merge", mergeKey: "devicePath" }, "core/v1 Container.VolumeDevices patchMergeKey=devicePath"],
  ["PodStatus", "conditions", { strategy: "merge", mergeKey: "type" }, "core/v1 PodStatus.Conditions patchMergeKey=type"],
  ["PodStatus", "podIPs", { strategy: "merge", mergeKey: "ip" }, "core/v1 PodStatus.PodIPs patchMergeKey=ip"],
  ["PodStatus", "hostIPs", { strategy: "merge", mergeKey: "ip" }, "core/v1 PodStatus.HostIPs patchMergeKey=ip"],
  ["ReplicationController", "spec", { type: "ReplicationControllerSpec" }, "core/v1 ReplicationController.Spec"],
  ["ReplicationControllerSpec", "selector", { atomic: true }, "core/v1 ReplicationControllerSpec.Selector mapType=atomic"],
  ["ReplicationControllerSpec", "template", { type: "PodTemplateSpec" }, "core/v1 ReplicationControllerSpec.Template"],
  ["Service", "spec", { type: "ServiceSpec" }, "core/v1 Service.Spec"],
  ["Service", "status", { type: "ServiceStatus" }, "core/v1 Service.Status"],
  ["ServiceSpec", "ports", { strategy: "merge", mergeKey: "port", listMapKeys: [{ field: "port" }, tcp] }, "core/v1 ServiceSpec.Ports patchMergeKey=port listMapKey=protocol"],
  ["ServiceSpec", "selector", { atomic: true }, "core/v1 ServiceSpec.Selector mapType=atomic"],
  ["ServiceStatus", "conditions", { strategy: "merge", mergeKey: "type" }, "core/v1 ServiceStatus.Conditions patchMergeKey=type"],
  ["ServiceAccount", "secrets", { strategy: "merge", mergeKey: "name" }, "core/v1 ServiceAccount.Secrets patchMergeKey=name"],
  ["Node", "status", { type: "NodeStatus" }, "core/v1 Node.Status"],
  ["NodeStatus", "conditions", { strategy: "merge", mergeKey: "type" }, "core/v1 NodeStatus.Conditions patchMergeKey=type"],
  ["NodeStatus", "addresses", { strategy: "merge", mergeKey: "type" }, "core/v1 NodeStatus.Addresses patchMergeKey=type"],
  ["Namespace", "status", { type: "NamespaceStatus" }, "core/v1 Namespace.Status"],
  ["NamespaceStatus", "conditions", { strategy: "merge", mergeKey: "type" }, "core/v1 NamespaceStatus.Conditions patchMergeKey=type"],
  ["PersistentVolumeClaim", "status", { type: "PersistentVolumeClaimStatus" }, "core/v1 PersistentVolumeClaim.Status"],
  ["PersistentVolumeClaimStatus", "conditions", { strategy: "merge", mergeKey: "type" }, "core/v1 PersistentVolumeClaimStatus.Conditions patchMergeKey=type"],
  ["Deployment", "spec", { type: "DeploymentSpec" }, "apps/v1 Deployment.Spec"],
  ["Deployment", "status", { type: "WorkloadStatus" }, "apps/v1 Deployment.Status"],
  ["DeploymentSpec", "selector", { atomic: true }, "apps/v1 DeploymentSpec.Selector (LabelSelector structType=atomic)"],
  ["DeploymentSpec", "template", { type: "PodTemplateSpec" }, "apps/v1 DeploymentSpec.Template"],
  ["DeploymentSpec", "strategy", { retainKeys: true }, "apps/v1 DeploymentSpec.Strategy patchStrategy=retainKeys"],
  ["ReplicaSet", "spec", { type: "WorkloadSpec" }, "apps/v1 ReplicaSet.Spec"],
  ["ReplicaSet", "status", { type: "WorkloadStatus" }, "apps/v1 ReplicaSet.Status"],
  ["DaemonSet", "spec", { type: "WorkloadSpec" }, "apps/v1 DaemonSet.Spec"],
  ["DaemonSet", "status", { type: "WorkloadStatus" }, "apps/v1 DaemonSet.Status"],
  ["StatefulSet", "spec", { type: "WorkloadSpec" }, "apps/v1 StatefulSet.Spec"],
  ["StatefulSet", "status", { type: "WorkloadStatus" }, "apps/v1 StatefulSet.Status"],
  ["WorkloadSpec", "selector", { atomic: true }, "apps/v1 {ReplicaSet,DaemonSet,StatefulSet}Spec.Selector (LabelSelector structType=atomic)"],
  ["WorkloadSpec", "template", { type: "PodTemplateSpec" }, "apps/v1 {ReplicaSet,DaemonSet,StatefulSet}Spec.Template"],
  ["WorkloadStatus", "conditions", { strategy: "merge", mergeKey: "type" }, "apps/v1 {Deployment,ReplicaSet,DaemonSet,StatefulSet}Status.Conditions patchMergeKey=type"],
  ["Job", "spec", { type: "JobSpec" }, "batch/v1 Job.Spec"],
  ["Job", "status", { type: "JobStatus" }, "batch/v1 Job.Status"],
  ["JobSpec", "selector", { atomic: true }, "batch/v1 JobSpec.Selector (LabelSelector structType=atomic)"],
  ["JobSpec", "template", { type: "PodTemplateSpec" }, "batch/v1 JobSpec.Template"],
  ["JobStatus", "conditions", { strategy: "merge", mergeKey: "type" }, "batch/v1 JobStatus.Conditions patchMergeKey=type"],
  ["CronJob", "spec", { type: "CronJobSpec" }, "batch/v1 CronJob.Spec"],
  ["CronJobSpec", "jobTemplate", { type: "JobTemplateSpec" }, "batch/v1 CronJobSpec.JobTemplate"],
  ["JobTemplateSpec", "spec", { type: "JobSpec" }, "batch/v1 JobTemplateSpec.Spec"],
  ["PodDisruptionBudget", "spec", { type: "PodDisruptionBudgetSpec" }, "policy/v1 PodDisruptionBudget.Spec"],
  ["PodDisruptionBudget", "status", { type: "PodDisruptionBudgetStatus" }, "policy/v1 PodDisruptionBudget.Status"],
  ["PodDisruptionBudgetSpec", "selector", { atomic: true }, "policy/v1 PodDisruptionBudgetSpec.Selector (LabelSelector structType=atomic)"],
  ["PodDisruptionBudgetStatus", "conditions", { strategy: "merge", mergeKey: "type" }, "policy/v1 PodDisruptionBudgetStatus.Conditions patchMergeKey=type"],
  ["NetworkPolicy", "spec", { type: "NetworkPolicySpec" }, "networking/v1 NetworkPolicy.Spec"],
  ["NetworkPolicySpec", "podSelector", { atomic: true }, "networking/v1 NetworkPolicySpec.PodSelector (LabelSelector structType=atomic)"],
];

// Groups whose kinds are compiled into kube-apiserver (strategic merge patch works on them).
const builtInGroups = new Set([
  "",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "apps",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "storagemigration.k8s.io",
]);

const rulesByType = new Map<string, Map<string, FieldRule>>();
for (const [type, field, rule] of fieldRules) {
  const fields = rulesByType.get(type) ?? new Map<string, FieldRule>();
  fields.set(field, rule);
  rulesByType.set(type, fields);
}

/** The schema type at the root of a kind's objects; undefined for custom resources. */
export function rootSchemaType(kind: { group: string; kind: string }): string | undefined {
  return builtInGroups.has(kind.group) ? kind.kind : undefined;
}

/** What the schema says about `field` of a value of `type` (an empty rule when nothing). */
export function fieldRule(type: string | undefined, field: string): FieldRule {
  if (type === undefined) return {};
  const rule = rulesByType.get(type)?.get(field);
  if (rule) return rule;
  return field === "metadata" ? { type: "ObjectMeta" } : {};
}

/** Server-side apply's key fields of an associative list; undefined for atomic and set lists. */
export function listMapKeys(rule: FieldRule): ListMapKey[] | undefined {
  if (rule.strategy !== "merge" || !rule.mergeKey) return undefined;
  return rule.listMapKeys ?? [{ field: rule.mergeKey }];
}
