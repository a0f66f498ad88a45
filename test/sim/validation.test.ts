import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { generateJobSelector } from "../../src/sim/kube/admission/job-selector.js";
import type { KubeObject, ResourceInfo } from "../../src/sim/kube/types.js";
import { validateObject } from "../../src/sim/kube/validation.js";

const clusterScoped = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "CustomResourceDefinition",
  "PersistentVolume",
  "StorageClass",
  "Node",
]);

function resourceOf(object: KubeObject): ResourceInfo {
  const apiVersion = object.apiVersion ?? "v1";
  const slash = apiVersion.indexOf("/");
  const kind = (object.kind ?? "").trim();
  return {
    group: slash < 0 ? "" : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    resource: `${kind.toLowerCase()}s`,
    kind,
    namespaced: !clusterScoped.has(kind),
    subresources: [],
    verbs: [],
  };
}

/** What the server does before validating: default the namespace from the request. */
function asStored(object: KubeObject): KubeObject {
  const resource = resourceOf(object);
  const metadata = { ...object.metadata };
  if (resource.namespaced && !metadata.namespace) metadata.namespace = "default";
  return { ...object, kind: resource.kind, metadata };
}

function validate(object: KubeObject, old?: KubeObject) {
  let stored = asStored(object);
  // On create the Job registry generates the selector from the uid before validating.
  if (!old && stored.kind === "Job") {
    stored = structuredClone(stored);
    stored.metadata = { ...stored.metadata, uid: "0b5e4c1a-0000-4000-8000-000000000001" };
    generateJobSelector(stored);
  }
  return validateObject(resourceOf(stored), stored, old ? asStored(old) : undefined);
}

const fixtures = join(import.meta.dirname, "../fixtures/manifests");
function manifestFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return manifestFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}
const documents = manifestFiles(fixtures).flatMap((file) =>
  parseAllDocuments(readFileSync(file, "utf8"))
    .map((doc) => doc.toJSON() as KubeObject | null)
    .filter((doc): doc is KubeObject => doc !== null && typeof doc === "object")
    .map((doc, i) => [`${relative(fixtures, file)}#${i} ${doc.kind}`, doc] as const),
);

describe("real-world manifests", () => {
  const selectorless = "k8s-dashboard/hack/test-resources/nginx-daemon-daemon-set.yaml";

  it("are all found", () => {
    expect(documents.length).toBeGreaterThanOrEqual(50);
  });

  it.each(documents.filter(([name]) => !name.startsWith(selectorless)))(
    "%s validates clean",
    (_name, doc) => {
      expect(validate(doc)).toEqual([]);
    },
  );

  it("the dashboard's DaemonSet without spec.selector is refused as kube-apiserver refuses it", () => {
    const [, doc] = documents.find(([name]) => name.startsWith(selectorless)) ?? [];
    expect(validate(doc as KubeObject)).toEqual([
      { reason: "FieldValueRequired", message: "Required value", field: "spec.selector" },
      {
        reason: "FieldValueInvalid",
        message:
          'Invalid value: map[string]string{"name":"nginx-daemon"}: `selector` does not match template `labels`',
        field: "spec.template.metadata.labels",
      },
    ]);
  });
});

const subdomainMessage =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1035Message =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

const container = { name: "web", image: "nginx" };
function deployment(spec: object = {}, name = "web"): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: "web" } },
      template: { metadata: { labels: { app: "web" } }, spec: { containers: [container] } },
      ...spec,
    },
  };
}
const podSpec = (spec: object) => deployment({ template: { metadata: { labels: { app: "web" } }, spec } });
const configMap = (extra: object): KubeObject => ({
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: { name: "c" },
  ...extra,
});
const service = (spec: object, name = "web"): KubeObject => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { name },
  spec,
});
const pvc = (spec: object, status?: object): KubeObject => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "data" },
  spec,
  ...(status ? { status } : {}),
});
const claimSpec = { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "10Gi" } } };
const job = (restartPolicy?: string): KubeObject => ({
  apiVersion: "batch/v1",
  kind: "Job",
  metadata: { name: "j" },
  spec: { template: { spec: { containers: [container], ...(restartPolicy ? { restartPolicy } : {}) } } },
});

