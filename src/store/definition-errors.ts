// Typed failures of the definition store, each with the HTTP status the API answers with: invalid
// input (400, with field paths), unknown object (404), a concurrent edit or a use that blocks it (409).
import { RestError } from "@azure/storage-blob";
import { formatIssuePath, type ModelIssue } from "../model/issues.js";

export type DefinitionKind = "policy" | "instance" | "cluster";

export type DefinitionErrorCode = "Invalid" | "NotFound" | "Conflict" | "InUse" | "StoredInvalid";

const STATUS: Record<DefinitionErrorCode, number> = {
  Invalid: 400,
  NotFound: 404,
  Conflict: 409,
  InUse: 409,
  StoredInvalid: 500,
};

export class DefinitionError extends Error {
  /** The HTTP status an API answers with. */
  readonly status: number;
  constructor(
    readonly code: DefinitionErrorCode,
    readonly kind: DefinitionKind,
    readonly objectName: string,
    message: string,
  ) {
    super(message);
    this.name = "DefinitionError";
    this.status = STATUS[code];
  }
}

/** The body or the name failed validation; nothing was written. */
export class DefinitionInvalidError extends DefinitionError {
  constructor(
    kind: DefinitionKind,
    objectName: string,
    readonly issues: ModelIssue[],
  ) {
    const first = issues[0];
    const where = first && first.path.length > 0 ? `${formatIssuePath(first.path)}: ` : "";
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : "";
    super(
      "Invalid",
      kind,
      objectName,
      `${kind} "${objectName}" is not valid: ${where}${first?.message}${more}`,
    );
    this.name = "DefinitionInvalidError";
  }
}

/** Someone else created, changed or deleted the object since the caller read it (HTTP 412 → 409). */
export class DefinitionConflictError extends DefinitionError {
  constructor(kind: DefinitionKind, objectName: string, what: string) {
    super("Conflict", kind, objectName, `${kind} "${objectName}" ${what}`);
    this.name = "DefinitionConflictError";
  }
}

export class DefinitionNotFoundError extends DefinitionError {
  constructor(kind: DefinitionKind, objectName: string) {
    super("NotFound", kind, objectName, `${kind} "${objectName}" does not exist`);
    this.name = "DefinitionNotFoundError";
  }
}

/** A policy or cluster cannot be deleted while backup instances use it. */
export class DefinitionInUseError extends DefinitionError {
  constructor(
    kind: DefinitionKind,
    objectName: string,
    readonly instances: string[],
  ) {
    const noun = instances.length === 1 ? "backup instance" : "backup instances";
    super(
      "InUse",
      kind,
      objectName,
      `${kind} "${objectName}" is used by ${noun} ${instances.join(", ")}; delete them or move them to another ${kind} first`,
    );
    this.name = "DefinitionInUseError";
  }
}

/** 404 for the blob itself (a missing container is a storage problem, not a missing definition). */
export function isMissingBlob(error: unknown): boolean {
  return error instanceof RestError && error.statusCode === 404 && error.code !== "ContainerNotFound";
}

/** If-None-Match: * met an existing blob (409) or If-Match met another version (412). */
export function isPreconditionFailure(error: unknown): boolean {
  return error instanceof RestError && (error.statusCode === 409 || error.statusCode === 412);
}
