// Paged listing of one resource type: one page in memory at a time, items completed with apiVersion
// and kind, and a list that outlives its snapshot (410 Expired) carried on instead of restarted.
import type { Cluster } from "./cluster.js";
import { isKubeApiError, KubeResponseError } from "./errors.js";
import { type ItemFields, ItemJsonPrefixes, type RawItemSpan, scanList } from "./raw-items.js";
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
  /**
   * listPagesWithJson only: how much of each item to parse (the rest is in its JSON bytes);
   * default "whole". See ItemFields.
   */
  objects?: ItemFields;
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

/** A page of items with, for each, its compact JSON as the server sent it (see listPagesWithJson). */
export interface JsonPage {
  /** Whole objects, or only their identity (see ListOptions.objects). */
  items: KubeObject[];
  /**
   * The item's JSON as byte parts to write one after the other, apiVersion and kind added when
   * the server left them out; undefined when the server's bytes are not compact JSON.
   */
  json: Array<readonly Buffer[] | undefined>;
}

/** Lists a type page by page: see listPages. */
export async function* listResources(
  cluster: Cluster,
  type: ResourceType,
  options: ListOptions = {},
): AsyncIterable<KubeObject[]> {
  for await (const page of listPages(cluster, type, options, false)) yield page.items;
}

/**
 * As listResources, with each item's bytes: a backup writes them instead of serialising the parsed
 * object again, which would cost as much CPU as parsing it. With `objects: "identity"` it does not
 * parse the rest of each object either (see scanList).
 */
export function listPagesWithJson(
  cluster: Cluster,
  type: ResourceType,
  options: ListOptions = {},
): AsyncIterable<JsonPage> {
  return listPages(cluster, type, options, true);
}

/**
 * Lists a type page by page. On 410 Expired mid-list the server's Status usually carries an
 * "inconsistent" continue token that goes on at the latest state from where we were; we take it and
 * report it. Without one we list again from the start and drop every item at or before the last
 * one returned (lists come in key order), so memory stays one page and nothing is returned twice.
 */
async function* listPages(
  cluster: Cluster,
  type: ResourceType,
  options: ListOptions,
  withJson: boolean,
): AsyncIterable<JsonPage> {
  const path = collectionPath(type, options.namespace);
  const apiVersion = apiVersionOf(type);
  const label = `${apiVersion} ${type.resource}`;
  const signal = options.abortSignal;
  let token: string | undefined;
  let skipThrough: string | undefined;
  let last: string | undefined;
  const prefixes = new ItemJsonPrefixes(apiVersion, type.kind);

  for (;;) {
    let body: ListBody;
    let bytes: Buffer | undefined;
    let spans: RawItemSpan[] | undefined;
    try {
      const request = {
        query: {
          limit: options.pageSize ?? 500,
          continue: token,
          labelSelector: options.labelSelector,
          fieldSelector: options.fieldSelector,
        },
        ...(signal ? { abortSignal: signal } : {}),
      };
      const refuse = (detail: string) =>
        new KubeResponseError({ cluster: cluster.name, method: "GET", path }, detail);
      if (withJson) {
        ({ body, bytes, spans } = scanPage(
          await cluster.requestBytes("GET", path, request),
          options.objects ?? "whole",
          refuse,
        ));
      } else {
        body = asListBody(await cluster.request<unknown>("GET", path, request), refuse);
      }
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
    const listed = body.items ?? [];
    const page: JsonPage = { items: [], json: [] };
    for (let i = 0; i < listed.length; i++) {
      let raw = listed[i] as Partial<KubeObject>;
      if (skipThrough !== undefined && positionOf(raw) <= skipThrough) continue;
      const span = spans?.[i];
      if (withJson) {
        const json =
          span?.compact && bytes
            ? prefixes.parts(bytes.subarray(span.start, span.end), raw.apiVersion, raw.kind)
            : undefined;
        // An item whose bytes cannot be used as they are is serialised from its object, which
        // must then be whole (a non-compact item already is; see scanList).
        if (json === undefined && span?.compact && bytes && (options.objects ?? "whole") !== "whole") {
          raw = JSON.parse(bytes.toString("utf8", span.start, span.end));
        }
        page.json.push(json);
      }
      raw.apiVersion ??= apiVersion;
      raw.kind ??= type.kind;
      raw.metadata ??= {};
      page.items.push(raw as KubeObject);
    }
    // Only the last item's position is kept (for a relist), so only its is worked out.
    const lastItem = page.items[page.items.length - 1];
    if (lastItem) last = positionOf(lastItem);
    token = body.metadata?.continue || undefined;
    if (page.items.length > 0) yield page;
    if (token === undefined) return;
  }
}

/**
 * A list response's body, its items and their spans: scanned when it is JSON of the usual shape,
 * else parsed whole (the items then carry no bytes and are serialised again if archived). A body
 * that is not a JSON list (a proxy's page, a truncated answer) is refused, never read as empty.
 */
function scanPage(
  response: { body: Buffer; json: boolean },
  read: ItemFields,
  refuse: (detail: string) => Error,
): { body: ListBody; bytes?: Buffer; spans?: RawItemSpan[] } {
  const bytes = response.body;
  if (!response.json) throw refuse("a body that is not JSON (its Content-Type says otherwise)");
  const scanned = scanList(bytes, read);
  if (scanned) {
    return {
      body: { metadata: scanned.metadata, items: scanned.items as Array<Partial<KubeObject>> },
      bytes,
      spans: scanned.spans,
    };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw refuse(`a body that is not valid JSON (${(error as Error).message})`);
  }
  return { body: asListBody(parsed, refuse) };
}

/** The body as a list: an object whose items, if any, are objects. */
function asListBody(value: unknown, refuse: (detail: string) => Error): ListBody {
  const isObject = (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObject(value)) throw refuse("a body that is not a JSON object");
  const items = (value as { items?: unknown }).items;
  if (items !== undefined && items !== null && !(Array.isArray(items) && items.every(isObject))) {
    throw refuse('JSON whose "items" is not a list of objects');
  }
  return value as ListBody;
}
