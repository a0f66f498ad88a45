// GET /api/jobs with a time window and a count, as the backup center asks for it: with months of
// schedule ticks behind it, the page still gets only the newest jobs.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/eventually.js";
import { CLUSTER, DAILY, INSTANCE, startTestServer, type TestServer } from "./harness.js";
import type { Job, List, ValidationProblem } from "./shapes.js";

let server: TestServer;
let backups: Job[];

beforeAll(async () => {
  server = await startTestServer({ clusters: [CLUSTER], policies: [DAILY], instances: [INSTANCE] });
  // Three on-demand backups, one after the other (the cluster's kubeconfig does not exist, so each
  // fails at once): three jobs with distinct creation times.
  for (let i = 0; i < 3; i++) {
    const started = await server.request("POST", `/api/backup-instances/${INSTANCE.name}/backup`);
    expect(started.status).toBe(202);
    await eventually(
      async () => {
        const reply = await server.request<List<Job>>("GET", "/api/jobs?type=Backup");
        return reply.body.value.length === i + 1 && reply.body.value.every((j) => j.status !== "InProgress")
          ? true
          : undefined;
      },
      `backup ${i + 1} to finish`,
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  backups = (await server.request<List<Job>>("GET", "/api/jobs?type=Backup")).body.value;
});
afterAll(async () => {
  await server?.close();
});

describe("GET /api/jobs?createdFrom=&top=", () => {
  it("returns only the newest `top` jobs, newest first", async () => {
    expect(backups).toHaveLength(3);
    const two = await server.request<List<Job>>("GET", "/api/jobs?type=Backup&top=2");
    expect(two.status).toBe(200);
    expect(two.body.value.map((j) => j.id)).toEqual(backups.slice(0, 2).map((j) => j.id));
  });

  it("leaves out jobs created before createdFrom", async () => {
    const middle = backups[1] as Job;
    const since = await server.request<List<Job>>(
      "GET",
      `/api/jobs?type=Backup&createdFrom=${encodeURIComponent(middle.createdTime)}`,
    );
    expect(since.body.value.map((j) => j.id)).toEqual(backups.slice(0, 2).map((j) => j.id));
    const future = await server.request<List<Job>>("GET", "/api/jobs?createdFrom=2999-01-01T00:00:00Z");
    expect(future.body.value).toEqual([]);
  });

  it("names a createdFrom that is not a date-time and a top out of range", async () => {
    const reply = await server.request<ValidationProblem>("GET", "/api/jobs?createdFrom=yesterday&top=0");
    expect(reply.status).toBe(400);
    expect(reply.body.errors).toEqual([
      {
        field: "createdFrom",
        message: '"yesterday" is not a UTC or offset date-time such as 2026-11-25T00:00:00Z',
      },
      { field: "top", message: '"0" is not a whole number from 1 to 1000' },
    ]);
    const big = await server.request<ValidationProblem>("GET", "/api/jobs?top=5000");
    expect(big.body.errors).toEqual([
      { field: "top", message: '"5000" is not a whole number from 1 to 1000' },
    ]);
  });
});
