// The job notifier through the real @azure/eventgrid client, over HTTPS with the simulator's CA, to
// the fake Event Grid topic: both input schemas, the token it signs in with, and what a refusal says.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import {
  type BackupEventInput,
  backupEvent,
  eventIdOf,
  JOB_EVENT_TYPES,
  type JobEvent,
} from "../../src/notifications/events.js";
import {
  createJobNotifier,
  NotificationError,
  type NotifierOptions,
  normalisedTopicEndpoint,
} from "../../src/notifications/notifier.js";
import { type FakeEventGridTopic, startEventGridTopic } from "../../src/sim/eventgrid/topic.js";
import { createTlsMaterial, type TlsMaterial } from "../../src/sim/tls.js";

const TOKEN = "eventgrid-test-token-5d1f";

// The SDK's own retries, fast: the fake's faults are counted, not waited for.
const FAST = { retryOptions: { maxRetries: 2, retryDelayInMs: 5, maxRetryDelayInMs: 10 } };

const BACKUP: BackupEventInput = {
  jobId: "backup:shop:2026-03-01T02:00:00.000Z",
  instance: "shop",
  cluster: "prod",
  policy: "daily",
  trigger: "Scheduled",
  slot: "2026-03-01T02:00:00.000Z",
  recoveryPointId: "shop-20260301-020000-1a2b",
  status: "PartiallySucceeded",
  startTime: "2026-03-01T02:00:01.000Z",
  endTime: "2026-03-01T02:03:31.400Z",
  counts: { items: 42, volumesSnapshotted: 1, volumesFailed: 1, warnings: 2, errors: 1 },
  errors: ["snapshot of shop/logs failed: disk not found"],
};

function sampleEvent(jobId = BACKUP.jobId): JobEvent {
  return backupEvent({ ...BACKUP, jobId });
}

