// Managed disks in the Azure fake: empty disks, copies of a disk or of a snapshot (refused while the
// snapshot's background copy is incomplete, as Azure does), zones, SKUs, updates and deletion.
import { randomUUID } from "node:crypto";
import {
  ArmError,
  invalidParameter,
  operationNotAllowed,
  propertyChangeNotAllowed,
  resourceNotFound,
} from "./arm-error.js";
import {
  acceptWrite,
  bytesOfGiB,
  deleteResource,
  diskSkus,
  mergeTags,
  requireBody,
  requireLocation,
  requireSku,
  requireValidName,
  sameLocationOrThrow,
  skuTier,
} from "./compute-resource.js";
import type { ArmRequest, ArmResponse } from "./exchange.js";
import { listPage } from "./paging.js";
import {
  integerAt,
  type JsonObject,
  requiredStringAt,
  stringArrayAt,
  stringAt,
  tagsAt,
} from "./request-body.js";
import {
  diskType,
  formatResourceId,
  parseResourceId,
  resourceKey,
  sameType,
  snapshotType,
} from "./resource-id.js";
import { completionPercent } from "./snapshots.js";
import { type ArmWorld, type DiskRecord, requireResourceGroup } from "./state.js";

const maxDiskSizeGiB = 32_767;

export function renderDisk(disk: DiskRecord): Record<string, unknown> {
  const creationData: Record<string, unknown> = { createOption: disk.createOption };
  if (disk.sourceResourceId !== undefined) creationData.sourceResourceId = disk.sourceResourceId;
  if (disk.sourceUniqueId !== undefined) creationData.sourceUniqueId = disk.sourceUniqueId;
  const body: Record<string, unknown> = {
    id: disk.id,
    name: disk.name,
    type: diskType,
    location: disk.location,
    sku: { name: disk.skuName, tier: skuTier(disk.skuName) },
    properties: {
      creationData,
      diskSizeGB: disk.sizeGiB,
      diskSizeBytes: bytesOfGiB(disk.sizeGiB),
      uniqueId: disk.uniqueId,
      provisioningState: disk.provisioningState,
      diskState: disk.managedBy === undefined ? "Unattached" : "Attached",
      timeCreated: disk.timeCreated.toISOString(),
      encryption: { type: "EncryptionAtRestWithPlatformKey" },
      networkAccessPolicy: "AllowAll",
      publicNetworkAccess: "Enabled",
    },
  };
  if (disk.zones !== undefined) body.zones = [...disk.zones];
  if (disk.managedBy !== undefined) body.managedBy = disk.managedBy;
  if (Object.keys(disk.tags).length > 0) body.tags = { ...disk.tags };
  return body;
}

export function diskId(world: ArmWorld, resourceGroup: string, name: string): string {
  return formatResourceId({ subscriptionId: world.subscriptionId, resourceGroup, type: diskType, name });
}

function findDisk(world: ArmWorld, resourceGroup: string, name: string): DiskRecord {
  const group = requireResourceGroup(world, resourceGroup);
  const disk = world.disks.get(resourceKey(diskId(world, group.name, name)));
  if (disk === undefined) throw resourceNotFound(diskType, name, resourceGroup);
  return disk;
}

function readZones(body: JsonObject): string[] | undefined {
  const zones = stringArrayAt(body, "zones");
  if (zones === undefined || zones.length === 0) return undefined;
  if (zones.length > 1 || !["1", "2", "3"].includes(zones[0] ?? "")) {
    throw invalidParameter(
      "zones",
      `A disk can be placed in one availability zone ('1', '2' or '3'), not ${JSON.stringify(zones)}.`,
    );
  }
  return zones;
}

function readSize(body: JsonObject): number | undefined {
  const size = integerAt(body, "properties.diskSizeGB");
  if (size !== undefined && (size < 1 || size > maxDiskSizeGiB)) {
    throw invalidParameter(
      "properties.diskSizeGB",
      `Disk size ${size} GB is outside the allowed range 1-${maxDiskSizeGiB} GB.`,
    );
  }
  return size;
}

interface Source {
  id: string;
  uniqueId: string;
  location: string;
  sizeGiB: number;
}

