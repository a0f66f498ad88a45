// A restore as an API user runs it against a simulated cluster: back up a namespace, POST a restore
// into a mapped namespace, follow the 202's status URL, read the restore with its result, find the
// job; and the requests refused before anything starts (bad fields, unknown or unfinished recovery
// points, a target that is not registered).
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { eventually } from "../helpers/eventually.js";
import { kubectl, useSimulator } from "../helpers/sim.js";
import { DAILY, startSimTestServer, type TestServer } from "./harness.js";
import type {
  Accepted,
  CompletedBackup,
  CompletedRestoreJob,
  DurableStatus,
  Job,
  List,
  Problem,
  RestoreOutput,
  ValidationProblem,
} from "./shapes.js";

describe("restores through the API", () => {
  const sim = useSimulator();
  let server: TestServer;
  let pointId: string;

  async function finished<Output>(statusUri: string): Promise<DurableStatus<Output>> {
    return eventually(
      async () => {
        const response = await fetch(statusUri);
        return response.status === 200 ? ((await response.json()) as DurableStatus<Output>) : undefined;
      },
      "the orchestration to finish",
      20_000,
    );
  }

  async function restoreJobs(): Promise<string[]> {
    const jobs = await server.request<List<Job>>("GET", "/api/jobs?type=Restore");
    return jobs.body.value.map((job: { id: string }) => job.id);
  }

  beforeAll(async () => {
    server = await startSimTestServer(sim());
    await kubectl(sim(), ["create", "namespace", "shop"]);
    await kubectl(sim(), ["create", "configmap", "settings", "-n", "shop", "--from-literal=mode=prod"]);
    await kubectl(sim(), [
      "create",
      "secret",
      "generic",
      "db",
      "-n",
      "shop",
      "--from-literal=password=s3cret",
    ]);
    expect((await server.request("PUT", "/api/policies/daily", { body: DAILY })).status).toBe(201);
    const instance = await server.request("PUT", "/api/backup-instances/shop", {
      body: { cluster: "sim", policy: "daily", includedNamespaces: ["shop"], snapshotVolumes: false },
    });
    expect(instance.status).toBe(201);
    const backup = await server.request<Accepted>("POST", "/api/backup-instances/shop/backup");
    const done = await finished<CompletedBackup>(backup.body.statusQueryGetUri);
    expect(done.output.status).toBe("Succeeded");
    pointId = done.output.recoveryPointId;
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers 202 with the status URLs, restores into a mapped namespace and reports every item", async () => {
    const started = await server.request<Accepted>("POST", "/api/restores", {
      body: { recoveryPointId: pointId, namespaceMappings: { shop: "shop-copy" } },
    });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({
      id: expect.stringMatching(new RegExp(`^restore:${pointId}:\\d{8}T\\d{9}Z-[0-9a-f]{4}$`)),
      statusQueryGetUri: expect.stringContaining("/runtime/webhooks/durabletask/instances/restore:"),
      sendEventPostUri: expect.stringContaining("/raiseEvent/{eventName}"),
      terminatePostUri: expect.stringContaining("/terminate?reason={text}"),
      purgeHistoryDeleteUri: expect.any(String),
    });
    expect(started.headers.get("location")).toBe(started.body.statusQueryGetUri);

    const done = await finished<RestoreOutput>(started.body.statusQueryGetUri);
    expect(done).toMatchObject({
      name: "restore",
      runtimeStatus: "Completed",
      customStatus: { phase: "done", recoveryPointId: pointId },
      output: { status: "Succeeded", recoveryPointId: pointId, targetCluster: "sim", dryRun: false },
    });

    const restore = await server.request<CompletedRestoreJob>(
      "GET",
      `/api/restores/${encodeURIComponent(started.body.id)}`,
    );
    expect(restore.status).toBe(200);
    expect(restore.body).toMatchObject({
      id: started.body.id,
      type: "Restore",
      instance: "shop",
      status: "Succeeded",
      targetCluster: "sim",
      request: { recoveryPointId: pointId, namespaceMappings: { shop: "shop-copy" }, conflictPolicy: "Skip" },
      result: { status: "Succeeded", counts: { failed: 0 } },
    });
    const items = restore.body.result.items.map(
      (item: { kind: string; namespace?: string; name: string; outcome: string }) =>
        `${item.kind} ${item.namespace ?? ""}/${item.name}: ${item.outcome}`,
    );
    expect(items).toEqual(
      expect.arrayContaining([
        "Namespace /shop-copy: created",
        "ConfigMap shop-copy/settings: created",
        "Secret shop-copy/db: created",
      ]),
    );
    const copied = await kubectl(sim(), ["get", "configmap", "settings", "-n", "shop-copy", "-o", "json"]);
    expect((JSON.parse(copied.stdout) as { data?: Record<string, string> }).data).toEqual({ mode: "prod" });

    const jobs = await server.request<List<Job>>("GET", "/api/jobs?type=Restore&instance=shop");
    expect(jobs.body.value).toEqual([
      expect.objectContaining({
        id: started.body.id,
        type: "Restore",
        status: "Succeeded",
        recoveryPointId: pointId,
      }),
    ]);
  });

  it("refuses bad requests with the fields named, and starts nothing", async () => {
    const before = await restoreJobs();
    const bad = await server.request<ValidationProblem>("POST", "/api/restores", {
      body: {
        recoveryPointId: pointId,
        conflictPolicy: "Overwrite",
        namespaceMappings: { shop: "Shop_Copy" },
        targetCluster: "https://evil.example.com",
        when: "now",
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual([
      "conflictPolicy",
      "namespaceMappings.shop",
      "targetCluster",
      "when",
    ]);
    const missing = await server.request<ValidationProblem>("POST", "/api/restores", { body: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: "recoveryPointId" })]);

    const unknown = await server.request<Problem>("POST", "/api/restores", {
      body: { recoveryPointId: "shop-20200101-000000-abcd" },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.detail).toContain("recovery point shop-20200101-000000-abcd does not exist");
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: "recoveryPointId" })]);

    const target = await server.request<ValidationProblem>("POST", "/api/restores", {
      body: { recoveryPointId: pointId, targetCluster: "staging" },
    });
    expect(target.status).toBe(400);
    expect(target.body.errors).toEqual([
      { field: "targetCluster", message: expect.stringContaining('unknown cluster "staging"') },
    ]);

    // A backup still writing: blobs but no manifest.
    const container = BlobServiceClient.fromConnectionString(
      inject("azuriteConnectionString"),
    ).getContainerClient(server.container);
    const unfinished = "shop-20200101-000000-0001";
    await container.getBlockBlobClient(`shop/${unfinished}/resources.tar.gz`).upload("x", 1);
    const writing = await server.request<Problem>("POST", "/api/restores", {
      body: { recoveryPointId: unfinished },
    });
    expect(writing.status).toBe(409);
    expect(writing.body.detail).toContain("is still being written");

    expect(await restoreJobs()).toEqual(before);
    expect((await server.request("GET", "/api/restores/restore:nothing:here")).status).toBe(404);
    expect((await server.request("GET", "/api/restores/backup:shop:x")).status).toBe(404);
  });
});

