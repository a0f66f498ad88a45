// The API behind Azure Functions' HTTP trigger: the host's HttpRequest becomes the handlers'
// request (path, query, headers, JSON body within the limit) and their answer an HttpResponseInit.
import { HttpRequest } from "@azure/functions";
import { BlobServiceClient } from "@azure/storage-blob";
import { describe, expect, inject, it } from "vitest";
import { createApi } from "../../src/api/api.js";
import { toApiRequest, toResponseInit } from "../../src/api/azure-functions.js";
import { durableLinks } from "../../src/api/deps.js";
import { Registry } from "../../src/local/registry.js";
import { LocalRuntime } from "../../src/local/runtime.js";
import { createEnvironment } from "../../src/orchestrations/environment.js";
import { DAILY } from "./harness.js";

const HOST = "https://aks-backup-func.azurewebsites.net";

function hostRequest(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const url = new URL(path, HOST);
  return new HttpRequest({
    method,
    url: url.href,
    query: Object.fromEntries(url.searchParams),
    headers: { ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
    ...(body === undefined ? {} : { body: { string: body } }),
  });
}

describe("Azure Functions adapter", () => {
  it("turns the host's request into the handlers' request", async () => {
    const request = await toApiRequest(
      hostRequest("PUT", "/api/policies/daily?code=secret&x=1", JSON.stringify(DAILY), {
        "If-Match": '"0x1"',
      }),
    );
    expect(request).toMatchObject({ method: "PUT", path: "/api/policies/daily", body: DAILY });
    expect(request.query.get("x")).toBe("1");
    expect(request.headers["if-match"]).toBe('"0x1"');
    const empty = await toApiRequest(hostRequest("GET", "/api/policies"));
    expect(empty.body).toBeUndefined();
  });

  it("refuses bodies over the limit, and bodies that are not JSON, as the local server does", async () => {
    await expect(
      toApiRequest(hostRequest("PUT", "/api/policies/x", "x".repeat(2048)), 1024),
    ).rejects.toMatchObject({
      status: 413,
    });
    await expect(toApiRequest(hostRequest("PUT", "/api/policies/x", "{nope"))).rejects.toMatchObject({
      status: 400,
      errors: [{ field: "(top level)", message: expect.stringMatching(/not valid JSON/) }],
    });
  });

  it("answers through the same handlers: created, then read with its ETag", async () => {
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    const env = createEnvironment({ service, container: `functions-${process.pid}-${Date.now()}` });
    await env.definitions.ensureContainer();
    const api = createApi({ env, client: new LocalRuntime(new Registry()), links: durableLinks(HOST) });
    const created = toResponseInit(
      await api(await toApiRequest(hostRequest("PUT", "/api/policies/daily", JSON.stringify(DAILY)))),
    );
    expect(created.status).toBe(201);
    const headers = created.headers as Record<string, string>;
    expect(headers["content-type"]).toBe("application/json; charset=utf-8");
    expect(headers.etag).toMatch(/\S/);
    expect(JSON.parse(String(created.body))).toMatchObject({ name: "daily" });
    const missing = toResponseInit(await api(await toApiRequest(hostRequest("GET", "/api/policies/weekly"))));
    expect(missing.status).toBe(404);
    expect((missing.headers as Record<string, string>)["content-type"]).toBe("application/problem+json");
    await env.close();
  });
});
