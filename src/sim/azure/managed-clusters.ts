// AKS managed clusters in the Azure fake: registered by the simulator (each pointing at a simulated
// Kubernetes API through its kubeconfig), read and listed like ARM, credentials listed as AKS does.
import { createHash, randomUUID } from "node:crypto";
import { ArmError, invalidParameter, resourceNotFound } from "./arm-error.js";
import { normalizeLocation } from "./compute-resource.js";
import type { ArmRequest, ArmResponse } from "./exchange.js";
import { listPage } from "./paging.js";
import { formatResourceId, managedClusterType, resourceKey } from "./resource-id.js";
import {
  type ArmWorld,
  ensureResourceGroup,
  type ManagedClusterRecord,
  requireResourceGroup,
} from "./state.js";

export interface ManagedClusterSpec {
  resourceGroup: string;
  name: string;
  /** Default: AKS's own naming, "MC_<resourceGroup>_<name>_<location>". */
  nodeResourceGroup?: string;
  /** YAML served (base64) by listClusterUserCredential and listClusterAdminCredential. */
  kubeconfig: string;
  kubernetesVersion?: string;
  location?: string;
  tags?: Record<string, string>;
  /** Availability zones of the system node pool, e.g. ["1", "2", "3"]. */
  zones?: string[];
  /**
   * AKS-managed Entra ID with Azure RBAC (`aadProfile`), local accounts disabled, as
   * `az aks create --enable-aad --enable-azure-rbac --disable-local-accounts` makes it.
   */
  entra?: { tenantId?: string };
  /** Local accounts off without Entra: a cluster nobody can get credentials for (default false). */
  disableLocalAccounts?: boolean;
  /** A private cluster's API server name in its virtual network. */
  privateFqdn?: string;
}

const principalId = randomUUID();
const tenantId = randomUUID();

/** Adds a cluster and creates its resource group and node resource group; returns its ARM id. */
export function registerManagedCluster(world: ArmWorld, spec: ManagedClusterSpec): ManagedClusterRecord {
  const location = normalizeLocation(spec.location ?? world.location);
  const group = ensureResourceGroup(world, spec.resourceGroup, location);
  const nodeResourceGroup = spec.nodeResourceGroup ?? `MC_${group.name}_${spec.name}_${location}`;
  ensureResourceGroup(world, nodeResourceGroup, location, {
    "aks-managed-cluster-name": spec.name,
    "aks-managed-cluster-rg": group.name,
  });
  const id = formatResourceId({
    subscriptionId: world.subscriptionId,
    resourceGroup: group.name,
    type: managedClusterType,
    name: spec.name,
  });
  const dnsPrefix = `${spec.name}-${group.name}-${world.subscriptionId.slice(0, 6)}`.slice(0, 54);
  const hash = createHash("sha256").update(id.toLowerCase()).digest("hex").slice(0, 8);
  const cluster: ManagedClusterRecord = {
    id,
    name: spec.name,
    resourceGroup: group.name,
    location,
    tags: { ...(spec.tags ?? {}) },
    nodeResourceGroup,
    kubernetesVersion: spec.kubernetesVersion ?? "1.32.6",
    zones: spec.zones === undefined ? undefined : [...spec.zones],
    kubeconfig: spec.kubeconfig,
    dnsPrefix,
    fqdn: `${dnsPrefix}-${hash}.hcp.${location}.azmk8s.io`,
    privateFqdn: spec.privateFqdn,
    entra: spec.entra ? { tenantId: spec.entra.tenantId ?? tenantId } : undefined,
    disableLocalAccounts: spec.disableLocalAccounts ?? spec.entra !== undefined,
  };
  world.clusters.set(resourceKey(id), cluster);
  return cluster;
}