describe("validation on create", () => {
  it.each<[string, KubeObject, Array<Record<string, string>>]>([
    [
      "a name with capitals and underscores is not a DNS-1123 subdomain",
      deployment({}, "Foo_bar"),
      [
        {
          reason: "FieldValueInvalid",
          message: `Invalid value: "Foo_bar": ${subdomainMessage}`,
          field: "metadata.name",
        },
      ],
    ],
    [
      "a name longer than 253 characters is too long",
      configMap({ metadata: { name: "a".repeat(254) } }),
      [
        {
          reason: "FieldValueInvalid",
          message: `Invalid value: "${"a".repeat(254)}": must be no more than 253 characters`,
          field: "metadata.name",
        },
      ],
    ],
    [
      "a name is required without generateName",
      configMap({ metadata: {} }),
      [
        {
          reason: "FieldValueRequired",
          message: "Required value: name or generateName is required",
          field: "metadata.name",
        },
      ],
    ],
    [
      "a Namespace name with a dot is not a DNS-1123 label",
      { apiVersion: "v1", kind: "Namespace", metadata: { name: "a.b" } },
      [
        {
          reason: "FieldValueInvalid",
          message: `Invalid value: "a.b": ${labelMessage}`,
          field: "metadata.name",
        },
      ],
    ],
    [
      "a Service name starting with a digit is not a DNS-1035 label",
      service({ ports: [{ port: 80 }] }, "1web"),
      [
        {
          reason: "FieldValueInvalid",
          message: `Invalid value: "1web": ${dns1035Message}`,
          field: "metadata.name",
        },
      ],
    ],
    [
      "a ClusterRole name may hold colons but no slash",
      { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "system:a/b" } },
      [
        {
          reason: "FieldValueInvalid",
          message: `Invalid value: "system:a/b": may not contain '/'`,
          field: "metadata.name",
        },
      ],
    ],
    [
      "a label value longer than 63 characters is invalid",
      configMap({ metadata: { name: "c", labels: { a: "x".repeat(64) } } }),
      [
        {
          reason: "FieldValueInvalid",
          message: `Invalid value: "${"x".repeat(64)}": must be no more than 63 characters`,
          field: "metadata.labels",
        },
      ],
    ],
    [
      "a label key with two slashes is invalid",
      configMap({ metadata: { name: "c", labels: { "a/b/c": "x" } } }),
      [
        {
          reason: "FieldValueInvalid",
          message: `Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
          field: "metadata.labels",
        },
      ],
    ],
    [
      "annotations over 256 KiB in total are too long",
      configMap({ metadata: { name: "c", annotations: { a: "x".repeat(262144) } } }),
      [
        {
          reason: "FieldValueTooLong",
          message: "Too long: may not be more than 262144 bytes",
          field: "metadata.annotations",
        },
      ],
    ],
    [
      "a Deployment without a selector needs one and matches nothing",
      deployment({ selector: undefined }),
      [
        { reason: "FieldValueRequired", message: "Required value", field: "spec.selector" },
        {
          reason: "FieldValueInvalid",
          message:
            'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
          field: "spec.template.metadata.labels",
        },
      ],
    ],
    [
      "a Deployment whose selector does not match its template labels is invalid",
      deployment({ selector: { matchLabels: { app: "other" } } }),
      [
        {
          reason: "FieldValueInvalid",
          message:
            'Invalid value: map[string]string{"app":"web"}: `selector` does not match template `labels`',
          field: "spec.template.metadata.labels",
        },
      ],
    ],
    [
      "a selector matching by expression is accepted",
      deployment({
        selector: { matchExpressions: [{ key: "app", operator: "In", values: ["web", "api"] }] },
      }),
      [],
    ],
    [
      "an empty selector is invalid for a deployment",
      deployment({ selector: {} }),
      [
        {
          reason: "FieldValueInvalid",
          message:
            "Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment",
          field: "spec.selector",
        },
      ],
    ],
    [
      "a pod template needs containers",
      podSpec({ containers: [] }),
      [{ reason: "FieldValueRequired", message: "Required value", field: "spec.template.spec.containers" }],
    ],
    [
      "a container needs a name and an image",
      podSpec({ containers: [{}] }),
      [
        {
          reason: "FieldValueRequired",
          message: "Required value",
          field: "spec.template.spec.containers[0].name",
        },
        {
          reason: "FieldValueRequired",
          message: "Required value",
          field: "spec.template.spec.containers[0].image",
        },
      ],
    ],
    [
      "container names are unique",
      podSpec({ containers: [container, container] }),
      [
        {
          reason: "FieldValueDuplicate",
          message: 'Duplicate value: "web"',
          field: "spec.template.spec.containers[1].name",
        },
      ],
    ],
    [
      "a Deployment's pods must restart Always",
      podSpec({ containers: [container], restartPolicy: "Never" }),
      [
        {
          reason: "FieldValueNotSupported",
          message: 'Unsupported value: "Never": supported values: "Always"',
          field: "spec.template.spec.restartPolicy",
        },
      ],
    ],
    [
      "a volumeMount names a volume of the pod",
      podSpec({ containers: [{ ...container, volumeMounts: [{ name: "data", mountPath: "/d" }] }] }),
      [
        {
          reason: "FieldValueNotFound",
          message: 'Not found: "data"',
          field: "spec.template.spec.containers[0].volumeMounts[0].name",
        },
      ],
    ],
    [
      "a container port must be in 1-65535",
      podSpec({ containers: [{ ...container, ports: [{ containerPort: 70000 }] }] }),
      [
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: 70000: must be between 1 and 65535, inclusive",
          field: "spec.template.spec.containers[0].ports[0].containerPort",
        },
      ],
    ],
    [
      "valid quantities are accepted",
      podSpec({
        containers: [
          {
            ...container,
            resources: { requests: { cpu: "500m", memory: "1e3" }, limits: { cpu: 1, memory: "10Gi" } },
          },
        ],
      }),
      [],
    ],
    [
      "a junk quantity is invalid",
      podSpec({ containers: [{ ...container, resources: { limits: { memory: "lots" } } }] }),
      [
        {
          reason: "FieldValueInvalid",
          message:
            "Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
          field: "spec.template.spec.containers[0].resources.limits[memory]",
        },
      ],
    ],
    [
      "a request above its limit is invalid",
      podSpec({
        containers: [{ ...container, resources: { limits: { cpu: "1" }, requests: { cpu: "2" } } }],
      }),
      [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "2": must be less than or equal to cpu limit of 1',
          field: "spec.template.spec.containers[0].resources.requests[cpu]",
        },
      ],
    ],
    [
      "a Job's pods may not restart Always (the default)",
      job(),
      [
        {
          reason: "FieldValueNotSupported",
          message: 'Unsupported value: "Always": supported values: "OnFailure", "Never"',
          field: "spec.template.spec.restartPolicy",
        },
      ],
    ],
    ["a Job whose pods restart OnFailure is valid", job("OnFailure"), []],
    [
      "a CronJob needs a schedule",
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "c" },
        spec: { jobTemplate: { spec: job("Never").spec } },
      },
      [{ reason: "FieldValueRequired", message: "Required value", field: "spec.schedule" }],
    ],
    [
      "a CronJob schedule has five fields",
      {
        apiVersion: "batch/v1",
        kind: "CronJob",
        metadata: { name: "c" },
        spec: { schedule: "* * *", jobTemplate: { spec: job("Never").spec } },
      },
      [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "* * *": expected exactly 5 fields, found 3: * * *',
          field: "spec.schedule",
        },
      ],
    ],
    [
      "a Pod needs containers",
      { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: {} },
      [{ reason: "FieldValueRequired", message: "Required value", field: "spec.containers" }],
    ],
    [
      "a Service needs ports",
      service({}),
      [{ reason: "FieldValueRequired", message: "Required value", field: "spec.ports" }],
    ],
    ["a headless Service may have no ports", service({ clusterIP: "None" }), []],
    [
      "an ExternalName Service needs no ports",
      service({ type: "ExternalName", externalName: "db.example.com" }),
      [],
    ],
    [
      "a Service port must be in 1-65535",
      service({ ports: [{ port: 0 }] }),
      [
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: 0: must be between 1 and 65535, inclusive",
          field: "spec.ports[0].port",
        },
      ],
    ],
    [
      "Service ports with several entries need names",
      service({ ports: [{ port: 80 }, { port: 443, name: "https" }] }),
      [{ reason: "FieldValueRequired", message: "Required value", field: "spec.ports[0].name" }],
    ],
    [
      "a duplicate Service port/protocol is refused",
      service({
        ports: [
          { port: 80, name: "a" },
          { port: 80, name: "b" },
        ],
      }),
      [
        {
          reason: "FieldValueDuplicate",
          message:
            'Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
          field: "spec.ports[1]",
        },
      ],
    ],
    [
      "a nodePort outside 30000-32767 is refused",
      service({ type: "NodePort", ports: [{ port: 80, nodePort: 80 }] }),
      [
        {
          reason: "FieldValueInvalid",
          message:
            "Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767",
          field: "spec.ports[0].nodePort",
        },
      ],
    ],
    [
      "an unknown Service type is not supported",
      service({ type: "Magic", ports: [{ port: 80 }] }),
      [
        {
          reason: "FieldValueNotSupported",
          message:
            'Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
          field: "spec.type",
        },
      ],
    ],
    [
      "a PVC needs access modes and a storage request",
      pvc({}),
      [
        {
          reason: "FieldValueRequired",
          message: "Required value: at least 1 access mode is required",
          field: "spec.accessModes",
        },
        { reason: "FieldValueRequired", message: "Required value", field: "spec.resources[storage]" },
      ],
    ],
    [
      "a PV needs capacity, access modes and one volume source",
      { apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pv" }, spec: {} },
      [
        { reason: "FieldValueRequired", message: "Required value", field: "spec.accessModes" },
        { reason: "FieldValueRequired", message: "Required value", field: "spec.capacity" },
        {
          reason: "FieldValueRequired",
          message: "Required value: must specify a volume type",
          field: "spec",
        },
      ],
    ],
    [
      "a PV with two volume sources is refused",
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "pv" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          capacity: { storage: "1Gi" },
          hostPath: { path: "/x" },
          nfs: { server: "s", path: "/" },
        },
      },
      [
        {
          reason: "FieldValueForbidden",
          message: "Forbidden: may not specify more than 1 volume type",
          field: "spec.nfs",
        },
      ],
    ],
    [
      "a ConfigMap key with a slash is invalid",
      configMap({ data: { "a/b": "x" } }),
      [
        {
          reason: "FieldValueInvalid",
          message: `Invalid value: "a/b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`,
          field: "data[a/b]",
        },
      ],
    ],
    [
      "a TLS Secret needs its certificate and key",
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, type: "kubernetes.io/tls", data: {} },
      [
        { reason: "FieldValueRequired", message: "Required value", field: "data[tls.crt]" },
        { reason: "FieldValueRequired", message: "Required value", field: "data[tls.key]" },
      ],
    ],
    [
      "a RoleBinding needs a roleRef",
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "b" },
        roleRef: {},
      },
      [
        {
          reason: "FieldValueNotSupported",
          message: 'Unsupported value: "": supported values: "Role", "ClusterRole"',
          field: "roleRef.kind",
        },
        { reason: "FieldValueRequired", message: "Required value", field: "roleRef.name" },
      ],
    ],
    [
      "a CRD is named plural.group",
      {
        apiVersion: "apiextensions.k8s.io/v1",
        kind: "CustomResourceDefinition",
        metadata: { name: "foo.example.com" },
        spec: { group: "example.com", names: { plural: "foos" } },
      },
      [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "foo.example.com": must be spec.names.plural+"."+spec.group',
          field: "metadata.name",
        },
      ],
    ],
  ])("%s", (_name, object, causes) => {
    expect(validate(object)).toEqual(causes);
  });
});

