// Managed-disk snapshots in the Azure fake: full and incremental copies of a disk, Azure's
// incremental limits per disk, and the background copy whose completionPercent rises after creation.
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
  mergeTags,
  requireBody,
  requireLocation,
  requireSku,
  requireValidName,
  sameLocationOrThrow,
  skuTier,
  snapshotSkus,
} from "./compute-resource.js";
import type { ArmRequest, ArmResponse } from "./exchange.js";
import { listPage } from "./paging.js";
import { booleanAt, requiredStringAt, stringAt, tagsAt } from "./request-body.js";
import {
  diskType,
  formatResourceId,
  parseResourceId,
  resourceKey,
  sameType,
  snapshotType,
} from "./resource-id.js";
import { type ArmWorld, type DiskRecord, requireResourceGroup, type SnapshotRecord } from "./state.js";

/**
 * How far an incremental snapshot's background copy has come. Azure reports the snapshot as
 * Succeeded first and fills it afterwards; here every GET moves it one of `steps` steps to 100.
 */
export function completionPercent(world: ArmWorld, snapshot: SnapshotRecord): number {
  if (!snapshot.incremental) return 100;
  if (world.steps <= 0) return 100;
  return Math.min(100, Math.floor((100 * snapshot.readsSinceProvisioned) / world.steps));
}

export function renderSnapshot(world: ArmWorld, snapshot: SnapshotRecord): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    creationData: {
      createOption: "Copy",
      sourceResourceId: snapshot.sourceResourceId,
      sourceUniqueId: snapshot.sourceUniqueId,
    },
    diskSizeGB: snapshot.sizeGiB,
    diskSizeBytes: bytesOfGiB(snapshot.sizeGiB),
    uniqueId: snapshot.uniqueId,
    provisioningState: snapshot.provisioningState,
    timeCreated: snapshot.timeCreated.toISOString(),
    incremental: snapshot.incremental,
    completionPercent: completionPercent(world, snapshot),
    encryption: { type: "EncryptionAtRestWithPlatformKey" },
    networkAccessPolicy: "AllowAll",
    publicNetworkAccess: "Enabled",
  };
  // Azure groups the incremental snapshots of one disk into a family; the disk's uniqueId names it here.
  if (snapshot.incremental) properties.incrementalSnapshotFamilyId = snapshot.sourceUniqueId;
  const body: Record<string, unknown> = {
    id: snapshot.id,
    name: snapshot.name,
    type: snapshotType,
    location: snapshot.location,
    sku: { name: snapshot.skuName, tier: skuTier(snapshot.skuName) },
    properties,
  };
  if (Object.keys(snapshot.tags).length > 0) body.tags = { ...snapshot.tags };
  return body;
}

function findSnapshot(world: ArmWorld, resourceGroup: string, name: string): SnapshotRecord {
  const group = requireResourceGroup(world, resourceGroup);
  const id = formatResourceId({
    subscriptionId: world.subscriptionId,
    resourceGroup: group.name,
    type: snapshotType,
    name,
  });
  const snapshot = world.snapshots.get(resourceKey(id));
  if (snapshot === undefined) throw resourceNotFound(snapshotType, name, resourceGroup);
  return snapshot;
}

function sourceDiskOf(world: ArmWorld, sourceId: string, incremental: boolean): DiskRecord {
  const target = "properties.creationData.sourceResourceId";
  const parsed = parseResourceId(sourceId);
  if (parsed === undefined) {
    throw invalidParameter(
      target,
      `The value '${sourceId}' of parameter '${target}' is not a valid resource id.`,
    );
  }
  if (!sameType(parsed.type, diskType)) {
    throw invalidParameter(
      target,
      `The Azure fake snapshots managed disks only, not '${parsed.type}' resources.`,
    );
  }
  if (incremental && parsed.subscriptionId.toLowerCase() !== world.subscriptionId.toLowerCase()) {
    throw invalidParameter(
      target,
      "An incremental snapshot must be created in the subscription of its source disk.",
    );
  }
  const disk = world.disks.get(resourceKey(sourceId));
  if (disk === undefined) throw new ArmError(404, "NotFound", `Source resource '${sourceId}' was not found.`);
  if (disk.provisioningState !== "Succeeded") {
    throw operationNotAllowed(`Disk '${disk.name}' is in provisioning state '${disk.provisioningState}'.`);
  }
  return disk;
}

/**
 * Azure: up to 7 incremental snapshots per disk every 5 minutes, and 500 per disk in total. Returns
 * the disk's creation times inside the window, to which the caller adds the new one.
 */
function checkIncrementalLimits(world: ArmWorld, disk: DiskRecord): Date[] {
  const { perWindow, windowMs, perDisk } = world.limits;
  const existing = [...world.snapshots.values()].filter(
    (s) => s.incremental && s.sourceUniqueId === disk.uniqueId,
  ).length;
  if (existing >= perDisk) {
    throw operationNotAllowed(
      `Disk '${disk.id}' already has ${existing} incremental snapshots; at most ${perDisk} incremental ` +
        "snapshots can be created for a single disk. Delete older snapshots of this disk first.",
    );
  }
  const now = world.clock().getTime();
  const recent = (world.snapshotCreations.get(disk.uniqueId) ?? []).filter(
    (t) => now - t.getTime() < windowMs,
  );
  world.snapshotCreations.set(disk.uniqueId, recent);
  const oldest = recent[0];
  if (recent.length >= perWindow && oldest !== undefined) {
    const retryAt = new Date(oldest.getTime() + windowMs).toISOString();
    throw operationNotAllowed(
      `Up to ${perWindow} incremental snapshots per disk can be created every ${windowMs / 60_000} minutes; ` +
        `disk '${disk.id}' has reached that limit. Retry after ${retryAt}.`,
    );
  }
  return recent;
}