describe("restoring onto a namespace another instance protects", () => {
  const sim = useSimulator();
  let server: TestServer;

  beforeAll(async () => {
    server = await startSimTestServer(sim());
    await kubectl(sim(), ["create", "namespace", "shop"]);
    await kubectl(sim(), ["create", "namespace", "billing"]);
    expect((await server.request("PUT", "/api/policies/daily", { body: DAILY })).status).toBe(201);
    for (const name of ["shop", "billing"]) {
      const put = await server.request("PUT", `/api/backup-instances/${name}`, {
        body: { cluster: "sim", policy: "daily", includedNamespaces: [name], snapshotVolumes: false },
      });
      expect(put.status).toBe(201);
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  it("refuses Skip with 409 naming the mapping, and accepts Patch or a new namespace", async () => {
    const backup = await server.request<Accepted>("POST", "/api/backup-instances/shop/backup");
    const done = await eventually(
      async () => {
        const response = await fetch(backup.body.statusQueryGetUri);
        return response.status === 200
          ? ((await response.json()) as DurableStatus<CompletedBackup>)
          : undefined;
      },
      "the backup",
      20_000,
    );
    const recoveryPointId = done.output.recoveryPointId;

    const refused = await server.request<ValidationProblem>("POST", "/api/restores", {
      body: { recoveryPointId, namespaceMappings: { shop: "billing" } },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.errors).toEqual([
      {
        field: "namespaceMappings.shop",
        message: expect.stringContaining("protected by backup instance billing"),
      },
    ]);

    const merged = await server.request("POST", "/api/restores", {
      body: {
        recoveryPointId,
        namespaceMappings: { shop: "billing" },
        conflictPolicy: "Patch",
        dryRun: true,
      },
    });
    expect(merged.status).toBe(202);
    const fresh = await server.request("POST", "/api/restores", {
      body: { recoveryPointId, namespaceMappings: { shop: "billing-copy" }, dryRun: true },
    });
    expect(fresh.status).toBe(202);
  });
});
