// The real-world manifests the simulator accepts, in the order they can be created (CRDs first),
// and how to create one file's documents through client-node: namespaced documents that name no
// namespace go into the file's own namespace, CRDs are waited for until Established.
import { type KubernetesObject, type KubernetesObjectApi, loadAllYaml } from "@kubernetes/client-node";
import type { KubeObject } from "../../src/sim/kube/types.js";
import { eventually } from "./eventually.js";
import {
  ALTERNATIVE_CRD,
  INVALID_MANIFEST,
  isCrd,
  loadManifests,
  type ManifestFile,
  namespaceForFile,
} from "./manifests.js";

/** The cluster-scoped kinds of the corpus; everything else in it is namespaced. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "StorageClass",
  "PersistentVolume",
  "CustomResourceDefinition",
]);

/** Namespaces that documents of the corpus name and that a fresh cluster lacks. */
export const NAMED_NAMESPACES = ["monitoring"] as const;

const crdFirst = (a: ManifestFile, b: ManifestFile) =>
  Number(!a.documents.some(isCrd)) - Number(!b.documents.some(isCrd)) || a.path.localeCompare(b.path);

/**
 * Every file of the corpus a real server accepts, CRDs first: all but the invalid DaemonSet and the
 * alternative definition of foos.samplecontroller.k8s.io (test/sim/manifests.test.ts shows both).
 */
export function acceptedManifests(manifests: ManifestFile[] = loadManifests()): ManifestFile[] {
  return manifests.filter((m) => m.path !== INVALID_MANIFEST && m.path !== ALTERNATIVE_CRD).sort(crdFirst);
}

/** A document of `file` as it is created: namespaced ones without a namespace get the file's own. */
export function placed(file: ManifestFile, document: KubeObject): KubeObject {
  const object = structuredClone(document);
  if (!CLUSTER_SCOPED_KINDS.has(object.kind?.trim() ?? "") && !object.metadata?.namespace) {
    object.metadata = { ...object.metadata, namespace: namespaceForFile(file.path) };
  }
  return object;
}

/**
 * Creates the file's namespace and its documents through client-node's typed models (loadAllYaml:
 * its serializer needs them, raw JSON would lose fields such as `x-kubernetes-*`), waiting for each
 * CRD to be Established. Returns the raw documents as created (namespaces filled in).
 */
export async function createManifestFile(
  client: KubernetesObjectApi,
  file: ManifestFile,
  typed: KubernetesObject[] = loadAllYaml(file.text) as KubernetesObject[],
): Promise<KubeObject[]> {
  const ns = namespaceForFile(file.path);
  await client.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } }).catch(() => undefined);
  const created: KubeObject[] = [];
  for (const [index, object] of typed.entries()) {
    const raw = placed(file, file.documents[index] ?? {});
    if (raw.metadata?.namespace !== undefined)
      object.metadata = { ...object.metadata, namespace: raw.metadata.namespace };
    created.push(raw);
    await client.create(object);
    if (isCrd(raw)) await waitEstablished(client, raw.metadata?.name ?? "");
  }
  return created;
}

export async function waitEstablished(client: KubernetesObjectApi, name: string): Promise<void> {
  await eventually(async () => {
    const crd = (await client.read({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name },
    })) as KubeObject;
    const conditions = (crd.status as { conditions?: { type: string; status: string }[] } | undefined)
      ?.conditions;
    return conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
  }, `CRD ${name} to be Established`);
}
