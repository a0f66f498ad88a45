// Why a restore cannot be planned, as one typed error with a stable code and the HTTP status the
// API answers with; the message names the recovery point or field and what to do next.

export type RestorePlanErrorCode =
  | "RecoveryPointNotFound"
  | "RecoveryPointIncomplete"
  | "RecoveryPointDeleting"
  | "RecoveryPointFailed"
  | "ArchiveMissing"
  | "RecoveryPointMismatch"
  | "NamespaceMappingConflict"
  | "TargetClusterUnknown"
  | "MappingOntoProtectedNamespace";

const STATUS: Record<RestorePlanErrorCode, number> = {
  RecoveryPointNotFound: 404,
  RecoveryPointIncomplete: 409,
  RecoveryPointDeleting: 409,
  RecoveryPointFailed: 422,
  ArchiveMissing: 422,
  RecoveryPointMismatch: 400,
  NamespaceMappingConflict: 400,
  TargetClusterUnknown: 422,
  MappingOntoProtectedNamespace: 409,
};

export class RestorePlanError extends Error {
  readonly statusCode: number;

  constructor(
    readonly code: RestorePlanErrorCode,
    message: string,
    /** The request field at fault, when one is (e.g. "namespaceMappings.shop"). */
    readonly field?: string,
  ) {
    super(message);
    this.name = "RestorePlanError";
    this.statusCode = STATUS[code];
  }
}

export function isRestorePlanError(error: unknown): error is RestorePlanError {
  return error instanceof RestorePlanError;
}