describe("validation on update", () => {
  const boundClaim = pvc({ ...claimSpec, volumeName: "pv-1" }, { phase: "Bound" });
  const statefulSet = (spec: object): KubeObject => ({
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "db" },
    spec: { ...(deployment().spec as object), serviceName: "db", ...spec },
  });
  const immutableConfig = configMap({ immutable: true, data: { a: "1" } });

  it.each<[string, KubeObject, KubeObject, Array<Record<string, string>>]>([
    [
      "a Deployment's selector is immutable",
      deployment(),
      deployment({
        selector: { matchLabels: { app: "web", v: "2" } },
        template: { metadata: { labels: { app: "web", v: "2" } }, spec: { containers: [container] } },
      }),
      [
        {
          reason: "FieldValueInvalid",
          message:
            'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"web", "v":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
          field: "spec.selector",
        },
      ],
    ],
    [
      "a Deployment may change replicas and image",
      deployment(),
      deployment({
        replicas: 5,
        template: {
          metadata: { labels: { app: "web" } },
          spec: { containers: [{ ...container, image: "nginx:2" }] },
        },
      }),
      [],
    ],
    ["a StatefulSet may change replicas", statefulSet({}), statefulSet({ replicas: 3 }), []],
    [
      "a StatefulSet may not change its serviceName",
      statefulSet({}),
      statefulSet({ serviceName: "other" }),
      [
        {
          reason: "FieldValueForbidden",
          message:
            "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
          field: "spec",
        },
      ],
    ],
    [
      "a Service's clusterIP may not change once set",
      service({ clusterIP: "10.0.0.10", ports: [{ port: 80 }] }),
      service({ clusterIP: "10.0.0.11", ports: [{ port: 80 }] }),
      [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: []string{"10.0.0.11"}: may not change once set',
          field: "spec.clusterIPs[0]",
        },
      ],
    ],
    [
      "a Service update that omits its clusterIP keeps it",
      service({ clusterIP: "10.0.0.10", ports: [{ port: 80 }] }),
      service({ ports: [{ port: 81 }] }),
      [],
    ],
    [
      "a bound claim may grow",
      boundClaim,
      pvc(
        { ...claimSpec, volumeName: "pv-1", resources: { requests: { storage: "20Gi" } } },
        { phase: "Bound" },
      ),
      [],
    ],
    [
      "a bound claim may not shrink",
      boundClaim,
      pvc(
        { ...claimSpec, volumeName: "pv-1", resources: { requests: { storage: "1Gi" } } },
        { phase: "Bound" },
      ),
      [
        {
          reason: "FieldValueForbidden",
          message: "Forbidden: field can not be less than previous value",
          field: "spec.resources.requests.storage",
        },
      ],
    ],
    [
      "a claim's access modes are immutable",
      boundClaim,
      pvc({ ...claimSpec, volumeName: "pv-1", accessModes: ["ReadWriteMany"] }, { phase: "Bound" }),
      [
        {
          reason: "FieldValueForbidden",
          message:
            "Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
          field: "spec",
        },
      ],
    ],
    [
      "an unbound claim may be bound to a volume once",
      pvc(claimSpec),
      pvc({ ...claimSpec, volumeName: "pv-1" }),
      [],
    ],
    [
      "a PV's source is immutable",
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "pv" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          capacity: { storage: "1Gi" },
          csi: { driver: "disk.csi.azure.com", volumeHandle: "a" },
        },
      },
      {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: "pv" },
        spec: {
          accessModes: ["ReadWriteOnce"],
          capacity: { storage: "1Gi" },
          csi: { driver: "disk.csi.azure.com", volumeHandle: "b" },
        },
      },
      [
        {
          reason: "FieldValueForbidden",
          message: "Forbidden: spec.persistentvolumesource is immutable after creation",
          field: "spec.persistentvolumesource",
        },
      ],
    ],
    [
      "a Job's selector is immutable",
      {
        ...job("Never"),
        spec: {
          ...(job("Never").spec as object),
          selector: { matchLabels: { a: "1" } },
          template: {
            metadata: { labels: { a: "1" } },
            spec: { containers: [container], restartPolicy: "Never" },
          },
        },
      },
      {
        ...job("Never"),
        spec: {
          ...(job("Never").spec as object),
          selector: { matchLabels: { a: "2" } },
          template: {
            metadata: { labels: { a: "1", b: "2" } },
            spec: { containers: [container], restartPolicy: "Never" },
          },
        },
      },
      [
        {
          reason: "FieldValueInvalid",
          message:
            'Invalid value: map[string]string{"a":"1", "b":"2"}: `selector` does not match template `labels`',
          field: "spec.template.metadata.labels",
        },
        {
          reason: "FieldValueInvalid",
          message:
            'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
          field: "spec.selector",
        },
        {
          reason: "FieldValueInvalid",
          message: "Invalid value: core.PodTemplateSpec{...}: field is immutable",
          field: "spec.template",
        },
      ],
    ],
    [
      "an immutable ConfigMap keeps its data",
      immutableConfig,
      configMap({ immutable: true, data: { a: "2" } }),
      [
        {
          reason: "FieldValueForbidden",
          message: "Forbidden: field is immutable when `immutable` is set",
          field: "data",
        },
      ],
    ],
    [
      "an immutable ConfigMap stays immutable",
      immutableConfig,
      configMap({ data: { a: "1" } }),
      [
        {
          reason: "FieldValueForbidden",
          message: "Forbidden: field is immutable when `immutable` is set",
          field: "immutable",
        },
      ],
    ],
    [
      "a Secret's type is immutable",
      { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, type: "Opaque" },
      {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "s" },
        type: "kubernetes.io/basic-auth",
        data: { username: "YQ==" },
      },
      [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "kubernetes.io/basic-auth": field is immutable',
          field: "type",
        },
      ],
    ],
    [
      "metadata.uid cannot change",
      configMap({ metadata: { name: "c", uid: "1" } }),
      configMap({ metadata: { name: "c", uid: "2" } }),
      [
        {
          reason: "FieldValueInvalid",
          message: 'Invalid value: "2": field is immutable',
          field: "metadata.uid",
        },
      ],
    ],
    [
      "a Pod may change only its image among spec fields",
      { apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [container] } },
      {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "p" },
        spec: { containers: [{ ...container, image: "nginx:2" }] },
      },
      [],
    ],
    [
      "a RoleBinding's roleRef cannot change",
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "b" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "a" },
      },
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: "b" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "b" },
      },
      [
        {
          reason: "FieldValueInvalid",
          message:
            'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"b"}: cannot change roleRef',
          field: "roleRef",
        },
      ],
    ],
  ])("%s", (_name, old, object, causes) => {
    expect(validate(object, old)).toEqual(causes);
  });
});