export function putSnapshot(
  world: ArmWorld,
  request: ArmRequest,
  resourceGroup: string,
  name: string,
): ArmResponse {
  const group = requireResourceGroup(world, resourceGroup);
  requireValidName(name);
  const body = requireBody(request);
  const id = formatResourceId({
    subscriptionId: world.subscriptionId,
    resourceGroup: group.name,
    type: snapshotType,
    name,
  });
  const existing = world.snapshots.get(resourceKey(id));
  if (existing !== undefined) return updateSnapshot(world, request, existing, body);

  const location = requireLocation(body);
  const createOption = requiredStringAt(body, "properties.creationData.createOption");
  if (createOption.toLowerCase() !== "copy") {
    throw invalidParameter(
      "properties.creationData.createOption",
      `The Azure fake creates snapshots with createOption 'Copy' only, not '${createOption}'.`,
    );
  }
  const sourceId = requiredStringAt(body, "properties.creationData.sourceResourceId");
  const incremental = booleanAt(body, "properties.incremental") ?? false;
  const disk = sourceDiskOf(world, sourceId, incremental);
  sameLocationOrThrow(location, disk.location, disk.id);
  const skuName = requireSku(body, snapshotSkus, "Standard_LRS");
  const tags = tagsAt(body, "tags") ?? {};
  if (incremental) {
    checkIncrementalLimits(world, disk).push(world.clock());
  }
  const snapshot: SnapshotRecord = {
    id,
    name,
    resourceGroup: group.name,
    location,
    tags,
    skuName,
    sizeGiB: disk.sizeGiB,
    incremental,
    sourceResourceId: disk.id,
    sourceUniqueId: disk.uniqueId,
    provisioningState: "Updating",
    timeCreated: world.clock(),
    uniqueId: randomUUID(),
    readsSinceProvisioned: 0,
  };
  world.snapshots.set(resourceKey(id), snapshot);
  return acceptWrite(world, request, renderSnapshot(world, snapshot), provisioning(world, snapshot));
}

function provisioning(world: ArmWorld, snapshot: SnapshotRecord) {
  return {
    complete: () => {
      snapshot.provisioningState = "Succeeded";
      return renderSnapshot(world, snapshot);
    },
    fail: () => {
      snapshot.provisioningState = "Failed";
    },
  };
}

function updateSnapshot(
  world: ArmWorld,
  request: ArmRequest,
  snapshot: SnapshotRecord,
  body: Record<string, unknown>,
): ArmResponse {
  const sourceId = stringAt(body, "properties.creationData.sourceResourceId");
  if (sourceId !== undefined && resourceKey(sourceId) !== resourceKey(snapshot.sourceResourceId)) {
    throw propertyChangeNotAllowed("properties.creationData.sourceResourceId");
  }
  const incremental = booleanAt(body, "properties.incremental");
  if (incremental !== undefined && incremental !== snapshot.incremental) {
    throw propertyChangeNotAllowed("properties.incremental");
  }
  if (request.method === "PUT") {
    const location = requireLocation(body);
    if (location !== snapshot.location) {
      throw new ArmError(
        409,
        "InvalidResourceLocation",
        `The resource '${snapshot.name}' already exists in location '${snapshot.location}' in resource group ` +
          `'${snapshot.resourceGroup}'. A resource with the same name cannot be created in location '${location}'.`,
      );
    }
    snapshot.tags = tagsAt(body, "tags") ?? {};
  } else {
    snapshot.tags = mergeTags(tagsAt(body, "tags"), snapshot.tags);
  }
  snapshot.skuName = requireSku(body, snapshotSkus, snapshot.skuName);
  snapshot.provisioningState = "Updating";
  return acceptWrite(world, request, renderSnapshot(world, snapshot), provisioning(world, snapshot));
}

export function patchSnapshot(
  world: ArmWorld,
  request: ArmRequest,
  resourceGroup: string,
  name: string,
): ArmResponse {
  const snapshot = findSnapshot(world, resourceGroup, name);
  return updateSnapshot(world, request, snapshot, requireBody(request));
}

export function getSnapshot(world: ArmWorld, resourceGroup: string, name: string): ArmResponse {
  const snapshot = findSnapshot(world, resourceGroup, name);
  if (snapshot.provisioningState === "Succeeded") snapshot.readsSinceProvisioned += 1;
  return { status: 200, body: renderSnapshot(world, snapshot) };
}

export function deleteSnapshot(
  world: ArmWorld,
  request: ArmRequest,
  resourceGroup: string,
  name: string,
): ArmResponse {
  return deleteResource(
    world,
    request,
    () => findSnapshot(world, resourceGroup, name),
    (snapshot) => world.snapshots.delete(resourceKey(snapshot.id)),
  );
}

export function listSnapshots(world: ArmWorld, request: ArmRequest, resourceGroup?: string): ArmResponse {
  const group = resourceGroup === undefined ? undefined : requireResourceGroup(world, resourceGroup);
  const snapshots = [...world.snapshots.values()].filter(
    (s) => group === undefined || s.resourceGroup.toLowerCase() === group.name.toLowerCase(),
  );
  return listPage(request, snapshots, world.pageSize, (s) => renderSnapshot(world, s));
}
