// The per-volume errors of a snapshot, each with a stable code and a message that names the claim,
// the disk and the next step; and how Resource Manager's errors map onto them.
import type { VolumeSnapshotRecord } from "../model/recovery-point.js";

export type VolumeErrorCode =
  | "InvalidDiskId"
  | "InvalidResourceGroup"
  | "DiskNotFound"
  | "SubscriptionNotAllowed"
  | "CrossSubscription"
  | "ResourceGroupNotFound"
  | "Forbidden"
  | "RateLimited"
  | "Throttled"
  | "NameCollision"
  | "SnapshotFailed"
  | "NotComplete"
  | "ArmError";

export interface VolumeSnapshotError {
  code: VolumeErrorCode;
  /** "namespace/name" of the claim. */
  pvc: string;
  diskId: string;
  message: string;
  /** The snapshot concerned, when one was created. */
  snapshotId?: string;
}

/** What the Azure SDK throws (RestError), read structurally. */
export interface ArmFailure {
  statusCode?: number;
  code?: string;
  message: string;
}

export function armFailureOf(error: unknown): ArmFailure {
  if (typeof error === "object" && error !== null && "message" in error) {
    const { statusCode, code, message } = error as Partial<ArmFailure> & { message: unknown };
    return {
      message: String(message),
      ...(typeof statusCode === "number" ? { statusCode } : {}),
      ...(typeof code === "string" ? { code } : {}),
    };
  }
  return { message: String(error) };
}

export function isNotFound(error: unknown): boolean {
  return armFailureOf(error).statusCode === 404;
}

/** "Code (status): message", the way an operator would search for it. */
export function describeArmFailure(error: unknown): string {
  const failure = armFailureOf(error);
  const head = [failure.code, failure.statusCode === undefined ? undefined : `(${failure.statusCode})`]
    .filter((part) => part !== undefined)
    .join(" ");
  return head === "" ? failure.message : `${head}: ${failure.message}`;
}

/** The code and explanation for an ARM error that ended a snapshot. */
export function classifyArmFailure(error: unknown): { code: VolumeErrorCode; detail: string } {
  const failure = armFailureOf(error);
  const described = describeArmFailure(error);
  if (failure.statusCode === 429) {
    return {
      code: "Throttled",
      detail: `Azure Resource Manager kept throttling after the retries: ${described}`,
    };
  }
  if (failure.statusCode === 401 || failure.statusCode === 403) {
    return {
      code: "Forbidden",
      detail: `${described} (grant the app's identity Microsoft.Compute/disks/read and snapshots/read+write there)`,
    };
  }
  if (failure.code === "OperationNotAllowed") {
    return { code: "RateLimited", detail: `Azure refused the snapshot: ${described}` };
  }
  return { code: "ArmError", detail: described };
}

export type SnapshotDiskResult =
  | { ok: true; record: VolumeSnapshotRecord; adopted: boolean }
  /** `record` is set when a snapshot exists but is not usable: it must be recorded, not orphaned. */
  | { ok: false; error: VolumeSnapshotError; record?: VolumeSnapshotRecord };

/** A failed result for one volume; `record` when a snapshot exists that must not be orphaned. */
export function volumeFailure(
  volume: { pvc: string; diskId: string },
  code: VolumeErrorCode,
  detail: string,
  extra: { snapshotId?: string; record?: VolumeSnapshotRecord } = {},
): SnapshotDiskResult {
  const { pvc, diskId } = volume;
  const error: VolumeSnapshotError = { code, pvc, diskId, message: `snapshot of ${pvc} failed: ${detail}` };
  if (extra.snapshotId !== undefined) error.snapshotId = extra.snapshotId;
  return extra.record === undefined ? { ok: false, error } : { ok: false, error, record: extra.record };
}
