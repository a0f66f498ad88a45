// Query parameters and negotiated formats of resource requests, validated with the wording of
// kube-apiserver's CreateOptions/UpdateOptions/PatchOptions/DeleteOptions validation.
import type { IncomingMessage } from "node:http";
import { parseMediaTypes } from "./http-io.js";
import { badRequest, invalid, StatusError } from "./status.js";
import type { InternalDeleteOptions } from "./store-writes.js";
import type { IncludeObject } from "./table.js";

export type ResponseFormat =
  | { kind: "json" }
  | { kind: "yaml" }
  | { kind: "table"; include: IncludeObject }
  | { kind: "partial" };

export function negotiateFormat(req: IncomingMessage, query: URLSearchParams): ResponseFormat {
  const types = parseMediaTypes(req.headers.accept);
  if (types.length === 0) return { kind: "json" };
  for (const t of types) {
    const as = t.params.as;
    if (t.type === "application/json" && as) {
      if (t.params.g !== "meta.k8s.io" || (t.params.v !== "v1" && t.params.v !== "v1beta1")) continue;
      if (as === "Table") {
        const include = query.get("includeObject") ?? "Metadata";
        if (include !== "None" && include !== "Metadata" && include !== "Object") {
          throw badRequest(`includeObject: Unsupported value: "${include}"`);
        }
        return { kind: "table", include };
      }
      if (as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") return { kind: "partial" };
      continue;
    }
    if (t.type === "application/json" || t.type === "*/*" || t.type === "application/*")
      return { kind: "json" };
    if (t.type === "application/yaml") return { kind: "yaml" };
  }
  throw new StatusError(
    406,
    "NotAcceptable",
    "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf",
  );
}

/** `dryRun` values: only "All" exists. */
export function dryRunOf(values: string[], optionsKind: string): boolean {
  if (values.length === 0) return false;
  const bad = values.filter((v) => v !== "All");
  if (bad.length > 0) {
    throw invalid(optionsKind, "meta.k8s.io", "", [
      {
        reason: "FieldValueNotSupported",
        message: `Unsupported value: []string{${values.map((v) => `"${v}"`).join(", ")}}: supported values: "All"`,
        field: "dryRun",
      },
    ]);
  }
  return true;
}

export function fieldValidationOf(query: URLSearchParams): void {
  const value = query.get("fieldValidation");
  if (value && !["Ignore", "Warn", "Strict"].includes(value)) {
    throw badRequest(
      `fieldValidation: Unsupported value: "${value}": supported values: "Ignore", "Strict", "Warn"`,
    );
  }
}

function boolParam(value: string | null): boolean | undefined {
  if (value === null) return undefined;
  return value === "true" || value === "1";
}

/** DeleteOptions from the body (kubectl sends one) merged with the query parameters. */
export function deleteOptionsOf(
  query: URLSearchParams,
  body: Record<string, unknown> | undefined,
): InternalDeleteOptions & {
  orphanDependents?: boolean;
} {
  const b = body ?? {};
  const policy = (b.propagationPolicy as string | undefined) ?? query.get("propagationPolicy") ?? undefined;
  const orphan = (b.orphanDependents as boolean | undefined) ?? boolParam(query.get("orphanDependents"));
  if (policy !== undefined && !["Orphan", "Background", "Foreground"].includes(policy)) {
    throw invalid("DeleteOptions", "meta.k8s.io", "", [
      {
        reason: "FieldValueNotSupported",
        message: `Unsupported value: "${policy}": supported values: "Foreground", "Background", "Orphan"`,
        field: "propagationPolicy",
      },
    ]);
  }
  if (policy !== undefined && orphan !== undefined) {
    throw invalid("DeleteOptions", "meta.k8s.io", "", [
      {
        reason: "FieldValueInvalid",
        message: 'Invalid value: "null": orphanDependents and deletionPropagation cannot be both set',
        field: "propagationPolicy",
      },
    ]);
  }
  const dryRunValues = Array.isArray(b.dryRun) ? (b.dryRun as string[]) : query.getAll("dryRun");
  const preconditions = (b.preconditions ?? {}) as { uid?: string; resourceVersion?: string };
  const effective = policy ?? (orphan === true ? "Orphan" : undefined);
  const graceRaw = b.gracePeriodSeconds ?? query.get("gracePeriodSeconds") ?? undefined;
  const grace = graceRaw === undefined || graceRaw === null ? undefined : Number(graceRaw);
  if (grace !== undefined && !Number.isInteger(grace)) {
    throw badRequest(`gracePeriodSeconds: Invalid value: "${String(graceRaw)}": must be an integer`);
  }
  return {
    ...(effective ? { propagationPolicy: effective as "Orphan" | "Background" | "Foreground" } : {}),
    ...(preconditions.uid ? { uid: preconditions.uid } : {}),
    ...(preconditions.resourceVersion ? { resourceVersion: preconditions.resourceVersion } : {}),
    ...(dryRunOf(dryRunValues, "DeleteOptions") ? { dryRun: true } : {}),
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    ...(orphan !== undefined ? { orphanDependents: orphan } : {}),
  };
}

export function limitOf(query: URLSearchParams): number | undefined {
  const raw = query.get("limit");
  if (raw === null || raw === "") return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw badRequest(`limit: Invalid value: "${raw}": must be an integer`);
  return n > 0 ? n : undefined;
}
