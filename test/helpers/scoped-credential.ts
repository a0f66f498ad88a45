// A TokenCredential for tests that, like Entra ID, answers each scope with its own token: the
// ARM token for Resource Manager, another one only for the AKS server application. It records
// every scope asked for and can be told to fail or to hand out short-lived tokens.
import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/identity";

export const AKS_SCOPE = "6dae42f8-4368-4678-94ff-3960e28e3630/.default";

export interface ScopedTokens {
  /** Returned for every scope but the AKS one (Resource Manager's). */
  arm: string;
  /** Returned only for `6dae42f8-.../.default`. */
  aks: string;
}

export class ScopedTokenCredential implements TokenCredential {
  /** The scopes of every getToken call, in order. */
  readonly asked: string[] = [];
  /** Lifetime of the AKS tokens handed out (default one hour). */
  aksLifetimeMs = 3_600_000;
  /** When set, asking for the AKS scope throws this. */
  aksFailure: Error | undefined;
  readonly #tokens: ScopedTokens;

  constructor(tokens: ScopedTokens) {
    this.#tokens = tokens;
  }

  /** How many AKS tokens were asked for. */
  get aksRequests(): number {
    return this.asked.filter((scope) => scope === AKS_SCOPE).length;
  }

  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes.join(" ") : scopes;
    this.asked.push(scope);
    if (scope !== AKS_SCOPE) {
      return { token: this.#tokens.arm, expiresOnTimestamp: Date.now() + 3_600_000, tokenType: "Bearer" };
    }
    if (this.aksFailure) throw this.aksFailure;
    return {
      token: this.#tokens.aks,
      expiresOnTimestamp: Date.now() + this.aksLifetimeMs,
      tokenType: "Bearer",
    };
  }
}
