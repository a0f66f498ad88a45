// How requests to one cluster authenticate: client-node's KubeConfig resolves the user (token,
// client certificate, exec plugins such as kubelogin); we keep one keep-alive agent for its TLS.
import { Agent, type RequestOptions } from "node:https";
import type { KubeConfig } from "@kubernetes/client-node";

/** Returns a bearer token (e.g. an Entra token for the AKS server application); replaces the user's. */
export type BearerTokenProvider = (abortSignal?: AbortSignal) => Promise<string>;

export interface RequestAuth {
  agent: Agent;
  headers: Record<string, string>;
}

type TlsMaterial = Pick<RequestOptions, "ca" | "cert" | "key" | "pfx" | "passphrase" | "servername">;

function sameMaterial(a: TlsMaterial, b: TlsMaterial): boolean {
  const keys = ["ca", "cert", "key", "pfx", "passphrase", "servername"] as const;
  return keys.every((k) => {
    const x = a[k];
    const y = b[k];
    if (Buffer.isBuffer(x) && Buffer.isBuffer(y)) return x.equals(y);
    return x === y;
  });
}

export class ClusterCredentials {
  readonly #config: KubeConfig;
  readonly #bearerToken: BearerTokenProvider | undefined;
  #agent: Agent | undefined;
  #material: TlsMaterial = {};
  readonly #retired: Agent[] = [];

  constructor(config: KubeConfig, bearerToken?: BearerTokenProvider) {
    this.#config = config;
    this.#bearerToken = bearerToken;
  }

  /**
   * The agent and headers for the next request. Asked per request because exec plugins hand out
   * short-lived tokens (client-node caches them until they expire) and may rotate client certificates.
   */
  async forRequest(abortSignal?: AbortSignal): Promise<RequestAuth> {
    const options: RequestOptions = {};
    await this.#config.applyToHTTPSOptions(options);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value !== undefined) headers[name] = String(value);
    }
    if (options.auth) headers.Authorization = `Basic ${Buffer.from(options.auth).toString("base64")}`;
    if (this.#bearerToken) headers.Authorization = `Bearer ${await this.#bearerToken(abortSignal)}`;
    return { agent: this.#agentFor(options), headers };
  }

  #agentFor(options: RequestOptions): Agent {
    // A proxy-url in the kubeconfig: client-node built a proxying agent, which we cannot rebuild.
    if (this.#config.getCurrentCluster()?.proxyUrl && options.agent instanceof Agent) return options.agent;
    const material: TlsMaterial = {
      ca: options.ca,
      cert: options.cert,
      key: options.key,
      pfx: options.pfx,
      passphrase: options.passphrase,
      servername: options.servername,
    };
    if (this.#agent && sameMaterial(material, this.#material)) return this.#agent;
    if (this.#agent) this.#retired.push(this.#agent);
    this.#material = material;
    const defined = Object.fromEntries(Object.entries(material).filter(([, v]) => v !== undefined));
    this.#agent = new Agent({
      keepAlive: true,
      ...defined,
      ...(options.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    });
    return this.#agent;
  }

  /** Closes pooled connections. */
  close(): void {
    for (const agent of [...this.#retired, this.#agent]) agent?.destroy();
    this.#retired.length = 0;
    this.#agent = undefined;
  }
}
