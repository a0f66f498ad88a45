// The cheap, type-specific defaults kube-apiserver fills in on create and update (pods and pod
// templates, workloads, namespaces, volumes, secrets, ...), so objects read back as from a real cluster.
import type { KubeObject } from "./types.js";

type Json = Record<string, unknown>;

function obj(parent: Json, key: string): Json {
  const v = parent[key];
  if (v !== null && typeof v === "object" && !Array.isArray(v)) return v as Json;
  const created: Json = {};
  parent[key] = created;
  return created;
}

function setDefault(target: Json, key: string, value: unknown): void {
  if (target[key] === undefined || target[key] === null) target[key] = value;
}

function list(parent: Json, key: string): Json[] {
  const v = parent[key];
  return Array.isArray(v) ? v.filter((x): x is Json => x !== null && typeof x === "object") : [];
}

function imagePullPolicyFor(image: unknown): string {
  if (typeof image !== "string") return "IfNotPresent";
  const withoutDigest = image.split("@")[0] ?? image;
  const lastSlash = withoutDigest.lastIndexOf("/");
  const tagAt = withoutDigest.indexOf(":", lastSlash + 1);
  if (image.includes("@")) return "IfNotPresent";
  if (tagAt < 0) return "Always";
  return withoutDigest.slice(tagAt + 1) === "latest" ? "Always" : "IfNotPresent";
}

function defaultContainer(c: Json): void {
  setDefault(c, "terminationMessagePath", "/dev/termination-log");
  setDefault(c, "terminationMessagePolicy", "File");
  setDefault(c, "imagePullPolicy", imagePullPolicyFor(c.image));
  setDefault(c, "resources", {});
  for (const p of list(c, "ports")) setDefault(p, "protocol", "TCP");
  for (const probe of ["livenessProbe", "readinessProbe", "startupProbe"]) {
    const pr = c[probe];
    if (pr && typeof pr === "object") {
      const p = pr as Json;
      setDefault(p, "timeoutSeconds", 1);
      setDefault(p, "periodSeconds", 10);
      setDefault(p, "successThreshold", 1);
      setDefault(p, "failureThreshold", 3);
      const http = p.httpGet as Json | undefined;
      if (http && typeof http === "object") {
        setDefault(http, "path", "/");
        setDefault(http, "scheme", "HTTP");
      }
    }
  }
}

/** Defaults of a PodSpec, in a Pod or in a workload's pod template. */
export function defaultPodSpec(spec: Json, options: { inJob?: boolean } = {}): void {
  if (!options.inJob) setDefault(spec, "restartPolicy", "Always");
  setDefault(spec, "dnsPolicy", "ClusterFirst");
  setDefault(spec, "schedulerName", "default-scheduler");
  setDefault(spec, "terminationGracePeriodSeconds", 30);
  setDefault(spec, "securityContext", {});
  for (const c of [...list(spec, "initContainers"), ...list(spec, "containers")]) defaultContainer(c);
  for (const v of list(spec, "volumes")) {
    for (const source of ["configMap", "secret", "downwardAPI", "projected"]) {
      const s = v[source];
      if (s && typeof s === "object") setDefault(s as Json, "defaultMode", 420);
    }
  }
}

function defaultTemplate(spec: Json, options: { inJob?: boolean } = {}): void {
  const template = spec.template;
  if (!template || typeof template !== "object") return;
  defaultPodSpec(obj(template as Json, "spec"), options);
}

