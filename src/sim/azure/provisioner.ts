// The Azure Disk CSI driver's side of the simulator: the Kubernetes simulator's PVC provisioner
// creates and deletes disks here, in-process, in the node resource group of the simulated cluster.
import type { DiskProvisioner, DiskRequest, ProvisionedDisk } from "../contracts.js";
import { diskSkus } from "./compute-resource.js";
import { addDisk, diskId } from "./disks.js";
import { resourceKey } from "./resource-id.js";
import { type ArmWorld, ensureResourceGroup, isValidComputeName, type ResourceGroupRecord } from "./state.js";

/** The node resource group of the first registered cluster, or the configured group. */
export function defaultNodeResourceGroup(
  world: ArmWorld,
  configured: string | undefined,
): ResourceGroupRecord {
  if (configured !== undefined) return ensureResourceGroup(world, configured);
  const cluster = world.clusters.values().next().value;
  if (cluster === undefined) {
    throw new Error(
      "The Azure fake cannot provision a disk: no managed cluster is registered and no " +
        "defaultNodeResourceGroup is set, so there is no node resource group to create it in",
    );
  }
  return ensureResourceGroup(world, cluster.nodeResourceGroup, cluster.location);
}

/** The node resource group of one registered cluster. */
export function clusterNodeResourceGroup(world: ArmWorld, clusterId: string): ResourceGroupRecord {
  const cluster = world.clusters.get(resourceKey(clusterId));
  if (cluster === undefined) {
    throw new Error(`The Azure fake has no managed cluster '${clusterId}'; register it first`);
  }
  return ensureResourceGroup(world, cluster.nodeResourceGroup, cluster.location);
}

/** A provisioner creating disks in the group `target` names when each disk is created. */
export function createDiskProvisioner(world: ArmWorld, target: () => ResourceGroupRecord): DiskProvisioner {
  return {
    async createDisk(request: DiskRequest): Promise<ProvisionedDisk> {
      const group = target();
      if (!isValidComputeName(request.name)) throw new Error(`'${request.name}' is not a valid disk name`);
      const skuName = diskSkus.find((s) => s.toLowerCase() === request.skuName.toLowerCase());
      if (skuName === undefined) {
        throw new Error(`Disk SKU '${request.skuName}' is not one of ${diskSkus.join(", ")}`);
      }
      if (request.zone !== undefined && !["1", "2", "3"].includes(request.zone)) {
        throw new Error(`Availability zone '${request.zone}' is not one of "1", "2", "3"`);
      }
      if (!Number.isInteger(request.sizeGiB) || request.sizeGiB < 1) {
        throw new Error(`Disk size ${request.sizeGiB} GiB is not a positive whole number`);
      }
      // The CSI driver retries CreateVolume with the same name; answering with the existing disk
      // keeps a retry from creating a second one.
      const existing = world.disks.get(resourceKey(diskId(world, group.name, request.name)));
      const disk =
        existing ??
        addDisk(world, {
          resourceGroup: group.name,
          name: request.name,
          location: group.location,
          zones: request.zone === undefined ? undefined : [request.zone],
          skuName,
          sizeGiB: request.sizeGiB,
          tags: { ...(request.tags ?? {}) },
          provisioningState: "Succeeded",
        });
      const provisioned: ProvisionedDisk = { id: disk.id, location: disk.location };
      const zone = disk.zones?.[0];
      if (zone !== undefined) provisioned.zone = zone;
      return provisioned;
    },

    async deleteDisk(id: string): Promise<void> {
      const disk = world.disks.get(resourceKey(id));
      if (disk === undefined) return;
      if (disk.managedBy !== undefined) {
        throw new Error(`Disk ${disk.name} is attached to VM ${disk.managedBy} and cannot be deleted`);
      }
      world.disks.delete(resourceKey(id));
    },
  };
}
