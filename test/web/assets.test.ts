// The backup center's files as `serve` and the Functions app answer them: the page with a strict
// Content-Security-Policy, its style sheet and browser modules with their content types, 304s for
// what the browser already has, and a 404 for anything else below /web/.
import { readdir } from "node:fs/promises";
import { HttpRequest } from "@azure/functions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { captureRegistrations } from "../../src/local/registry.js";
import { CONTENT_SECURITY_POLICY } from "../../src/web/assets.js";
import { functionsWebHandler } from "../../src/web/azure-functions.js";
import { startTestServer, type TestServer } from "../api/harness.js";

describe("the page under serve", () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("serves the page at / with a policy that allows no inline script", async () => {
    const response = await fetch(`${server.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("cache-control")).toBe("no-cache");
    const html = await response.text();
    expect(html).toContain('<script type="module" src="web/app.js"></script>');
    expect(html).toContain('<meta name="aks-backup-api" content="api/">');
    // No inline script or style: everything the page runs comes from its own files.
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toMatch(/\son[a-z]+=|style=/);
  });

  it("serves the style sheet and the browser modules with their content types", async () => {
    const css = await fetch(`${server.url}/web/app.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(css.headers.get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    const modules = (await readdir(new URL("../../src/web/client/", import.meta.url)))
      .filter((file) => file.endsWith(".ts"))
      .map((file) => file.slice(0, -3));
    expect(modules).toContain("app");
    for (const module of modules) {
      const js = await fetch(`${server.url}/web/${module}.js`);
      expect(js.status, module).toBe(200);
      expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
      expect(js.headers.get("x-content-type-options")).toBe("nosniff");
      const source = await js.text();
      // Types are gone: what the browser gets is JavaScript.
      expect(source).not.toMatch(/^import type /m);
      expect(source).not.toMatch(/\): Promise<[A-Za-z]+>/);
    }
    expect(await (await fetch(`${server.url}/web/app.js`)).text()).toContain('from "./api.js"');
  });

  it("answers 304 to a browser that has the current file, and HEAD without a body", async () => {
    const first = await fetch(`${server.url}/web/app.js`);
    const etag = first.headers.get("etag") ?? "";
    expect(etag).toMatch(/^".+"$/);
    const again = await fetch(`${server.url}/web/app.js`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const head = await fetch(`${server.url}/`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
  });

  it("answers 404 for unknown assets and never reads outside the page's files", async () => {
    for (const path of [
      "/web/nope.js",
      "/web/app.ts",
      "/web/App.js",
      "/web/%2e%2e%2fassets.js",
      "/web/..%2F..%2Fpackage.json",
      "/web/sub/app.js",
    ]) {
      const response = await fetch(`${server.url}${path}`);
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type"), path).toBe("text/plain; charset=utf-8");
    }
  });

  it("leaves the API where it was", async () => {
    const health = await server.request<{ storage: { reachable: boolean } }>("GET", "/api/health");
    expect(health.status).toBe(200);
    expect(health.body.storage.reachable).toBe(true);
    expect((await server.request("POST", "/")).status).toBe(404);
  });
});

describe("the page on Azure Functions", () => {
  const HOST = "https://aks-backup-func.azurewebsites.net";
  const hostRequest = (path: string, asset: string) =>
    new HttpRequest({ method: "GET", url: `${HOST}${path}`, params: { asset } });

  it("registers an anonymous GET route at /ui/ beside the key-protected API at /api/", async () => {
    const registry = await captureRegistrations(async () => {
      await import("../../functions/web.js");
    });
    expect(registry.get("web", "httpTrigger").trigger).toMatchObject({
      route: "ui/{*asset}",
      authLevel: "anonymous",
      methods: ["GET", "HEAD"],
    });
  });

  it("serves the page with the API one level up, and its assets", async () => {
    const page = await functionsWebHandler(hostRequest("/ui/", ""));
    expect(page.status).toBe(200);
    expect(String(page.body)).toContain('<meta name="aks-backup-api" content="../api/">');
    expect(new Headers(page.headers).get("content-security-policy")).toBe(CONTENT_SECURITY_POLICY);
    const script = await functionsWebHandler(hostRequest("/ui/web/jobs.js", "web/jobs.js"));
    expect(script.status).toBe(200);
    expect(new Headers(script.headers).get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await functionsWebHandler(hostRequest("/ui/web/x.js", "web/x.js"))).status).toBe(404);
  });

  it("redirects /ui to /ui/ keeping the key, so the page's relative URLs resolve", async () => {
    const response = await functionsWebHandler(hostRequest("/ui?code=k3y", ""));
    expect(response.status).toBe(308);
    expect(new Headers(response.headers).get("location")).toBe("ui/?code=k3y");
    expect(new URL("ui/?code=k3y", `${HOST}/ui?code=k3y`).href).toBe(`${HOST}/ui/?code=k3y`);
  });
});
