// Connecting to AKS clusters by resource id, as the Functions app does with its managed identity:
// an Entra cluster with a token for the AKS server application (kubelogin never runs), a
// local-account cluster with its cluster-user kubeconfig, and errors that name the missing role.
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { armClientOptions, StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import { ClusterConfigError, connectCluster, isKubeApiError, KubeApiError } from "../../src/kube/index.js";
import { SIM_RESOURCE_GROUP, type Simulator } from "../../src/sim/simulator.js";
import { AKS_SCOPE, ScopedTokenCredential } from "../helpers/scoped-credential.js";
import { useSimulator } from "../helpers/sim.js";
import { everythingShown, rejectionOf } from "./harness.js";

function armOptions(s: Simulator) {
  return armClientOptions({ endpoint: s.azure.url, caCert: s.tls.caCert });
}

/** The identity as Entra ID would answer it: the ARM token for ARM, the Entra token for AKS only. */
function identityFor(s: Simulator): ScopedTokenCredential {
  return new ScopedTokenCredential({ arm: s.token, aks: s.entraToken ?? "no-entra-token" });
}

describe("kube: connecting to an Entra ID cluster by its AKS resource id", () => {
  const sim = useSimulator({ clusterName: "prod", entra: true });
  const dir = mkdtempSync(join(tmpdir(), "kube-connect-aks-"));
  const ranKubelogin = join(dir, "kubelogin-ran");
  const path = process.env.PATH;

  beforeAll(() => {
    // A kubelogin that leaves a mark if anything runs it, first on the PATH.
    const script = join(dir, "kubelogin");
    writeFileSync(script, `#!/bin/sh\ntouch '${ranKubelogin}'\nexit 1\n`);
    chmodSync(script, 0o755);
    process.env.PATH = `${dir}${delimiter}${path ?? ""}`;
  });
  afterAll(() => {
    process.env.PATH = path;
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists with the identity's token for the AKS server application and never runs kubelogin", async () => {
    const s = sim();
    const aks = new ContainerServiceClient(
      new StaticTokenCredential(s.token),
      s.azure.subscriptionId,
      armOptions(s),
    );
    const served = await aks.managedClusters.listClusterUserCredentials(SIM_RESOURCE_GROUP, "prod");
    const kubeconfig = parse(Buffer.from(served.kubeconfigs?.[0]?.value ?? []).toString("utf8")) as {
      users: { user: { exec?: { command: string } } }[];
    };
    expect(kubeconfig.users[0]?.user.exec?.command).toBe("kubelogin");

    const identity = identityFor(s);
    const cluster = await connectCluster(
      { name: "prod", aksResourceId: s.aksResourceId },
      { arm: { credential: identity, clientOptions: armOptions(s) } },
    );
    expect(cluster.server).toBe(s.kube.url);
    const list = await cluster.request<{ items: { metadata: { name: string } }[] }>(
      "GET",
      "/api/v1/namespaces",
    );
    expect(list.items.map((n) => n.metadata.name)).toContain("kube-system");
    expect(identity.asked).toContain(AKS_SCOPE);
    expect(existsSync(ranKubelogin)).toBe(false);
    cluster.close();
  });

  it("is refused by the cluster when the token is not for the AKS server application", async () => {
    const s = sim();
    // Every scope answered with the ARM token: Resource Manager accepts it, the cluster does not.
    const armOnly = new StaticTokenCredential(s.token);
    const cluster = await connectCluster(
      { name: "prod", aksResourceId: s.aksResourceId },
      { arm: { credential: armOnly, clientOptions: armOptions(s) } },
    );
    const error = await rejectionOf(cluster.request("GET", "/api/v1/namespaces"), KubeApiError);
    expect(isKubeApiError(error, 401)).toBe(true);
    expect(everythingShown(error)).not.toContain(s.token);
    cluster.close();
  });

  it("keeps a token until shortly before it expires", async () => {
    const s = sim();
    const identity = identityFor(s);
    const cluster = await connectCluster(
      { name: "prod", aksResourceId: s.aksResourceId },
      { arm: { credential: identity, clientOptions: armOptions(s) } },
    );
    await Promise.all([1, 2, 3, 4].map(() => cluster.request("GET", "/api/v1/namespaces/default")));
    expect(identity.aksRequests).toBe(1);
    cluster.close();

    // A token within five minutes of its expiry is renewed before the next request.
    const shortLived = identityFor(s);
    shortLived.aksLifetimeMs = 60_000;
    const renewing = await connectCluster(
      { name: "prod", aksResourceId: s.aksResourceId },
      { arm: { credential: shortLived, clientOptions: armOptions(s) } },
    );
    await renewing.request("GET", "/api/v1/namespaces/default");
    await renewing.request("GET", "/api/v1/namespaces/default");
    expect(shortLived.aksRequests).toBe(3);

    shortLived.aksFailure = new Error(
      "ManagedIdentityCredential: the managed identity endpoint is not available",
    );
    const failed = await rejectionOf(
      renewing.request("GET", "/api/v1/namespaces/default"),
      ClusterConfigError,
    );
    expect(failed.message).toBe(
      `cluster "prod": cannot get credentials: cannot get an Entra token for the AKS server application ` +
        `(${AKS_SCOPE}): ManagedIdentityCredential: the managed identity endpoint is not available`,
    );
    renewing.close();
  });

  it("fails to connect when the identity gets no token, naming the scope and never a token", async () => {
    const s = sim();
    const identity = identityFor(s);
    identity.aksFailure = new Error("ManagedIdentityCredential: no managed identity endpoint found");
    const error = await rejectionOf(
      connectCluster(
        { name: "prod", aksResourceId: s.aksResourceId },
        { arm: { credential: identity, clientOptions: armOptions(s) } },
      ),
      ClusterConfigError,
    );
    expect(error.message).toBe(
      `cluster "prod": cannot get an Entra token for the AKS server application (${AKS_SCOPE}): ` +
        `ManagedIdentityCredential: no managed identity endpoint found; ${s.aksResourceId} uses Entra ID, ` +
        "so the app's managed identity must be able to sign in (AZURE_CLIENT_ID names a user-assigned identity)",
    );
    const shown = everythingShown(error);
    expect(shown).not.toContain(s.token);
    expect(shown).not.toContain(s.entraToken);
  });

  it("names the Cluster User role when Resource Manager answers 403", async () => {
    const s = sim();
    for (const [fault, operation] of [
      [
        { method: "POST", path: /listClusterUserCredential$/i },
        "Microsoft.ContainerService/managedClusters/listClusterUserCredential/action",
      ],
      [{ method: "GET", path: /managedClusters\/prod$/i }, "Microsoft.ContainerService/managedClusters/read"],
    ] as const) {
      s.azure.faults.deny(fault);
      const error = await rejectionOf(
        connectCluster(
          { name: "prod", aksResourceId: s.aksResourceId },
          { arm: { credential: identityFor(s), clientOptions: armOptions(s) } },
        ),
        ClusterConfigError,
      );
      expect(error.message).toMatch(
        /^cluster "prod": Azure refused to .* \(403\): The client '.*' with object id/,
      );
      expect(error.message).toContain(`perform action '${operation}' over scope '${s.aksResourceId}'`);
      expect(error.message).toContain(
        `give the app's identity the "Azure Kubernetes Service Cluster User Role" on the cluster`,
      );
      expect(everythingShown(error)).not.toContain(s.token);
    }
    expect(s.azure.faults.pending).toBe(0);
  });
});

describe("kube: connecting to a local-account AKS cluster by its resource id", () => {
  const sim = useSimulator({ clusterName: "dev" });

  it("uses the cluster-user kubeconfig's own user and asks for no Entra token", async () => {
    const s = sim();
    const identity = identityFor(s);
    const cluster = await connectCluster(
      { name: "dev", aksResourceId: s.aksResourceId },
      { arm: { credential: identity, clientOptions: armOptions(s) } },
    );
    const list = await cluster.request<{ kind: string }>("GET", "/api/v1/namespaces");
    expect(list.kind).toBe("NamespaceList");
    expect(identity.aksRequests).toBe(0);
    cluster.close();
  });

  it("refuses a cluster with local accounts disabled and no Entra ID, saying what to enable", async () => {
    const s = sim();
    const id = s.azure.registerManagedCluster({
      resourceGroup: SIM_RESOURCE_GROUP,
      name: "locked",
      kubeconfig: s.kubeconfig,
      disableLocalAccounts: true,
    });
    const error = await rejectionOf(
      connectCluster(
        { name: "locked", aksResourceId: id },
        { arm: { credential: identityFor(s), clientOptions: armOptions(s) } },
      ),
      ClusterConfigError,
    );
    expect(error.message).toBe(
      `cluster "locked": ${id} has local accounts disabled and no Entra ID integration, so no credentials ` +
        "can reach it: enable AKS-managed Entra ID (az aks update --enable-aad) or local accounts",
    );
  });

  it("takes a private cluster's server from its privateFQDN when the kubeconfig names none", async () => {
    const s = sim();
    const kubeconfig = s.kubeconfig.replace(/server: .*/, 'server: ""');
    const id = s.azure.registerManagedCluster({
      resourceGroup: SIM_RESOURCE_GROUP,
      name: "private",
      kubeconfig,
      privateFqdn: "private-7f3a.privatelink.westeurope.azmk8s.io",
    });
    const cluster = await connectCluster(
      { name: "private", aksResourceId: id },
      { arm: { credential: identityFor(s), clientOptions: armOptions(s) } },
    );
    expect(cluster.server).toBe("https://private-7f3a.privatelink.westeurope.azmk8s.io");
    cluster.close();
  });
});
