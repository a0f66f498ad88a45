// Errors of the simulated API server as `Status` objects, worded and coded as kube-apiserver sends
// them, because clients (kubectl, client-node, our own retry logic) branch on reason and code.

export type StatusReason =
  | "BadRequest"
  | "Unauthorized"
  | "Forbidden"
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Gone"
  | "Invalid"
  | "Expired"
  | "MethodNotAllowed"
  | "NotAcceptable"
  | "UnsupportedMediaType"
  | "RequestEntityTooLarge"
  | "TooManyRequests"
  | "InternalError"
  | "ServiceUnavailable"
  | "Timeout";

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: "Status";
  apiVersion: "v1";
  metadata: { continue?: string; resourceVersion?: string };
  status: "Success" | "Failure";
  message?: string;
  reason?: StatusReason | "";
  details?: StatusDetails;
  code: number;
}

/** Thrown inside the simulator; the HTTP layer turns it into its `Status` body and code. */
export class StatusError extends Error {
  readonly status: Status;
  constructor(
    code: number,
    reason: StatusReason,
    message: string,
    details?: StatusDetails,
    continueToken?: string,
  ) {
    super(message);
    this.name = "StatusError";
    this.status = {
      kind: "Status",
      apiVersion: "v1",
      metadata: continueToken ? { continue: continueToken } : {},
      status: "Failure",
      message,
      reason,
      ...(details ? { details } : {}),
      code,
    };
  }
  get code(): number {
    return this.status.code;
  }
}

/** `<resource>.<group>` as kube-apiserver names a type in messages ("deployments.apps", "pods"). */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(resource: string, group: string, name: string): StatusError {
  return new StatusError(404, "NotFound", `${qualifiedResource(resource, group)} "${name}" not found`, {
    name,
    ...(group ? { group } : {}),
    kind: resource,
  });
}

export function alreadyExists(resource: string, group: string, name: string): StatusError {
  return new StatusError(
    409,
    "AlreadyExists",
    `${qualifiedResource(resource, group)} "${name}" already exists`,
    {
      name,
      ...(group ? { group } : {}),
      kind: resource,
    },
  );
}

export function conflict(resource: string, group: string, name: string, why?: string): StatusError {
  const reason =
    why ?? "the object has been modified; please apply your changes to the latest version and try again";
  return new StatusError(
    409,
    "Conflict",
    `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${reason}`,
    { name, ...(group ? { group } : {}), kind: resource },
  );
}

/** 422 Invalid; `kind` is the object's Kind ("Deployment"), as the real message uses it. */
export function invalid(kind: string, group: string, name: string, causes: StatusCause[]): StatusError {
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message ?? ""}` : (c.message ?? "")));
  const list = parts.length === 1 ? parts[0] : `[${parts.join(", ")}]`;
  return new StatusError(422, "Invalid", `${qualifiedResource(kind, group)} "${name}" is invalid: ${list}`, {
    name,
    ...(group ? { group } : {}),
    kind,
    causes,
  });
}

export function forbidden(
  resource: string,
  group: string,
  name: string,
  why: string,
  causes?: StatusCause[],
): StatusError {
  return new StatusError(
    403,
    "Forbidden",
    `${qualifiedResource(resource, group)} "${name}" is forbidden: ${why}`,
    {
      name,
      ...(group ? { group } : {}),
      kind: resource,
      ...(causes ? { causes } : {}),
    },
  );
}

export function namespaceTerminating(
  resource: string,
  group: string,
  name: string,
  namespace: string,
): StatusError {
  return forbidden(
    resource,
    group,
    name,
    `unable to create new content in namespace ${namespace} because it is being terminated`,
    [
      {
        reason: "NamespaceTerminating",
        message: `namespace ${namespace} is being terminated`,
        field: "metadata.namespace",
      },
    ],
  );
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, "BadRequest", message);
}

export function unauthorized(): StatusError {
  return new StatusError(401, "Unauthorized", "Unauthorized");
}

export function expiredContinue(inconsistentContinue?: string): StatusError {
  return new StatusError(
    410,
    "Expired",
    "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.",
    undefined,
    inconsistentContinue,
  );
}

export function unsupportedMediaType(contentType: string, accepted: string[]): StatusError {
  return new StatusError(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
    { causes: [{ reason: "UnsupportedMediaType", message: contentType }] },
  );
}

export function methodNotAllowed(): StatusError {
  return new StatusError(
    405,
    "MethodNotAllowed",
    "the server does not allow this method on the requested resource",
  );
}

export function notFoundPath(): StatusError {
  return new StatusError(404, "NotFound", "the server could not find the requested resource", {});
}
