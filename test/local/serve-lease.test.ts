// One serve per storage container: a second is refused, naming who holds it; a holder that died on
// this machine is taken over at once; a release lets the next one in.
import { BlobServiceClient, type ContainerClient } from "@azure/storage-blob";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { acquireServeLease, ServeLeaseError } from "../../src/local/serve-lease.js";
import { startTestServer } from "../api/harness.js";

let count = 0;
async function freshContainer(): Promise<ContainerClient> {
  const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  const container = service.getContainerClient(`lease-${process.pid}-${Date.now()}-${count++}`);
  await container.create();
  return container;
}

const alive = () => true;
const dead = () => false;

describe("acquireServeLease", () => {
  let container: ContainerClient;
  beforeAll(async () => {
    container = await freshContainer();
  });
  afterAll(() => container.delete());

  it("refuses a second holder while the first runs, then lets it in once released", async () => {
    const first = await acquireServeLease(container, { pid: 101, host: "build-1" });
    const second = acquireServeLease(container, { pid: 202, host: "build-1", isAlive: alive });
    await expect(second).rejects.toThrow(ServeLeaseError);
    await expect(acquireServeLease(container, { pid: 202, host: "build-1", isAlive: alive })).rejects.toThrow(
      new RegExp(
        `another aks-backup serve \\(pid 101 on build-1, since [^)]+\\) runs against container "${container.containerName}"`,
      ),
    );
    await first.release();
    const next = await acquireServeLease(container, { pid: 202, host: "build-1", isAlive: alive });
    await next.release();
  });

  it("takes over from a holder whose process is gone from this machine", async () => {
    // Never released: as if the process had been killed.
    await acquireServeLease(container, { pid: 303, host: "build-1" });
    const after = await acquireServeLease(container, { pid: 404, host: "build-1", isAlive: dead });
    const metadata = (await container.getBlockBlobClient("runtime/serve.lease").getProperties()).metadata;
    expect(metadata).toMatchObject({ pid: "404", host: "build-1" });
    await after.release();
  });

  it("never takes over from a holder on another machine, whose pid means nothing here", async () => {
    const other = await acquireServeLease(container, { pid: 505, host: "build-2" });
    await expect(acquireServeLease(container, { pid: 606, host: "build-1", isAlive: dead })).rejects.toThrow(
      /pid 505 on build-2/,
    );
    await other.release();
  });
});

describe("aks-backup serve on a container another serve uses", () => {
  it("stops before resuming anything, and says which serve holds it", async () => {
    const container = `lease-serve-${process.pid}-${Date.now()}`;
    const first = await startTestServer({}, { container });
    try {
      await expect(startTestServer({}, { container })).rejects.toThrow(
        new RegExp(`another aks-backup serve \\(pid ${process.pid} on [^,]+, since`),
      );
      // The first one is untouched.
      expect((await first.request("GET", "/api/health")).status).toBe(200);
    } finally {
      await first.close();
    }
    const again = await startTestServer({}, { container });
    await again.close();
  });
});
