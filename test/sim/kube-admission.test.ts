// The admission a restore meets, over HTTP: DefaultStorageClass for claims, Job selector
// generation, the ServiceAccount token volume of pods, and graceful deletion of pods on nodes.
import { describe, expect, it } from "vitest";
import type { ObjectMeta } from "../../src/sim/kube/types.js";
import type { ObjectBody, StatusBody } from "../helpers/kube-shapes.js";
import { raw, useKubeSim } from "../helpers/kube-sim.js";

interface ClaimBody extends ObjectBody {
  spec: { storageClassName?: string };
}

interface JobBody extends ObjectBody {
  spec: { selector?: unknown; template: { metadata: { labels: Record<string, string> } } };
}

type VolumeMount = { name: string; readOnly?: boolean; mountPath: string };
type Container = { name: string; image: string; volumeMounts?: VolumeMount[] };
type Volume = { name: string; projected?: { sources: object[] }; emptyDir?: object };

interface PodBody extends ObjectBody {
  spec: {
    serviceAccountName?: string;
    serviceAccount?: string;
    volumes?: Volume[];
    initContainers?: Container[];
    containers: Container[];
  };
}

/** A pod that admission (or the restore) gave volumes. */
interface PodWithVolumesBody extends PodBody {
  spec: PodBody["spec"] & { volumes: Volume[] };
}

/** A pod with volumes and the init containers it was sent with. */
interface PodWithInitBody extends PodWithVolumesBody {
  spec: PodWithVolumesBody["spec"] & { initContainers: Container[] };
}

/** A pod that a graceful delete marked. */
interface DeletingBody extends ObjectBody {
  metadata: ObjectMeta & { deletionTimestamp: string; deletionGracePeriodSeconds: number };
}

let clock = Date.parse("2026-03-01T10:00:00Z");
const ns = "/api/v1/namespaces/default";

function claim(name: string, storageClassName?: string) {
  return {
    metadata: { name },
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
      ...(storageClassName !== undefined ? { storageClassName } : {}),
    },
  };
}

