// The API errors controllers expect and shrug off: AlreadyExists after a lost race, NotFound for
// an object already gone, Forbidden for creating in a namespace that is terminating.
import { StatusError } from "../status.js";

function reasonOf(error: unknown): string | undefined {
  return error instanceof StatusError ? error.status.reason || undefined : undefined;
}

export function isNotFound(error: unknown): boolean {
  return reasonOf(error) === "NotFound";
}

export function isConflict(error: unknown): boolean {
  return reasonOf(error) === "Conflict";
}

export function isInvalid(error: unknown): boolean {
  return reasonOf(error) === "Invalid";
}

export function isAlreadyExists(error: unknown): boolean {
  return reasonOf(error) === "AlreadyExists";
}

export function isNamespaceTerminating(error: unknown): boolean {
  return (
    error instanceof StatusError &&
    error.status.reason === "Forbidden" &&
    (error.status.details?.causes ?? []).some((c) => c.reason === "NamespaceTerminating")
  );
}

/** Runs a create that may race another writer or a namespace deletion; both mean nothing to do. */
export function createIfAbsent<T>(create: () => T): T | undefined {
  try {
    return create();
  } catch (error) {
    if (isAlreadyExists(error) || isNamespaceTerminating(error)) return undefined;
    throw error;
  }
}

/** Runs a delete; NotFound means someone else finished it. */
export function deleteIfPresent(remove: () => unknown): void {
  try {
    remove();
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
