// Pods from workload templates as the built-in controllers make them, and the short hashes
// (pod-template-hash, controller-revision-hash) that name ReplicaSets and revisions.
import type { KubeObject } from "../types.js";
import type { OwnerReference } from "./owner-references.js";

export interface PodTemplate {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    [key: string]: unknown;
  };
  spec?: Record<string, unknown>;
}

// The alphabet Kubernetes uses for generated name parts: no vowels, no look-alike characters.
const alphabet = "bcdfghjklmnpqrstvwxz2456789";

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** A short, stable, DNS-safe hash of a template, e.g. "5d8f9c7b6b". */
export function templateHash(template: unknown, collisionCount = 0): string {
  const decimal = String(fnv1a32(stableJson(template) + (collisionCount ? `#${collisionCount}` : "")));
  let out = "";
  for (const ch of decimal) out += alphabet[ch.charCodeAt(0) % alphabet.length];
  return out;
}

export interface PodSpecOverrides {
  namespace: string;
  name?: string;
  generateName?: string;
  labels?: Record<string, string>;
  owner: OwnerReference;
  finalizers?: string[];
  spec?: Record<string, unknown>;
}

export function podFromTemplate(template: PodTemplate | undefined, overrides: PodSpecOverrides): KubeObject {
  const meta = template?.metadata ?? {};
  const labels = { ...(meta.labels ?? {}), ...(overrides.labels ?? {}) };
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...(overrides.name ? { name: overrides.name } : { generateName: overrides.generateName }),
      namespace: overrides.namespace,
      labels,
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [overrides.owner as unknown as Record<string, unknown>],
      ...(overrides.finalizers ? { finalizers: overrides.finalizers } : {}),
    },
    spec: structuredClone({ ...(template?.spec ?? {}), ...(overrides.spec ?? {}) }),
  };
}

/** The claim names a pod's volumes refer to. */
export function claimNames(pod: KubeObject): string[] {
  const volumes = ((pod.spec as { volumes?: unknown[] } | undefined)?.volumes ?? []) as Array<{
    persistentVolumeClaim?: { claimName?: string };
  }>;
  const out: string[] = [];
  for (const v of volumes)
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
  return out;
}

export function podPhase(pod: KubeObject): string {
  return ((pod.status as { phase?: string } | undefined)?.phase ?? "Pending") as string;
}

export function isTerminal(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return phase === "Succeeded" || phase === "Failed";
}

export function isPodReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: Array<{ type?: string; status?: string }> } | undefined)
    ?.conditions;
  return (conditions ?? []).some((c) => c.type === "Ready" && c.status === "True");
}

/** Not being deleted and not finished: counts toward a controller's replicas. */
export function isActive(pod: KubeObject): boolean {
  return !pod.metadata?.deletionTimestamp && !isTerminal(pod);
}
