// Job notifications end to end: backupInstance and restore run through the local runtime (the real
// replay executor) against the simulator and Azurite, and publish through the real Event Grid SDK
// to the fake topic. One event per finished job; a topic that is down never changes the outcome; no
// topic means no notify activity at all.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import { EventType, type HistoryEvent } from "../../src/local/history.js";
import { captureRegistrations } from "../../src/local/registry.js";
import { LocalRuntime, MemoryInstanceStore } from "../../src/local/runtime.js";
import { restoreRequestSchema } from "../../src/model/restore-request.js";
import { eventIdOf } from "../../src/notifications/events.js";
import type { BackupOutput } from "../../src/orchestrations/backup-instance.js";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { registerAll } from "../../src/orchestrations/index.js";
import { NOTIFY_JOB } from "../../src/orchestrations/notify-job.js";
import { RESTORE, type RestoreOutput } from "../../src/orchestrations/restore.js";
import { type FakeEventGridTopic, startEventGridTopic } from "../../src/sim/eventgrid/topic.js";
import { kubectl, useSimulator } from "../helpers/sim.js";

const APP = `
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: shop}
data: {mode: prod}
`;

interface CloudEventBody {
  id: string;
  type: string;
  source: string;
  subject: string;
  time: string;
  data: Record<string, unknown>;
}