describe("job notifier", () => {
  let tls: TlsMaterial;
  let cloudTopic: FakeEventGridTopic;
  let gridTopic: FakeEventGridTopic;

  const notifier = (topic: FakeEventGridTopic, overrides: Partial<NotifierOptions> = {}) =>
    createJobNotifier({
      topicEndpoint: topic.url,
      schema: topic.inputSchema === "EventGridSchema" ? "EventGrid" : "CloudEvent",
      credential: new StaticTokenCredential(TOKEN),
      caCert: tls.caCert,
      clientOptions: FAST,
      ...overrides,
    });

  beforeAll(async () => {
    tls = await createTlsMaterial();
    cloudTopic = await startEventGridTopic({ tls, token: TOKEN });
    gridTopic = await startEventGridTopic({ tls, token: TOKEN, inputSchema: "EventGridSchema" });
  });

  afterAll(async () => {
    await cloudTopic?.close();
    await gridTopic?.close();
  });

  it("publishes a CloudEvents 1.0 event with a deterministic id, the subject and the job's data", async () => {
    const event = sampleEvent();
    await notifier(cloudTopic).publish(event);

    expect(cloudTopic.requests.at(-1)).toMatchObject({
      method: "POST",
      status: 200,
      contentType: "application/cloudevents-batch+json; charset=utf-8",
    });
    expect(cloudTopic.events.at(-1)).toEqual({
      specversion: "1.0",
      id: eventIdOf("backup:shop:2026-03-01T02:00:00.000Z"),
      type: "AksBackup.BackupCompleted",
      source: "aks-backup",
      subject: "backup-instances/shop",
      time: "2026-03-01T02:03:31.400Z",
      datacontenttype: "application/json",
      data: {
        jobId: "backup:shop:2026-03-01T02:00:00.000Z",
        jobType: "Backup",
        instance: "shop",
        cluster: "prod",
        policy: "daily",
        trigger: "Scheduled",
        slot: "2026-03-01T02:00:00.000Z",
        recoveryPointId: "shop-20260301-020000-1a2b",
        status: "PartiallySucceeded",
        startTime: "2026-03-01T02:00:01.000Z",
        endTime: "2026-03-01T02:03:31.400Z",
        durationSeconds: 210,
        counts: { items: 42, volumesSnapshotted: 1, volumesFailed: 1, warnings: 2, errors: 1 },
        errors: ["snapshot of shop/logs failed: disk not found"],
      },
    });
  });

  it("publishes in the Event Grid schema to a topic created with it", async () => {
    const event = sampleEvent("backup:shop:on-demand-1");
    await notifier(gridTopic).publish(event);
    expect(gridTopic.requests.at(-1)).toMatchObject({ status: 200, contentType: "application/json" });
    expect(gridTopic.events.at(-1)).toEqual({
      id: eventIdOf("backup:shop:on-demand-1"),
      eventType: "AksBackup.BackupCompleted",
      subject: "backup-instances/shop",
      eventTime: "2026-03-01T02:03:31.400Z",
      dataVersion: "1.0",
      data: expect.objectContaining({ jobId: "backup:shop:on-demand-1", status: "PartiallySucceeded" }),
    });
  });

  it("gives the same event id to every publish of one job and different ids to different jobs", () => {
    expect(eventIdOf("restore:a")).toBe(eventIdOf("restore:a"));
    expect(eventIdOf("restore:a")).not.toBe(eventIdOf("restore:b"));
    expect(eventIdOf("restore:a")).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it("keeps the first five errors, each cut to 500 characters, and names failed jobs' events", () => {
    const long = "x".repeat(2_000);
    const event = backupEvent({
      ...BACKUP,
      status: "Failed",
      reason: long,
      errors: [long, "b", "c", "d", "e", "f", "g"],
    });
    expect(event.type).toBe(JOB_EVENT_TYPES.backupFailed);
    expect(event.data.errors).toHaveLength(5);
    expect(event.data.errors[0]).toHaveLength(500);
    expect(event.data.reason).toHaveLength(500);
  });

  it("refuses a wrong token with a clear error that does not contain the token", async () => {
    const wrong = "not-the-topic-token-secret-9a7c";
    const error = await notifier(cloudTopic, { credential: new StaticTokenCredential(wrong) })
      .publish(sampleEvent())
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(NotificationError);
    const failure = error as NotificationError;
    expect(failure).toMatchObject({ code: "Unauthorized", statusCode: 401 });
    expect(failure.message).toContain(
      `publishing AksBackup.BackupCompleted of backup-instances/shop to ${cloudTopic.url} failed: 401`,
    );
    expect(failure.message).toContain('"EventGrid Data Sender" role');
    expect(failure.message).not.toContain(wrong);
    expect(JSON.stringify(failure)).not.toContain(wrong);
    expect(failure.stack ?? "").not.toContain(wrong);
    expect(cloudTopic.requests.at(-1)?.status).toBe(401);
  });

  it("says the schema is wrong when a CloudEvents publish reaches an Event Grid schema topic", async () => {
    const error = await notifier(gridTopic, { schema: "CloudEvent" })
      .publish(sampleEvent())
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "Rejected", statusCode: 400 });
    expect((error as Error).message).toContain("Required property 'eventType' was not set in event 0.");
    expect((error as Error).message).toContain("is the topic's input schema the configured one?");
  });

  it("retries a 503 inside the SDK and then succeeds", async () => {
    const before = cloudTopic.events.length;
    cloudTopic.faults.failNext(2);
    await notifier(cloudTopic).publish(sampleEvent());
    expect(cloudTopic.faults.pending).toBe(0);
    expect(cloudTopic.events.length).toBe(before + 1);
    expect(cloudTopic.requests.slice(-3).map((r) => r.status)).toEqual([503, 503, 200]);
  });

  it("reports a topic that stays unavailable as Unavailable", async () => {
    cloudTopic.faults.failAlways();
    try {
      const error = await notifier(cloudTopic)
        .publish(sampleEvent())
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: "Unavailable", statusCode: 503 });
    } finally {
      cloudTopic.faults.clear();
    }
  });

  it("appends the publish path to a bare topic host and refuses endpoints it cannot use", () => {
    expect(normalisedTopicEndpoint("https://jobs.westeurope-1.eventgrid.azure.net")).toBe(
      "https://jobs.westeurope-1.eventgrid.azure.net/api/events",
    );
    expect(normalisedTopicEndpoint("https://jobs.westeurope-1.eventgrid.azure.net/api/events/")).toBe(
      "https://jobs.westeurope-1.eventgrid.azure.net/api/events",
    );
    expect(() => normalisedTopicEndpoint("http://jobs.westeurope-1.eventgrid.azure.net/api/events")).toThrow(
      /must be an https URL/,
    );
    const keyed = (() => {
      try {
        normalisedTopicEndpoint("https://jobs.example/api/events?aeg-sas-key=c2VjcmV0");
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(keyed).toContain("must have no query or fragment");
    expect(keyed).not.toContain("c2VjcmV0");
  });
});
