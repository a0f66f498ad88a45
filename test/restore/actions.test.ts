// What a restore changes in Services, Pods and Jobs and what it skips, one behaviour per row, then
// every action over the real-world manifest corpus.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/kube/types.js";
import { SERVER_METADATA_FIELDS } from "../../src/restore/actions/server-fields.js";
import { loadManifests } from "../helpers/manifests.js";
import { job, lastApplied, obj, pod, restored, run, service, spec } from "./builders.js";

describe("restore item actions: what they keep and change", () => {
  it.each([
    [
      "a headless Service keeps clusterIP None",
      () => spec(restored("", "services", service({ clusterIP: "None", clusterIPs: ["None"] }))).clusterIP,
      "None",
    ],
    [
      "a ClusterIP Service loses its clusterIP",
      () =>
        spec(restored("", "services", service({ clusterIP: "10.0.0.9", clusterIPs: ["10.0.0.9"] })))
          .clusterIP,
      undefined,
    ],
    [
      "a ClusterIP Service loses its clusterIPs",
      () =>
        spec(restored("", "services", service({ clusterIP: "10.0.0.9", clusterIPs: ["10.0.0.9"] })))
          .clusterIPs,
      undefined,
    ],
    [
      "an auto-assigned nodePort is dropped",
      () =>
        (
          spec(
            restored("", "services", service({ type: "NodePort", ports: [{ port: 80, nodePort: 31000 }] })),
          ).ports as Array<Record<string, unknown>>
        )[0]?.nodePort,
      undefined,
    ],
    [
      "an explicitly set nodePort in last-applied-configuration is kept",
      () =>
        (
          spec(
            restored(
              "",
              "services",
              service(
                { type: "NodePort", ports: [{ port: 80, nodePort: 30080 }] },
                lastApplied({ ports: [{ port: 80, nodePort: 30080 }] }),
              ),
            ),
          ).ports as Array<Record<string, unknown>>
        )[0]?.nodePort,
      30080,
    ],
    [
      "a nodePort owned in managedFields is kept",
      () =>
        (
          spec(
            restored(
              "",
              "services",
              obj("v1", "Service", {
                metadata: {
                  managedFields: [
                    {
                      manager: "helm",
                      fieldsV1: {
                        "f:spec": { "f:ports": { 'k:{"port":80,"protocol":"TCP"}': { "f:nodePort": {} } } },
                      },
                    },
                  ],
                },
                spec: { type: "NodePort", ports: [{ port: 80, protocol: "TCP", nodePort: 30081 }] },
              }),
            ),
          ).ports as Array<Record<string, unknown>>
        )[0]?.nodePort,
      30081,
    ],
    [
      "an auto-assigned healthCheckNodePort is dropped",
      () =>
        spec(restored("", "services", service({ type: "LoadBalancer", healthCheckNodePort: 32000 })))
          .healthCheckNodePort,
      undefined,
    ],
    [
      "an explicit healthCheckNodePort is kept",
      () =>
        spec(
          restored(
            "",
            "services",
            service(
              { type: "LoadBalancer", healthCheckNodePort: 32000 },
              lastApplied({ healthCheckNodePort: 32000 }),
            ),
          ),
        ).healthCheckNodePort,
      32000,
    ],
    ["a Pod loses its nodeName", () => spec(restored("", "pods", pod())).nodeName, undefined],
    [
      "a Pod loses its kube-api-access volume",
      () => (spec(restored("", "pods", pod())).volumes as Array<{ name: string }>).map((v) => v.name).join(),
      "data",
    ],
    [
      "a Pod loses its kube-api-access mount",
      () =>
        (
          (
            spec(restored("", "pods", pod())).containers as Array<{ volumeMounts: Array<{ name: string }> }>
          )[0]?.volumeMounts ?? []
        )
          .map((m) => m.name)
          .join(),
      "data",
    ],
    [
      "a Job loses its generated selector",
      () => spec(restored("batch", "jobs", job({}))).selector,
      undefined,
    ],
    [
      "a Job's template loses the controller-uid labels",
      () =>
        JSON.stringify((spec(restored("batch", "jobs", job({}))).template as { metadata: unknown }).metadata),
      '{"labels":{"app":"x"}}',
    ],
    [
      "a Job with manualSelector keeps its selector",
      () => JSON.stringify(spec(restored("batch", "jobs", job({ manualSelector: true }))).selector),
      '{"matchLabels":{"batch.kubernetes.io/controller-uid":"old"}}',
    ],
  ])("%s", (_, actual, expected) => {
    expect(actual()).toEqual(expected);
  });

  it.each([
    [
      "a mirror pod is skipped",
      "",
      "pods",
      pod({ metadata: { annotations: { "kubernetes.io/config.mirror": "abc" } } }),
      /mirror/,
    ],
    ["a Succeeded pod is skipped", "", "pods", pod({ status: { phase: "Succeeded" } }), /completed/],
    ["a Failed pod is skipped", "", "pods", pod({ status: { phase: "Failed" } }), /completed/],
    [
      "a completed Job is skipped",
      "batch",
      "jobs",
      job({}, { conditions: [{ type: "Complete", status: "True" }] }),
      /finished/,
    ],
    [
      "a failed Job is skipped",
      "batch",
      "jobs",
      job({}, { conditions: [{ type: "Failed", status: "True" }] }),
      /finished/,
    ],
    [
      "a service-account token Secret is skipped",
      "",
      "secrets",
      obj("v1", "Secret", { type: "kubernetes.io/service-account-token" }),
      /token/,
    ],
    ["a Node is never restored", "", "nodes", obj("v1", "Node"), /never restored/],
    ["an Event is never restored", "", "events", obj("v1", "Event"), /never restored/],
    [
      "an events.k8s.io Event is never restored",
      "events.k8s.io",
      "events",
      obj("events.k8s.io/v1", "Event"),
      /never restored/,
    ],
    [
      "a CSINode is never restored",
      "storage.k8s.io",
      "csinodes",
      obj("storage.k8s.io/v1", "CSINode"),
      /never restored/,
    ],
    [
      "a namespace's kube-root-ca.crt is left to the target cluster",
      "",
      "configmaps",
      obj("v1", "ConfigMap", { metadata: { name: "kube-root-ca.crt" } }),
      /published by the target cluster/,
    ],
    [
      "a VolumeAttachment is never restored",
      "storage.k8s.io",
      "volumeattachments",
      obj("storage.k8s.io/v1", "VolumeAttachment"),
      /never restored/,
    ],
  ])("%s", (_, group, resource, item, reason) => {
    const outcome = run(group, resource, item);
    expect(outcome.item).toBeUndefined();
    expect(outcome.skip?.reason).toMatch(reason);
  });

  it("warns when an owner reference is dropped", () => {
    const outcome = run(
      "",
      "pods",
      pod({ metadata: { ownerReferences: [{ kind: "ReplicaSet", name: "gone", uid: "x" }] } }),
    );
    expect(outcome.warnings.join()).toMatch(/ReplicaSet\/gone/);
  });

  it("leaves the item it was given unchanged", () => {
    const item = pod({ metadata: { uid: "u" } });
    const copy = structuredClone(item);
    run("", "pods", item);
    expect(item).toEqual(copy);
  });
});

