// Names and bodies at the API's edge: a name from the path must be DNS-1123 (so it can never become
// a blob path outside its prefix) before anything reads storage, and JSON bodies must be objects.
import { nameProblem } from "../model/names.js";
import { invalid } from "./http.js";

/** The name from the path, checked; throws 400 naming the path parameter. */
export function checkedName(name: string | undefined, parameter = "name"): string {
  const problem = nameProblem(name ?? "");
  if (problem === undefined && name !== undefined) return name;
  throw invalid(`the name in the path is not valid: ${problem}`, [
    { field: parameter, message: problem ?? "is missing" },
  ]);
}

/** The request body as a JSON object; `undefined` allowed only when `optional`. */
export function objectBody(body: unknown, optional = false): Record<string, unknown> | undefined {
  if (body === undefined && optional) return undefined;
  if (typeof body === "object" && body !== null && !Array.isArray(body))
    return body as Record<string, unknown>;
  const got = body === undefined ? "no body" : Array.isArray(body) ? "a list" : typeof body;
  throw invalid(`the request body must be a JSON object, got ${got}`, [
    { field: "(top level)", message: `expected a JSON object, got ${got}` },
  ]);
}
