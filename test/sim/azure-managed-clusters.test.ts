// Managed clusters in the Azure fake through @azure/arm-containerservice, and the in-process disk
// provisioner the simulated cluster's CSI driver uses.
import { describe, expect, it } from "vitest";
import { rejectionOf, useAzureFake } from "../helpers/azure-fake.js";

const kubeconfig = `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: {server: "https://127.0.0.1:6443"}
contexts:
- name: prod
  context: {cluster: prod, user: prod}
current-context: prod
users:
- name: prod
  user: {token: abc}
`;

describe("Azure fake: managed clusters through @azure/arm-containerservice", () => {
  const azure = useAzureFake();

  it("serves a registered cluster and its user credentials", async () => {
    const { fake, aks } = azure();
    const id = fake.registerManagedCluster({
      resourceGroup: "rg-aks",
      name: "prod",
      kubeconfig,
      kubernetesVersion: "1.31.3",
      zones: ["1", "2", "3"],
      tags: { env: "prod" },
    });
    expect(id).toBe(
      `/subscriptions/${fake.subscriptionId}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/prod`,
    );

    const cluster = await aks.managedClusters.get("rg-aks", "prod");
    expect(cluster).toMatchObject({
      id,
      name: "prod",
      location: "westeurope",
      tags: { env: "prod" },
      kubernetesVersion: "1.31.3",
      currentKubernetesVersion: "1.31.3",
      nodeResourceGroup: "MC_rg-aks_prod_westeurope",
      provisioningState: "Succeeded",
      powerState: { code: "Running" },
    });
    expect(cluster.fqdn).toMatch(/\.hcp\.westeurope\.azmk8s\.io$/);
    expect(cluster.agentPoolProfiles?.[0]?.availabilityZones).toEqual(["1", "2", "3"]);

    const credentials = await aks.managedClusters.listClusterUserCredentials("rg-aks", "prod");
    expect(credentials.kubeconfigs?.[0]?.name).toBe("clusterUser");
    expect(Buffer.from(credentials.kubeconfigs?.[0]?.value ?? new Uint8Array()).toString("utf8")).toBe(
      kubeconfig,
    );
    const admin = await aks.managedClusters.listClusterAdminCredentials("rg-aks", "prod");
    expect(admin.kubeconfigs?.[0]?.name).toBe("clusterAdmin");

    const listed: string[] = [];
    for await (const c of aks.managedClusters.list()) listed.push(c.name ?? "");
    for await (const c of aks.managedClusters.listByResourceGroup("rg-aks")) listed.push(c.name ?? "");
    expect(listed).toEqual(["prod", "prod"]);

    expect(await rejectionOf(aks.managedClusters.get("rg-aks", "staging"))).toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
  });

  it("provisions disks for the simulated CSI driver in the cluster's node resource group", async () => {
    const { fake, compute } = azure();
    const prod = fake.registerManagedCluster({
      resourceGroup: "rg-aks",
      name: "prod",
      kubeconfig,
      zones: ["1"],
    });
    const dev = fake.registerManagedCluster({ resourceGroup: "rg-aks", name: "dev", kubeconfig });

    const first = await fake.createDisk({
      name: "pvc-1",
      sizeGiB: 16,
      skuName: "StandardSSD_LRS",
      zone: "2",
      tags: { "kubernetes.io-created-for-pvc-name": "data" },
    });
    expect(first).toEqual({
      id: `/subscriptions/${fake.subscriptionId}/resourceGroups/MC_rg-aks_prod_westeurope/providers/Microsoft.Compute/disks/pvc-1`,
      location: "westeurope",
      zone: "2",
    });
    // A retried CreateVolume gets the same disk back.
    expect(
      await fake.createDisk({ name: "pvc-1", sizeGiB: 16, skuName: "StandardSSD_LRS", zone: "2" }),
    ).toEqual(first);
    expect(fake.disks()).toHaveLength(1);

    const seen = await compute.disks.get("MC_rg-aks_prod_westeurope", "pvc-1");
    expect(seen).toMatchObject({
      diskSizeGB: 16,
      zones: ["2"],
      sku: { name: "StandardSSD_LRS" },
      provisioningState: "Succeeded",
    });

    const devDisk = await fake
      .provisionerFor(dev)
      .createDisk({ name: "pvc-2", sizeGiB: 1, skuName: "Premium_LRS" });
    expect(devDisk.id).toContain("/resourceGroups/MC_rg-aks_dev_westeurope/");
    expect(devDisk.zone).toBeUndefined();
    expect(() => fake.provisionerFor(`${prod}-missing`)).toThrow(/no managed cluster/);

    await fake.deleteDisk(first.id);
    expect(await rejectionOf(compute.disks.get("MC_rg-aks_prod_westeurope", "pvc-1"))).toMatchObject({
      statusCode: 404,
    });
    await expect(fake.createDisk({ name: "pvc-3", sizeGiB: 1, skuName: "Gold" })).rejects.toThrow(
      /SKU 'Gold'/,
    );
  });
});
