// The ServiceAccount admission plugin for pods: serviceAccountName defaults to "default", and every
// container mounts a projected `kube-api-access-<random>` token volume unless automount is off.
import type { AdmissionHook } from "../admission.js";
import { generateName } from "../object-meta.js";
import type { MemoryStore } from "../store.js";

export const tokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
const volumePrefix = "kube-api-access-";

interface VolumeMount {
  name?: string;
  mountPath?: string;
  readOnly?: boolean;
}

interface Container {
  volumeMounts?: VolumeMount[];
}

interface PodSpec {
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  volumes?: Array<{ name?: string }>;
  initContainers?: Container[];
  containers?: Container[];
}

/** The projected volume kube-apiserver adds (token, cluster CA, namespace), as in a real pod. */
function tokenVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
        { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
        {
          downwardAPI: {
            items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
          },
        },
      ],
      defaultMode: 420,
    },
  };
}

export function serviceAccountAdmission(store: MemoryStore): AdmissionHook {
  const automountOf = (namespace: string | undefined, name: string): boolean | undefined => {
    const type = store.registry.lookup("", "v1", "serviceaccounts");
    const account = type ? store.entry(type, namespace, name)?.object : undefined;
    return (account as { automountServiceAccountToken?: boolean } | undefined)?.automountServiceAccountToken;
  };
  return (request) => {
    const { type, object } = request;
    if (request.operation !== "CREATE" || type.group !== "" || type.resource !== "pods") return undefined;
    // Static pods mirrored by a kubelet are left as they are.
    if (object.metadata?.annotations?.["kubernetes.io/config.mirror"] !== undefined) return undefined;
    const spec = (object.spec ?? {}) as PodSpec;
    object.spec = spec as Record<string, unknown>;
    spec.serviceAccountName ||= "default";
    spec.serviceAccount = spec.serviceAccountName;
    const automount =
      spec.automountServiceAccountToken ?? automountOf(object.metadata?.namespace, spec.serviceAccountName);
    if (automount === false) return undefined;

    const volumes = spec.volumes ?? [];
    const existing = volumes.find((v) => v.name?.startsWith(volumePrefix))?.name;
    const name = existing ?? generateName(volumePrefix);
    let needed = false;
    for (const container of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
      const mounts = container.volumeMounts ?? [];
      // A container that mounts something at the token path keeps its own mount.
      if (mounts.some((m) => m.mountPath === tokenMountPath)) continue;
      container.volumeMounts = [...mounts, { name, readOnly: true, mountPath: tokenMountPath }];
      needed = true;
    }
    if (needed && !existing) spec.volumes = [...volumes, tokenVolume(name)];
    return undefined;
  };
}
