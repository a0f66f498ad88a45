// Where a planned item lives on the API server (its collection and its own path) and how messages
// name it: `secrets shop/db`, `namespaces shop`, `foos.example.com shop/a`.
import { collectionPath } from "../kube/types.js";
import type { PlannedItem } from "./types.js";

type ItemAddress = Pick<PlannedItem, "group" | "version" | "resource" | "namespaced" | "namespace" | "name">;

/** The collection the item is created in, e.g. `/api/v1/namespaces/shop/secrets`. */
export function itemCollectionPath(item: ItemAddress): string {
  return collectionPath(item, item.namespaced ? item.namespace : undefined);
}

/** The item's own path, e.g. `/apis/apps/v1/namespaces/shop/deployments/web`. */
export function itemPath(item: ItemAddress): string {
  return `${itemCollectionPath(item)}/${encodeURIComponent(item.name)}`;
}

/** `resource[.group] [namespace/]name`, as messages and warnings name an item. */
export function describeItem(item: Pick<PlannedItem, "group" | "resource" | "namespace" | "name">): string {
  const type = item.group === "" ? item.resource : `${item.resource}.${item.group}`;
  return `${type} ${item.namespace === undefined ? "" : `${item.namespace}/`}${item.name}`;
}

/** `resource.group`: the key of a type, which is also the name of a custom type's CRD. */
export function typeKeyOf(item: Pick<PlannedItem, "group" | "resource">): string {
  return item.group === "" ? item.resource : `${item.resource}.${item.group}`;
}
