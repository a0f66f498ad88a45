// An on-demand backup as an API user runs it against a simulated cluster: define the policy and
// instance, POST a backup, follow the 202's status URL until the orchestration completes, then find
// the recovery point and the job.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually } from "../helpers/eventually.js";
import { kubectl, useSimulator } from "../helpers/sim.js";
import { DAILY, startSimTestServer, type TestServer } from "./harness.js";
import type {
  Accepted,
  CompletedBackup,
  DurableStatus,
  Job,
  List,
  Problem,
  RecoveryPointManifest,
  ValidationProblem,
} from "./shapes.js";

describe("on-demand backup through the API", () => {
  const sim = useSimulator();
  let server: TestServer;

  beforeAll(async () => {
    server = await startSimTestServer(sim());
    await kubectl(sim(), ["create", "namespace", "shop"]);
    await kubectl(sim(), ["create", "configmap", "settings", "-n", "shop", "--from-literal=mode=prod"]);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers 202 with the status URLs, runs the backup and lists its recovery point", async () => {
    expect((await server.request("PUT", "/api/policies/daily", { body: DAILY })).status).toBe(201);
    const instance = await server.request("PUT", "/api/backup-instances/shop", {
      body: { cluster: "sim", policy: "daily", includedNamespaces: ["shop"], snapshotVolumes: false },
    });
    expect(instance.status).toBe(201);

    const started = await server.request<Accepted>("POST", "/api/backup-instances/shop/backup", {
      body: { retention: "P30D" },
    });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({
      id: expect.stringMatching(/^backup:shop:ondemand:\d{8}T\d{9}Z-[0-9a-f]{4}$/),
      statusQueryGetUri: expect.stringContaining(
        "/runtime/webhooks/durabletask/instances/backup:shop:ondemand:",
      ),
      sendEventPostUri: expect.stringContaining("/raiseEvent/{eventName}"),
      terminatePostUri: expect.stringContaining("/terminate?reason={text}"),
      purgeHistoryDeleteUri: expect.any(String),
    });
    expect(started.headers.get("location")).toBe(started.body.statusQueryGetUri);
    expect(started.body.statusQueryGetUri.startsWith(server.url)).toBe(true);

    const seen: number[] = [];
    const done = await eventually(
      async () => {
        const response = await fetch(started.body.statusQueryGetUri);
        seen.push(response.status);
        return response.status === 200
          ? ((await response.json()) as DurableStatus<CompletedBackup>)
          : undefined;
      },
      "the backup to complete",
      20_000,
    );
    expect(seen.every((status) => status === 202 || status === 200)).toBe(true);
    expect(done).toMatchObject({
      name: "backupInstance",
      instanceId: started.body.id,
      runtimeStatus: "Completed",
      input: { instance: "shop", trigger: "OnDemand", retention: "P30D" },
      output: {
        status: "Succeeded",
        recoveryPointId: expect.stringMatching(/^shop-\d{8}-\d{6}-[0-9a-f]{4}$/),
      },
    });
    const pointId = done.output.recoveryPointId as string;

    const points = await server.request<List<RecoveryPointManifest>>(
      "GET",
      "/api/backup-instances/shop/recovery-points",
    );
    expect(points.status).toBe(200);
    expect(points.body.value.map((point: { id: string }) => point.id)).toEqual([pointId]);
    const manifest = await server.request<RecoveryPointManifest>("GET", `/api/recovery-points/${pointId}`);
    expect(manifest.status).toBe(200);
    expect(manifest.body).toMatchObject({
      id: pointId,
      instance: "shop",
      trigger: "OnDemand",
      retention: "P30D",
      status: "Succeeded",
    });
    expect(manifest.body.itemCounts["v1/ConfigMap"]).toBe(2);

    const jobs = await server.request<List<Job>>("GET", "/api/jobs?type=Backup&instance=shop");
    expect(jobs.body.value).toEqual([
      expect.objectContaining({
        id: started.body.id,
        type: "Backup",
        instance: "shop",
        runtimeStatus: "Completed",
        status: "Succeeded",
        recoveryPointId: pointId,
      }),
    ]);
  });

  it("validates the backup body and refuses unknown instances", async () => {
    const bad = await server.request<ValidationProblem>("POST", "/api/backup-instances/shop/backup", {
      body: { retention: "30 days", when: "now" },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      "retention",
      "when",
    ]);
    const unknown = await server.request<Problem>("POST", "/api/backup-instances/nobody/backup");
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toBe('backup instance "nobody" does not exist');
    expect((await server.request("GET", "/api/recovery-points/not-an-id")).status).toBe(404);
    expect((await server.request("GET", "/api/recovery-points/shop-20260101-020000-abcd")).status).toBe(404);
    expect((await server.request("GET", "/api/backup-instances/nobody/recovery-points")).status).toBe(404);
  });
});
