// The Azure fake's fault knobs against the SDK's own retry and polling: 429 + Retry-After, 5xx,
// dropped connections, latency, authentication failures, and the request log tests count with.
import { request } from "node:https";
import { describe, expect, it } from "vitest";
import { StaticTokenCredential } from "../../src/azure/arm-endpoint.js";
import type { RequestRecord } from "../../src/sim/azure/server.js";
import { fastPolling, fastRetries, location, rejectionOf, useAzureFake } from "../helpers/azure-fake.js";

/** A raw HTTPS call to the fake, for what the SDK never sends (no token, no api-version). */
function rawGet(
  url: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    req.on("error", reject);
    req.end();
  });
}

function gapsAfterThrottles(requests: RequestRecord[]): number[] {
  return requests.flatMap((r, i) => {
    if (r.status !== 429) return [];
    const retry = requests.slice(i + 1).find((n) => n.method === r.method && n.path === r.path);
    return retry === undefined ? [] : [retry.at - r.at];
  });
}

describe("Azure fake: faults, retries and authentication", () => {
  const azure = useAzureFake({ lroSteps: 2 });

  it("throttles a snapshot LRO with 429 + Retry-After, and the SDK waits as told and succeeds", async () => {
    const { fake, compute } = azure();
    fake.createResourceGroup("rg");
    const disk = await compute.disks.createOrUpdate(
      "rg",
      "d1",
      { location, creationData: { createOption: "Empty" }, diskSizeGB: 8 },
      fastPolling,
    );
    fake.faults.throttle({
      method: "PUT",
      resourceType: "Microsoft.Compute/snapshots",
      retryAfterSeconds: 1,
    });
    fake.faults.throttle({ path: /\/DiskOperations\//, retryAfterSeconds: 1 });

    const snapshot = await compute.snapshots.createOrUpdate(
      "rg",
      "s1",
      { location, incremental: true, creationData: { createOption: "Copy", sourceResourceId: disk.id } },
      fastPolling,
    );

    expect(snapshot.provisioningState).toBe("Succeeded");
    const throttled = fake.requests.filter((r) => r.status === 429);
    expect(throttled.map((r) => `${r.method} ${r.fault}`)).toEqual(["PUT throttle", "GET throttle"]);
    const gaps = gapsAfterThrottles(fake.requests);
    expect(gaps).toHaveLength(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(950);
    expect(fake.faults.pending).toBe(0);
    // Retries are not extra writes: one accepted PUT per snapshot.
    const accepted = fake.requests.filter((r) => r.method === "PUT" && r.path.includes("/snapshots/"));
    expect(accepted.map((r) => r.status)).toEqual([429, 202]);
  });

  it("retries 500 and 503 answers", async () => {
    const { fake, computeWith } = azure();
    const compute = computeWith(fastRetries);
    fake.createResourceGroup("rg");
    await compute.disks.createOrUpdate(
      "rg",
      "d1",
      { location, creationData: { createOption: "Empty" }, diskSizeGB: 8 },
      fastPolling,
    );
    fake.faults.fail({ method: "GET", path: /disks\/d1$/, status: 500 });
    fake.faults.fail({ method: "GET", path: /disks\/d1$/, status: 503 });

    expect((await compute.disks.get("rg", "d1")).name).toBe("d1");
    const gets = fake.requests.filter((r) => r.method === "GET" && r.path.endsWith("/disks/d1")).slice(-3);
    expect(gets.map((r) => r.status)).toEqual([500, 503, 200]);
  });

  it("retries a dropped connection", async () => {
    const { fake, computeWith } = azure();
    const compute = computeWith(fastRetries);
    fake.createResourceGroup("rg");
    fake.faults.drop({ method: "PUT", resourceType: "Microsoft.Compute/disks" });

    const disk = await compute.disks.createOrUpdate(
      "rg",
      "d1",
      { location, creationData: { createOption: "Empty" }, diskSizeGB: 8 },
      fastPolling,
    );
    expect(disk.provisioningState).toBe("Succeeded");
    const puts = fake.requests.filter((r) => r.method === "PUT");
    expect(puts.map((r) => [r.status, r.fault])).toEqual([
      [0, "drop"],
      [202, undefined],
    ]);
  });

  it("delays matching requests without holding up the others", async () => {
    const { fake, compute } = azure();
    fake.createResourceGroup("rg");
    await compute.disks.createOrUpdate(
      "rg",
      "slow",
      { location, creationData: { createOption: "Empty" }, diskSizeGB: 1 },
      fastPolling,
    );
    await compute.disks.createOrUpdate(
      "rg",
      "fast",
      { location, creationData: { createOption: "Empty" }, diskSizeGB: 1 },
      fastPolling,
    );
    fake.faults.latency(400, { method: "GET", path: /disks\/slow$/ });

    const started = Date.now();
    const finished: string[] = [];
    await Promise.all(
      ["slow", "fast"].map(async (name) => {
        await compute.disks.get("rg", name);
        finished.push(name);
      }),
    );
    expect(finished).toEqual(["fast", "slow"]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(390);
  });

  it("refuses a wrong token with 401 InvalidAuthenticationToken, surfaced by the SDK as a RestError", async () => {
    const { fake, computeWith } = azure();
    const compute = computeWith({}, new StaticTokenCredential("not-the-token"));
    const error = await rejectionOf(compute.disks.get("rg", "d1"));
    expect(error).toMatchObject({ name: "RestError", statusCode: 401, code: "InvalidAuthenticationToken" });
    expect(fake.requests.at(-1)).toMatchObject({ method: "GET", status: 401 });
  });

  it("refuses a request without a token, and one without api-version, in ARM's error shape", async () => {
    const { fake, tls, token } = azure();
    const path = `/subscriptions/${fake.subscriptionId}/providers/Microsoft.Compute/disks`;
    expect(await rawGet(`${fake.url}${path}?api-version=2025-01-02`, tls.caCert)).toEqual({
      status: 401,
      body: {
        error: {
          code: "AuthenticationFailed",
          message: "Authentication failed. The 'Authorization' header is missing.",
        },
      },
    });
    const noVersion = await rawGet(`${fake.url}${path}`, tls.caCert, { authorization: `Bearer ${token}` });
    expect(noVersion).toMatchObject({ status: 400, body: { error: { code: "MissingApiVersionParameter" } } });
    const unknown = await rawGet(
      `${fake.url}/subscriptions/other/providers/Microsoft.Compute/disks?api-version=2025-01-02`,
      tls.caCert,
      {
        authorization: `Bearer ${token}`,
      },
    );
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: "SubscriptionNotFound" } } });
  });

  it("logs every request, so a test can count ARM writes", async () => {
    const { fake, compute } = azure();
    fake.createResourceGroup("rg");
    const disks = await Promise.all(
      ["a", "b", "c"].map((name) =>
        compute.disks.createOrUpdate(
          "rg",
          name,
          { location, creationData: { createOption: "Empty" }, diskSizeGB: 1 },
          fastPolling,
        ),
      ),
    );
    await Promise.all(
      disks.map((disk) =>
        compute.snapshots.createOrUpdate(
          "rg",
          `snap-${disk.name}`,
          { location, incremental: true, creationData: { createOption: "Copy", sourceResourceId: disk.id } },
          fastPolling,
        ),
      ),
    );
    const writes = fake.requests.filter((r) => r.method !== "GET");
    expect(writes).toHaveLength(6);
    expect(writes.filter((r) => r.path.includes("/snapshots/"))).toHaveLength(3);
    expect(fake.requests.every((r) => r.query.includes("api-version="))).toBe(true);
  });
});
