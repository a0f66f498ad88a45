// Test access to the Azure fake: a fresh fake per test, driven through the real SDK clients that
// reach it the way the app will, via armClientOptions and a StaticTokenCredential.
import { ComputeManagementClient } from "@azure/arm-compute";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { afterEach, beforeAll, beforeEach } from "vitest";
import {
  type ArmClientOptions,
  armClientOptions,
  StaticTokenCredential,
} from "../../src/azure/arm-endpoint.js";
import { type AzureFake, type AzureFakeOptions, startAzureFake } from "../../src/sim/azure/server.js";
import { createTlsMaterial, type TlsMaterial } from "../../src/sim/tls.js";

export const location = "westeurope";
/** Poll long-running operations every few milliseconds instead of the SDK's default 2 s. */
export const fastPolling = { updateIntervalInMs: 5 } as const;
/** Retry 5xx and dropped connections after a few milliseconds instead of the SDK's default ~1 s. */
export const fastRetries = { retryOptions: { retryDelayInMs: 10, maxRetryDelayInMs: 50 } } as const;

export interface AzureHarness {
  fake: AzureFake;
  tls: TlsMaterial;
  token: string;
  options: ArmClientOptions;
  compute: ComputeManagementClient;
  aks: ContainerServiceClient;
  /** A compute client with its own extra client options (e.g. fast retries, another credential). */
  computeWith(extra: object, credential?: StaticTokenCredential): ComputeManagementClient;
}

type HarnessOptions = Omit<AzureFakeOptions, "tls" | "token">;

/** Starts a fresh fake before each test of the enclosing describe and closes it after. */
export function useAzureFake(options: HarnessOptions = {}): () => AzureHarness {
  let tls: TlsMaterial | undefined;
  let harness: AzureHarness | undefined;
  const token = "azure-fake-test-token";
  beforeAll(async () => {
    tls = await createTlsMaterial();
  });
  beforeEach(async () => {
    if (tls === undefined) throw new Error("TLS material missing");
    const fake = await startAzureFake({ tls, token, location, lroSteps: 2, ...options });
    const clientOptions = armClientOptions({ endpoint: fake.url, caCert: tls.caCert });
    const credential = new StaticTokenCredential(token);
    harness = {
      fake,
      tls,
      token,
      options: clientOptions,
      compute: new ComputeManagementClient(credential, fake.subscriptionId, clientOptions),
      aks: new ContainerServiceClient(credential, fake.subscriptionId, clientOptions),
      computeWith: (extra, other) =>
        new ComputeManagementClient(other ?? credential, fake.subscriptionId, { ...clientOptions, ...extra }),
    };
  });
  afterEach(async () => {
    harness?.options.agent?.destroy();
    await harness?.fake.close();
    harness = undefined;
  });
  return () => {
    if (harness === undefined) throw new Error("useAzureFake must be called in a describe block");
    return harness;
  };
}

/** The error a promise rejects with, failing the test when it resolves. */
export async function rejectionOf(promise: PromiseLike<unknown>): Promise<{
  name?: string;
  statusCode?: number;
  code?: string;
  message: string;
}> {
  try {
    await promise;
  } catch (error) {
    return error as { statusCode?: number; code?: string; message: string };
  }
  throw new Error("expected the call to fail, but it succeeded");
}
