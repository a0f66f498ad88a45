// GET /api/health reports the config file kept in the backup container (how Azure deployments keep
// their definitions): a refused file turns a healthy deployment into a Warning that says why.
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { applyConfigBlob } from "../../src/store/config-blob.js";
import { DefinitionStore } from "../../src/store/definitions.js";
import { CLUSTER, DAILY, startTestServer, type TestServer } from "./harness.js";
import type { Health } from "./shapes.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ clusters: [CLUSTER], policies: [DAILY] });
});
afterAll(() => server.close());

async function putAndApply(text: string) {
  const container = BlobServiceClient.fromConnectionString(
    inject("azuriteConnectionString"),
  ).getContainerClient(server.container);
  await container.getBlockBlobClient("aks-backup.yaml").upload(text, Buffer.byteLength(text));
  return applyConfigBlob({ container, definitions: new DefinitionStore(container) }, "aks-backup.yaml");
}

describe("GET /api/health and the config file in the container", () => {
  it("says nothing of a config file when there is none", async () => {
    const reply = await server.request<Health>("GET", "/api/health");
    expect(reply.status).toBe(200);
    expect(reply.body.status).toBe("Healthy");
    expect(reply.body.configFile).toBeUndefined();
  });

  it("reports an applied file, then a refused one as a Warning naming the field", async () => {
    await putAndApply(
      "policies:\n  - name: weekly\n    schedule: [R/2026-01-01T02:00:00+00:00/P7D]\n    retention: { default: P30D }\n",
    );
    let health = (await server.request<Health>("GET", "/api/health")).body;
    expect(health.configFile).toMatchObject({ blob: "aks-backup.yaml", status: "applied" });
    expect(health.status).toBe("Healthy");

    await putAndApply(
      "policies:\n  - name: weekly\n    schedule: [R/2026-01-01T02:00:00+00:00/P7D]\n    retention: { default: forever }\n",
    );
    health = (await server.request<Health>("GET", "/api/health")).body;
    expect(health.status).toBe("Warning");
    expect(health.configFile?.status).toBe("invalid");
    expect(health.configFile?.error).toMatch(/aks-backup\.yaml:\d+:\d+: policies\[0\]\.retention\.default/);
    // Nothing stored changed: the policy the first file wrote is still there.
    const stored = await server.request<{ retention: { default: string } }>("GET", "/api/policies/weekly");
    expect(stored.body.retention.default).toBe("P30D");
  });
});
