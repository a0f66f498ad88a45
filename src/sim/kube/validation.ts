// Validation of objects on create and update as kube-apiserver does it, returning the causes of a
// 422 Invalid: ObjectMeta rules for every kind, then the kind's own rules from the registry.
import type { StatusCause } from "./status.js";
import type { KubeObject, ResourceInfo } from "./types.js";
import { validateObjectMeta, validateObjectMetaUpdate } from "./validation/metadata.js";
import { isDns1123Subdomain } from "./validation/names.js";
import { objectAt } from "./validation/object-access.js";
import { validatorFor } from "./validation/registry.js";

export function validateObject(
  resource: ResourceInfo,
  object: KubeObject,
  old: KubeObject | undefined,
): StatusCause[] {
  const validator = validatorFor(resource.group, resource.kind);
  const metadata = objectAt(object.metadata);
  const causes = validateObjectMeta(metadata, {
    namespaced: resource.namespaced,
    nameCheck: validator?.nameCheck ?? isDns1123Subdomain,
  });
  if (old) causes.push(...validateObjectMetaUpdate(metadata, objectAt(old.metadata)));
  if (validator) causes.push(...validator.validate(object, old));
  return causes;
}
