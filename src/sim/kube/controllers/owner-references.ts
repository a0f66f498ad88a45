// Owner references as the built-in controllers write and read them: one controller reference with
// blockOwnerDeletion, found again by uid.
import type { KubeObject, ResourceInfo } from "../types.js";

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export function apiVersionOf(type: ResourceInfo): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

export function controllerReference(owner: KubeObject, type: ResourceInfo): OwnerReference {
  return {
    apiVersion: apiVersionOf(type),
    kind: type.kind,
    name: owner.metadata?.name ?? "",
    uid: owner.metadata?.uid ?? "",
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function ownerReferences(object: KubeObject): OwnerReference[] {
  return (object.metadata?.ownerReferences ?? []) as unknown as OwnerReference[];
}

/** The uid of the object's managing controller, if it has one. */
export function controllerUid(object: KubeObject): string | undefined {
  return ownerReferences(object).find((r) => r.controller === true)?.uid;
}

export function isControlledBy(object: KubeObject, owner: KubeObject): boolean {
  const uid = owner.metadata?.uid;
  return uid !== undefined && controllerUid(object) === uid;
}
