// A deployment made without restore (infra's enableRestore=false sets AKS_BACKUP_RESTORE_ENABLED=false):
// `POST /api/restores` is refused with a 403 problem+json that says why and what to do, before the
// request is even read, and nothing starts; reading restores and everything else still works.
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createApi } from "../../src/api/api.js";
import { durableLinks } from "../../src/api/deps.js";
import type { ApiRequest } from "../../src/api/http.js";
import { restoreEnabled, SettingsError } from "../../src/orchestrations/app-settings.js";
import type { OrchestrationClient } from "../../src/orchestrations/client.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";

function post(path: string, body: unknown): ApiRequest {
  return {
    method: "POST",
    path,
    query: new URLSearchParams(),
    headers: { "content-type": "application/json" },
    body,
  };
}

describe("restore disabled by the deployment", () => {
  let env: Environment;
  const started: string[] = [];
  const client: OrchestrationClient = {
    async startNew(name, options) {
      started.push(`${name} ${options.instanceId}`);
      return options.instanceId;
    },
    async getStatus() {
      return undefined;
    },
    async listInstances() {
      return [];
    },
  };

  beforeAll(async () => {
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    env = createEnvironment({ service, container: `restore-off-${process.pid}-${Date.now()}` });
    await env.definitions.ensureContainer();
  });

  afterAll(async () => {
    await env.close();
  });

  it("answers POST /api/restores with 403 naming the setting, and starts nothing", async () => {
    const api = createApi({ env, client, links: durableLinks("http://host"), restoreEnabled: false });
    const response = await api(post("/api/restores", { recoveryPointId: "prod-shop-20260101-020000-abcd" }));
    expect(response.status).toBe(403);
    expect(response.headers["content-type"]).toBe("application/problem+json");
    expect(response.body).toMatchObject({
      status: 403,
      title: "Forbidden",
      detail: expect.stringMatching(
        /^restore is disabled in this deployment: AKS_BACKUP_RESTORE_ENABLED=false/,
      ),
    });
    expect(started).toEqual([]);
  });

  it("refuses even a malformed request with 403, so callers learn the real reason first", async () => {
    const api = createApi({ env, client, links: durableLinks("http://host"), restoreEnabled: false });
    const response = await api(post("/api/restores", { nonsense: true }));
    expect(response.status).toBe(403);
  });

  it("with restore enabled, the same request reaches the recovery point check (404, not 403)", async () => {
    const api = createApi({ env, client, links: durableLinks("http://host"), restoreEnabled: true });
    const response = await api(post("/api/restores", { recoveryPointId: "prod-shop-20260101-020000-abcd" }));
    expect(response.status).toBe(404);
  });

  it("reads AKS_BACKUP_RESTORE_ENABLED: absent means enabled, false disables, nonsense is an error", () => {
    expect(restoreEnabled({})).toBe(true);
    expect(restoreEnabled({ AKS_BACKUP_RESTORE_ENABLED: "" })).toBe(true);
    expect(restoreEnabled({ AKS_BACKUP_RESTORE_ENABLED: "False" })).toBe(false);
    expect(restoreEnabled({ AKS_BACKUP_RESTORE_ENABLED: "true" })).toBe(true);
    expect(() => restoreEnabled({ AKS_BACKUP_RESTORE_ENABLED: "no" })).toThrow(SettingsError);
    expect(() => restoreEnabled({ AKS_BACKUP_RESTORE_ENABLED: "no" })).toThrow(/AKS_BACKUP_RESTORE_ENABLED/);
  });
});
