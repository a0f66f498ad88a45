// The whole simulated AKS environment in one call: a Kubernetes API server with its controllers
// and an Azure Resource Manager fake that owns the cluster's disks, sharing one CA.
import { randomBytes } from "node:crypto";
import { type AzureFake, startAzureFake } from "./azure/server.js";
import { type Controllers, seedCluster, startControllers } from "./kube/controllers/index.js";
import { type KubeSim, startKubeSim } from "./kube/server.js";
import { renderKubeconfig } from "./kubeconfig.js";
import { createTlsMaterial, type TlsMaterial } from "./tls.js";

export interface SimulatorOptions {
  /** Cluster name: the kubeconfig context and the managed cluster's name in the Azure fake. */
  clusterName?: string;
  host?: string;
  /** 0 (default) = a free port. */
  kubePort?: number;
  armPort?: number;
  /** Share the Azure fake (and its CA) of another simulator: two clusters, one subscription. */
  shareAzureWith?: Simulator;
  crdEstablishDelayMs?: number;
  /** Number of nodes, one per zone round-robin. */
  nodes?: number;
  location?: string;
}

export interface Simulator {
  clusterName: string;
  kube: KubeSim;
  azure: AzureFake;
  controllers: Controllers;
  tls: TlsMaterial;
  /** Bearer token of the Kubernetes API (also accepted by the Azure fake). */
  token: string;
  /** Kubeconfig YAML (context = clusterName) for this cluster. */
  kubeconfig: string;
  /** ARM id of the managed cluster in the Azure fake. */
  aksResourceId: string;
  nodeResourceGroup: string;
  close(): Promise<void>;
}

export const SIM_RESOURCE_GROUP = "aks-backup-sim";

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const clusterName = options.clusterName ?? "sim";
  const host = options.host ?? "127.0.0.1";
  const location = options.location ?? "westeurope";
  const shared = options.shareAzureWith;
  const tls = shared?.tls ?? (await createTlsMaterial());
  const token = shared?.token ?? randomBytes(24).toString("base64url");
  const nodeResourceGroup = `MC_${SIM_RESOURCE_GROUP}_${clusterName}_${location}`;

  const azure =
    shared?.azure ??
    (await startAzureFake({
      tls,
      token,
      host,
      location,
      ...(options.armPort !== undefined ? { port: options.armPort } : {}),
    }));
  const kube = await startKubeSim({
    tls,
    token,
    host,
    ...(options.kubePort !== undefined ? { port: options.kubePort } : {}),
  });
  const kubeconfig = renderKubeconfig({ name: clusterName, server: kube.url, caCert: tls.caCert, token });
  const aksResourceId = azure.registerManagedCluster({
    resourceGroup: SIM_RESOURCE_GROUP,
    name: clusterName,
    nodeResourceGroup,
    kubeconfig,
    location,
    zones: ["1", "2", "3"],
  });
  const controllerOptions = {
    provisioner: azure.provisionerFor(aksResourceId),
    caCert: tls.caCert,
    clusterName,
    nodeResourceGroup,
    location,
    ...(options.nodes !== undefined ? { nodes: options.nodes } : {}),
    ...(options.crdEstablishDelayMs !== undefined
      ? { crdEstablishDelayMs: options.crdEstablishDelayMs }
      : {}),
  };
  seedCluster(kube.store, controllerOptions);
  const controllers = startControllers(kube.store, controllerOptions);

  return {
    clusterName,
    kube,
    azure,
    controllers,
    tls,
    token,
    kubeconfig,
    aksResourceId,
    nodeResourceGroup,
    async close() {
      controllers.stop();
      await kube.close();
      if (!shared) await azure.close();
    },
  };
}