/** The disk or snapshot a "Copy" disk is made from, refusing a snapshot that is not fully copied yet. */
function copySource(world: ArmWorld, sourceId: string): Source {
  const target = "properties.creationData.sourceResourceId";
  const parsed = parseResourceId(sourceId);
  if (parsed === undefined) {
    throw invalidParameter(
      target,
      `The value '${sourceId}' of parameter '${target}' is not a valid resource id.`,
    );
  }
  const notFound = new ArmError(404, "NotFound", `Source resource '${sourceId}' was not found.`);
  if (sameType(parsed.type, snapshotType)) {
    const snapshot = world.snapshots.get(resourceKey(sourceId));
    if (snapshot === undefined) throw notFound;
    if (snapshot.provisioningState !== "Succeeded") {
      throw operationNotAllowed(
        `Snapshot '${snapshot.id}' is in provisioning state '${snapshot.provisioningState}'.`,
      );
    }
    const percent = completionPercent(world, snapshot);
    if (percent < 100) {
      throw operationNotAllowed(
        `Snapshot '${snapshot.id}' is still being copied in the background (completionPercent ${percent}). ` +
          "A disk can be created from it once completionPercent reaches 100.",
      );
    }
    return snapshot;
  }
  if (sameType(parsed.type, diskType)) {
    const disk = world.disks.get(resourceKey(sourceId));
    if (disk === undefined) throw notFound;
    return disk;
  }
  throw invalidParameter(target, `A disk cannot be copied from a '${parsed.type}' resource.`);
}

export interface NewDisk {
  resourceGroup: string;
  name: string;
  location: string;
  zones: string[] | undefined;
  skuName: string;
  sizeGiB: number;
  tags: Record<string, string>;
  source?: Source;
  provisioningState: string;
}

/** Adds a disk record; the HTTP handler and the in-process provisioner both create disks here. */
export function addDisk(world: ArmWorld, spec: NewDisk): DiskRecord {
  const disk: DiskRecord = {
    id: diskId(world, spec.resourceGroup, spec.name),
    name: spec.name,
    resourceGroup: spec.resourceGroup,
    location: spec.location,
    zones: spec.zones,
    tags: spec.tags,
    skuName: spec.skuName,
    sizeGiB: spec.sizeGiB,
    createOption: spec.source === undefined ? "Empty" : "Copy",
    sourceResourceId: spec.source?.id,
    sourceUniqueId: spec.source?.uniqueId,
    provisioningState: spec.provisioningState,
    timeCreated: world.clock(),
    uniqueId: randomUUID(),
    managedBy: undefined,
  };
  world.disks.set(resourceKey(disk.id), disk);
  return disk;
}

function provisioning(disk: DiskRecord) {
  return {
    complete: () => {
      disk.provisioningState = "Succeeded";
      return renderDisk(disk);
    },
    fail: () => {
      disk.provisioningState = "Failed";
    },
  };
}

export function putDisk(
  world: ArmWorld,
  request: ArmRequest,
  resourceGroup: string,
  name: string,
): ArmResponse {
  const group = requireResourceGroup(world, resourceGroup);
  requireValidName(name);
  const body = requireBody(request);
  const existing = world.disks.get(resourceKey(diskId(world, group.name, name)));
  if (existing !== undefined) return updateDisk(world, request, existing, body);

  const location = requireLocation(body);
  const createOption = requiredStringAt(body, "properties.creationData.createOption");
  const zones = readZones(body);
  const skuName = requireSku(body, diskSkus, "Standard_LRS");
  const requestedSize = readSize(body);
  let source: Source | undefined;
  let sizeGiB: number;
  switch (createOption.toLowerCase()) {
    case "empty":
      if (requestedSize === undefined)
        throw invalidParameter("properties.diskSizeGB", "Required parameter 'diskSizeGB' is missing (null).");
      sizeGiB = requestedSize;
      break;
    case "copy":
      source = copySource(world, requiredStringAt(body, "properties.creationData.sourceResourceId"));
      sameLocationOrThrow(location, source.location, source.id);
      if (requestedSize !== undefined && requestedSize < source.sizeGiB) {
        throw invalidParameter(
          "properties.diskSizeGB",
          `The disk size ${requestedSize} GB is smaller than the size of its source (${source.sizeGiB} GB).`,
        );
      }
      sizeGiB = requestedSize ?? source.sizeGiB;
      break;
    default:
      throw invalidParameter(
        "properties.creationData.createOption",
        `The Azure fake creates disks with createOption 'Empty' or 'Copy', not '${createOption}'.`,
      );
  }
  const disk = addDisk(world, {
    resourceGroup: group.name,
    name,
    location,
    zones,
    skuName,
    sizeGiB,
    tags: tagsAt(body, "tags") ?? {},
    source,
    provisioningState: "Updating",
  });
  return acceptWrite(world, request, renderDisk(disk), provisioning(disk));
}

