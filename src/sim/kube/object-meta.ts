// The server-owned parts of an object: timestamps, generated names, which types count generations
// and what a generation counts, and the deep comparison that detects no-op writes.
import { randomInt } from "node:crypto";
import type { ServedType } from "./registry.js";
import type { KubeObject } from "./types.js";

/** RFC 3339 with seconds, as metav1.Time serialises. */
export function kubeTime(date: Date = new Date()): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

const nameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/** generateName plus five random characters from apimachinery's alphabet (no vowels, no 0/1/3). */
export function generateName(prefix: string): string {
  const trimmed = prefix.length > 58 ? prefix.slice(0, 58) : prefix;
  let suffix = "";
  for (let i = 0; i < 5; i++) suffix += nameAlphabet.charAt(randomInt(nameAlphabet.length));
  return trimmed + suffix;
}

/** Built-in types whose registries maintain metadata.generation (all custom resources do too). */
const generationTypes = new Set([
  "/pods",
  "/replicationcontrollers",
  "apps/deployments",
  "apps/statefulsets",
  "apps/daemonsets",
  "apps/replicasets",
  "batch/jobs",
  "batch/cronjobs",
  "autoscaling/horizontalpodautoscalers",
  "policy/poddisruptionbudgets",
  "networking.k8s.io/ingresses",
  "networking.k8s.io/networkpolicies",
  "networking.k8s.io/ingressclasses",
  "apiextensions.k8s.io/customresourcedefinitions",
  "admissionregistration.k8s.io/validatingwebhookconfigurations",
  "admissionregistration.k8s.io/mutatingwebhookconfigurations",
  "admissionregistration.k8s.io/validatingadmissionpolicies",
  "flowcontrol.apiserver.k8s.io/flowschemas",
  "flowcontrol.apiserver.k8s.io/prioritylevelconfigurations",
]);

export function tracksGeneration(type: ServedType): boolean {
  return type.crd !== undefined || generationTypes.has(`${type.group}/${type.resource}`);
}

export function hasStatusSubresource(type: ServedType): boolean {
  return type.subresources.includes("status");
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => deepEqual(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => deepEqual(ao[k], bo[k]));
}

/** Whether a write changed what metadata.generation counts: everything but metadata (and status). */
export function specChanged(type: ServedType, old: KubeObject, next: KubeObject): boolean {
  const ignoreStatus = hasStatusSubresource(type) || type.crd === undefined;
  const keys = new Set([...Object.keys(old), ...Object.keys(next)]);
  for (const k of keys) {
    if (k === "metadata" || k === "apiVersion" || k === "kind" || (ignoreStatus && k === "status")) continue;
    if (!deepEqual(old[k], next[k])) return true;
  }
  return false;
}

/** The object with metadata keys in the order kube-apiserver writes them. */
export function orderedObject(object: KubeObject): KubeObject {
  const { kind, apiVersion, metadata, ...rest } = object;
  const ordered: KubeObject = { kind, apiVersion };
  if (metadata) {
    const order = [
      "name",
      "generateName",
      "namespace",
      "uid",
      "resourceVersion",
      "generation",
      "creationTimestamp",
      "deletionTimestamp",
      "deletionGracePeriodSeconds",
      "labels",
      "annotations",
      "ownerReferences",
      "finalizers",
      "managedFields",
    ];
    const meta: Record<string, unknown> = {};
    for (const k of order) if (metadata[k] !== undefined) meta[k] = metadata[k];
    for (const [k, v] of Object.entries(metadata)) if (!(k in meta) && v !== undefined) meta[k] = v;
    ordered.metadata = meta;
  }
  return Object.assign(ordered, rest);
}

/**
 * Drops null-valued fields in place: kube-apiserver decodes them into Go zero values (omitted on
 * output) for built-in types and prunes them for custom resources without `nullable: true`.
 */
export function dropNulls(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) dropNulls(item);
    return;
  }
  if (value === null || typeof value !== "object") return;
  const record = value as Record<string, unknown>;
  for (const [key, child] of Object.entries(record)) {
    if (child === null) delete record[key];
    else dropNulls(child);
  }
}
