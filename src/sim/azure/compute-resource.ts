// What disks and snapshots in the Azure fake share: the checks on a PUT body (name, location, SKU),
// the lookup of a source resource by id, and the write that starts a long-running operation.
import { ArmError, invalidParameter, invalidResourceName } from "./arm-error.js";
import type { ArmRequest, ArmResponse } from "./exchange.js";
import type { OperationWork } from "./operations.js";
import { isJsonObject, type JsonObject, stringAt } from "./request-body.js";
import { type ArmWorld, isValidComputeName } from "./state.js";

export const diskSkus = [
  "Standard_LRS",
  "StandardSSD_LRS",
  "Premium_LRS",
  "StandardSSD_ZRS",
  "Premium_ZRS",
  "PremiumV2_LRS",
  "UltraSSD_LRS",
];
export const snapshotSkus = ["Standard_LRS", "Premium_LRS", "Standard_ZRS"];

/** ARM accepts display names ("West Europe") and stores the short form ("westeurope"). */
export function normalizeLocation(location: string): string {
  return location.replace(/\s+/g, "").toLowerCase();
}

export function requireBody(request: ArmRequest): JsonObject {
  if (!isJsonObject(request.body)) {
    throw new ArmError(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized: expected a JSON object.",
    );
  }
  return request.body;
}

export function requireValidName(name: string): void {
  if (!isValidComputeName(name)) throw invalidResourceName(name);
}

export function requireLocation(body: JsonObject): string {
  const location = stringAt(body, "location");
  if (location === undefined || location === "") {
    throw new ArmError(400, "LocationRequired", "The location property is required for this definition.");
  }
  return normalizeLocation(location);
}

export function requireSku(body: JsonObject, allowed: string[], fallback: string): string {
  const requested = stringAt(body, "sku.name");
  if (requested === undefined) return fallback;
  const sku = allowed.find((s) => s.toLowerCase() === requested.toLowerCase());
  if (sku === undefined) {
    throw invalidParameter(
      "sku.name",
      `The value '${requested}' of parameter 'sku.name' is invalid. Allowed values: ${allowed.join(", ")}.`,
    );
  }
  return sku;
}

export function skuTier(skuName: string): string {
  if (skuName.startsWith("Premium")) return "Premium";
  if (skuName.startsWith("Ultra")) return "Ultra";
  return "Standard";
}

/** A disk's size in bytes as Azure reports it: GiB times 2^30. */
export function bytesOfGiB(sizeGiB: number): number {
  return sizeGiB * 1024 ** 3;
}

export function sameLocationOrThrow(target: string, source: string, sourceId: string): void {
  if (target !== source) {
    throw invalidParameter(
      "properties.creationData.sourceResourceId",
      `The source resource '${sourceId}' is in location '${source}', but the resource is being created in ` +
        `'${target}'. The source and the target must be in the same region.`,
    );
  }
}

/**
 * Answers an accepted write: 202 with the resource in its "Updating" state and the operation's
 * Azure-AsyncOperation / Location headers, failing it at the end if a fault says so.
 */
export function acceptWrite(
  world: ArmWorld,
  request: ArmRequest,
  body: unknown,
  work: OperationWork,
): ArmResponse {
  const failure = world.faults.takeOperationFailure(request.method, request.path);
  const headers = world.operations.start(request, work, failure);
  return { status: 202, body, headers };
}

export function acceptDelete(world: ArmWorld, request: ArmRequest, work: OperationWork): ArmResponse {
  const failure = world.faults.takeOperationFailure(request.method, request.path);
  const headers = world.operations.start(request, work, failure);
  return { status: 202, headers };
}

/** PATCH semantics: the tags a client sent replace the old ones; none sent keeps them. */
export function mergeTags(
  sent: Record<string, string> | undefined,
  existing: Record<string, string>,
): Record<string, string> {
  return sent === undefined ? existing : { ...sent };
}

/**
 * DELETE of a disk or snapshot: 204 when it is already gone (as ARM answers), otherwise `check`
 * may refuse, and a long-running operation removes it.
 */
export function deleteResource<T extends { id: string }>(
  world: ArmWorld,
  request: ArmRequest,
  find: () => T,
  remove: (record: T) => void,
  check: (record: T) => void = () => {},
): ArmResponse {
  let record: T;
  try {
    record = find();
  } catch (error) {
    if (error instanceof ArmError && error.code === "ResourceNotFound") return { status: 204 };
    throw error;
  }
  check(record);
  return acceptDelete(world, request, {
    complete: () => {
      remove(record);
      return undefined;
    },
    fail: () => {},
  });
}
