// Access to an AKS cluster from its resource id, through Resource Manager: the managed cluster says
// whether it is Entra-integrated, its cluster-user kubeconfig gives the server and CA. An Entra
// cluster is called with the identity's token for the AKS server application (never kubelogin,
// which a Functions app cannot run); a local-account cluster with the kubeconfig's own user.
import {
  ContainerServiceClient,
  type ContainerServiceClientOptionalParams,
} from "@azure/arm-containerservice";
import { type AccessToken, DefaultAzureCredential, type TokenCredential } from "@azure/identity";
import { KubeConfig } from "@kubernetes/client-node";
import { parse, stringify } from "yaml";
import { ArmIdError, type ManagedClusterId, parseManagedClusterId } from "../model/arm-id.js";
import type { BearerTokenProvider } from "./credentials.js";
import { ClusterConfigError } from "./errors.js";

/** The AKS server application, the audience of every AKS-managed Entra cluster. */
export const AKS_SERVER_SCOPE = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";
/** The built-in role that allows managedClusters/read and listClusterUserCredential/action. */
export const AKS_CLUSTER_USER_ROLE = "Azure Kubernetes Service Cluster User Role";
/** A token is renewed this long before it expires, so none expires during a request. */
const TOKEN_RENEWAL_MARGIN_MS = 5 * 60_000;

export interface ArmAccess {
  credential: TokenCredential;
  /** e.g. `armClientOptions(...)` for another cloud or the simulator's Azure fake. */
  clientOptions?: ContainerServiceClientOptionalParams;
}

export interface AksAccess {
  /** Server and CA from Azure; for an Entra cluster its users carry no credentials. */
  kubeconfig: KubeConfig;
  /** Entra clusters only: the identity's token for the AKS server application, renewed as needed. */
  bearerToken?: BearerTokenProvider;
}

export async function aksAccess(
  name: string,
  id: string,
  options: { arm?: ArmAccess; abortSignal?: AbortSignal } = {},
): Promise<AksAccess> {
  let parsed: ManagedClusterId;
  try {
    parsed = parseManagedClusterId(id);
  } catch (error) {
    if (!(error instanceof ArmIdError)) throw error;
    throw new ClusterConfigError(name, `aksResourceId is not an AKS resource id: ${error.message}`);
  }
  const { subscriptionId, resourceGroup, name: clusterName } = parsed;
  const credential = options.arm?.credential ?? new DefaultAzureCredential();
  const client = new ContainerServiceClient(credential, subscriptionId, options.arm?.clientOptions ?? {});
  const call = options.abortSignal ? { abortSignal: options.abortSignal } : {};
  const arm = <T>(what: string, request: () => Promise<T>) =>
    armCall(name, id, what, request, options.abortSignal);

  const managed = await arm("read", () => client.managedClusters.get(resourceGroup, clusterName, call));
  const entra = managed.aadProfile !== undefined;
  if (!entra && managed.disableLocalAccounts) {
    throw new ClusterConfigError(
      name,
      `${id} has local accounts disabled and no Entra ID integration, so no credentials can reach it: ` +
        "enable AKS-managed Entra ID (az aks update --enable-aad) or local accounts",
    );
  }
  // The user of an Entra cluster's kubeconfig (kubelogin exec, or the legacy azure auth-provider)
  // is dropped below, so the `format` option does not matter here.
  const result = await arm("get the cluster-user credentials of", () =>
    client.managedClusters.listClusterUserCredentials(resourceGroup, clusterName, call),
  );
  const value = result.kubeconfigs?.[0]?.value;
  if (!value || value.length === 0) {
    throw new ClusterConfigError(name, `Azure returned no kubeconfig for ${id}`);
  }
  // AKS puts the server in the kubeconfig (a private cluster's private FQDN included); only when it
  // is absent does the managed cluster's privateFQDN, else its public FQDN, stand in.
  const fallbackServer = managed.privateFqdn ?? managed.fqdn;
  const text = Buffer.from(value).toString("utf8");
  const fetched = new KubeConfig();
  fetched.loadFromString(fallbackServer ? withServer(text, `https://${fallbackServer}:443`) : text);
  if (!entra) return { kubeconfig: fetched };

  const bearerToken = entraTokenProvider(credential);
  try {
    // Asked once now so that a missing identity fails the connection, not the first request.
    await bearerToken(options.abortSignal);
  } catch (error) {
    if (options.abortSignal?.aborted) throw options.abortSignal.reason;
    throw new ClusterConfigError(
      name,
      `${(error as Error).message}; ${id} uses Entra ID, so the app's managed identity must be able to ` +
        "sign in (AZURE_CLIENT_ID names a user-assigned identity)",
      { cause: error },
    );
  }
  return { kubeconfig: withoutUserCredentials(fetched), bearerToken };
}

/**
 * Entra tokens for the AKS server application, cached until shortly before they expire; callers at
 * the same time share one request. Errors never contain a token.
 */
export function entraTokenProvider(credential: TokenCredential): BearerTokenProvider {
  let current: AccessToken | undefined;
  let pending: Promise<AccessToken> | undefined;
  const fetchToken = async (): Promise<AccessToken> => {
    let token: AccessToken | null;
    try {
      token = await credential.getToken(AKS_SERVER_SCOPE);
    } catch (error) {
      throw new Error(
        `cannot get an Entra token for the AKS server application (${AKS_SERVER_SCOPE}): ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!token) {
      throw new Error(
        `the credential returned no Entra token for the AKS server application (${AKS_SERVER_SCOPE})`,
      );
    }
    return token;
  };
  return async (abortSignal) => {
    abortSignal?.throwIfAborted();
    if (current && Date.now() < renewalTime(current)) return current.token;
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    current = await pending;
    return current.token;
  };
}

function renewalTime(token: AccessToken): number {
  return token.refreshAfterTimestamp ?? token.expiresOnTimestamp - TOKEN_RENEWAL_MARGIN_MS;
}

async function armCall<T>(
  name: string,
  id: string,
  what: string,
  request: () => Promise<T>,
  abortSignal: AbortSignal | undefined,
): Promise<T> {
  try {
    return await request();
  } catch (error) {
    if (abortSignal?.aborted) throw abortSignal.reason;
    const said = (error as Error).message;
    const status = (error as { statusCode?: unknown }).statusCode;
    if (status === 403) {
      throw new ClusterConfigError(
        name,
        `Azure refused to ${what} ${id} (403): ${said}; give the app's identity the ` +
          `"${AKS_CLUSTER_USER_ROLE}" on the cluster`,
        { cause: error },
      );
    }
    if (status === 404) {
      throw new ClusterConfigError(name, `AKS cluster ${id} was not found in Azure: ${said}`, {
        cause: error,
      });
    }
    throw new ClusterConfigError(name, `cannot ${what} ${id} from Azure: ${said}`, { cause: error });
  }
}

/** The kubeconfig with `server` set on every cluster entry that has none. */
function withServer(text: string, server: string): string {
  const doc = parse(text) as { clusters?: { cluster?: { server?: string } }[] } | null;
  const missing = (doc?.clusters ?? []).filter((entry) => entry.cluster && !entry.cluster.server);
  if (missing.length === 0) return text;
  for (const entry of missing) if (entry.cluster) entry.cluster.server = server;
  return stringify(doc);
}

/** A copy whose users carry no credentials, so nothing (kubelogin above all) is ever run for them. */
function withoutUserCredentials(config: KubeConfig): KubeConfig {
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: config.clusters,
    users: config.users.map((user) => ({ name: user.name })),
    contexts: config.contexts,
    currentContext: config.currentContext,
  });
  return copy;
}
