// One HTTPS exchange with the API server over a keep-alive agent: request out, whole response body
// in (gzip undone), with a per-attempt timeout and the caller's abort signal.
import type { IncomingHttpHeaders } from "node:http";
import { type Agent, request as httpsRequest } from "node:https";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";

const gunzipAsync = promisify(gunzip);

export interface Exchange {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  agent: Agent;
  timeoutMs: number;
  abortSignal?: AbortSignal;
}

export interface ExchangeResult {
  statusCode: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

function timeoutError(ms: number): Error {
  return Object.assign(new Error(`no response within ${ms} ms`), { code: "ETIMEDOUT" });
}

/** Rejects with the signal's reason on abort, with the socket's error otherwise. */
export function exchange(x: Exchange): Promise<ExchangeResult> {
  return new Promise<ExchangeResult>((resolve, reject) => {
    const signal = x.abortSignal;
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const headers: Record<string, string> = { ...x.headers, "Accept-Encoding": "gzip" };
    if (x.body) headers["Content-Length"] = String(x.body.length);
    const req = httpsRequest(x.url, { method: x.method, headers, agent: x.agent });
    const onAbort = () => req.destroy(signal?.reason instanceof Error ? signal.reason : new Error("aborted"));
    signal?.addEventListener("abort", onAbort, { once: true });
    const fail = (error: unknown) => {
      signal?.removeEventListener("abort", onAbort);
      reject(signal?.aborted ? signal.reason : error);
    };
    req.setTimeout(x.timeoutMs, () => req.destroy(timeoutError(x.timeoutMs)));
    req.on("error", fail);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("error", fail);
      res.on("aborted", () => fail(Object.assign(new Error("response aborted"), { code: "ECONNRESET" })));
      res.on("end", () => {
        signal?.removeEventListener("abort", onAbort);
        const raw = Buffer.concat(chunks);
        const done = (body: Buffer) =>
          resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body });
        if (res.headers["content-encoding"] === "gzip") gunzipAsync(raw).then(done, fail);
        else done(raw);
      });
    });
    req.end(x.body);
  });
}
