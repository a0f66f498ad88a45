// The Nodes of a fresh AKS cluster's system pool `nodepool1`: VMSS instances spread over the
// region's zones, labelled, addressed and Ready as the AKS kubelets register them.
import { createHash } from "node:crypto";
import type { KubeObject } from "../types.js";
import { type ResolvedOptions, rfc3339 } from "./context.js";

const kubeletVersion = "v1.30.6";
const nodeImageVersion = "AKSUbuntu-2204gen2containerd-202411.12.0";
const instanceType = "Standard_D4ds_v5";

/** Eight digits AKS derives from the cluster; stable per cluster name here. */
export function nodePoolId(clusterName: string): string {
  return String(createHash("sha256").update(clusterName).digest().readUInt32BE(0) % 100_000_000).padStart(
    8,
    "0",
  );
}

export function nodeName(options: ResolvedOptions, index: number): string {
  return `aks-nodepool1-${nodePoolId(options.clusterName)}-vmss${index.toString(36).padStart(6, "0")}`;
}

/** `{ node, status }`: the store resets status on create for some types, so it is written apart. */
export function seedNodes(
  options: ResolvedOptions,
): Array<{ node: KubeObject; status: Record<string, unknown> }> {
  const out: Array<{ node: KubeObject; status: Record<string, unknown> }> = [];
  const poolId = nodePoolId(options.clusterName);
  for (let i = 0; i < options.nodes; i++) {
    const name = nodeName(options, i);
    const zone = `${options.location}-${(i % 3) + 1}`;
    const ip = `10.224.0.${4 + i}`;
    const labels: Record<string, string> = {
      agentpool: "nodepool1",
      "beta.kubernetes.io/arch": "amd64",
      "beta.kubernetes.io/instance-type": instanceType,
      "beta.kubernetes.io/os": "linux",
      "failure-domain.beta.kubernetes.io/region": options.location,
      "failure-domain.beta.kubernetes.io/zone": zone,
      "kubernetes.azure.com/agentpool": "nodepool1",
      "kubernetes.azure.com/cluster": options.nodeResourceGroup,
      "kubernetes.azure.com/consolidated-additional-properties": "",
      "kubernetes.azure.com/kubelet-identity-client-id": "",
      "kubernetes.azure.com/mode": "system",
      "kubernetes.azure.com/node-image-version": nodeImageVersion,
      "kubernetes.azure.com/nodepool-type": "VirtualMachineScaleSets",
      "kubernetes.azure.com/os-sku": "Ubuntu",
      "kubernetes.azure.com/role": "agent",
      "kubernetes.io/arch": "amd64",
      "kubernetes.io/hostname": name,
      "kubernetes.io/os": "linux",
      "kubernetes.io/role": "agent",
      "node-role.kubernetes.io/agent": "",
      "node.kubernetes.io/instance-type": instanceType,
      storageprofile: "managed",
      storagetier: "Premium_LRS",
      "topology.disk.csi.azure.com/zone": zone,
      "topology.kubernetes.io/region": options.location,
      "topology.kubernetes.io/zone": zone,
    };
    const capacity = {
      cpu: "4",
      "ephemeral-storage": "155679764Ki",
      "hugepages-1Gi": "0",
      "hugepages-2Mi": "0",
      memory: "16369728Ki",
      pods: "110",
    };
    const node: KubeObject = {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name,
        labels,
        annotations: {
          "csi.volume.kubernetes.io/nodeid": JSON.stringify({
            "disk.csi.azure.com": name,
            "file.csi.azure.com": name,
          }),
          "node.alpha.kubernetes.io/ttl": "0",
          "volumes.kubernetes.io/controller-managed-attach-detach": "true",
        },
      },
      spec: {
        podCIDR: `10.244.${i}.0/24`,
        podCIDRs: [`10.244.${i}.0/24`],
        providerID: `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/${options.nodeResourceGroup.toLowerCase()}/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-${poolId}-vmss/virtualMachines/${i}`,
      },
    };
    const status = {
      addresses: [
        { address: ip, type: "InternalIP" },
        { address: name, type: "Hostname" },
      ],
      allocatable: { ...capacity, cpu: "3860m", "ephemeral-storage": "143473458949", memory: "12880704Ki" },
      capacity,
      conditions: [
        ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
        ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
        ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
        ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
      ].map(([type, value, reason, message]) => ({
        type,
        status: value,
        reason,
        message,
        lastHeartbeatTime: rfc3339(options.clock()),
        lastTransitionTime: rfc3339(options.clock()),
      })),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: "amd64",
        bootID: createHash("md5").update(`${name}/boot`).digest("hex"),
        containerRuntimeVersion: "containerd://1.7.23-1",
        kernelVersion: "5.15.0-1074-azure",
        kubeProxyVersion: kubeletVersion,
        kubeletVersion,
        machineID: createHash("md5").update(`${name}/machine`).digest("hex"),
        operatingSystem: "linux",
        osImage: "Ubuntu 22.04.5 LTS",
        systemUUID: createHash("md5")
          .update(`${name}/uuid`)
          .digest("hex")
          .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, "$1-$2-$3-$4-$5"),
      },
    };
    out.push({ node, status });
  }
  return out;
}