export function renderManagedCluster(cluster: ManagedClusterRecord): Record<string, unknown> {
  const running = { code: "Running" };
  const pool: Record<string, unknown> = {
    name: "nodepool1",
    count: 3,
    vmSize: "Standard_D4ds_v5",
    osDiskSizeGB: 128,
    osDiskType: "Ephemeral",
    maxPods: 250,
    type: "VirtualMachineScaleSets",
    provisioningState: "Succeeded",
    powerState: running,
    orchestratorVersion: cluster.kubernetesVersion,
    currentOrchestratorVersion: cluster.kubernetesVersion,
    mode: "System",
    osType: "Linux",
    osSKU: "Ubuntu",
  };
  if (cluster.zones !== undefined) pool.availabilityZones = [...cluster.zones];
  const body: Record<string, unknown> = {
    id: cluster.id,
    name: cluster.name,
    type: "Microsoft.ContainerService/ManagedClusters",
    location: cluster.location,
    sku: { name: "Base", tier: "Free" },
    identity: { type: "SystemAssigned", principalId, tenantId },
    properties: {
      provisioningState: "Succeeded",
      powerState: running,
      kubernetesVersion: cluster.kubernetesVersion,
      currentKubernetesVersion: cluster.kubernetesVersion,
      dnsPrefix: cluster.dnsPrefix,
      fqdn: cluster.fqdn,
      azurePortalFQDN: cluster.fqdn.replace(".hcp.", ".portal.hcp."),
      agentPoolProfiles: [pool],
      nodeResourceGroup: cluster.nodeResourceGroup,
      enableRBAC: true,
      supportPlan: "KubernetesOfficial",
      networkProfile: {
        networkPlugin: "azure",
        networkPluginMode: "overlay",
        podCidr: "10.244.0.0/16",
        serviceCidr: "10.0.0.0/16",
        dnsServiceIP: "10.0.0.10",
        outboundType: "loadBalancer",
        loadBalancerSku: "standard",
      },
      storageProfile: {
        diskCSIDriver: { enabled: true },
        fileCSIDriver: { enabled: true },
        snapshotController: { enabled: true },
      },
    },
  };
  const properties = body.properties as Record<string, unknown>;
  if (cluster.privateFqdn !== undefined) properties.privateFQDN = cluster.privateFqdn;
  if (cluster.entra !== undefined) {
    properties.aadProfile = { managed: true, enableAzureRBAC: true, tenantID: cluster.entra.tenantId };
  }
  if (cluster.disableLocalAccounts) properties.disableLocalAccounts = true;
  if (Object.keys(cluster.tags).length > 0) body.tags = { ...cluster.tags };
  return body;
}

function findCluster(world: ArmWorld, resourceGroup: string, name: string): ManagedClusterRecord {
  const group = requireResourceGroup(world, resourceGroup);
  const id = formatResourceId({
    subscriptionId: world.subscriptionId,
    resourceGroup: group.name,
    type: managedClusterType,
    name,
  });
  const cluster = world.clusters.get(resourceKey(id));
  if (cluster === undefined) throw resourceNotFound(managedClusterType, name, resourceGroup);
  return cluster;
}

export function getManagedCluster(world: ArmWorld, resourceGroup: string, name: string): ArmResponse {
  return { status: 200, body: renderManagedCluster(findCluster(world, resourceGroup, name)) };
}

export function listManagedClusters(
  world: ArmWorld,
  request: ArmRequest,
  resourceGroup?: string,
): ArmResponse {
  const group = resourceGroup === undefined ? undefined : requireResourceGroup(world, resourceGroup);
  const clusters = [...world.clusters.values()].filter(
    (c) => group === undefined || c.resourceGroup.toLowerCase() === group.name.toLowerCase(),
  );
  return listPage(request, clusters, world.pageSize, renderManagedCluster);
}

/** POST .../listClusterUserCredential (role "user") or .../listClusterAdminCredential ("admin"). */
export function listCredentials(
  world: ArmWorld,
  request: ArmRequest,
  resourceGroup: string,
  name: string,
  role: "user" | "admin",
): ArmResponse {
  const cluster = findCluster(world, resourceGroup, name);
  const format = request.query.get("format");
  if (format !== null && !["azure", "exec"].includes(format.toLowerCase())) {
    throw invalidParameter(
      "format",
      `The value '${format}' of parameter 'format' is invalid: use 'azure' or 'exec'.`,
    );
  }
  if (role === "admin" && cluster.disableLocalAccounts) {
    throw new ArmError(
      400,
      "BadRequest",
      "Getting static credential is not allowed because this cluster is set to disable local accounts.",
    );
  }
  const value = Buffer.from(cluster.kubeconfig, "utf8").toString("base64");
  return {
    status: 200,
    body: { kubeconfigs: [{ name: role === "user" ? "clusterUser" : "clusterAdmin", value }] },
  };
}
