// Mimics the kubelets of the nodes: a pod bound to a node starts (phase Running, pod IP from the
// node's pod CIDR, ready containers); a Job's pod exits 0 after `jobPodRunMs` and goes Succeeded.
import { createHash } from "node:crypto";
import type { StoreEvent } from "../api.js";
import type { KubeObject } from "../types.js";
import type { ControllerContext, ControllerFactory } from "./context.js";
import { objectKey, splitKey, typeKey } from "./context.js";
import { ownerReferences } from "./owner-references.js";
import { podPhase } from "./pod-template.js";
import { deleteIfPresent } from "./store-errors.js";

interface Container {
  name?: string;
  image?: string;
}

function digest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** `nginx:1.25` -> `docker.io/library/nginx:1.25`, as containerd reports image names. */
function qualifiedImage(image: string): string {
  const first = image.split("/")[0] ?? "";
  const hasRegistry =
    image.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  if (hasRegistry) return image;
  return image.includes("/") ? `docker.io/${image}` : `docker.io/library/${image}`;
}

function imageId(image: string): string {
  const qualified = qualifiedImage(image);
  const repository = qualified.replace(/@.*$/, "").replace(/:[^:/]+$/, "");
  return `${repository}@sha256:${digest(qualified)}`;
}

function isJobPod(pod: KubeObject): boolean {
  return ownerReferences(pod).some((r) => r.controller === true && r.kind === "Job");
}

