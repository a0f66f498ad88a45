// Typed errors of the backup archive: an unsafe or malformed archive, an archive whose bytes differ
// from the recorded SHA-256, and an item whose name could not be stored safely.

/** Why an archive was refused; the code stays "ArchiveInvalid" for all of them. */
export type ArchiveFormatReason =
  | "unsafe-path"
  | "link"
  | "layout"
  | "unsupported-version"
  | "corrupt"
  | "too-large";

export class ArchiveFormatError extends Error {
  readonly code = "ArchiveInvalid";
  readonly statusCode = 422;
  /** The entry's path inside the archive, when one entry is at fault. */
  readonly path: string | undefined;

  constructor(
    readonly reason: ArchiveFormatReason,
    message: string,
    options: { path?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "ArchiveFormatError";
    this.path = options.path;
  }
}

export class ArchiveIntegrityError extends Error {
  readonly code = "ArchiveTampered";
  readonly statusCode = 422;

  constructor(
    readonly expectedSha256: string,
    readonly actualSha256: string,
    options: { cause?: unknown } = {},
  ) {
    super(
      `archive SHA-256 is ${actualSha256} but the recovery point recorded ${expectedSha256}: ` +
        "the archive was changed or truncated after the backup; restore from another recovery point",
      { cause: options.cause },
    );
    this.name = "ArchiveIntegrityError";
  }
}

/** Thrown by ArchiveWriter.add for an item the archive cannot hold; the writer stays usable. */
export class UnsafeItemError extends Error {
  readonly code = "ItemNameUnsafe";
  readonly statusCode = 422;

  constructor(message: string) {
    super(message);
    this.name = "UnsafeItemError";
  }
}

export function isArchiveFormatError(error: unknown): error is ArchiveFormatError {
  return error instanceof ArchiveFormatError;
}

export function isArchiveIntegrityError(error: unknown): error is ArchiveIntegrityError {
  return error instanceof ArchiveIntegrityError;
}
