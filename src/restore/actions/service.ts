// Services: cluster IPs and auto-assigned node ports belong to the source cluster's allocators and
// may clash in the target; only headless IPs and ports the user set explicitly are kept.
import type { KubeObject } from "../../kube/types.js";
import { list, type RestoreItemAction, record } from "./types.js";

const LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

interface ExplicitFields {
  nodePorts: Set<number>;
  healthCheckNodePort: boolean;
}

function fromLastApplied(text: string | undefined, explicit: ExplicitFields): void {
  if (text === undefined) return;
  let spec: Record<string, unknown> | undefined;
  try {
    spec = record(record(JSON.parse(text))?.spec);
  } catch {
    return;
  }
  for (const port of list(spec?.ports)) {
    if (typeof port.nodePort === "number") explicit.nodePorts.add(port.nodePort);
  }
  if (spec?.healthCheckNodePort !== undefined) explicit.healthCheckNodePort = true;
}

// Server-side apply records fields a manager set; values the allocator filled in have no owner.
function fromManagedFields(
  item: KubeObject,
  explicit: ExplicitFields,
  ports: Record<string, unknown>[],
): void {
  for (const entry of list(item.metadata.managedFields)) {
    const spec = record(record(entry.fieldsV1)?.["f:spec"]);
    if (spec?.["f:healthCheckNodePort"] !== undefined) explicit.healthCheckNodePort = true;
    for (const [key, fields] of Object.entries(record(spec?.["f:ports"]) ?? {})) {
      if (!key.startsWith("k:") || record(fields)?.["f:nodePort"] === undefined) continue;
      const id = record(JSON.parse(key.slice(2)));
      const port = ports.find(
        (p) => p.port === id?.port && (p.protocol ?? "TCP") === (id?.protocol ?? "TCP"),
      );
      if (typeof port?.nodePort === "number") explicit.nodePorts.add(port.nodePort);
    }
  }
}

export const serviceAction: RestoreItemAction = {
  name: "service",
  appliesTo: { group: "", resources: ["services"] },
  execute(item) {
    const restored = structuredClone(item) as KubeObject;
    const spec = record(restored.spec);
    if (!spec) return {};
    if (spec.clusterIP !== "None") {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    const ports = list(spec.ports);
    const explicit: ExplicitFields = { nodePorts: new Set(), healthCheckNodePort: false };
    fromLastApplied(item.metadata.annotations?.[LAST_APPLIED], explicit);
    fromManagedFields(item, explicit, ports);
    for (const port of ports) {
      if (typeof port.nodePort === "number" && !explicit.nodePorts.has(port.nodePort)) delete port.nodePort;
    }
    if (!explicit.healthCheckNodePort) delete spec.healthCheckNodePort;
    return { item: restored };
  },
};
