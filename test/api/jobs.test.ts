// Jobs and the local durable status endpoint through `serve`: the schedule timer's first tick is a
// job, filters are validated with the allowed values, and the status URL answers like the host's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/eventually.js";
import { CLUSTER, DAILY, startTestServer, type TestServer } from "./harness.js";
import type { DurableStatus, Job, JobDetail, List, Problem, ValidationProblem } from "./shapes.js";

let server: TestServer;

beforeAll(async () => {
  // The scheduler starts a tick at once; with no instance due it completes quickly.
  server = await startTestServer({ clusters: [CLUSTER], policies: [DAILY] }, { scheduler: true });
});
afterAll(async () => {
  await server?.close();
});

async function completedTick() {
  return eventually(
    async () => {
      const reply = await server.request<List<Job>>("GET", "/api/jobs?type=Schedule&status=Succeeded");
      return reply.body.value.length > 0 ? reply.body.value[0] : undefined;
    },
    "the first schedule tick to complete",
    10_000,
  );
}

describe("jobs API", () => {
  it("lists the schedule tick as a job with its outcome", async () => {
    const job = await completedTick();
    expect(job).toMatchObject({
      id: expect.stringMatching(/^scheduledBackups:/),
      type: "Schedule",
      runtimeStatus: "Completed",
      status: "Succeeded",
      createdTime: expect.any(String),
      lastUpdatedTime: expect.any(String),
    });
    const all = await server.request<List<Job>>("GET", "/api/jobs");
    expect(all.status).toBe(200);
    expect(all.body.value.map((j: { id: string }) => j.id)).toContain(job.id);
    const none = await server.request<List<Job>>("GET", "/api/jobs?type=Backup");
    expect(none.body.value).toEqual([]);
    const other = await server.request<List<Job>>("GET", "/api/jobs?instance=prod-shop");
    expect(other.body.value).toEqual([]);
  });

  it("reads one job with its input and output, and 404 for an unknown id", async () => {
    const job = await completedTick();
    const one = await server.request<JobDetail>("GET", `/api/jobs/${encodeURIComponent(job.id)}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: job.id, type: "Schedule", status: "Succeeded" });
    expect(one.body.output).toMatchObject({ tick: expect.any(String), instances: [] });
    const unknown = await server.request<Problem>("GET", "/api/jobs/backup:nobody:ondemand:1");
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("content-type")).toBe("application/problem+json");
    expect(unknown.body.detail).toBe('job "backup:nobody:ondemand:1" does not exist');
  });

  it("refuses unknown filters, naming each parameter and the allowed values", async () => {
    const reply = await server.request<ValidationProblem>(
      "GET",
      "/api/jobs?type=Backups&status=Done&instance=Prod_Shop&sort=asc",
    );
    expect(reply.status).toBe(400);
    expect(reply.headers.get("content-type")).toBe("application/problem+json");
    expect(reply.body).toMatchObject({ type: "about:blank", title: "Bad Request", status: 400 });
    expect(reply.body.errors).toEqual([
      { field: "type", message: '"Backups" is not one of Backup, Restore, Retention, Schedule' },
      {
        field: "status",
        message: '"Done" is not one of InProgress, Succeeded, PartiallySucceeded, Failed, Skipped, Cancelled',
      },
      { field: "instance", message: expect.stringMatching(/"Prod_Shop" must be a DNS-1123 label/) },
      { field: "sort", message: "is not a filter of jobs; use type, status, instance, createdFrom or top" },
    ]);
  });

  it("serves the durable status of an instance at the URL the 202 payload names", async () => {
    const job = await completedTick();
    const status = await server.request<DurableStatus>(
      "GET",
      `/runtime/webhooks/durabletask/instances/${job.id}`,
    );
    expect(status.status).toBe(200);
    expect(status.body).toEqual({
      name: "scheduledBackups",
      instanceId: job.id,
      runtimeStatus: "Completed",
      input: { tick: expect.any(String) },
      customStatus: expect.anything(),
      output: expect.objectContaining({ instances: [] }),
      createdTime: job.createdTime,
      lastUpdatedTime: expect.any(String),
    });
    const unknown = await server.request("GET", "/runtime/webhooks/durabletask/instances/nothing");
    expect(unknown.status).toBe(404);
    const terminate = await server.request<Problem>(
      "POST",
      `/runtime/webhooks/durabletask/instances/${job.id}/terminate`,
    );
    expect(terminate.status).toBe(501);
    expect(terminate.body.detail).toMatch(/not available from the local runtime/);
  });
});
