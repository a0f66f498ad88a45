// Reading requests and writing responses the way kube-apiserver frames them: Accept negotiation,
// bounded bodies, JSON/YAML decoding with the server's error wording, Status bodies for errors.
import type { IncomingMessage, ServerResponse } from "node:http";
import { parse as parseYaml } from "yaml";
import { badRequest, StatusError } from "./status.js";

export interface MediaType {
  type: string;
  params: Record<string, string>;
}

/** Writes bigger than this are refused as etcd's request limit refuses them. */
export const maxBodyBytes = 3 * 1024 * 1024;

export function parseMediaTypes(header: string | undefined): MediaType[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part) => {
      const [type, ...rest] = part.split(";");
      const params: Record<string, string> = {};
      for (const p of rest) {
        const eq = p.indexOf("=");
        if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
      }
      return { type: (type ?? "").trim().toLowerCase(), params };
    })
    .filter((m) => m.type.length > 0);
}

/** The content type without parameters ("application/json; charset=utf-8" -> "application/json"). */
export function baseContentType(header: string | undefined): string {
  return (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > maxBodyBytes) {
      throw new StatusError(
        413,
        "RequestEntityTooLarge",
        `Request entity too large: limit is ${maxBodyBytes}`,
      );
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

/** Decodes a JSON (or, for the types the server also reads, YAML) request body into an object. */
export function decodeBody(body: Buffer, contentType: string | undefined): Record<string, unknown> {
  const type = baseContentType(contentType);
  const text = body.toString("utf8");
  if (text.trim().length === 0) throw badRequest("the body of the request was empty");
  let value: unknown;
  if (type === "application/yaml" || type === "application/apply-patch+yaml") {
    try {
      value = parseYaml(text);
    } catch (err) {
      throw badRequest(`error converting YAML to JSON: ${(err as Error).message.split("\n")[0]}`);
    }
  } else {
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(err as Error).message}`);
    }
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badRequest("couldn't get version/kind; json parse error: the body is not a JSON object");
  }
  return value as Record<string, unknown>;
}

export function sendBody(
  res: ServerResponse,
  code: number,
  body: string,
  contentType = "application/json",
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(code, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-cache, private",
    ...headers,
  });
  res.end(body);
}

export function sendJson(
  res: ServerResponse,
  code: number,
  value: unknown,
  headers: Record<string, string> = {},
) {
  sendBody(res, code, JSON.stringify(value), "application/json", headers);
}

export function sendError(res: ServerResponse, err: unknown): void {
  if (err instanceof StatusError) {
    sendJson(res, err.code, err.status);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendJson(res, 500, new StatusError(500, "InternalError", `Internal error occurred: ${message}`).status);
}
