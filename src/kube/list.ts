// Paged listing of one resource type: one page in memory at a time, items completed with apiVersion
// and kind, and a list that outlives its snapshot (410 Expired) carried on instead of restarted.
import type { Cluster } from "./cluster.js";
import { isKubeApiError } from "./errors.js";
import { apiVersionOf, collectionPath, type KubeObject, type ResourceType } from "./types.js";

export interface ListWarning {
  /**
   * "InconsistentContinue": the snapshot expired and the rest was read at a later state (objects
   * changed meanwhile may be missing or newer). "Relisted": expired with no token to go on with;
   * the list started again and skipped what it had already returned.
   */
  kind: "InconsistentContinue" | "Relisted";
  /** "apps/v1 deployments" */
  type: string;
  message: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Items per request (default 500, as kubectl and client-go use). */
  pageSize?: number;
  abortSignal?: AbortSignal;
  onWarning?: (warning: ListWarning) => void;
}

interface ListBody {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: Array<Partial<KubeObject>>;
}

/** Where an object sits in the server's list order (etcd key order: namespace, then name). */
function positionOf(item: Partial<KubeObject>): string {
  const meta = item.metadata ?? {};
  return meta.namespace ? `${meta.namespace}/${meta.name ?? ""}` : (meta.name ?? "");
}

/**
 * Lists a type page by page. On 410 Expired mid-list the server's Status usually carries an
 * "inconsistent" continue token that goes on at the latest state from where we were; we take it and
 * report it. Without one we list again from the start and drop every item at or before the last
 * one returned (lists come in key order), so memory stays one page and nothing is returned twice.
 */
export async function* listResources(
  cluster: Cluster,
  type: ResourceType,
  options: ListOptions = {},
): AsyncIterable<KubeObject[]> {
  const path = collectionPath(type, options.namespace);
  const apiVersion = apiVersionOf(type);
  const label = `${apiVersion} ${type.resource}`;
  const signal = options.abortSignal;
  let token: string | undefined;
  let skipThrough: string | undefined;
  let last: string | undefined;

  for (;;) {
    let body: ListBody;
    try {
      body = await cluster.request<ListBody>("GET", path, {
        query: {
          limit: options.pageSize ?? 500,
          continue: token,
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
        },
        ...(signal ? { abortSignal: signal } : {}),
      });
    } catch (error) {
      if (token === undefined || !isKubeApiError(error, 410)) throw error;
      const inconsistent = error.status?.metadata?.continue;
      if (inconsistent) {
        token = inconsistent;
        options.onWarning?.({
          kind: "InconsistentContinue",
          type: label,
          message: `the list of ${label} outlived its snapshot (410 Expired); continued at a later state, so changes made meanwhile may be partly seen`,
        });
      } else {
        token = undefined;
        skipThrough = last;
        options.onWarning?.({
          kind: "Relisted",
          type: label,
          message: `the list of ${label} outlived its snapshot (410 Expired) without a token to continue; listed again after ${last ?? "the start"}`,
        });
      }
      continue;
    }
    const page: KubeObject[] = [];
    for (const raw of body.items ?? []) {
      const position = positionOf(raw);
      if (skipThrough !== undefined && position <= skipThrough) continue;
      raw.apiVersion ??= apiVersion;
      raw.kind ??= type.kind;
      raw.metadata ??= {};
      page.push(raw as KubeObject);
      last = position;
    }
    token = body.metadata?.continue || undefined;
    if (page.length > 0) yield page;
    if (token === undefined) return;
  }
}
