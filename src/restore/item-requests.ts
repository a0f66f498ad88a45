// The requests applying an item makes, over the cluster's own rate limit and retry policy: create
// (repeated here too after answers lost on the way back, which a fixed name makes safe), read, and
// merge-patch, each a server-side dry run when asked.
import type { Cluster } from "../kube/cluster.js";
import { ClusterConfigError, ClusterUnreachableError, isKubeApiError, KubeApiError } from "../kube/errors.js";
import type { KubeObject } from "../kube/types.js";
import { itemCollectionPath, itemPath } from "./object-paths.js";
import { pause } from "./pause.js";
import type { PlannedItem } from "./types.js";

export interface RequestSettings {
  dryRun: boolean;
  abortSignal?: AbortSignal;
  /** Attempts of a create whose answer was lost (default 4). */
  createAttempts?: number;
  /** First wait before repeating such a create (default 500 ms); doubles per attempt. */
  createBackoffMs?: number;
}

export interface Created {
  object: KubeObject;
  /** An earlier attempt may have created the object although its answer was lost. */
  ambiguous: boolean;
}

// Cluster.request repeats a POST only when the server surely did not act on it (429, 503, refused);
// these failures may hide a create that happened, which for a named object ends in AlreadyExists.
const LOST_ANSWER_STATUS = new Set([500, 502, 504]);
const LOST_ANSWER_CODES = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "ECONNABORTED", "UND_ERR_SOCKET"]);

function lostAnswer(error: unknown): boolean {
  if (error instanceof KubeApiError) return LOST_ANSWER_STATUS.has(error.statusCode);
  return error instanceof ClusterUnreachableError && LOST_ANSWER_CODES.has(error.causeCode ?? "");
}

const dryRunQuery = (settings: RequestSettings) => (settings.dryRun ? { dryRun: "All" } : undefined);

function signalOf(settings: RequestSettings): { abortSignal?: AbortSignal } {
  return settings.abortSignal ? { abortSignal: settings.abortSignal } : {};
}

/** POSTs the item to its collection; throws the API's error (409 AlreadyExists included). */
export async function createItem(
  cluster: Cluster,
  item: PlannedItem,
  body: KubeObject,
  settings: RequestSettings,
): Promise<Created> {
  const attempts = settings.createAttempts ?? 4;
  let ambiguous = false;
  for (let attempt = 1; ; attempt++) {
    try {
      const object = await cluster.request<KubeObject>("POST", itemCollectionPath(item), {
        body,
        query: dryRunQuery(settings),
        ...signalOf(settings),
      });
      return { object, ambiguous };
    } catch (error) {
      if (!lostAnswer(error) || attempt >= attempts) {
        if (ambiguous && isKubeApiError(error, 409)) Object.assign(error as object, { ambiguous });
        throw error;
      }
      ambiguous = true;
      await pause((settings.createBackoffMs ?? 500) * 2 ** (attempt - 1), settings.abortSignal);
    }
  }
}

/** Whether a 409 followed a create whose earlier answer was lost (see createItem). */
export function followedLostAnswer(error: unknown): boolean {
  return (error as { ambiguous?: unknown }).ambiguous === true;
}

/** GETs the item as the cluster has it. */
export function readItem(
  cluster: Cluster,
  item: PlannedItem,
  settings: RequestSettings,
): Promise<KubeObject> {
  return cluster.request<KubeObject>("GET", itemPath(item), signalOf(settings));
}

/** Sends a JSON merge patch (RFC 7386) to the item and returns the object as patched. */
export function mergePatchItem(
  cluster: Cluster,
  item: PlannedItem,
  patch: Record<string, unknown>,
  settings: RequestSettings,
): Promise<KubeObject> {
  return cluster.request<KubeObject>("PATCH", itemPath(item), {
    body: patch,
    contentType: "application/merge-patch+json",
    query: dryRunQuery(settings),
    ...signalOf(settings),
  });
}

/** True when the API server refused because the object exists. */
export function isAlreadyExists(error: unknown): boolean {
  return isKubeApiError(error, 409) && (error.reason === "AlreadyExists" || error.reason === "");
}

/** True when the item's namespace is being deleted (403 with the NamespaceTerminating cause). */
export function isNamespaceTerminating(error: unknown): boolean {
  if (!isKubeApiError(error, 403)) return false;
  const causes = (error.status?.details as { causes?: Array<{ reason?: string }> } | undefined)?.causes;
  return (
    (causes ?? []).some((cause) => cause.reason === "NamespaceTerminating") ||
    /because it is being terminated/.test(error.status?.message ?? "")
  );
}

/** The API server's own words for a refusal, or the error's message for anything else. */
export function serverMessage(error: unknown): string {
  if (error instanceof KubeApiError) {
    const said = error.status?.message;
    return said ? `${error.statusCode} ${error.reason || "Error"}: ${said}` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Errors that mean the cluster cannot be worked with at all, not that one item was refused. */
export function isClusterDown(error: unknown): boolean {
  return (
    error instanceof ClusterUnreachableError ||
    error instanceof ClusterConfigError ||
    isKubeApiError(error, 401)
  );
}
