// Pods: mirror pods (owned by a kubelet's static manifest) and finished pods are skipped; the rest
// lose their node binding and the projected token volume the target cluster injects itself.
import type { KubeObject } from "../../kube/types.js";
import { list, type RestoreItemAction, record } from "./types.js";

const MIRROR = "kubernetes.io/config.mirror";
const TOKEN_VOLUME = /^kube-api-access-/;

function isTokenVolume(volume: Record<string, unknown>): boolean {
  return (
    typeof volume.name === "string" &&
    TOKEN_VOLUME.test(volume.name) &&
    record(volume.projected) !== undefined
  );
}

export const podAction: RestoreItemAction = {
  name: "pod",
  appliesTo: { group: "", resources: ["pods"] },
  execute(item) {
    if (item.metadata.annotations?.[MIRROR] !== undefined) {
      return { skip: "a mirror pod is recreated by the kubelet from its static manifest" };
    }
    const phase = record(item.status)?.phase;
    if (phase === "Succeeded" || phase === "Failed") return { skip: `the pod has completed (${phase})` };
    const restored = structuredClone(item) as KubeObject;
    const spec = record(restored.spec);
    if (!spec) return {};
    delete spec.nodeName;
    const tokenVolumes = new Set(
      list(spec.volumes)
        .filter(isTokenVolume)
        .map((volume) => volume.name),
    );
    if (tokenVolumes.size === 0) return { item: restored };
    spec.volumes = list(spec.volumes).filter((volume) => !tokenVolumes.has(volume.name));
    for (const field of ["initContainers", "containers", "ephemeralContainers"]) {
      for (const container of list(spec[field])) {
        if (container.volumeMounts === undefined) continue;
        container.volumeMounts = list(container.volumeMounts).filter(
          (mount) => !tokenVolumes.has(mount.name),
        );
      }
    }
    return { item: restored };
  },
};