function defaultClass(name: string) {
  return {
    metadata: { name, annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "disk.csi.azure.com",
  };
}

function job(name: string, extra: Record<string, unknown> = {}) {
  return {
    metadata: { name },
    spec: {
      template: { spec: { restartPolicy: "Never", containers: [{ name: "run", image: "busybox" }] } },
      ...extra,
    },
  };
}

describe("kube-sim admission", () => {
  const h = useKubeSim({ store: { now: () => new Date(clock) } });

  it("gives a claim without a class the default one (the newest of two), none without a default", async () => {
    const create = async (name: string, storageClassName?: string) =>
      (
        await raw<ClaimBody>(h(), "POST", `${ns}/persistentvolumeclaims`, {
          body: claim(name, storageClassName),
        })
      ).json.spec.storageClassName;
    expect(await create("before-any-default")).toBeUndefined();
    await raw(h(), "POST", "/apis/storage.k8s.io/v1/storageclasses", { body: defaultClass("standard") });
    expect(await create("first")).toBe("standard");
    clock += 60_000;
    await raw(h(), "POST", "/apis/storage.k8s.io/v1/storageclasses", { body: defaultClass("fast") });
    expect(await create("second")).toBe("fast");
    expect(await create("explicitly-none", "")).toBe("");
    expect(await create("named", "standard")).toBe("standard");
  });

  it("generates a Job's selector and template labels from its uid unless manualSelector is set", async () => {
    const created = (
      await raw<JobBody>(h(), "POST", "/apis/batch/v1/namespaces/default/jobs", { body: job("report") })
    ).json;
    const uid = created.metadata.uid;
    expect(created.spec.selector).toEqual({ matchLabels: { "batch.kubernetes.io/controller-uid": uid } });
    expect(created.spec.template.metadata.labels).toEqual({
      "batch.kubernetes.io/controller-uid": uid,
      "batch.kubernetes.io/job-name": "report",
      "controller-uid": uid,
      "job-name": "report",
    });
    const manual = await raw<JobBody>(h(), "POST", "/apis/batch/v1/namespaces/default/jobs", {
      body: job("manual", {
        manualSelector: true,
        selector: { matchLabels: { run: "manual" } },
        template: {
          metadata: { labels: { run: "manual" } },
          spec: { restartPolicy: "Never", containers: [{ name: "run", image: "busybox" }] },
        },
      }),
    });
    expect(manual.status).toBe(201);
    expect(manual.json.spec.template.metadata.labels).toEqual({ run: "manual" });
  });

  it("refuses a Job that still carries the selector of the Job it was backed up from", async () => {
    const old = "5f1d6e0c-1111-4222-8333-444455556666";
    const restored = job("restored", {
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": old } },
      template: {
        metadata: { labels: { "batch.kubernetes.io/controller-uid": old, "controller-uid": old } },
        spec: { restartPolicy: "Never", containers: [{ name: "run", image: "busybox" }] },
      },
    });
    const res = await raw<StatusBody>(h(), "POST", "/apis/batch/v1/namespaces/default/jobs", {
      body: restored,
    });
    expect(res.status).toBe(422);
    expect(res.json.details?.causes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          field: "spec.selector",
          message: expect.stringContaining("`selector` not auto-generated"),
        }),
        expect.objectContaining({ field: "spec.template.metadata.labels[controller-uid]" }),
      ]),
    );
  });

  it("gives pods the default service account and a kube-api-access volume mounted in every container", async () => {
    const pod = {
      metadata: { name: "two-containers" },
      spec: {
        initContainers: [{ name: "init", image: "busybox" }],
        containers: [
          { name: "app", image: "nginx" },
          { name: "sidecar", image: "busybox" },
        ],
      },
    };
    const created = (await raw<PodWithInitBody>(h(), "POST", `${ns}/pods`, { body: pod })).json;
    expect(created.spec.serviceAccountName).toBe("default");
    expect(created.spec.serviceAccount).toBe("default");
    const volume = created.spec.volumes.find((v: { name: string }) => v.name.startsWith("kube-api-access-"));
    expect(volume?.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(volume?.projected?.sources.map((s: object) => Object.keys(s)[0])).toEqual([
      "serviceAccountToken",
      "configMap",
      "downwardAPI",
    ]);
    for (const c of [...created.spec.initContainers, ...created.spec.containers]) {
      expect(c.volumeMounts).toEqual([
        { name: volume?.name, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" },
      ]);
    }
  });

  it("adds no token volume with automountServiceAccountToken: false and reuses a restored one", async () => {
    const off = (
      await raw<PodBody>(h(), "POST", `${ns}/pods`, {
        body: {
          metadata: { name: "no-token" },
          spec: { automountServiceAccountToken: false, containers: [{ name: "app", image: "nginx" }] },
        },
      })
    ).json;
    expect(off.spec.volumes).toBeUndefined();
    expect(off.spec.containers[0]?.volumeMounts).toBeUndefined();
    const kept = (
      await raw<PodWithVolumesBody>(h(), "POST", `${ns}/pods`, {
        body: {
          metadata: { name: "restored" },
          spec: {
            volumes: [{ name: "kube-api-access-abcde", emptyDir: {} }],
            containers: [{ name: "app", image: "nginx" }],
          },
        },
      })
    ).json;
    expect(kept.spec.volumes.map((v: { name: string }) => v.name)).toEqual(["kube-api-access-abcde"]);
    expect(kept.spec.containers[0]?.volumeMounts?.[0]?.name).toBe("kube-api-access-abcde");
  });

  it("deletes a pod on a node gracefully: deletionTimestamp plus grace period first, at once when forced", async () => {
    await raw(h(), "POST", `${ns}/pods`, {
      body: {
        metadata: { name: "graceful" },
        spec: { terminationGracePeriodSeconds: 45, containers: [{ name: "app", image: "nginx" }] },
      },
    });
    await raw(h(), "POST", `${ns}/pods/graceful/binding`, {
      body: { metadata: { name: "graceful" }, target: { kind: "Node", name: "node-a" } },
    });
    const first = await raw<DeletingBody>(h(), "DELETE", `${ns}/pods/graceful`);
    expect(first.status).toBe(200);
    expect(first.json.metadata.deletionGracePeriodSeconds).toBe(45);
    expect(Date.parse(first.json.metadata.deletionTimestamp) - clock).toBe(45_000);
    expect(
      (await raw<ObjectBody>(h(), "GET", `${ns}/pods/graceful`)).json.metadata.deletionTimestamp,
    ).toBeDefined();
    const shorter = await raw<DeletingBody>(h(), "DELETE", `${ns}/pods/graceful`, {
      body: { gracePeriodSeconds: 5 },
    });
    expect(shorter.json.metadata.deletionGracePeriodSeconds).toBe(5);
    const forced = await raw(h(), "DELETE", `${ns}/pods/graceful?gracePeriodSeconds=0`);
    expect(forced.status).toBe(200);
    expect((await raw(h(), "GET", `${ns}/pods/graceful`)).status).toBe(404);
  });
});
