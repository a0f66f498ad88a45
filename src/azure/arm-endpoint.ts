// How the app's Azure SDK clients reach Resource Manager when it is not the public cloud: a custom
// endpoint (the simulator's Azure fake, a sovereign or private cloud) with a CA we are told to trust.
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import type { AccessToken, TokenCredential } from "@azure/identity";

export interface ArmEndpoint {
  /** Base URL of Resource Manager, e.g. "https://management.azure.com" or "https://127.0.0.1:8443". */
  endpoint: string;
  /** PEM of a CA to trust for this endpoint, in addition to the public roots. */
  caCert?: string;
  /** Token audience when it is not the public cloud's ("https://management.azure.com"). */
  audience?: string;
}

/**
 * Options accepted by ComputeManagementClient, ContainerServiceClient and every other
 * @azure/arm-* client: they extend the pipeline options, whose `agent` the SDK installs with its
 * own agent policy on every request it sends (retries and LRO polls included).
 */
export interface ArmClientOptions {
  endpoint: string;
  agent?: Agent;
  credentials?: { scopes: string[] };
}

/** Client options that send an SDK client's requests to `target` and trust its CA. */
export function armClientOptions(target: ArmEndpoint): ArmClientOptions {
  let url: URL;
  try {
    url = new URL(target.endpoint);
  } catch {
    throw new Error(`ARM endpoint '${target.endpoint}' is not a URL`);
  }
  // The SDK's bearer-token policy refuses plain HTTP; failing here names the setting to fix.
  if (url.protocol !== "https:") {
    throw new Error(
      `ARM endpoint '${target.endpoint}' must use https: bearer tokens are never sent in clear`,
    );
  }
  const options: ArmClientOptions = { endpoint: url.origin + url.pathname.replace(/\/+$/, "") };
  if (target.caCert !== undefined) {
    // `ca` replaces Node's default trust store, so keep the public roots next to the custom CA.
    options.agent = new Agent({ keepAlive: true, ca: [...rootCertificates, target.caCert] });
  }
  if (target.audience !== undefined) {
    options.credentials = { scopes: [`${target.audience.replace(/\/+$/, "")}/.default`] };
  }
  return options;
}

/**
 * A credential that always returns one fixed bearer token: for the simulator's Azure fake, which
 * accepts exactly the token it was started with. The token is held in a private field so that
 * logging or serialising the credential never shows it.
 */
export class StaticTokenCredential implements TokenCredential {
  readonly #token: string;

  constructor(token: string) {
    if (token.length === 0) {
      throw new Error("StaticTokenCredential needs a non-empty token");
    }
    this.#token = token;
  }

  async getToken(): Promise<AccessToken> {
    // A long-lived expiry keeps the SDK from asking again; asking again would return the same token.
    return { token: this.#token, expiresOnTimestamp: Date.now() + 24 * 3_600_000, tokenType: "Bearer" };
  }

  toJSON(): { type: string } {
    return { type: "StaticTokenCredential" };
  }
}
