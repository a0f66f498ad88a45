// The fake Event Grid topic answers raw publishes as the service documents: 401 without a valid
// bearer token, 400 naming a missing required field, 404 off the publish path, 413 over 1 MB, and
// the CloudEvents content types on a CloudEvents topic.
import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeEventGridTopic, startEventGridTopic } from "../../src/sim/eventgrid/topic.js";
import { createTlsMaterial, type TlsMaterial } from "../../src/sim/tls.js";

const TOKEN = "topic-token-31c2";

interface Reply {
  status: number;
  body: { error?: { code: string; message: string; details: Array<{ code: string; message: string }> } };
  headers: Record<string, string | string[] | undefined>;
}

describe("fake Event Grid topic", () => {
  let tls: TlsMaterial;
  let cloud: FakeEventGridTopic;
  let grid: FakeEventGridTopic;

  beforeAll(async () => {
    tls = await createTlsMaterial();
    cloud = await startEventGridTopic({ tls, token: TOKEN });
    grid = await startEventGridTopic({ tls, token: TOKEN, inputSchema: "EventGridSchema" });
  });

  afterAll(async () => {
    await cloud?.close();
    await grid?.close();
  });

  function post(
    url: string,
    body: unknown,
    options: { contentType?: string; token?: string | null; path?: string } = {},
  ): Promise<Reply> {
    const target = new URL(url);
    if (options.path) target.pathname = options.path;
    const text = typeof body === "string" ? body : JSON.stringify(body);
    const headers: Record<string, string> = { "content-type": options.contentType ?? "application/json" };
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
    return new Promise((resolve, reject) => {
      const req = request(target, { method: "POST", ca: tls.caCert, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const raw = Buffer.concat(chunks).toString("utf8");
          resolve({ status: res.statusCode ?? 0, body: raw ? JSON.parse(raw) : {}, headers: res.headers });
        });
      });
      req.on("error", reject);
      req.end(text);
    });
  }

  const gridEvent = { id: "1", subject: "s", eventType: "T", eventTime: "2026-03-01T00:00:00Z", data: {} };
  const cloudEvent = { specversion: "1.0", id: "1", source: "aks-backup", type: "T" };

  it("answers 401 without a token and with a wrong one, in Event Grid's error shape", async () => {
    const missing = await post(grid.url, [gridEvent], { token: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error?.code).toBe("Unauthorized");
    expect(missing.body.error?.details[0]?.message).toBeTruthy();
    const wrong = await post(grid.url, [gridEvent], { token: "other" });
    expect(wrong.status).toBe(401);
    expect(wrong.headers["www-authenticate"]).toContain("Bearer");
    expect(grid.events).toEqual([]);
  });

  it("accepts an Event Grid array and names a missing required field", async () => {
    expect((await post(grid.url, [gridEvent])).status).toBe(200);
    expect(grid.events).toEqual([gridEvent]);
    const { eventType: _, ...noType } = gridEvent;
    const refused = await post(grid.url, [gridEvent, noType]);
    expect(refused.status).toBe(400);
    expect(refused.body.error?.message).toBe("Required property 'eventType' was not set in event 1.");
    expect(refused.body.error?.details[0]?.code).toBe("InputJsonInvalid");
    expect(grid.events).toHaveLength(1);
    expect((await post(grid.url, { ...gridEvent })).status).toBe(400);
  });

  it("takes CloudEvents singly or batched by content type, and checks specversion", async () => {
    const batch = "application/cloudevents-batch+json; charset=utf-8";
    expect((await post(cloud.url, [cloudEvent], { contentType: batch })).status).toBe(200);
    expect((await post(cloud.url, cloudEvent, { contentType: "application/cloudevents+json" })).status).toBe(
      200,
    );
    const plain = await post(cloud.url, [cloudEvent]);
    expect(plain.status).toBe(400);
    expect(plain.body.error?.message).toContain("Content-Type 'application/json' is not accepted");
    const old = await post(cloud.url, [{ ...cloudEvent, specversion: "0.3" }], { contentType: batch });
    expect(old.body.error?.message).toBe("Property 'specversion' of event 0 must be '1.0'.");
    const { source: _, ...noSource } = cloudEvent;
    const refused = await post(cloud.url, [noSource], { contentType: batch });
    expect(refused.body.error?.message).toBe("Required property 'source' was not set in event 0.");
    expect(cloud.events).toHaveLength(2);
  });

  it("answers 404 off the publish path and 413 over 1 MB", async () => {
    expect((await post(grid.url, [gridEvent], { path: "/api/other" })).status).toBe(404);
    const big = [{ ...gridEvent, data: { blob: "x".repeat(1024 * 1024) } }];
    expect((await post(grid.url, big)).status).toBe(413);
  });

  it("answers injected faults first, then recovers", async () => {
    grid.faults.failNext(2);
    expect((await post(grid.url, [gridEvent])).status).toBe(503);
    expect((await post(grid.url, [gridEvent], { token: "wrong" })).status).toBe(503);
    expect(grid.faults.pending).toBe(0);
    expect((await post(grid.url, [gridEvent])).status).toBe(200);
    expect(grid.requests.slice(-3).map((r) => [r.status, r.fault ?? false])).toEqual([
      [503, true],
      [503, true],
      [200, false],
    ]);
  });
});