const plural = (kind: string) => {
  const lower = kind.toLowerCase();
  return lower.endsWith("s") ? `${lower}es` : lower.endsWith("y") ? `${lower.slice(0, -1)}ies` : `${lower}s`;
};

describe("restore item actions over the real-world manifests", () => {
  const documents = loadManifests().flatMap((file) =>
    file.documents.map((document) => ({ path: file.path, document })),
  );

  it("run on every document without throwing and leave no server fields", () => {
    expect(documents.length).toBeGreaterThan(30);
    for (const { document } of documents) {
      const apiVersion = document.apiVersion ?? "";
      const kind = document.kind ?? "";
      const withServerFields: KubeObject = {
        ...document,
        apiVersion,
        kind,
        metadata: {
          ...document.metadata,
          namespace: document.metadata?.namespace ?? "shop",
          uid: "u",
          resourceVersion: "1",
          generation: 1,
          creationTimestamp: "2024-01-01T00:00:00Z",
          managedFields: [],
        },
        status: { phase: "Running" },
      };
      const group = apiVersion.includes("/") ? (apiVersion.split("/")[0] ?? "") : "";
      const outcome = run(group, plural(kind), withServerFields);
      if (!outcome.item) continue;
      for (const field of SERVER_METADATA_FIELDS) expect(outcome.item.metadata[field]).toBeUndefined();
      expect(outcome.item.status).toBeUndefined();
    }
  });
});
