// Requests under pressure: throttling (429 + Retry-After), server errors, dropped connections, the
// client-side rate limit and abort, all on virtual time so no test sleeps.
import { describe, expect, it } from "vitest";
import { KubeApiError } from "../../src/kube/index.js";
import { useSimulator } from "../helpers/sim.js";
import { connectSim, rejectionOf, VirtualTime } from "./harness.js";

const namespacesPath = "/api/v1/namespaces";

describe("kube: retries, rate limit and abort", () => {
  const sim = useSimulator();

  it("waits as long as a 429's Retry-After says, then succeeds", async () => {
    const time = new VirtualTime();
    const cluster = await connectSim(sim(), { time });
    sim().kube.faults.throttle({ path: namespacesPath, count: 2, retryAfterSeconds: 3 });
    const list = await cluster.request<{ items: unknown[] }>("GET", namespacesPath);
    expect(list.items.length).toBeGreaterThan(0);
    expect(time.waits).toEqual([3000, 3000]);
    expect(cluster.stats).toMatchObject({ requests: 3, retries: 2, backoffMs: 6000 });
    cluster.close();
  });

  it("retries 503 and 500 with growing, jittered backoff", async () => {
    const time = new VirtualTime();
    const cluster = await connectSim(sim(), { time, retry: { baseDelayMs: 100, maxDelayMs: 1000 } });
    sim().kube.faults.fail({ path: namespacesPath, status: 503, count: 2 });
    sim().kube.faults.fail({ path: namespacesPath, status: 500, count: 2 });
    await cluster.request("GET", namespacesPath);
    expect(time.waits).toHaveLength(4);
    // Equal jitter: between half and all of 100, 200, 400, 800 ms.
    time.waits.forEach((wait, i) => {
      const step = Math.min(1000, 100 * 2 ** i);
      expect(wait).toBeGreaterThanOrEqual(step / 2);
      expect(wait).toBeLessThanOrEqual(step);
    });
    cluster.close();
  });

  it("gives up after maxRetries with the last error, naming the attempts", async () => {
    const time = new VirtualTime();
    const cluster = await connectSim(sim(), { time, retry: { maxRetries: 2 } });
    sim().kube.faults.fail({ path: namespacesPath, status: 503, count: 3 });
    const error = await rejectionOf(cluster.request("GET", namespacesPath), KubeApiError);
    expect(error).toMatchObject({ statusCode: 503, reason: "ServiceUnavailable", attempts: 3 });
    expect(error.message).toBe(
      `GET ${namespacesPath} on cluster "sim" failed with 503 ServiceUnavailable: the server is currently unable to handle the request (after 3 attempts)`,
    );
    expect(sim().kube.faults.pending).toBe(0);
    cluster.close();
  });

  it("retries a dropped connection", async () => {
    const time = new VirtualTime();
    const cluster = await connectSim(sim(), { time });
    sim().kube.faults.drop({ path: namespacesPath, count: 2 });
    const list = await cluster.request<{ kind: string }>("GET", namespacesPath);
    expect(list.kind).toBe("NamespaceList");
    expect(cluster.stats).toMatchObject({ requests: 3, retries: 2 });
    cluster.close();
  });

  it("does not repeat a create the server may have acted on, but does repeat a throttled one", async () => {
    const time = new VirtualTime();
    const cluster = await connectSim(sim(), { time });
    const path = "/api/v1/namespaces/default/configmaps";
    sim().kube.faults.fail({ method: "POST", path, status: 500 });
    const error = await rejectionOf(
      cluster.request("POST", path, { body: { metadata: { name: "once" } } }),
      KubeApiError,
    );
    expect(error.statusCode).toBe(500);
    sim().kube.faults.throttle({ method: "POST", path, retryAfterSeconds: 1 });
    const created = await cluster.request<{ metadata: { name: string } }>("POST", path, {
      body: { metadata: { name: "twice" } },
    });
    expect(created.metadata.name).toBe("twice");
    expect(cluster.stats.retries).toBe(1);
    cluster.close();
  });

  it("never retries 4xx other than 429: 404 and 409 are the caller's business", async () => {
    const time = new VirtualTime();
    const cluster = await connectSim(sim(), { time });
    const missing = await rejectionOf(cluster.request("GET", "/api/v1/namespaces/nope"), KubeApiError);
    expect(missing).toMatchObject({ statusCode: 404, reason: "NotFound" });
    const conflict = await rejectionOf(
      cluster.request("POST", namespacesPath, { body: { metadata: { name: "default" } } }),
      KubeApiError,
    );
    expect(conflict).toMatchObject({ statusCode: 409, reason: "AlreadyExists" });
    expect(cluster.stats).toMatchObject({ requests: 2, retries: 0 });
    cluster.close();
  });

  it("stops a backoff wait as soon as the caller aborts", async () => {
    const time = new VirtualTime(false);
    const cluster = await connectSim(sim(), { time });
    sim().kube.faults.throttle({ path: namespacesPath, retryAfterSeconds: 60 });
    const controller = new AbortController();
    const pending = cluster.request("GET", namespacesPath, { abortSignal: controller.signal });
    while (time.pending === 0) await new Promise((resolve) => setImmediate(resolve));
    expect(time.waits).toEqual([60_000]);
    controller.abort(new Error("backup cancelled"));
    await expect(pending).rejects.toThrow("backup cancelled");
    expect(time.pending).toBe(0);
    expect(cluster.stats.requests).toBe(1);
    cluster.close();
  });

  it("aborts an in-flight request", async () => {
    const cluster = await connectSim(sim());
    sim().kube.faults.latency(5_000, { path: namespacesPath, count: 1 });
    const controller = new AbortController();
    const started = Date.now();
    const pending = cluster.request("GET", namespacesPath, { abortSignal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 50);
    await expect(pending).rejects.toThrow("stop");
    expect(Date.now() - started).toBeLessThan(2_000);
    cluster.close();
  });

  it("holds requests to the client-side rate (qps 10, burst 2)", async () => {
    const time = new VirtualTime();
    const cluster = await connectSim(sim(), { time, qps: 10, burst: 2 });
    await Promise.all(Array.from({ length: 12 }, () => cluster.request("GET", "/version")));
    // Two at once from the burst, then one every 100 ms for the other ten.
    expect(time.now).toBeGreaterThanOrEqual(1000);
    expect(time.waits.filter((w) => w > 0)).toHaveLength(10);
    expect(cluster.stats.throttledMs).toBeGreaterThanOrEqual(100 * (1 + 10) * 5);
    expect(cluster.stats.requests).toBe(12);
    cluster.close();
  });
});
