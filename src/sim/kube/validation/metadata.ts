// ObjectMeta rules every kind shares (ValidateObjectMeta / ValidateObjectMetaUpdate): the name,
// namespace, labels, annotations and owner references, and what an update may not change.
import { jsonEqual } from "../patch/json-value.js";
import { type Causes, forbidden, immutable, invalid, required, tooLong } from "./field-errors.js";
import { isDns1123Label, isQualifiedName, isValidLabelValue } from "./names.js";
import { type JsonObject, listAt, objectAt, stringAt, stringEntries } from "./object-access.js";

export type NameCheck = (name: string) => string[];

// TotalAnnotationSizeLimitB in apimachinery's ValidateAnnotationsSize.
const maxAnnotationBytes = 256 * 1024;

export function validateObjectMeta(
  metadata: JsonObject | undefined,
  options: { namespaced: boolean; nameCheck: NameCheck; path?: string },
): Causes {
  const path = options.path ?? "metadata";
  const meta = metadata ?? {};
  const causes: Causes = [];
  const name = stringAt(meta.name) ?? "";
  if (name === "") {
    if (!stringAt(meta.generateName))
      causes.push(required(`${path}.name`, "name or generateName is required"));
  } else {
    for (const message of options.nameCheck(name)) causes.push(invalid(`${path}.name`, name, message));
  }
  const namespace = stringAt(meta.namespace) ?? "";
  if (options.namespaced && namespace === "") causes.push(required(`${path}.namespace`));
  if (options.namespaced && namespace !== "") {
    for (const message of isDns1123Label(namespace))
      causes.push(invalid(`${path}.namespace`, namespace, message));
  }
  if (!options.namespaced && namespace !== "")
    causes.push(forbidden(`${path}.namespace`, "not allowed on this type"));
  causes.push(...validateLabels(meta.labels, `${path}.labels`));
  causes.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  causes.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  for (const [i, finalizer] of listAt(meta.finalizers).entries()) {
    for (const message of isQualifiedName(String(finalizer))) {
      causes.push(invalid(`${path}.finalizers[${i}]`, finalizer, message));
    }
  }
  return causes;
}

export function validateLabels(labels: unknown, path: string): Causes {
  const causes: Causes = [];
  for (const [key, value] of stringEntries(labels)) {
    for (const message of isQualifiedName(key)) causes.push(invalid(path, key, message));
    for (const message of isValidLabelValue(value)) causes.push(invalid(path, value, message));
  }
  return causes;
}

export function validateAnnotations(annotations: unknown, path: string): Causes {
  const causes: Causes = [];
  let size = 0;
  for (const [key, value] of stringEntries(annotations)) {
    for (const message of isQualifiedName(key.toLowerCase())) causes.push(invalid(path, key, message));
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > maxAnnotationBytes) causes.push(tooLong(path, maxAnnotationBytes));
  return causes;
}

function validateOwnerReferences(references: unknown, path: string): Causes {
  const causes: Causes = [];
  for (const raw of listAt(references)) {
    const ref = objectAt(raw) ?? {};
    const apiVersion = stringAt(ref.apiVersion) ?? "";
    const version = apiVersion.includes("/") ? apiVersion.slice(apiVersion.indexOf("/") + 1) : apiVersion;
    // apimachinery reports these without an index into the list.
    if (version === "") causes.push(invalid(`${path}.apiVersion`, apiVersion, "version must not be empty"));
    if (!stringAt(ref.kind)) causes.push(invalid(`${path}.kind`, ref.kind ?? "", "kind must not be empty"));
    if (!stringAt(ref.name)) causes.push(invalid(`${path}.name`, ref.name ?? "", "name must not be empty"));
    if (!stringAt(ref.uid)) causes.push(invalid(`${path}.uid`, ref.uid ?? "", "uid must not be empty"));
  }
  return causes;
}

export function validateObjectMetaUpdate(
  metadata: JsonObject | undefined,
  old: JsonObject | undefined,
): Causes {
  const causes: Causes = [];
  const meta = metadata ?? {};
  const before = old ?? {};
  for (const field of ["name", "namespace", "uid", "creationTimestamp"]) {
    const now = meta[field];
    const then = before[field];
    // Server-set fields the client omitted are carried over by the server before validation.
    if (now === undefined || then === undefined || jsonEqual(now, then)) continue;
    causes.push(immutable(`metadata.${field}`, now));
  }
  return causes;
}
