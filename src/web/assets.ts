// What the backup center's URLs answer, framework-neutral for `serve` and the Functions app: the
// page at its root, `web/app.css`, and the browser modules `web/<name>.js` compiled from
// src/web/client/. Every answer carries a Content-Security-Policy that allows no inline script.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { stripTypeScriptTypes } from "node:module";
import { PAGE_CSS, PAGE_ICON, pageHtml } from "./page.js";

export interface WebResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
}

export interface WebRequest {
  /** The path below the page's root, without a leading slash: "", "web/app.js". */
  asset: string;
  ifNoneMatch?: string;
}

/**
 * Scripts, styles and API calls only from the page's own origin; no inline script or style, no
 * plugins, no framing, no <base> rewriting. The chart is built with DOM calls, so it needs none.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The asset a request path names below `root` (the page's own path, ending in "/"), or undefined
 * when the path is not the page's: "/" -> "", "/web/app.js" -> "web/app.js".
 */
export function pageAssetOf(path: string, root: string): string | undefined {
  if (!path.startsWith(root)) return undefined;
  const asset = path.slice(root.length);
  return asset === "" || asset === "index.html" || asset.startsWith("web/") ? asset : undefined;
}

const MODULE_NAME = /^[a-z][a-z0-9-]{0,40}$/;
const CLIENT_DIR = new URL("./client/", import.meta.url);

/** The answer to GET (or HEAD) of `request.asset`; `apiBase` as for pageHtml. */
export async function webResponse(request: WebRequest, apiBase: string): Promise<WebResponse> {
  const asset = request.asset;
  if (asset === "" || asset === "index.html") {
    return cacheable(request, "text/html; charset=utf-8", pageHtml(apiBase));
  }
  if (asset === "web/app.css") return cacheable(request, "text/css; charset=utf-8", PAGE_CSS);
  if (asset === "web/icon.svg") return cacheable(request, "image/svg+xml", PAGE_ICON);
  const module = /^web\/([^/]+)\.js$/.exec(asset)?.[1];
  const source = module && MODULE_NAME.test(module) ? await clientModule(module) : undefined;
  if (source !== undefined) return cacheable(request, "text/javascript; charset=utf-8", source);
  return withSecurityHeaders(404, "text/plain; charset=utf-8", `no page asset ${asset.slice(0, 100)}\n`);
}

const modules = new Map<string, Promise<string | undefined>>();

function clientModule(name: string): Promise<string | undefined> {
  let found = modules.get(name);
  if (!found) {
    found = loadClientModule(name);
    modules.set(name, found);
    found.catch(() => modules.delete(name));
  }
  return found;
}

// dist/ holds the compiled .js; a run from the sources (the tests) strips the .ts's types instead,
// which is all the compiler does to these modules (they use no enums, namespaces or decorators).
async function loadClientModule(name: string): Promise<string | undefined> {
  const compiled = await readOptional(new URL(`${name}.js`, CLIENT_DIR));
  if (compiled !== undefined) return compiled;
  const source = await readOptional(new URL(`${name}.ts`, CLIENT_DIR));
  return source === undefined ? undefined : stripTypeScriptTypes(source, { mode: "strip" });
}

async function readOptional(url: URL): Promise<string | undefined> {
  try {
    return await readFile(url, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

// The URLs carry no version, so browsers revalidate every time and get a 304 while nothing changed.
function cacheable(request: WebRequest, contentType: string, body: string): WebResponse {
  const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
  if (request.ifNoneMatch?.split(/\s*,\s*/).includes(etag)) {
    const response = withSecurityHeaders(304, contentType);
    return { ...response, headers: { ...response.headers, etag } };
  }
  const response = withSecurityHeaders(200, contentType, body);
  return { ...response, headers: { ...response.headers, etag } };
}

function withSecurityHeaders(status: number, contentType: string, body?: string): WebResponse {
  return {
    status,
    headers: {
      "content-type": contentType,
      "content-security-policy": CONTENT_SECURITY_POLICY,
      "x-content-type-options": "nosniff",
      // The page URL may carry a function key (`?code=`): never send it on as a Referer.
      "referrer-policy": "no-referrer",
      "cache-control": "no-cache",
    },
    ...(body === undefined ? {} : { body }),
  };
}
