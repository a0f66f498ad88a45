// The Status errors patch handling raises, coded and worded as kube-apiserver's patch handler and
// apimachinery's patch libraries produce them.
import { StatusError } from "../status.js";

/**
 * A patch that decoded but could not be applied. kube-apiserver reports it through
 * NewGenericServerResponse(422), which drops the library's reason from the body; the reason is
 * kept as the error's `cause` so tests and logs can still see it.
 */
export function patchNotApplicable(reason: string): StatusError {
  const error = new StatusError(
    422,
    "Invalid",
    "the server rejected our request due to an error in our request",
    {},
  );
  error.cause = new Error(reason);
  return error;
}

/**
 * A library error the handler does not classify: kube-apiserver answers 500 with the bare error
 * text and an empty reason (ErrorToAPIStatus of a plain Go error).
 */
export function patchInternalError(reason: string): StatusError {
  const error = new StatusError(500, "InternalError", reason);
  error.status.reason = "";
  return error;
}

export function tooManyPatchOperations(count: number, limit: number): StatusError {
  return new StatusError(
    413,
    "RequestEntityTooLarge",
    `Request entity too large: The allowed maximum operations in a JSON patch is ${limit}, got ${count}`,
  );
}
