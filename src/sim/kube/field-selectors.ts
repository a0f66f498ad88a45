// Field selectors: the `metadata.name`/`metadata.namespace` pair every type supports plus the few
// type-specific fields the real registries index (pods' status.phase, spec.nodeName, ...).
import { badRequest } from "./status.js";
import type { KubeObject } from "./types.js";

export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

/** Extra selectable fields per `<group>/<resource>`, as the built-in registries declare them. */
const typeFields: Record<string, string[]> = {
  "/pods": [
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "spec.hostNetwork",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  "/events": [
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  "/secrets": ["type"],
  "/namespaces": ["status.phase"],
  "/nodes": ["spec.unschedulable"],
  "/replicationcontrollers": ["status.replicas"],
  "apps/replicasets": ["status.replicas"],
  "batch/jobs": ["status.successful"],
  "certificates.k8s.io/certificatesigningrequests": ["spec.signerName"],
};

function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let current = "";
  for (let i = 0; i < selector.length; i++) {
    const ch = selector.charAt(i);
    if (ch === "\\" && i + 1 < selector.length) {
      current += ch + selector.charAt(i + 1);
      i++;
    } else if (ch === ",") {
      terms.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  terms.push(current);
  return terms;
}

function unescapeValue(value: string): string {
  let out = "";
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    if (ch !== "\\") {
      if (ch === "=" || ch === ",") throw badRequest(`invalid field selector: unescaped ${ch} in value`);
      out += ch;
      continue;
    }
    const next = value.charAt(i + 1);
    if (next !== "\\" && next !== "," && next !== "=") {
      throw badRequest(`invalid field selector: invalid escape sequence: \\${next}`);
    }
    out += next;
    i++;
  }
  return out;
}

/** Parses a field selector for one type; unknown fields are 400 `field label not supported`. */
export function parseFieldSelector(selector: string, group: string, resource: string): FieldRequirement[] {
  const allowed = new Set([
    "metadata.name",
    "metadata.namespace",
    ...(typeFields[`${group}/${resource}`] ?? []),
  ]);
  const out: FieldRequirement[] = [];
  for (const term of splitTerms(selector)) {
    if (term === "") continue;
    const match = /^(.*?)(!=|==|=)(.*)$/s.exec(term);
    if (!match) throw badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = (match[1] ?? "").trim();
    if (!allowed.has(field)) throw badRequest(`field label not supported: ${field}`);
    out.push({ field, operator: match[2] === "!=" ? "!=" : "=", value: unescapeValue(match[3] ?? "") });
  }
  return out;
}

function fieldValue(object: KubeObject, path: string): string {
  let current: unknown = object;
  // The events registry exposes `source` as the reporting component.
  const resolved = path === "source" ? "source.component" : path;
  for (const part of resolved.split(".")) {
    if (current === null || typeof current !== "object") return "";
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined || current === null) return path === "spec.hostNetwork" ? "false" : "";
  return typeof current === "object" ? JSON.stringify(current) : String(current);
}

export function matchesFields(requirements: readonly FieldRequirement[], object: KubeObject): boolean {
  for (const r of requirements) {
    const value = fieldValue(object, r.field);
    if (r.operator === "=" ? value !== r.value : value === r.value) return false;
  }
  return true;
}
