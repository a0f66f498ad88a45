// Validation causes built the way apimachinery's field.Error renders them (reason = error type,
// message = ErrorBody), plus Go's `%#v` of the values kube-apiserver quotes back.

import { isJsonObject } from "../patch/json-value.js";
import type { StatusCause } from "../status.js";

export type Causes = StatusCause[];

/** Go's `%q`/`%v` of a simple value as field.Error prints it. */
function goValue(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return goSyntax(value);
}

/** Go's `%#v` for the JSON shapes validation messages quote (string maps and lists). */
export function goSyntax(value: unknown, type?: string): string {
  if (type === "map[string]string" || (type === undefined && isJsonObject(value))) {
    if (!isJsonObject(value)) return "map[string]string(nil)";
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(value[k]))}`);
    return `map[string]string{${entries.join(", ")}}`;
  }
  if (type === "[]string" || Array.isArray(value)) {
    if (!Array.isArray(value)) return "[]string(nil)";
    return `[]string{${value.map((v) => JSON.stringify(String(v))).join(", ")}}`;
  }
  return JSON.stringify(value);
}

/** `%#v` of a metav1.LabelSelector, as immutable-selector errors print it. */
export function goLabelSelector(selector: unknown): string {
  const s = isJsonObject(selector) ? selector : {};
  const expressions = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions
        .map((e) => {
          const r = isJsonObject(e) ? e : {};
          return `v1.LabelSelectorRequirement{Key:${JSON.stringify(String(r.key ?? ""))}, Operator:${JSON.stringify(String(r.operator ?? ""))}, Values:${goSyntax(r.values, "[]string")}}`;
        })
        .join(", ")}}`
    : "[]v1.LabelSelectorRequirement(nil)";
  return `v1.LabelSelector{MatchLabels:${goSyntax(s.matchLabels, "map[string]string")}, MatchExpressions:${expressions}}`;
}

export function required(field: string, detail = ""): StatusCause {
  return {
    reason: "FieldValueRequired",
    message: detail ? `Required value: ${detail}` : "Required value",
    field,
  };
}

/** `value` is printed as Go would; pass `literal` when it is already Go syntax. */
export function invalid(field: string, value: unknown, detail: string, literal?: string): StatusCause {
  return {
    reason: "FieldValueInvalid",
    message: `Invalid value: ${literal ?? goValue(value)}${detail ? `: ${detail}` : ""}`,
    field,
  };
}

export function notSupported(field: string, value: unknown, supported: string[]): StatusCause {
  const list = supported.map((s) => JSON.stringify(s)).join(", ");
  return {
    reason: "FieldValueNotSupported",
    message: `Unsupported value: ${goValue(value ?? "")}${supported.length ? `: supported values: ${list}` : ""}`,
    field,
  };
}

export function duplicate(field: string, value: unknown, literal?: string): StatusCause {
  return { reason: "FieldValueDuplicate", message: `Duplicate value: ${literal ?? goValue(value)}`, field };
}

export function forbidden(field: string, detail: string): StatusCause {
  return { reason: "FieldValueForbidden", message: `Forbidden: ${detail}`, field };
}

export function notFound(field: string, value: unknown): StatusCause {
  return { reason: "FieldValueNotFound", message: `Not found: ${goValue(value)}`, field };
}

export function tooLong(field: string, maxBytes: number): StatusCause {
  return {
    reason: "FieldValueTooLong",
    message: `Too long: may not be more than ${maxBytes} ${maxBytes === 1 ? "byte" : "bytes"}`,
    field,
  };
}

export function immutable(field: string, value: unknown, literal?: string): StatusCause {
  return invalid(field, value, "field is immutable", literal);
}
