// What a restore changes in claims, volumes, bindings, namespaces, owner references and server
// fields, one behaviour per row.
import { describe, expect, it } from "vitest";
import { obj, pod, restored, spec } from "./builders.js";

describe("restore item actions: mapping and bookkeeping", () => {
  it.each([
    [
      "a PVC loses its bind annotations",
      () =>
        JSON.stringify(
          restored(
            "",
            "persistentvolumeclaims",
            obj("v1", "PersistentVolumeClaim", {
              metadata: {
                annotations: {
                  "pv.kubernetes.io/bind-completed": "yes",
                  "pv.kubernetes.io/bound-by-controller": "yes",
                  "volume.kubernetes.io/storage-provisioner": "disk.csi.azure.com",
                  "volume.beta.kubernetes.io/storage-provisioner": "disk.csi.azure.com",
                  "volume.kubernetes.io/selected-node": "n1",
                  keep: "me",
                },
              },
            }),
          ).metadata.annotations,
        ),
      '{"keep":"me"}',
    ],
    [
      "RoleBinding subjects follow the namespace mapping",
      () =>
        JSON.stringify(
          restored(
            "rbac.authorization.k8s.io",
            "rolebindings",
            obj("rbac.authorization.k8s.io/v1", "RoleBinding", {
              subjects: [
                { kind: "ServiceAccount", name: "a", namespace: "shop" },
                { kind: "ServiceAccount", name: "b", namespace: "other" },
              ],
            }),
          ).subjects,
        ),
      '[{"kind":"ServiceAccount","name":"a","namespace":"shop-copy"},{"kind":"ServiceAccount","name":"b","namespace":"other"}]',
    ],
    [
      "ClusterRoleBinding subjects follow the namespace mapping",
      () =>
        JSON.stringify(
          restored(
            "rbac.authorization.k8s.io",
            "clusterrolebindings",
            obj("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", {
              metadata: { namespace: undefined },
              subjects: [{ kind: "ServiceAccount", name: "a", namespace: "shop" }],
            }),
          ).subjects,
        ),
      '[{"kind":"ServiceAccount","name":"a","namespace":"shop-copy"}]',
    ],
    [
      "a PV's claimRef follows the namespace mapping and forgets the old claim",
      () =>
        JSON.stringify(
          spec(
            restored(
              "",
              "persistentvolumes",
              obj("v1", "PersistentVolume", {
                metadata: { namespace: undefined },
                spec: {
                  claimRef: {
                    kind: "PersistentVolumeClaim",
                    namespace: "shop",
                    name: "data",
                    uid: "u",
                    resourceVersion: "9",
                  },
                },
              }),
            ),
          ).claimRef,
        ),
      '{"kind":"PersistentVolumeClaim","namespace":"shop-copy","name":"data"}',
    ],
    [
      "a namespaced item moves to the mapped namespace",
      () => restored("", "configmaps", obj("v1", "ConfigMap")).metadata.namespace,
      "shop-copy",
    ],
    [
      "an unmapped namespace is kept",
      () =>
        restored("", "configmaps", obj("v1", "ConfigMap", { metadata: { namespace: "other" } })).metadata
          .namespace,
      "other",
    ],
    [
      "a mapped Namespace object is renamed",
      () =>
        restored(
          "",
          "namespaces",
          obj("v1", "Namespace", { metadata: { name: "shop", namespace: undefined } }),
        ).metadata.name,
      "shop-copy",
    ],
    [
      "an owner restored in the same run is kept with its old uid for re-pointing",
      () =>
        JSON.stringify(
          restored(
            "",
            "pods",
            pod({ metadata: { ownerReferences: [{ kind: "ReplicaSet", name: "web-1", uid: "rs-uid" }] } }),
          ).metadata.ownerReferences,
        ),
      '[{"kind":"ReplicaSet","name":"web-1","uid":"rs-uid"}]',
    ],
    [
      "an owner not restored is dropped",
      () =>
        restored(
          "",
          "pods",
          pod({ metadata: { ownerReferences: [{ kind: "ReplicaSet", name: "gone", uid: "other" }] } }),
        ).metadata.ownerReferences,
      undefined,
    ],
    [
      "server fields are stripped",
      () =>
        JSON.stringify(
          restored(
            "",
            "configmaps",
            obj("v1", "ConfigMap", {
              metadata: {
                uid: "u",
                resourceVersion: "1",
                generation: 2,
                creationTimestamp: "t",
                deletionTimestamp: "t",
                deletionGracePeriodSeconds: 30,
                selfLink: "/x",
                managedFields: [],
              },
              status: {},
            }),
          ),
        ),
      '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"shop-copy"}}',
    ],
  ])("%s", (_, actual, expected) => {
    expect(actual()).toEqual(expected);
  });
});
