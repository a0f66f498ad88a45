// One place that turns what handlers throw into problem+json: typed store and runtime errors get
// their status and message; anything else is a 500 whose detail says nothing about internals.
import { formatIssuePath, type ModelIssue } from "../model/issues.js";
import { redactSecrets } from "../model/storage.js";
import { InstanceExistsError } from "../orchestrations/client.js";
import { RestorePlanError } from "../restore/errors.js";
import { CatalogError } from "../store/catalog.js";
import { DefinitionError, DefinitionInvalidError } from "../store/definitions.js";
import { ApiError, type ApiResponse, type FieldError, problem } from "./http.js";

/** Validation issues as `{ field, message }`, the field a path such as `retention.rules[0].duration`. */
export function fieldErrors(issues: readonly ModelIssue[]): FieldError[] {
  return issues.map((issue) => ({ field: formatIssuePath(issue.path), message: issue.message }));
}

export function errorResponse(error: unknown, log: (message: string) => void): ApiResponse {
  if (error instanceof ApiError) return problem(error.status, error.message, error.errors, error.headers);
  if (error instanceof DefinitionInvalidError) {
    return problem(400, error.message, fieldErrors(error.issues));
  }
  if (error instanceof DefinitionError) {
    if (error.status >= 500) log(error.message);
    return problem(error.status, error.message);
  }
  if (error instanceof InstanceExistsError) return problem(409, error.message);
  if (error instanceof RestorePlanError) {
    // A target that is not a registered cluster is bad input, like an instance naming an unknown cluster.
    const status = error.code === "TargetClusterUnknown" ? 400 : error.statusCode;
    const message = error.message.replace(/^targetCluster: /, "");
    return problem(status, error.message, error.field ? [{ field: error.field, message }] : []);
  }
  if (error instanceof CatalogError) {
    const status =
      error.code === "StorageUnavailable" ? 503 : error.code === "RecoveryPointNotFound" ? 404 : 500;
    log(error.message);
    return problem(status, redactSecrets(error.message));
  }
  log(
    `unexpected error: ${redactSecrets(error instanceof Error ? (error.stack ?? error.message) : String(error))}`,
  );
  return problem(500, "the request failed on the server; the server log has the details");
}
