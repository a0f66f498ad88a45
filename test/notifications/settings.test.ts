// Where notifications are configured: the config file's `notifications` section (checked with errors
// naming the field, then passed through environmentFor to a publishing environment) and the
// Functions app's settings.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { environmentFor } from "../../src/cli/context.js";
import { type Config, parseConfig } from "../../src/model/config.js";
import { formatIssuePath } from "../../src/model/issues.js";
import { notificationsFromSettings } from "../../src/notifications/app-settings.js";
import { restoreEvent } from "../../src/notifications/events.js";
import { type FakeEventGridTopic, startEventGridTopic } from "../../src/sim/eventgrid/topic.js";
import { createTlsMaterial, type TlsMaterial } from "../../src/sim/tls.js";

function issuesOf(input: unknown): Array<{ path: string; message: string }> {
  const parsed = parseConfig(input);
  if (parsed.ok) return [];
  return parsed.issues.map((issue) => ({ path: formatIssuePath(issue.path), message: issue.message }));
}

describe("notifications in the config file", () => {
  it("refuses a plain-HTTP topic endpoint, naming notifications.eventGridTopicEndpoint", () => {
    expect(issuesOf({ notifications: { eventGridTopicEndpoint: "http://jobs.example/api/events" } })).toEqual(
      [
        {
          path: "notifications.eventGridTopicEndpoint",
          message: expect.stringContaining("must be an https URL"),
        },
      ],
    );
  });

  it("refuses an access key in the endpoint's query without repeating it", () => {
    const issues = issuesOf({
      notifications: { eventGridTopicEndpoint: "https://jobs.example/api/events?aeg-sas-key=c2VjcmV0a2V5" },
    });
    expect(issues).toEqual([
      {
        path: "notifications.eventGridTopicEndpoint",
        message: expect.stringContaining("never an access key"),
      },
    ]);
    expect(JSON.stringify(issues)).not.toContain("c2VjcmV0a2V5");
  });

  it("names an unknown schema and an unknown key", () => {
    const issues = issuesOf({
      notifications: {
        eventGridTopicEndpoint: "https://jobs.example/api/events",
        schema: "Custom",
        key: "x",
      },
    });
    expect(issues.map((issue) => issue.path).sort()).toEqual(["notifications.key", "notifications.schema"]);
  });

  it("accepts a topic endpoint with either schema", () => {
    for (const schema of ["CloudEvent", "EventGrid", undefined]) {
      const parsed = parseConfig({
        notifications: {
          eventGridTopicEndpoint: "https://jobs.westeurope-1.eventgrid.azure.net/api/events",
          schema,
        },
      });
      expect(parsed.ok).toBe(true);
    }
  });
});

describe("environmentFor with notifications", () => {
  const token = "config-file-token-77e1";
  let tls: TlsMaterial;
  let topic: FakeEventGridTopic;
  let dir: string;

  beforeAll(async () => {
    tls = await createTlsMaterial();
    topic = await startEventGridTopic({ tls, token, inputSchema: "EventGridSchema" });
    dir = await mkdtemp(join(tmpdir(), "notify-config-"));
    await writeFile(join(dir, "token"), token);
    await writeFile(join(dir, "ca.crt"), tls.caCert);
  });

  afterAll(async () => {
    await topic?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  function config(notifications: Record<string, unknown> | undefined): Config {
    const parsed = parseConfig({
      storage: {
        connectionString: inject("azuriteConnectionString"),
        container: `notify-config-${Date.now()}`,
      },
      azure: { credential: { tokenFile: join(dir, "token") }, caFile: join(dir, "ca.crt") },
      ...(notifications ? { notifications } : {}),
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    return parsed.value;
  }

  it("publishes with the config's Azure credential and CA to the configured topic and schema", async () => {
    const env = await environmentFor(
      config({ eventGridTopicEndpoint: topic.url, schema: "EventGrid" }),
      join(dir, "aks-backup.yaml"),
    );
    try {
      expect(env.notifier).toMatchObject({ topicEndpoint: topic.url, schema: "EventGrid" });
      await env.notifier?.publish(
        restoreEvent({
          jobId: "restore:shop-20260301-020000-1a2b:1",
          recoveryPointId: "shop-20260301-020000-1a2b",
          targetCluster: "dr",
          dryRun: false,
          status: "Succeeded",
          startTime: "2026-03-01T03:00:00.000Z",
          endTime: "2026-03-01T03:01:00.000Z",
          counts: { items: 3, created: 3, patched: 0, skipped: 0, failed: 0, warnings: 0 },
          errors: [],
        }),
      );
      expect(topic.events).toEqual([
        expect.objectContaining({
          eventType: "AksBackup.RestoreCompleted",
          subject: "restores/restore:shop-20260301-020000-1a2b:1",
        }),
      ]);
    } finally {
      await env.close();
    }
  });

  it("has no notifier when the config has no notifications section", async () => {
    const env = await environmentFor(config(undefined), join(dir, "aks-backup.yaml"));
    try {
      expect(env.notifier).toBeUndefined();
    } finally {
      await env.close();
    }
  });
});

describe("notifications from the Functions app's settings", () => {
  it("is off without AKS_BACKUP_EVENTGRID_TOPIC_ENDPOINT", () => {
    expect(notificationsFromSettings({})).toBeUndefined();
    expect(notificationsFromSettings({ topicEndpoint: " ", schema: "CloudEvent" })).toBeUndefined();
  });

  it("reads the endpoint and the schema", () => {
    expect(
      notificationsFromSettings({
        topicEndpoint: "https://jobs.westeurope-1.eventgrid.azure.net/api/events",
        schema: "EventGrid",
      }),
    ).toEqual({
      topicEndpoint: "https://jobs.westeurope-1.eventgrid.azure.net/api/events",
      schema: "EventGrid",
    });
  });

  it("names the setting that is wrong", () => {
    expect(() => notificationsFromSettings({ topicEndpoint: "http://jobs.example/api/events" })).toThrow(
      /^app setting AKS_BACKUP_EVENTGRID_TOPIC_ENDPOINT "http:\/\/jobs.example" must be an https URL/,
    );
    expect(() =>
      notificationsFromSettings({
        topicEndpoint: "https://jobs.example/api/events",
        schema: "cloudevents",
      }),
    ).toThrow(
      'app setting AKS_BACKUP_EVENTGRID_SCHEMA must be one of CloudEvent, EventGrid, not "cloudevents"',
    );
  });
});
