// A simulated AKS cluster in Entra mode looks like `az aks create --enable-aad --enable-azure-rbac
// --disable-local-accounts`: ARM shows the aadProfile and hands out a kubelogin kubeconfig, the
// Kubernetes API accepts only the Entra token, and kubectl works with the simulator's kubeconfig.
import { ContainerServiceClient } from "@azure/arm-containerservice";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { armClientOptions, StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import { renderKubeconfig } from "../../src/sim/kubeconfig.js";
import { SIM_RESOURCE_GROUP } from "../../src/sim/simulator.js";
import { runKubectl } from "../helpers/kubectl.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

describe("simulator: an Entra ID cluster", () => {
  const sim = useSimulator({ clusterName: "entra", entra: true });

  function aksClient() {
    const s = sim();
    return new ContainerServiceClient(
      new StaticTokenCredential(s.token),
      s.azure.subscriptionId,
      armClientOptions({ endpoint: s.azure.url, caCert: s.tls.caCert }),
    );
  }

  it("shows AKS-managed Entra ID with Azure RBAC and local accounts disabled", async () => {
    const cluster = await aksClient().managedClusters.get(SIM_RESOURCE_GROUP, "entra");
    expect(cluster.aadProfile).toEqual({
      managed: true,
      enableAzureRbac: true,
      tenantID: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(cluster.disableLocalAccounts).toBe(true);
  });

  it("hands out a kubelogin kubeconfig for the AKS server application and no admin credentials", async () => {
    const aks = aksClient();
    const result = await aks.managedClusters.listClusterUserCredentials(SIM_RESOURCE_GROUP, "entra");
    const config = parse(Buffer.from(result.kubeconfigs?.[0]?.value ?? []).toString("utf8")) as {
      clusters: { cluster: { server: string } }[];
      users: { user: Record<string, { command?: string; args?: string[] }> }[];
    };
    expect(config.clusters[0]?.cluster.server).toBe(sim().kube.url);
    const exec = config.users[0]?.user.exec;
    expect(exec?.command).toBe("kubelogin");
    expect(exec?.args?.slice(0, 1)).toEqual(["get-token"]);
    expect(exec?.args?.join(" ")).toContain("--server-id 6dae42f8-4368-4678-94ff-3960e28e3630");
    expect(Object.keys(config.users[0]?.user ?? {})).toEqual(["exec"]);

    await expect(
      aks.managedClusters.listClusterAdminCredentials(SIM_RESOURCE_GROUP, "entra"),
    ).rejects.toMatchObject({
      statusCode: 400,
      message: expect.stringContaining("disable local accounts"),
    });
  });

  it("accepts the Entra token (kubectl works) and refuses the ARM token", async () => {
    const s = sim();
    const ok = await kubectl(s, ["get", "namespaces", "-o", "name"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain("namespace/kube-system");
    const inDefault = await kubectl(s, ["get", "configmaps"], undefined, { namespace: "default" });
    expect(inDefault.code).toBe(0);

    const withArmToken = renderKubeconfig({
      name: "entra",
      server: s.kube.url,
      caCert: s.tls.caCert,
      token: s.token,
    });
    const refused = await runKubectl(withArmToken, ["get", "namespaces"]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/Unauthorized|must be logged in/);
  });
});
