// ConfigMaps and Secrets: valid keys, the 1 MiB size limit, the keys each Secret type needs, and
// contents frozen once `immutable: true` is set.
import { jsonEqual } from "../patch/json-value.js";
import { type Causes, forbidden, immutable, invalid, required, tooLong } from "./field-errors.js";
import type { KindValidator } from "./kind-validator.js";
import { isConfigMapKey } from "./names.js";
import { type JsonObject, objectAt, stringAt, stringEntries } from "./object-access.js";

// core.MaxSecretSize, which also bounds ConfigMaps.
const maxSize = 1024 * 1024;

function validateKeys(map: unknown, path: string, causes: Causes): void {
  for (const [key] of stringEntries(map)) {
    for (const message of isConfigMapKey(key)) causes.push(invalid(`${path}[${key}]`, key, message));
  }
}

function frozenContents(object: JsonObject, old: JsonObject, fields: string[]): Causes {
  if (old.immutable !== true) return [];
  const causes: Causes = [];
  if (object.immutable !== true)
    causes.push(forbidden("immutable", "field is immutable when `immutable` is set"));
  for (const field of fields) {
    if (!jsonEqual(object[field] ?? {}, old[field] ?? {})) {
      causes.push(forbidden(field, "field is immutable when `immutable` is set"));
    }
  }
  return causes;
}

export const configMapValidator: KindValidator = {
  appliesTo: { group: "", kinds: ["ConfigMap"] },
  validate(object, old) {
    const causes: Causes = [];
    validateKeys(object.data, "data", causes);
    validateKeys(object.binaryData, "binaryData", causes);
    const data = objectAt(object.data) ?? {};
    let size = 0;
    for (const [key, value] of stringEntries(object.data)) size += key.length + Buffer.byteLength(value);
    for (const [key, value] of stringEntries(object.binaryData)) {
      size += key.length + Buffer.from(value, "base64").length;
      if (key in data) causes.push(invalid(`binaryData[${key}]`, key, "duplicate of key present in data"));
    }
    if (size > maxSize) causes.push(tooLong("", maxSize));
    return old ? [...causes, ...frozenContents(object, old, ["data", "binaryData"])] : causes;
  },
};

// Keys each built-in Secret type must carry (ValidateSecret).
const requiredSecretKeys: Record<string, string[]> = {
  "kubernetes.io/dockercfg": [".dockercfg"],
  "kubernetes.io/dockerconfigjson": [".dockerconfigjson"],
  "kubernetes.io/ssh-auth": ["ssh-privatekey"],
  "kubernetes.io/tls": ["tls.crt", "tls.key"],
};

export const secretValidator: KindValidator = {
  appliesTo: { group: "", kinds: ["Secret"] },
  validate(object, old) {
    const causes: Causes = [];
    // stringData is folded into data before validation, so its keys answer to `data`.
    const data: JsonObject = { ...objectAt(object.data), ...objectAt(object.stringData) };
    validateKeys(data, "data", causes);
    let size = 0;
    for (const [key, value] of stringEntries(object.data))
      size += key.length + Buffer.from(value, "base64").length;
    for (const [key, value] of stringEntries(object.stringData))
      size += key.length + Buffer.byteLength(value);
    if (size > maxSize) causes.push(tooLong("data", maxSize));
    const type = stringAt(object.type) ?? "Opaque";
    for (const key of requiredSecretKeys[type] ?? [])
      if (!(key in data)) causes.push(required(`data[${key}]`));
    if (type === "kubernetes.io/basic-auth" && !("username" in data) && !("password" in data)) {
      causes.push(required("data[username]"), required("data[password]"));
    }
    if (type === "kubernetes.io/service-account-token") {
      const annotations = objectAt(objectAt(object.metadata)?.annotations) ?? {};
      const key = "kubernetes.io/service-account.name";
      if (!stringAt(annotations[key])) causes.push(required(`metadata.annotations[${key}]`));
    }
    if (!old) return causes;
    const oldType = stringAt(old.type) ?? "Opaque";
    if (type !== oldType) causes.push(immutable("type", type));
    return [...causes, ...frozenContents({ ...object, data }, old, ["data"])];
  },
};
