// Request bodies at the edge, the same for node:http and Azure Functions: at most a limit of bytes
// (413 beyond), JSON only (415 for another type), parsed or refused with a 400 saying why.
import { ApiError, invalid } from "./http.js";

export const DEFAULT_BODY_LIMIT = 1024 * 1024;

export function tooLarge(limit: number): ApiError {
  return new ApiError(413, `the request body is larger than ${limit} bytes`);
}

/** The parsed body; undefined for an empty one. */
export function parseJsonBody(raw: Buffer, contentType: string | undefined, limit: number): unknown {
  if (raw.length > limit) throw tooLarge(limit);
  if (raw.length === 0) return undefined;
  const type = contentType?.split(";")[0]?.trim().toLowerCase();
  if (type !== undefined && type !== "application/json" && !type.endsWith("+json")) {
    throw new ApiError(415, `the request body must be application/json, not ${type.slice(0, 60)}`);
  }
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (error) {
    const reason = error instanceof Error ? error.message : "not JSON";
    throw invalid(`the request body is not valid JSON: ${reason}`, [
      { field: "(top level)", message: `not valid JSON: ${reason}` },
    ]);
  }
}
