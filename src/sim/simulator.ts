// The whole simulated AKS environment in one call: a Kubernetes API server with its controllers
// and an Azure Resource Manager fake that owns the cluster's disks, sharing one CA.
import { randomBytes } from "node:crypto";
import { type AzureFake, startAzureFake } from "./azure/server.js";
import { type Controllers, seedCluster, startControllers } from "./kube/controllers/index.js";
import { type KubeSim, startKubeSim } from "./kube/server.js";
import { renderKubeconfig, renderKubeloginKubeconfig } from "./kubeconfig.js";
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
  /**
   * An AKS-managed Entra ID cluster (Azure RBAC, local accounts disabled): ARM serves a kubelogin
   * kubeconfig, and the Kubernetes API accepts only `entraToken`, never the ARM token.
   */
  entra?: boolean;
}

export interface Simulator {
  clusterName: string;
  kube: KubeSim;
  azure: AzureFake;
  controllers: Controllers;
  tls: TlsMaterial;
  /** Bearer token of the Azure fake and, unless in Entra mode, of the Kubernetes API. */
  token: string;
  /**
   * Entra mode: the only token the Kubernetes API accepts, standing for an Entra token for the AKS
   * server application (a test credential hands it out for that scope only).
   */
  entraToken: string | undefined;
  /** Kubeconfig YAML (context = clusterName) with a token the Kubernetes API accepts (kubectl uses it). */
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
  const entraToken = options.entra ? `entra-${randomBytes(24).toString("base64url")}` : undefined;
  const kubeToken = entraToken ?? token;

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
    token: kubeToken,
    host,
    ...(options.kubePort !== undefined ? { port: options.kubePort } : {}),
  });
  const kubeconfig = renderKubeconfig({
    name: clusterName,
    server: kube.url,
    caCert: tls.caCert,
    token: kubeToken,
  });
  const tenantId = "72f988bf-0000-4000-8000-00000000ab1e";
  const aksResourceId = azure.registerManagedCluster({
    resourceGroup: SIM_RESOURCE_GROUP,
    name: clusterName,
    nodeResourceGroup,
    // As AKS: an Entra cluster's cluster-user kubeconfig runs kubelogin, a local one carries a token.
    kubeconfig: options.entra
      ? renderKubeloginKubeconfig({ name: clusterName, server: kube.url, caCert: tls.caCert, tenantId })
      : kubeconfig,
    location,
    zones: ["1", "2", "3"],
    ...(options.entra ? { entra: { tenantId } } : {}),
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
    entraToken,
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