export const kubelet: ControllerFactory = (context: ControllerContext) => {
  const { store, types, cache, options } = context;
  const pods = typeKey(types.pods);
  const nodes = typeKey(types.nodes);
  cache.track(pods);
  cache.track(nodes);
  const nextHost = new Map<string, number>();
  const finishing = new Set<string>();

  function allocateIp(node: KubeObject, hostNetwork: boolean): string {
    const nodeIp = hostIp(node);
    if (hostNetwork) return nodeIp;
    const cidr = (node.spec as { podCIDR?: string } | undefined)?.podCIDR ?? "10.244.0.0/24";
    const base = cidr.split("/")[0]?.split(".").slice(0, 3).join(".") ?? "10.244.0";
    const name = node.metadata?.name ?? "";
    const host = nextHost.get(name) ?? 2;
    nextHost.set(name, host >= 254 ? 2 : host + 1);
    return `${base}.${host}`;
  }

  function hostIp(node: KubeObject): string {
    const addresses = (node.status as { addresses?: Array<{ type?: string; address?: string }> } | undefined)
      ?.addresses;
    return addresses?.find((a) => a.type === "InternalIP")?.address ?? "10.224.0.4";
  }

  function containerStatus(
    c: Container,
    state: Record<string, unknown>,
    running: boolean,
  ): Record<string, unknown> {
    const image = c.image ?? "";
    return {
      containerID: `containerd://${digest(`${c.name}/${image}/${Math.random()}`)}`,
      image: qualifiedImage(image),
      imageID: imageId(image),
      lastState: {},
      name: c.name,
      ready: running,
      restartCount: 0,
      started: running,
      state,
    };
  }

  function start(pod: KubeObject, node: KubeObject): void {
    const now = context.now();
    const spec = (pod.spec ?? {}) as {
      containers?: Container[];
      initContainers?: Container[];
      hostNetwork?: boolean;
    };
    const ip = allocateIp(node, Boolean(spec.hostNetwork));
    const nodeIp = hostIp(node);
    const condition = (type: string) => ({
      lastProbeTime: null,
      lastTransitionTime: now,
      status: "True",
      type,
    });
    const old = (pod.status ?? {}) as { conditions?: Array<{ type?: string }> };
    // PodScheduled is the binding's (set by the API server); the kubelet reports the rest.
    const scheduled = old.conditions?.find((c) => c.type === "PodScheduled") ?? condition("PodScheduled");
    pod.status = {
      ...old,
      phase: "Running",
      conditions: [
        ...["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady"].map(condition),
        scheduled,
      ],
      hostIP: nodeIp,
      hostIPs: [{ ip: nodeIp }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: now,
      containerStatuses: (spec.containers ?? []).map((c) =>
        containerStatus(c, { running: { startedAt: now } }, true),
      ),
      ...(spec.initContainers?.length
        ? {
            initContainerStatuses: spec.initContainers.map((c) => ({
              ...containerStatus(
                c,
                { terminated: { exitCode: 0, reason: "Completed", startedAt: now, finishedAt: now } },
                false,
              ),
              ready: true,
            })),
          }
        : {}),
    };
    store.updateStatus(types.pods, pod);
  }

  function succeed(pod: KubeObject): void {
    const now = context.now();
    const status = (pod.status ?? {}) as {
      conditions?: Array<Record<string, unknown>>;
      containerStatuses?: Array<Record<string, unknown>>;
    };
    const completed = (type: string, value: string) => ({
      lastProbeTime: null,
      lastTransitionTime: now,
      status: value,
      type,
      ...(value === "False" || type === "Initialized" ? { reason: "PodCompleted" } : {}),
    });
    pod.status = {
      ...status,
      phase: "Succeeded",
      conditions: [
        completed("PodReadyToStartContainers", "False"),
        completed("Initialized", "True"),
        completed("Ready", "False"),
        completed("ContainersReady", "False"),
        status.conditions?.find((c) => c.type === "PodScheduled") ?? completed("PodScheduled", "True"),
      ],
      containerStatuses: (status.containerStatuses ?? []).map((c) => {
        const running = (c.state as { running?: { startedAt?: string } } | undefined)?.running;
        return {
          ...c,
          ready: false,
          started: false,
          state: {
            terminated: {
              containerID: c.containerID,
              exitCode: 0,
              finishedAt: now,
              reason: "Completed",
              startedAt: running?.startedAt ?? now,
            },
          },
        };
      }),
    };
    store.updateStatus(types.pods, pod);
  }

  const queue = context.queue("kubelet", (key) => {
    const { namespace, name } = splitKey(key);
    const cached = cache.get(pods, namespace, name);
    const target = (cached?.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!cached || !target || cached.metadata?.deletionTimestamp) return;
    const node = cache.get(nodes, undefined, target);
    if (!node) return;
    const phase = podPhase(cached);
    if (phase === "Pending") {
      const pod = store.get(types.pods, namespace, name);
      if (pod && podPhase(pod) === "Pending") start(pod, node);
      return;
    }
    if (phase !== "Running" || !isJobPod(cached) || finishing.has(key)) return;
    finishing.add(key);
    context.after(options.jobPodRunMs, () => completions.add(key));
  });

  const completions = context.queue("kubelet-job-pods", (key) => {
    finishing.delete(key);
    const { namespace, name } = splitKey(key);
    const pod = store.get(types.pods, namespace, name);
    if (pod && podPhase(pod) === "Running" && !pod.metadata?.deletionTimestamp) succeed(pod);
  });

  // A gracefully deleted pod: its containers are stopped at once and the deletion finished, as the
  // kubelet's status manager does with a grace period of 0 and the pod's uid as precondition.
  const terminations = context.queue("kubelet-terminations", (key) => {
    const { namespace, name } = splitKey(key);
    const pod = cache.get(pods, namespace, name);
    if (!pod?.metadata?.deletionTimestamp || !pod.metadata.deletionGracePeriodSeconds) return;
    const uid = pod.metadata.uid ?? "";
    deleteIfPresent(() => store.delete(types.pods, namespace, name, { gracePeriodSeconds: 0, uid }));
  });

  return {
    name: "kubelet",
    watches: [pods],
    observe(event: StoreEvent) {
      if (event.type === "DELETED") return;
      const pod = event.object;
      const phase = podPhase(pod);
      if (!(pod.spec as { nodeName?: string } | undefined)?.nodeName) return;
      if (pod.metadata?.deletionTimestamp) {
        if (pod.metadata.deletionGracePeriodSeconds) {
          terminations.add(objectKey(pod.metadata.namespace, pod.metadata.name ?? ""));
        }
        return;
      }
      if (phase === "Pending" || (phase === "Running" && isJobPod(pod))) {
        queue.add(objectKey(pod.metadata?.namespace, pod.metadata?.name ?? ""));
      }
    },
  };
};