function updateDisk(world: ArmWorld, request: ArmRequest, disk: DiskRecord, body: JsonObject): ArmResponse {
  const createOption = stringAt(body, "properties.creationData.createOption");
  if (createOption !== undefined && createOption.toLowerCase() !== disk.createOption.toLowerCase()) {
    throw propertyChangeNotAllowed("properties.creationData.createOption");
  }
  const sourceId = stringAt(body, "properties.creationData.sourceResourceId");
  if (sourceId !== undefined && resourceKey(sourceId) !== resourceKey(disk.sourceResourceId ?? "")) {
    throw propertyChangeNotAllowed("properties.creationData.sourceResourceId");
  }
  if (request.method === "PUT") {
    const location = requireLocation(body);
    if (location !== disk.location) {
      throw new ArmError(
        409,
        "InvalidResourceLocation",
        `The resource '${disk.name}' already exists in location '${disk.location}' in resource group ` +
          `'${disk.resourceGroup}'. A resource with the same name cannot be created in location '${location}'.`,
      );
    }
    const zones = readZones(body);
    if ((zones?.[0] ?? "") !== (disk.zones?.[0] ?? "")) throw propertyChangeNotAllowed("zones");
    disk.tags = tagsAt(body, "tags") ?? {};
  } else {
    disk.tags = mergeTags(tagsAt(body, "tags"), disk.tags);
  }
  const size = readSize(body);
  if (size !== undefined && size < disk.sizeGiB) {
    throw operationNotAllowed(
      `Disk '${disk.name}' is ${disk.sizeGiB} GB; a disk can only grow, not shrink to ${size} GB.`,
    );
  }
  disk.sizeGiB = size ?? disk.sizeGiB;
  disk.skuName = requireSku(body, diskSkus, disk.skuName);
  disk.provisioningState = "Updating";
  return acceptWrite(world, request, renderDisk(disk), provisioning(disk));
}

export function patchDisk(
  world: ArmWorld,
  request: ArmRequest,
  resourceGroup: string,
  name: string,
): ArmResponse {
  return updateDisk(world, request, findDisk(world, resourceGroup, name), requireBody(request));
}

export function getDisk(world: ArmWorld, resourceGroup: string, name: string): ArmResponse {
  return { status: 200, body: renderDisk(findDisk(world, resourceGroup, name)) };
}

export function deleteDisk(
  world: ArmWorld,
  request: ArmRequest,
  resourceGroup: string,
  name: string,
): ArmResponse {
  // Deleting a disk keeps its snapshots, incremental ones included, as in Azure.
  return deleteResource(
    world,
    request,
    () => findDisk(world, resourceGroup, name),
    (disk) => world.disks.delete(resourceKey(disk.id)),
    (disk) => {
      if (disk.managedBy !== undefined) {
        throw operationNotAllowed(`Disk ${disk.name} is attached to VM ${disk.managedBy}.`);
      }
    },
  );
}

export function listDisks(world: ArmWorld, request: ArmRequest, resourceGroup?: string): ArmResponse {
  const group = resourceGroup === undefined ? undefined : requireResourceGroup(world, resourceGroup);
  const disks = [...world.disks.values()].filter(
    (d) => group === undefined || d.resourceGroup.toLowerCase() === group.name.toLowerCase(),
  );
  return listPage(request, disks, world.pageSize, renderDisk);
}
