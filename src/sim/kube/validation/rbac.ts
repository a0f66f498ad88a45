// RBAC roles and bindings: names that are URL path segments, a bindings' roleRef that is complete
// and never changes, and subjects of known kinds.
import { jsonEqual } from "../patch/json-value.js";
import { type Causes, invalid, notSupported, required } from "./field-errors.js";
import type { KindValidator } from "./kind-validator.js";
import { isPathSegmentName } from "./names.js";
import { type JsonObject, listAt, objectAt, stringAt } from "./object-access.js";

const group = "rbac.authorization.k8s.io";

function goRoleRef(ref: JsonObject): string {
  const field = (name: string) => JSON.stringify(stringAt(ref[name]) ?? "");
  return `rbac.RoleRef{APIGroup:${field("apiGroup")}, Kind:${field("kind")}, Name:${field("name")}}`;
}

function validateBinding(object: JsonObject, old: JsonObject | undefined, namespaced: boolean): Causes {
  const causes: Causes = [];
  const roleRef = objectAt(object.roleRef) ?? {};
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  const kind = stringAt(roleRef.kind) ?? "";
  if (!kinds.includes(kind)) causes.push(notSupported("roleRef.kind", kind, kinds));
  if (!stringAt(roleRef.name)) causes.push(required("roleRef.name"));
  for (const [i, raw] of listAt(object.subjects).entries()) {
    const subject = objectAt(raw) ?? {};
    const at = `subjects[${i}]`;
    const subjectKind = stringAt(subject.kind) ?? "";
    if (!["ServiceAccount", "User", "Group"].includes(subjectKind)) {
      causes.push(notSupported(`${at}.kind`, subjectKind, ["ServiceAccount", "User", "Group"]));
    }
    if (!stringAt(subject.name)) causes.push(required(`${at}.name`));
    if (subjectKind === "ServiceAccount" && !namespaced && !stringAt(subject.namespace)) {
      causes.push(required(`${at}.namespace`));
    }
  }
  if (old && !jsonEqual(old.roleRef, object.roleRef)) {
    causes.push(invalid("roleRef", undefined, "cannot change roleRef", goRoleRef(roleRef)));
  }
  return causes;
}

export const roleValidator: KindValidator = {
  appliesTo: { group, kinds: ["Role", "ClusterRole"] },
  nameCheck: isPathSegmentName,
  validate: () => [],
};

export const roleBindingValidator: KindValidator = {
  appliesTo: { group, kinds: ["RoleBinding"] },
  nameCheck: isPathSegmentName,
  validate: (object, old) => validateBinding(object, old, true),
};

export const clusterRoleBindingValidator: KindValidator = {
  appliesTo: { group, kinds: ["ClusterRoleBinding"] },
  nameCheck: isPathSegmentName,
  validate: (object, old) => validateBinding(object, old, false),
};
