// Small restore plans built by hand for the apply tests: items from objects (the type looked up by
// kind, or given for custom resources), phases, and a plan with the defaults a request would give.
import type { Cluster } from "../../src/kube/cluster.js";
import { discoverResources } from "../../src/kube/discovery.js";
import type { KubeObject } from "../../src/kube/types.js";
import { restorePhases } from "../../src/restore/priorities.js";
import type { PlannedItem, PlannedPhase, RestorePlan } from "../../src/restore/types.js";

interface TypeInfo {
  resource: string;
  namespaced: boolean;
}

const BUILT_IN: Record<string, TypeInfo> = {
  Namespace: { resource: "namespaces", namespaced: false },
  ConfigMap: { resource: "configmaps", namespaced: true },
  Secret: { resource: "secrets", namespaced: true },
  ServiceAccount: { resource: "serviceaccounts", namespaced: true },
  Service: { resource: "services", namespaced: true },
  Deployment: { resource: "deployments", namespaced: true },
  ReplicaSet: { resource: "replicasets", namespaced: true },
  CustomResourceDefinition: { resource: "customresourcedefinitions", namespaced: false },
};

/** A planned item for `object`; `oldUid` is its uid in the backup (kept in the object too). */
export function item(object: KubeObject, oldUid?: string, type?: TypeInfo): PlannedItem {
  const info = type ?? BUILT_IN[object.kind];
  if (!info) throw new Error(`no type for kind ${object.kind}; pass one`);
  const slash = object.apiVersion.lastIndexOf("/");
  const namespace = info.namespaced ? (object.metadata.namespace ?? "default") : undefined;
  return {
    group: slash < 0 ? "" : object.apiVersion.slice(0, slash),
    version: object.apiVersion.slice(slash + 1),
    resource: info.resource,
    kind: object.kind,
    namespaced: info.namespaced,
    ...(namespace !== undefined ? { namespace } : {}),
    name: object.metadata.name ?? "",
    object: namespace !== undefined ? { ...object, metadata: { ...object.metadata, namespace } } : object,
    ...(oldUid !== undefined ? { oldUid } : {}),
  };
}

export function phase(
  name: PlannedPhase["name"],
  items: PlannedItem[],
  waitForEstablished = false,
): PlannedPhase {
  return { name, items, ...(waitForEstablished ? { waitForEstablished } : {}) };
}

export function plan(phases: PlannedPhase[], fields: Partial<RestorePlan> = {}): RestorePlan {
  return {
    recoveryPointId: "rp-test",
    phases,
    skipped: [],
    unselected: 0,
    warnings: [],
    volumes: [],
    persistentVolumeRestoreMode: "RestoreWithoutVolumeData",
    conflictPolicy: "Skip",
    namespaceMappings: {},
    ...fields,
  };
}

export const ns = (name: string, labels?: Record<string, string>): KubeObject => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: { name, ...(labels ? { labels } : {}) },
});

export const configMap = (
  namespace: string,
  name: string,
  data: Record<string, string>,
  metadata: Partial<KubeObject["metadata"]> = {},
): KubeObject => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name, namespace, ...metadata }, data });

export const ownerRef = (
  kind: string,
  apiVersion: string,
  name: string,
  uid: string,
  controller = false,
) => ({
  apiVersion,
  kind,
  name,
  uid,
  ...(controller ? { controller: true, blockOwnerDeletion: true } : {}),
});

/** GETs an object; undefined when it does not exist. */
export async function get(cluster: Cluster, path: string): Promise<KubeObject | undefined> {
  try {
    return await cluster.request<KubeObject>("GET", path);
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}

interface CrdSpec {
  group: string;
  scope: string;
  names: { plural: string; kind: string };
  versions: Array<{ name: string }>;
}

/**
 * A plan of manifests as they are (no item actions): types from the cluster's discovery, or from a
 * CRD among the manifests, in the restore's real order of phases and types.
 */
export async function planOfManifests(cluster: Cluster, objects: KubeObject[]): Promise<RestorePlan> {
  const types = new Map<string, TypeInfo & { group: string }>();
  for (const type of (await discoverResources(cluster)).types) {
    for (const version of type.versions) {
      const apiVersion = type.group === "" ? version : `${type.group}/${version}`;
      types.set(`${apiVersion}/${type.kind}`, type);
    }
  }
  for (const crd of objects.filter((object) => object.kind === "CustomResourceDefinition")) {
    const spec = crd.spec as CrdSpec;
    for (const version of spec.versions) {
      const type = {
        group: spec.group,
        resource: spec.names.plural,
        namespaced: spec.scope === "Namespaced",
      };
      types.set(`${spec.group}/${version.name}/${spec.names.kind}`, type);
    }
  }
  const items = objects.map((object) => {
    const type = types.get(`${object.apiVersion}/${object.kind}`);
    if (!type) throw new Error(`no type serves ${object.apiVersion} ${object.kind}`);
    return item(object, undefined, type);
  });
  const key = (i: { group: string; resource: string }) => `${i.resource}.${i.group}`;
  return plan(
    restorePhases(items).map((p) => {
      const order = p.types.map(key);
      const inPhase = items.filter((i) => order.includes(key(i)));
      inPhase.sort((a, b) => order.indexOf(key(a)) - order.indexOf(key(b)));
      return phase(p.name, inPhase, p.waitAfter !== undefined);
    }),
  );
}
