// PersistentVolumeClaims and PersistentVolumes: access modes and sizes on create, and the spec
// that is fixed once created (a claim may only grow; a volume keeps its source).
import { jsonEqual } from "../patch/json-value.js";
import { type Causes, forbidden, immutable, invalid, notSupported, required } from "./field-errors.js";
import type { KindValidator } from "./kind-validator.js";
import { parseQuantity } from "./names.js";
import { type JsonObject, listAt, objectAt, stringAt } from "./object-access.js";

const accessModes = ["ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"];

function validateAccessModes(modes: unknown, path: string, detail: string): Causes {
  const list = listAt(modes);
  if (list.length === 0) return [required(path, detail)];
  const causes: Causes = [];
  for (const mode of list)
    if (!accessModes.includes(String(mode))) causes.push(notSupported(path, mode, accessModes));
  if (list.includes("ReadWriteOncePod") && list.length > 1) {
    causes.push(forbidden(path, "may not use ReadWriteOncePod with other access modes"));
  }
  return causes;
}

function validateVolumeMode(mode: unknown, path: string): Causes {
  if (mode === undefined || mode === "Block" || mode === "Filesystem") return [];
  return [notSupported(path, mode, ["Block", "Filesystem"])];
}

/** ValidatePersistentVolumeClaimSpec, also used for StatefulSet volumeClaimTemplates. */
export function validatePvcSpec(spec: JsonObject | undefined, path: string): Causes {
  const s = spec ?? {};
  const causes = validateAccessModes(
    s.accessModes,
    `${path}.accessModes`,
    "at least 1 access mode is required",
  );
  const storage = objectAt(objectAt(s.resources)?.requests)?.storage;
  const storagePath = `${path}.resources[storage]`;
  if (storage === undefined) causes.push(required(storagePath));
  else {
    const parsed = parseQuantity(storage);
    if ("error" in parsed) causes.push(invalid(storagePath, storage, parsed.error));
    else if (parsed.value <= 0)
      causes.push(invalid(storagePath, String(storage), "must be greater than zero"));
  }
  causes.push(...validateVolumeMode(s.volumeMode, `${path}.volumeMode`));
  return causes;
}

function storageOf(spec: JsonObject | undefined): number | undefined {
  const parsed = parseQuantity(objectAt(objectAt(spec?.resources)?.requests)?.storage);
  return "value" in parsed ? parsed.value : undefined;
}

/** The claim spec as the update comparison sees it: defaults in, the parts that may change out. */
function comparableClaimSpec(spec: JsonObject | undefined, old: JsonObject, bound: boolean): JsonObject {
  const copy: JsonObject = { volumeMode: "Filesystem", ...structuredClone(spec ?? {}) };
  // volumeName may be set once (binding); storage may change only for bound claims.
  if (!stringAt(old.volumeName)) delete copy.volumeName;
  delete copy.volumeAttributesClassName;
  const resources = objectAt(copy.resources);
  const requests = objectAt(resources?.requests);
  if (bound && requests) delete requests.storage;
  return copy;
}

export const persistentVolumeClaimValidator: KindValidator = {
  appliesTo: { group: "", kinds: ["PersistentVolumeClaim"] },
  validate(object, old) {
    const spec = objectAt(object.spec);
    const causes = validatePvcSpec(spec, "spec");
    if (!old) return causes;
    const oldSpec = objectAt(old.spec) ?? {};
    const bound =
      stringAt(objectAt(old.status)?.phase) === "Bound" ||
      stringAt(objectAt(object.status)?.phase) === "Bound";
    if (!jsonEqual(comparableClaimSpec(spec, oldSpec, bound), comparableClaimSpec(oldSpec, oldSpec, bound))) {
      causes.push(
        forbidden(
          "spec",
          "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims",
        ),
      );
    }
    const before = storageOf(oldSpec);
    const after = storageOf(spec);
    if (bound && before !== undefined && after !== undefined && after < before) {
      causes.push(forbidden("spec.resources.requests.storage", "field can not be less than previous value"));
    }
    return causes;
  },
};

// The members of core/v1 PersistentVolumeSource; a volume names exactly one.
const persistentVolumeSources = [
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "hostPath",
  "glusterfs",
  "nfs",
  "rbd",
  "iscsi",
  "cinder",
  "cephfs",
  "fc",
  "flocker",
  "flexVolume",
  "azureFile",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "portworxVolume",
  "scaleIO",
  "local",
  "storageos",
  "csi",
];

export const persistentVolumeValidator: KindValidator = {
  appliesTo: { group: "", kinds: ["PersistentVolume"] },
  validate(object, old) {
    const spec = objectAt(object.spec) ?? {};
    const causes = validateAccessModes(spec.accessModes, "spec.accessModes", "");
    const capacity = objectAt(spec.capacity);
    if (!capacity || Object.keys(capacity).length === 0) causes.push(required("spec.capacity"));
    else if (capacity.storage === undefined || Object.keys(capacity).length > 1) {
      causes.push(notSupported("spec.capacity", Object.keys(capacity).join(","), ["storage"]));
    } else {
      const parsed = parseQuantity(capacity.storage);
      if ("error" in parsed) causes.push(invalid("spec.capacity[storage]", capacity.storage, parsed.error));
    }
    const sources = persistentVolumeSources.filter((s) => spec[s] !== undefined && spec[s] !== null);
    if (sources.length === 0) causes.push(required("spec", "must specify a volume type"));
    for (const extra of sources.slice(1))
      causes.push(forbidden(`spec.${extra}`, "may not specify more than 1 volume type"));
    const policy = stringAt(spec.persistentVolumeReclaimPolicy);
    if (policy !== undefined && !["Delete", "Recycle", "Retain"].includes(policy)) {
      causes.push(
        notSupported("spec.persistentVolumeReclaimPolicy", policy, ["Delete", "Recycle", "Retain"]),
      );
    }
    causes.push(...validateVolumeMode(spec.volumeMode, "spec.volumeMode"));
    if (!old) return causes;
    const oldSpec = objectAt(old.spec) ?? {};
    const sourceOf = (s: JsonObject) => persistentVolumeSources.map((k) => s[k] ?? null);
    if (!jsonEqual(sourceOf(spec), sourceOf(oldSpec))) {
      causes.push(
        forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation"),
      );
    }
    if (!jsonEqual(spec.volumeMode ?? "Filesystem", oldSpec.volumeMode ?? "Filesystem")) {
      causes.push(immutable("volumeMode", spec.volumeMode ?? "Filesystem"));
    }
    return causes;
  },
};
