// Seeds a simulated cluster for the benchmarks: N objects spread over namespaces and over 13
// built-in types plus 20 custom resource types, written straight into the store (fast, and the
// same objects a client would have created).

import type { KubeObject } from "../src/sim/kube/types.js";
import type { Simulator } from "../src/sim/simulator.js";

interface SeedType {
  group: string;
  resource: string;
  make(name: string, namespace: string, index: number): KubeObject;
}

const labels = (index: number) => ({ app: `app-${index % 37}`, tier: index % 3 === 0 ? "web" : "data" });
const container = { name: "main", image: "nginx:1.27" };

const BUILT_IN: SeedType[] = [
  {
    group: "",
    resource: "configmaps",
    make: (n, ns, i) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      data: { "app.yaml": `replicas: ${i % 5}\nname: ${n}\nfeature: enabled\n`, index: String(i) },
    }),
  },
  {
    group: "",
    resource: "secrets",
    make: (n, ns, i) => ({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      type: "Opaque",
      data: { token: Buffer.from(`secret-${i}-${n}`).toString("base64") },
    }),
  },
  {
    group: "",
    resource: "serviceaccounts",
    make: (n, ns, i) => ({
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: n, namespace: ns, labels: labels(i) },
    }),
  },
  {
    group: "",
    resource: "limitranges",
    make: (n, ns, i) => ({
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      spec: { limits: [{ type: "Container", default: { cpu: "500m" } }] },
    }),
  },
  {
    group: "",
    resource: "resourcequotas",
    make: (n, ns, i) => ({
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      spec: { hard: { pods: "10" } },
    }),
  },
  {
    group: "",
    resource: "podtemplates",
    make: (n, ns, i) => ({
      apiVersion: "v1",
      kind: "PodTemplate",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      template: { metadata: { labels: labels(i) }, spec: { containers: [container] } },
    }),
  },
  {
    group: "rbac.authorization.k8s.io",
    resource: "roles",
    make: (n, ns, i) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
    }),
  },
  {
    group: "rbac.authorization.k8s.io",
    resource: "rolebindings",
    make: (n, ns, i) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: n },
      subjects: [{ kind: "ServiceAccount", name: "default", namespace: ns }],
    }),
  },
  {
    group: "networking.k8s.io",
    resource: "networkpolicies",
    make: (n, ns, i) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      spec: { podSelector: { matchLabels: { app: `app-${i % 37}` } }, policyTypes: ["Ingress"] },
    }),
  },
  {
    group: "policy",
    resource: "poddisruptionbudgets",
    make: (n, ns, i) => ({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      spec: { minAvailable: 1, selector: { matchLabels: { app: `app-${i % 37}` } } },
    }),
  },
  {
    group: "autoscaling",
    resource: "horizontalpodautoscalers",
    make: (n, ns, i) => ({
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      spec: {
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: n },
        minReplicas: 1,
        maxReplicas: 3,
      },
    }),
  },
  {
    group: "batch",
    resource: "cronjobs",
    make: (n, ns, i) => ({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      spec: {
        schedule: "*/5 * * * *",
        suspend: true,
        jobTemplate: {
          spec: { template: { spec: { containers: [container], restartPolicy: "OnFailure" } } },
        },
      },
    }),
  },
  {
    group: "networking.k8s.io",
    resource: "ingresses",
    make: (n, ns, i) => ({
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { name: n, namespace: ns, labels: labels(i) },
      spec: { defaultBackend: { service: { name: n, port: { number: 80 } } } },
    }),
  },
];

const CUSTOM_TYPES = 20;

function customType(index: number): SeedType {
  const group = "bench.example.com";
  return {
    group,
    resource: `things${index}`,
    make: (n, ns, i) => ({
      apiVersion: `${group}/v1`,
      kind: `Thing${index}`,
      metadata: { name: n, namespace: ns, labels: labels(i) },
      spec: { size: i % 10, owner: `team-${i % 7}`, notes: "seeded for the export benchmark" },
    }),
  };
}

export interface SeedResult {
  objects: number;
  namespaces: number;
  types: number;
}

export async function seedCluster(sim: Simulator, objects: number, namespaces: number): Promise<SeedResult> {
  const store = sim.kube.store;
  const type = (group: string, resource: string) => {
    const found = store.resourceFor(group, resource);
    if (!found) throw new Error(`the simulator does not serve ${resource}.${group}`);
    return found;
  };
  const crds = type("apiextensions.k8s.io", "customresourcedefinitions");
  for (let c = 0; c < CUSTOM_TYPES; c++) {
    store.create(crds, {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `things${c}.bench.example.com` },
      spec: {
        group: "bench.example.com",
        scope: "Namespaced",
        names: { plural: `things${c}`, singular: `thing${c}`, kind: `Thing${c}`, listKind: `Thing${c}List` },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    });
  }
  const nsType = type("", "namespaces");
  for (let n = 0; n < namespaces; n++)
    store.create(nsType, { apiVersion: "v1", kind: "Namespace", metadata: { name: `bench-${n}` } });
  await sim.controllers.idle();

  const types = [...BUILT_IN, ...Array.from({ length: CUSTOM_TYPES }, (_, c) => customType(c))];
  const resolved = types.map((t) => ({ seed: t, info: type(t.group, t.resource) }));
  for (let i = 0; i < objects; i++) {
    const { seed, info } =
      resolved[i % resolved.length] ??
      (() => {
        throw new Error("no types");
      })();
    const namespace = `bench-${Math.floor(i / resolved.length) % namespaces}`;
    store.create(info, seed.make(`obj-${i}`, namespace, i));
  }
  await sim.controllers.idle();
  return { objects, namespaces, types: types.length };
}
