// List continue tokens in kube-apiserver's shape: base64 of {"v","rv","start"}, where `start` is the
// key after the last one returned, so a token names a position in a snapshot, not an offset.
import { badRequest } from "./status.js";

export interface ContinuePosition {
  /** The snapshot the list is read at; -1 asks for the latest state (an "inconsistent" continue). */
  rv: number;
  /** Keys >= start remain. */
  start: string;
}

const tokenVersion = "meta.k8s.io/v1";

export function encodeContinue(rv: number, lastKey: string): string {
  return Buffer.from(JSON.stringify({ v: tokenVersion, rv, start: `${lastKey}\u0000` })).toString(
    "base64url",
  );
}

export function decodeContinue(token: string): ContinuePosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch {
    throw badRequest("continue key is not valid: illegal base64 data or JSON");
  }
  const p = parsed as { v?: unknown; rv?: unknown; start?: unknown };
  if (p.v !== tokenVersion)
    throw badRequest(`continue key is not valid: server does not recognize this encoded key`);
  if (typeof p.rv !== "number" || !Number.isInteger(p.rv) || p.rv === 0 || p.rv < -1) {
    throw badRequest(
      "continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)",
    );
  }
  if (typeof p.start !== "string" || p.start.length === 0) {
    throw badRequest("continue key is not valid: encoded start key empty (version meta.k8s.io/v1)");
  }
  return { rv: p.rv, start: p.start };
}
