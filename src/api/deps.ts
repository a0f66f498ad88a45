// What the handlers are given: the environment (stores, clusters), a durable client, and how to
// spell the durable management URLs of an orchestration (the Functions host's, or `serve`'s own).
import type { OrchestrationClient } from "../orchestrations/client.js";
import type { Environment } from "../orchestrations/environment.js";

/** Durable Functions' management payload (createCheckStatusResponse / createHttpManagementPayload). */
export interface DurableStatusLinks {
  readonly id: string;
  readonly statusQueryGetUri: string;
  readonly sendEventPostUri: string;
  readonly terminatePostUri: string;
  readonly purgeHistoryDeleteUri: string;
}

export interface ApiDeps {
  readonly env: Environment;
  readonly client: OrchestrationClient;
  readonly links: (instanceId: string) => DurableStatusLinks;
  /**
   * False when the deployment was made without restore (AKS_BACKUP_RESTORE_ENABLED=false): the
   * identity has no write access to the clusters, so `POST /api/restores` answers 403. Default true.
   */
  readonly restoreEnabled?: boolean;
  /** Said by `GET /api/health` when this is not a real deployment (demo mode). */
  readonly notice?: string;
  /** Where server-side failures are reported (never sent to the caller); default: stderr. */
  readonly log?: (message: string) => void;
}

/** The payload's URLs under `baseUrl` (`http://127.0.0.1:7071`), as the Functions host spells them. */
export function durableLinks(baseUrl: string, query = ""): (instanceId: string) => DurableStatusLinks {
  const base = baseUrl.replace(/\/+$/, "");
  const suffix = query ? `?${query}` : "";
  const join = query ? "&" : "?";
  return (instanceId) => {
    // Colons (`backup:<instance>:...`) are legal in a path segment; the host leaves them as they are.
    const id = encodeURIComponent(instanceId).replaceAll("%3A", ":");
    const instance = `${base}/runtime/webhooks/durabletask/instances/${id}`;
    return {
      id: instanceId,
      statusQueryGetUri: `${instance}${suffix}`,
      sendEventPostUri: `${instance}/raiseEvent/{eventName}${suffix}`,
      terminatePostUri: `${instance}/terminate${suffix}${join}reason={text}`,
      purgeHistoryDeleteUri: `${instance}${suffix}`,
    };
  };
}
