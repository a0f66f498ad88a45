// Test objects and the context the restore item action tests share: a "shop" namespace mapped to
// "shop-copy" and one ReplicaSet restored in the same run.
import type { KubeObject } from "../../src/kube/types.js";
import { type RestoreContext, runRestoreItemActions } from "../../src/restore/actions/index.js";

export const context: RestoreContext = {
  namespaceMapping: { shop: "shop-copy" },
  itemsByOldUid: new Map([
    ["rs-uid", { apiVersion: "apps/v1", kind: "ReplicaSet", namespace: "shop", name: "web-1" }],
  ]),
};

export const obj = (apiVersion: string, kind: string, fields: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion,
  kind,
  ...fields,
  metadata: { name: "x", namespace: "shop", ...fields.metadata },
});
export const run = (group: string, resource: string, item: KubeObject) =>
  runRestoreItemActions(item, { group, resource }, context);
export const restored = (group: string, resource: string, item: KubeObject): KubeObject => {
  const outcome = run(group, resource, item);
  if (!outcome.item) throw new Error(`skipped: ${outcome.skip?.reason}`);
  return outcome.item;
};
export const spec = (item: KubeObject) => item.spec as Record<string, unknown>;

export const service = (specFields: Record<string, unknown>, annotations?: Record<string, string>) =>
  obj("v1", "Service", { metadata: { annotations }, spec: specFields });
export const lastApplied = (specFields: Record<string, unknown>) => ({
  "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({ spec: specFields }),
});
export const pod = (fields: Partial<KubeObject> = {}) =>
  obj("v1", "Pod", {
    spec: {
      nodeName: "aks-node-1",
      volumes: [
        { name: "kube-api-access-abcde", projected: { sources: [] } },
        { name: "data", emptyDir: {} },
      ],
      containers: [
        {
          name: "web",
          volumeMounts: [
            { name: "kube-api-access-abcde", mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" },
            { name: "data", mountPath: "/data" },
          ],
        },
      ],
    },
    ...fields,
  });
export const job = (specFields: Record<string, unknown>, status?: Record<string, unknown>) =>
  obj("batch/v1", "Job", {
    spec: {
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": "old" } },
      template: {
        metadata: {
          labels: { "controller-uid": "old", "batch.kubernetes.io/controller-uid": "old", app: "x" },
        },
      },
      ...specFields,
    },
    status,
  });