const defaulters: Record<string, (o: KubeObject) => void> = {
  "/pods": (o) => {
    const spec = obj(o, "spec");
    defaultPodSpec(spec);
    setDefault(spec, "serviceAccountName", "default");
    setDefault(spec, "serviceAccount", spec.serviceAccountName);
    setDefault(spec, "enableServiceLinks", true);
    setDefault(spec, "priority", 0);
    setDefault(spec, "preemptionPolicy", "PreemptLowerPriority");
  },
  "/podtemplates": (o) => defaultTemplate(o),
  "/replicationcontrollers": (o) => {
    const spec = obj(o, "spec");
    setDefault(spec, "replicas", 1);
    defaultTemplate(spec);
  },
  "/namespaces": (o) => {
    const meta = obj(o, "metadata");
    const labels = obj(meta, "labels");
    labels["kubernetes.io/metadata.name"] = String(meta.name ?? "");
    setDefault(obj(o, "spec"), "finalizers", ["kubernetes"]);
  },
  // SetDefaults_Service: what the request is decoded with (and so owned by its manager); the
  // cluster IPs, IP families and node ports are allocated later by the storage and owned by none.
  "/services": (o) => {
    const spec = obj(o, "spec");
    setDefault(spec, "type", "ClusterIP");
    setDefault(spec, "sessionAffinity", "None");
    for (const port of list(spec, "ports")) {
      setDefault(port, "protocol", "TCP");
      setDefault(port, "targetPort", port.port);
    }
    if (spec.type !== "ExternalName") setDefault(spec, "internalTrafficPolicy", "Cluster");
    if (spec.type === "NodePort" || spec.type === "LoadBalancer") {
      setDefault(spec, "externalTrafficPolicy", "Cluster");
    }
    if (spec.type === "LoadBalancer") setDefault(spec, "allocateLoadBalancerNodePorts", true);
  },
  "/persistentvolumeclaims": (o) => setDefault(obj(o, "spec"), "volumeMode", "Filesystem"),
  "/persistentvolumes": (o) => {
    const spec = obj(o, "spec");
    setDefault(spec, "persistentVolumeReclaimPolicy", "Retain");
    setDefault(spec, "volumeMode", "Filesystem");
  },
  "/secrets": (o) => {
    setDefault(o, "type", "Opaque");
    const stringData = o.stringData;
    if (stringData && typeof stringData === "object") {
      const data = obj(o, "data");
      for (const [k, v] of Object.entries(stringData as Json))
        data[k] = Buffer.from(String(v)).toString("base64");
    }
    delete o.stringData;
  },
  "apps/deployments": (o) => {
    const spec = obj(o, "spec");
    setDefault(spec, "replicas", 1);
    const strategy = obj(spec, "strategy");
    setDefault(strategy, "type", "RollingUpdate");
    if (strategy.type === "RollingUpdate") {
      const ru = obj(strategy, "rollingUpdate");
      setDefault(ru, "maxUnavailable", "25%");
      setDefault(ru, "maxSurge", "25%");
    }
    setDefault(spec, "revisionHistoryLimit", 10);
    setDefault(spec, "progressDeadlineSeconds", 600);
    defaultTemplate(spec);
  },
  "apps/statefulsets": (o) => {
    const spec = obj(o, "spec");
    setDefault(spec, "replicas", 1);
    setDefault(spec, "podManagementPolicy", "OrderedReady");
    const strategy = obj(spec, "updateStrategy");
    setDefault(strategy, "type", "RollingUpdate");
    if (strategy.type === "RollingUpdate") setDefault(obj(strategy, "rollingUpdate"), "partition", 0);
    setDefault(spec, "revisionHistoryLimit", 10);
    const retention = obj(spec, "persistentVolumeClaimRetentionPolicy");
    setDefault(retention, "whenDeleted", "Retain");
    setDefault(retention, "whenScaled", "Retain");
    for (const claim of list(spec, "volumeClaimTemplates")) {
      setDefault(claim, "apiVersion", "v1");
      setDefault(claim, "kind", "PersistentVolumeClaim");
      setDefault(obj(claim, "spec"), "volumeMode", "Filesystem");
      setDefault(claim, "status", { phase: "Pending" });
    }
    defaultTemplate(spec);
  },
  "apps/daemonsets": (o) => {
    const spec = obj(o, "spec");
    const strategy = obj(spec, "updateStrategy");
    setDefault(strategy, "type", "RollingUpdate");
    if (strategy.type === "RollingUpdate") {
      const ru = obj(strategy, "rollingUpdate");
      setDefault(ru, "maxUnavailable", 1);
      setDefault(ru, "maxSurge", 0);
    }
    setDefault(spec, "revisionHistoryLimit", 10);
    defaultTemplate(spec);
  },
  "apps/replicasets": (o) => {
    const spec = obj(o, "spec");
    setDefault(spec, "replicas", 1);
    defaultTemplate(spec);
  },
  "batch/jobs": (o) => {
    const spec = obj(o, "spec");
    setDefault(spec, "parallelism", 1);
    setDefault(spec, "completions", 1);
    setDefault(spec, "backoffLimit", 6);
    setDefault(spec, "completionMode", "NonIndexed");
    setDefault(spec, "suspend", false);
    setDefault(spec, "podReplacementPolicy", "TerminatingOrFailed");
    defaultTemplate(spec, { inJob: true });
  },
  "batch/cronjobs": (o) => {
    const spec = obj(o, "spec");
    setDefault(spec, "concurrencyPolicy", "Allow");
    setDefault(spec, "suspend", false);
    setDefault(spec, "successfulJobsHistoryLimit", 3);
    setDefault(spec, "failedJobsHistoryLimit", 1);
    const jobTemplate = spec.jobTemplate;
    if (jobTemplate && typeof jobTemplate === "object") {
      const jt = jobTemplate as Json;
      const jobSpec = obj(jt, "spec");
      setDefault(jobSpec, "backoffLimit", 6);
      setDefault(jobSpec, "completionMode", "NonIndexed");
      setDefault(jobSpec, "suspend", false);
      setDefault(jobSpec, "podReplacementPolicy", "TerminatingOrFailed");
      defaultTemplate(jobSpec, { inJob: true });
    }
  },
  "storage.k8s.io/storageclasses": (o) => {
    setDefault(o, "reclaimPolicy", "Delete");
    setDefault(o, "volumeBindingMode", "Immediate");
  },
  "networking.k8s.io/networkpolicies": (o) => {
    const spec = obj(o, "spec");
    if (spec.policyTypes === undefined) {
      spec.policyTypes = spec.egress === undefined ? ["Ingress"] : ["Ingress", "Egress"];
    }
    for (const rule of [...list(spec, "ingress"), ...list(spec, "egress")]) {
      for (const p of list(rule, "ports")) setDefault(p, "protocol", "TCP");
    }
  },
  "apiextensions.k8s.io/customresourcedefinitions": (o) => {
    const spec = obj(o, "spec");
    setDefault(spec, "conversion", { strategy: "None" });
    const names = obj(spec, "names");
    if (typeof names.kind === "string") {
      setDefault(names, "singular", names.kind.toLowerCase());
      setDefault(names, "listKind", `${names.kind}List`);
    }
  },
};

/** Applies the defaults of one type to `object` in place (create and update alike). */
export function applyDefaults(group: string, resource: string, object: KubeObject): void {
  defaulters[`${group}/${resource}`]?.(object);
}

function qosClass(pod: KubeObject): string {
  const containers = list(obj(pod, "spec"), "containers");
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const resources = (c.resources ?? {}) as { requests?: Json; limits?: Json };
    const requests = resources.requests ?? {};
    const limits = resources.limits ?? {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const r of ["cpu", "memory"]) {
      if (limits[r] === undefined || (requests[r] !== undefined && requests[r] !== limits[r]))
        guaranteed = false;
    }
  }
  return guaranteed ? "Guaranteed" : any ? "Burstable" : "BestEffort";
}

/** The status a new object starts with, for types whose status the server resets on create. */
export function initialStatus(group: string, resource: string, object: KubeObject): Json | undefined {
  switch (`${group}/${resource}`) {
    case "/pods":
      return { phase: "Pending", qosClass: qosClass(object) };
    case "/namespaces":
      return { phase: "Active" };
    case "/persistentvolumeclaims":
    case "/persistentvolumes":
      return { phase: "Pending" };
    case "/services":
      return { loadBalancer: {} };
    default:
      return undefined;
  }
}