describe("job notifications", () => {
  const sim = useSimulator();
  let topic: FakeEventGridTopic;
  let dir: string;
  const container = `notify-${Date.now()}`;
  const retryDelays: number[] = [];
  const opened: Array<{ env: Environment; runtime: LocalRuntime; store: MemoryInstanceStore }> = [];

  /** An environment over the shared container, publishing to the fake topic unless `topic: false`. */
  async function engine(options: { topic: boolean }) {
    const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
    const env = createEnvironment({
      service,
      container,
      azure: { credential: new StaticTokenCredential(sim().token) },
      ...(options.topic
        ? {
            notifications: {
              topicEndpoint: topic.url,
              caCert: sim().tls.caCert,
              // The SDK's own retries, fast: the durable retries are what this file looks at.
              clientOptions: { retryOptions: { maxRetries: 1, retryDelayInMs: 5, maxRetryDelayInMs: 10 } },
            },
          }
        : {}),
    });
    const registry = await captureRegistrations(() => registerAll(async () => env));
    // Instance state in memory, to read a finished instance's whole history.
    const store = new MemoryInstanceStore();
    const runtime = new LocalRuntime(registry, {
      store,
      delay: async (ms) => {
        retryDelays.push(ms);
      },
    });
    const engine = { env, runtime, store };
    opened.push(engine);
    return engine;
  }

  let notifying: Awaited<ReturnType<typeof engine>>;
  let silent: Awaited<ReturnType<typeof engine>>;

  beforeAll(async () => {
    const created = await kubectl(sim(), ["create", "-f", "-"], APP);
    expect(created.stderr).toBe("");
    topic = await startEventGridTopic({ tls: sim().tls, token: sim().token });
    dir = await mkdtemp(join(tmpdir(), "job-events-"));
    const kubeconfig = join(dir, "kubeconfig");
    await writeFile(kubeconfig, sim().kubeconfig);
    const unreachable = join(dir, "unreachable");
    await writeFile(unreachable, sim().kubeconfig.replace(sim().kube.url, "https://127.0.0.1:9"));

    notifying = await engine({ topic: true });
    silent = await engine({ topic: false });
    const { definitions } = notifying.env;
    await definitions.ensureContainer();
    await definitions.put("cluster", { name: "sim", kubeconfig });
    await definitions.put("cluster", { name: "gone", kubeconfig: unreachable });
    await definitions.put("policy", {
      name: "daily",
      schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
      retention: { default: "P7D" },
    });
    await definitions.put("instance", {
      name: "shop",
      cluster: "sim",
      policy: "daily",
      includedNamespaces: ["shop"],
    });
    await definitions.put("instance", { name: "lost", cluster: "gone", policy: "daily" });
  });

  afterEach(() => {
    topic.faults.clear();
    vi.restoreAllMocks();
  });

  afterAll(async () => {
    for (const { env, runtime } of opened) {
      await runtime.close();
      await env.close();
    }
    await topic?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function run(
    { runtime, store }: { runtime: LocalRuntime; store: MemoryInstanceStore },
    name: string,
    input: unknown,
    instanceId?: string,
  ) {
    const id = await runtime.startNew(name, { input, ...(instanceId ? { instanceId } : {}) });
    const status = await runtime.waitForCompletion(id, { timeoutMs: 25_000 });
    const history = [...((await store.load(id))?.history ?? [])];
    expect(history.length).toBeGreaterThan(0);
    return { id, status, history };
  }

  const scheduled = (history: HistoryEvent[], name: string) =>
    history.filter((event) => event.EventType === EventType.TaskScheduled && event.Name === name);

  const eventsOf = (jobId: string) =>
    (topic.events as unknown as CloudEventBody[]).filter((event) => event.data.jobId === jobId);

  it("publishes one BackupCompleted event for a successful backup, with the job's data", async () => {
    const { id, status, history } = await run(notifying, "backupInstance", {
      instance: "shop",
      trigger: "OnDemand",
    });
    const output = status.output as BackupOutput;
    expect(output.status).toBe("Succeeded");
    expect(scheduled(history, NOTIFY_JOB)).toHaveLength(1);

    const events = eventsOf(id);
    expect(events).toHaveLength(1);
    const [event] = events as [CloudEventBody];
    expect(event).toMatchObject({
      id: eventIdOf(id),
      type: "AksBackup.BackupCompleted",
      source: "aks-backup",
      subject: "backup-instances/shop",
    });
    expect(event.data).toEqual({
      jobId: id,
      jobType: "Backup",
      instance: "shop",
      cluster: "sim",
      policy: "daily",
      trigger: "OnDemand",
      recoveryPointId: output.recoveryPointId,
      status: "Succeeded",
      startTime: expect.any(String),
      endTime: event.time,
      durationSeconds: expect.any(Number),
      counts: {
        items: output.totalItems,
        volumesSnapshotted: 0,
        volumesFailed: 0,
        warnings: output.warnings,
        errors: 0,
      },
      errors: [],
    });
    expect(Date.parse(event.data.startTime as string)).toBeLessThanOrEqual(Date.parse(event.time));
    expect(output.totalItems).toBeGreaterThan(0);
    // The output is the same as without a topic: nothing about the notification leaks into it.
    expect(Object.keys(output).sort()).toEqual(
      ["errors", "recoveryPointId", "retention", "status", "totalItems", "volumes", "warnings"].sort(),
    );
  });

  it("publishes one BackupFailed event, with the reason, when the cluster is unreachable", async () => {
    const { id, status } = await run(notifying, "backupInstance", { instance: "lost", trigger: "OnDemand" });
    const output = status.output as BackupOutput;
    expect(output.status).toBe("Failed");

    const events = eventsOf(id);
    expect(events).toHaveLength(1);
    const [event] = events as [CloudEventBody];
    expect(event.type).toBe("AksBackup.BackupFailed");
    expect(event.subject).toBe("backup-instances/lost");
    expect(event.data).toMatchObject({
      jobId: id,
      instance: "lost",
      cluster: "gone",
      policy: "daily",
      status: "Failed",
      reason: output.reason,
      recoveryPointId: output.recoveryPointId,
    });
    expect(output.reason).toBeTruthy();
    expect((event.data.errors as string[]).length).toBeGreaterThan(0);
  });

  it("publishes BackupFailed for an instance that does not exist, without cluster or policy", async () => {
    const { id, status } = await run(notifying, "backupInstance", { instance: "nope", trigger: "OnDemand" });
    const output = status.output as BackupOutput;
    expect(output).toMatchObject({ status: "Failed", reason: 'backup instance "nope" does not exist' });
    const events = eventsOf(id);
    expect(events).toHaveLength(1);
    expect(events[0]?.type).toBe("AksBackup.BackupFailed");
    expect(events[0]?.data).not.toHaveProperty("cluster");
    expect(events[0]?.data).not.toHaveProperty("recoveryPointId");
    expect(events[0]?.data).toMatchObject({ reason: output.reason, errors: [output.reason] });
  });

  it("keeps a Succeeded backup Succeeded when the topic answers 503 to every attempt, and logs why", async () => {
    topic.faults.failAlways(503);
    // The local runtime's orchestration context writes its log (warnings included) with console.log.
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    retryDelays.length = 0;
    const before = topic.events.length;
    const { id, status, history } = await run(notifying, "backupInstance", {
      instance: "shop",
      trigger: "OnDemand",
    });
    expect(status.runtimeStatus).toBe("Completed");
    expect((status.output as BackupOutput).status).toBe("Succeeded");
    expect(topic.events.length).toBe(before);
    // Three attempts of the activity, each with the SDK's own retry; durable-functions waits after
    // every failed attempt, the last one included (5 s, 10 s, 20 s).
    expect(scheduled(history, NOTIFY_JOB)).toHaveLength(3);
    expect(retryDelays.map((ms) => Math.round(ms / 1000))).toEqual([5, 10, 20]);
    expect(topic.requests.filter((r) => r.fault).length).toBeGreaterThanOrEqual(6);
    const lines = log.mock.calls.map((call) => call.join(" "));
    const logged = lines.filter((line) => line.includes(`backup ${id}: notification not published`));
    expect(logged).toHaveLength(1); // once, not again on every replay
    expect(logged[0]).toContain("503");
    expect(logged[0]).toContain(topic.url);
    expect(lines.join("\n")).not.toContain(sim().token);
  });

  it("schedules no notify activity and adds no history event when no topic is configured", async () => {
    const before = topic.requests.length;
    const quiet = await run(silent, "backupInstance", { instance: "shop", trigger: "OnDemand" });
    expect((quiet.status.output as BackupOutput).status).toBe("Succeeded");
    expect(scheduled(quiet.history, NOTIFY_JOB)).toHaveLength(0);
    expect(topic.requests.length).toBe(before);

    // The same backup with a topic differs by exactly the notify step: its scheduling, its
    // completion and the episode that handles it.
    const loud = await run(notifying, "backupInstance", { instance: "shop", trigger: "OnDemand" });
    const types = (history: HistoryEvent[]) => history.map((event) => event.EventType);
    const extra = types(loud.history).length - types(quiet.history).length;
    expect(extra).toBe(4);
    expect(scheduled(loud.history, NOTIFY_JOB)).toHaveLength(1);
  });

  it("publishes nothing for a backup skipped because another one holds the instance", async () => {
    const { JobLocks } = await import("../../src/store/job-locks.js");
    const locks = new JobLocks(notifying.env.catalog.container);
    await locks.acquire("shop", { holder: "someone-else", recoveryPointId: "shop-20260301-000000-0000" });
    try {
      const { id, status, history } = await run(notifying, "backupInstance", {
        instance: "shop",
        trigger: "OnDemand",
      });
      expect((status.output as BackupOutput).status).toBe("Skipped");
      expect(scheduled(history, NOTIFY_JOB)).toHaveLength(0);
      expect(eventsOf(id)).toHaveLength(0);
    } finally {
      await locks.release("shop", "someone-else");
    }
  });

  it("publishes RestoreCompleted for a restore and RestoreFailed for a recovery point that does not exist", async () => {
    const backup = await run(notifying, "backupInstance", { instance: "shop", trigger: "OnDemand" });
    const recoveryPointId = (backup.status.output as BackupOutput).recoveryPointId ?? "";

    const restoreId = `restore:${recoveryPointId}:notify`;
    const request = restoreRequestSchema.parse({ recoveryPointId, namespaceMappings: { shop: "shop-copy" } });
    const restored = await run(
      notifying,
      RESTORE,
      { restoreId, instance: "shop", targetCluster: "sim", request },
      restoreId,
    );
    const output = restored.status.output as RestoreOutput;
    expect(output.status).toBe("Succeeded");
    expect(output).not.toHaveProperty("notify");
    const [event] = eventsOf(restoreId) as [CloudEventBody];
    expect(eventsOf(restoreId)).toHaveLength(1);
    expect(event).toMatchObject({
      id: eventIdOf(restoreId),
      type: "AksBackup.RestoreCompleted",
      subject: `restores/${restoreId}`,
    });
    expect(event.data).toMatchObject({
      jobId: restoreId,
      jobType: "Restore",
      instance: "shop",
      recoveryPointId,
      targetCluster: "sim",
      dryRun: false,
      status: "Succeeded",
      counts: {
        items: output.counts.total,
        created: output.counts.created,
        failed: 0,
      },
      errors: [],
    });
    expect(output.counts.created).toBeGreaterThan(0);

    const missing = "shop-20200101-000000-0000";
    const failedId = `restore:${missing}:notify`;
    const failed = await run(
      notifying,
      RESTORE,
      {
        restoreId: failedId,
        instance: "shop",
        targetCluster: "sim",
        request: restoreRequestSchema.parse({ recoveryPointId: missing }),
      },
      failedId,
    );
    const failedOutput = failed.status.output as RestoreOutput;
    expect(failedOutput.status).toBe("Failed");
    const [failure] = eventsOf(failedId) as [CloudEventBody];
    expect(failure.type).toBe("AksBackup.RestoreFailed");
    expect(failure.data).toMatchObject({ status: "Failed", reason: failedOutput.reason });
    expect(failure.data.errors).toContain(failedOutput.reason);
  });

  it("restores without a topic exactly as before: no notify activity", async () => {
    const backup = await run(silent, "backupInstance", { instance: "shop", trigger: "OnDemand" });
    const recoveryPointId = (backup.status.output as BackupOutput).recoveryPointId ?? "";
    const restoreId = `restore:${recoveryPointId}:quiet`;
    const request = restoreRequestSchema.parse({ recoveryPointId, dryRun: true });
    const { status, history } = await run(
      silent,
      RESTORE,
      { restoreId, instance: "shop", targetCluster: "sim", request },
      restoreId,
    );
    expect((status.output as RestoreOutput).status).toBe("Succeeded");
    expect(scheduled(history, NOTIFY_JOB)).toHaveLength(0);
    expect(eventsOf(restoreId)).toHaveLength(0);
  });
});
