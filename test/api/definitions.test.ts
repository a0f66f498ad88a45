// Policies, backup instances and clusters through `serve`'s HTTP API against Azurite: ETags and
// If-Match (a concurrent edit is a 409, never a lost update), validation naming each field,
// names that cannot escape their prefix, and problem+json for every failure.
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { CLUSTER, DAILY, INSTANCE, type Reply, startTestServer, type TestServer } from "./harness.js";
import type {
  BackupInstance,
  Cluster,
  FieldProblem,
  Health,
  List,
  Policy,
  Problem,
  StopProtectionResult,
  ValidationProblem,
} from "./shapes.js";

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ clusters: [CLUSTER], policies: [DAILY], instances: [INSTANCE] });
});
afterAll(async () => {
  await server?.close();
});

function expectProblem(reply: Reply<Problem>, status: number) {
  expect(reply.status).toBe(status);
  expect(reply.headers.get("content-type")).toBe("application/problem+json");
  expect(reply.body).toMatchObject({ type: "about:blank", status, title: expect.any(String) });
  expect(reply.body.detail).toEqual(expect.any(String));
  expect(reply.text).not.toMatch(/\n\s+at .+\(.*:\d+:\d+\)/);
  expect(reply.text).not.toMatch(/AccountKey/i);
}

const weekly = {
  name: "weekly",
  schedule: ["R/2026-01-04T03:00:00+00:00/P1W"],
  retention: { default: "P28D" },
};

describe("definitions API", () => {
  it("serves what the config file seeded, and says so on the console", async () => {
    const policies = await server.request<List<Policy>>("GET", "/api/policies");
    expect(policies.status).toBe(200);
    expect(policies.body.value).toEqual([{ ...DAILY, retention: { default: "P7D", rules: [] } }]);
    const instance = await server.request<BackupInstance>("GET", "/api/backup-instances/prod-shop");
    expect(instance.status).toBe(200);
    expect(instance.body).toMatchObject(INSTANCE);
    expect(instance.headers.get("etag")).toMatch(/\S/);
    expect(server.lines.join("\n")).toMatch(
      /created from the config file: cluster prod, policy daily, backup/,
    );
    expect(server.lines.join("\n")).toMatch(/API ready on http:\/\/127\.0\.0\.1:\d+\/api/);
  });

  it("creates with PUT (201, ETag, Location) and reads back the same ETag", async () => {
    const created = await server.request<Policy>("PUT", "/api/policies/weekly", { body: weekly });
    expect(created.status).toBe(201);
    expect(created.headers.get("location")).toBe("/api/policies/weekly");
    const etag = created.headers.get("etag");
    expect(etag).toMatch(/\S/);
    const read = await server.request<Policy>("GET", "/api/policies/weekly");
    expect(read.status).toBe(200);
    expect(read.headers.get("etag")).toBe(etag);
    expect(read.body).toEqual({ ...weekly, retention: { default: "P28D", rules: [] } });
  });

  it("fills the name from the path when the body has none", async () => {
    const { name: _name, ...body } = weekly;
    const created = await server.request<Policy>("PUT", "/api/policies/hourly", {
      body: { ...body, schedule: ["R/2026-01-01T00:00:00Z/PT4H"] },
    });
    expect(created.status).toBe(201);
    expect(created.body.name).toBe("hourly");
  });

  it("refuses to overwrite without If-Match and says how to update", async () => {
    const again = await server.request<Problem>("PUT", "/api/policies/daily", { body: DAILY });
    expectProblem(again, 409);
    expect(again.body.detail).toMatch(/policy "daily" already exists.*If-Match.*If-Match: \*/);
  });

  it("updates with If-Match, and of two concurrent edits from one ETag exactly one wins", async () => {
    const read = await server.request<Policy>("GET", "/api/policies/daily");
    const etag = read.headers.get("etag") ?? "";
    const edits = ["P14D", "P30D"].map((days) =>
      server.request<Policy | Problem>("PUT", "/api/policies/daily", {
        body: { ...DAILY, retention: { default: days } },
        headers: { "if-match": etag },
      }),
    );
    const replies = await Promise.all(edits);
    const statuses = replies.map((reply) => reply.status).sort();
    expect(statuses).toEqual([200, 409]);
    const winner = replies.find((reply) => reply.status === 200) as Reply<Policy>;
    const loser = replies.find((reply) => reply.status === 409) as Reply<Problem>;
    expectProblem(loser, 409);
    expect(loser.body.detail).toMatch(/changed or deleted since you read it/);
    expect(winner.headers.get("etag")).not.toBe(etag);
    const now = await server.request<Policy>("GET", "/api/policies/daily");
    expect(now.body.retention.default).toBe(winner.body.retention.default);
    expect(now.headers.get("etag")).toBe(winner.headers.get("etag"));
  });

  it("overwrites whatever is stored with If-Match: *", async () => {
    const reply = await server.request<Policy>("PUT", "/api/policies/daily", {
      body: DAILY,
      headers: { "if-match": "*" },
    });
    expect(reply.status).toBe(200);
    expect((await server.request<Policy>("GET", "/api/policies/daily")).body.retention.default).toBe("P7D");
  });

  it("names every invalid field with its path and writes nothing", async () => {
    const reply = await server.request<ValidationProblem>("PUT", "/api/policies/broken", {
      body: {
        schedule: ["every day at two"],
        retention: { rules: [{ criteria: "FirstOfWeek", duration: "P12W" }] },
      },
    });
    expectProblem(reply, 400);
    const fields = reply.body.errors.map((error: { field: string }) => error.field);
    expect(fields).toEqual(expect.arrayContaining(["schedule[0]", "retention.default"]));
    for (const error of reply.body.errors) expect(error.message).toEqual(expect.any(String));
    expect(reply.body.detail).toMatch(/policy "broken" is not valid/);
    expect((await server.request<Policy>("GET", "/api/policies/broken")).status).toBe(404);
  });

  it("names unknown keys and suggests the known one", async () => {
    const reply = await server.request<ValidationProblem>("PUT", "/api/policies/typo", {
      body: { ...weekly, name: "typo", retension: { default: "P7D" } },
    });
    expectProblem(reply, 400);
    expect(reply.body.errors).toContainEqual({
      field: "retension",
      message: expect.stringMatching(/unknown key "retension" \(did you mean "retention"\?\)/),
    });
  });

  it("refuses a body whose name differs from the path, naming the field", async () => {
    const reply = await server.request<ValidationProblem>("PUT", "/api/policies/daily", {
      body: { ...DAILY, name: "nightly" },
      headers: { "if-match": "*" },
    });
    expectProblem(reply, 400);
    expect(reply.body.errors).toEqual([
      { field: "name", message: expect.stringMatching(/must match the name in the path \("daily"\)/) },
    ]);
  });

  it("refuses names that are not DNS-1123, so nothing is written outside its prefix", async () => {
    for (const path of ["/api/policies/..%2Fescape", "/api/policies/a%2Fb", "/api/policies/Daily"]) {
      const reply = await server.request<FieldProblem>("PUT", path, {
        body: weekly,
        headers: { "if-match": "*" },
      });
      expectProblem(reply, 400);
      expect(reply.body.errors[0].field).toBe("name");
    }
    expectProblem(await server.request<Problem>("GET", "/api/policies/..%2F..%2Fconfig"), 400);
    expectProblem(await server.request<Problem>("GET", "/api/policies/a/b"), 404);
    const container = BlobServiceClient.fromConnectionString(
      inject("azuriteConnectionString"),
    ).getContainerClient(server.container);
    for await (const blob of container.listBlobsFlat()) {
      expect(blob.name).toMatch(
        /^(config\/(policies|instances|clusters)\/[a-z0-9-]+\.json|runtime\/|schedule\/)/,
      );
    }
  });

  it("checks an instance's policy and cluster exist, naming the field", async () => {
    const reply = await server.request<ValidationProblem>("PUT", "/api/backup-instances/dev-shop", {
      body: { cluster: "prod", policy: "dayly" },
    });
    expectProblem(reply, 400);
    expect(reply.body.errors).toEqual([
      {
        field: "policy",
        message: expect.stringMatching(/unknown policy "dayly" \(did you mean "daily"\?\)/),
      },
    ]);
  });

  it("refuses to delete a policy or cluster in use, naming the instances", async () => {
    const policy = await server.request<Problem>("DELETE", "/api/policies/daily");
    expectProblem(policy, 409);
    expect(policy.body.detail).toMatch(/policy "daily" is used by backup instance prod-shop/);
    const cluster = await server.request<Problem>("DELETE", "/api/clusters/prod");
    expectProblem(cluster, 409);
    expect(cluster.body.detail).toMatch(/cluster "prod" is used by backup instance prod-shop/);
  });

  it("deletes with a matching If-Match, refuses a stale one, and answers 404 after", async () => {
    const created = await server.request<Cluster>("PUT", "/api/clusters/dev", {
      body: { kubeconfig: "/nonexistent/dev" },
    });
    expect(created.status).toBe(201);
    const stale = await server.request<Problem>("DELETE", "/api/clusters/dev", {
      headers: { "if-match": '"0x0"' },
    });
    expectProblem(stale, 409);
    const deleted = await server.request("DELETE", "/api/clusters/dev", {
      headers: { "if-match": created.headers.get("etag") ?? "" },
    });
    expect(deleted.status).toBe(204);
    expectProblem(await server.request<Problem>("GET", "/api/clusters/dev"), 404);
    expectProblem(await server.request<Problem>("DELETE", "/api/clusters/dev"), 404);
  });

  it("stops protection only with data=retain or data=delete", async () => {
    const missing = await server.request<ValidationProblem>("DELETE", "/api/backup-instances/prod-shop");
    expectProblem(missing, 400);
    expect(missing.body.errors).toEqual([{ field: "data", message: expect.stringMatching(/is required/) }]);
    const wrong = await server.request<ValidationProblem>(
      "DELETE",
      "/api/backup-instances/prod-shop?data=keep",
    );
    expectProblem(wrong, 400);
    expect(wrong.body.errors).toEqual([{ field: "data", message: '"keep" is not one of retain, delete' }]);
    expectProblem(await server.request<Problem>("DELETE", "/api/backup-instances/nobody?data=retain"), 404);

    const stopped = await server.request<StopProtectionResult>(
      "DELETE",
      "/api/backup-instances/prod-shop?data=retain",
    );
    expect(stopped.status).toBe(200);
    expect(stopped.body).toMatchObject({ instance: "prod-shop", definitionDeleted: true, data: "retain" });
    expectProblem(await server.request<Problem>("GET", "/api/backup-instances/prod-shop"), 404);
    expect((await server.request("DELETE", "/api/policies/hourly")).status).toBe(204);
  });

  it("answers unknown routes with 404 and other methods with 405 and Allow", async () => {
    const unknown = await server.request<Problem>("GET", "/api/nothing-here");
    expectProblem(unknown, 404);
    const patch = await server.request<Problem>("PATCH", "/api/policies/daily", { body: {} });
    expectProblem(patch, 405);
    expect(patch.headers.get("allow")).toBe("GET, PUT, DELETE");
    const post = await server.request<Problem>("POST", "/api/policies");
    expectProblem(post, 405);
    expect(post.headers.get("allow")).toBe("GET");
  });

  it("refuses bodies that are not JSON objects, too large or of another type", async () => {
    const garbage = await server.request<Problem>("PUT", "/api/policies/x", { raw: "{not json" });
    expectProblem(garbage, 400);
    expect(garbage.body.detail).toMatch(/not valid JSON/);
    const list = await server.request<Problem>("PUT", "/api/policies/x", { body: [1, 2] });
    expectProblem(list, 400);
    expect(list.body.detail).toMatch(/must be a JSON object, got a list/);
    const huge = await server.request<Problem>("PUT", "/api/policies/x", {
      raw: JSON.stringify({ ...weekly, name: "x", padding: "a".repeat(1_100_000) }),
    });
    expectProblem(huge, 413);
    const yaml = await server.request<Problem>("PUT", "/api/policies/x", {
      raw: "name: x",
      headers: { "content-type": "application/yaml" },
    });
    expectProblem(yaml, 415);
  });

  it("reports health with storage reachable and the version, and no secret", async () => {
    const health = await server.request<Health>("GET", "/api/health");
    expect(health.status).toBe(200);
    // Every instance was deleted above; test/api/health-usage.test.ts covers instances' health.
    expect(health.body).toEqual({
      status: "Healthy",
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      mode: "normal",
      storage: { reachable: true, container: true },
      instances: [],
    });
    expect(health.text).not.toMatch(/AccountKey/i);
  });
});
