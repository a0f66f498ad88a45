// Which instances a tick backs up, against Azurite: a new instance waits for its next slot, a due
// slot is claimed once (a re-run of the same tick sees its claim, another tick does not), missed
// slots after downtime run once and are counted, and a broken definition is reported, not fatal.
import { BlobServiceClient } from "@azure/storage-blob";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { createEnvironment, type Environment } from "../../src/orchestrations/environment.js";
import { listDueInstances, roundToTick, tickInstanceId } from "../../src/orchestrations/scheduled-backups.js";

let env: Environment;
let counter = 0;

beforeEach(async () => {
  const service = BlobServiceClient.fromConnectionString(inject("azuriteConnectionString"));
  env = createEnvironment({ service, container: `due-${Date.now()}-${counter++}` });
  await env.definitions.ensureContainer();
  await env.definitions.put("cluster", { name: "prod", kubeconfig: "/etc/kube/prod.yaml" });
  await env.definitions.put("policy", {
    name: "every-4h",
    schedule: ["R/2026-01-01T02:00:00+00:00/PT4H"],
    retention: { default: "P7D" },
  });
  await env.definitions.put("instance", { name: "shop", cluster: "prod", policy: "every-4h" });
});

const at = (iso: string) => ({ tick: iso, claimant: tickInstanceId(new Date(iso)) });

describe("listDueInstances", () => {
  it("gives a newly seen instance a baseline and backs it up at its next slot", async () => {
    const first = await listDueInstances(at("2026-03-01T03:00:00.000Z"), env);
    expect(first).toEqual({ due: [], problems: [], baselined: ["shop"] });

    const beforeSlot = await listDueInstances(at("2026-03-01T05:55:00.000Z"), env);
    expect(beforeSlot.due).toEqual([]);

    const atSlot = await listDueInstances(at("2026-03-01T06:00:00.000Z"), env);
    expect(atSlot.due).toEqual([{ instance: "shop", slot: "2026-03-01T06:00:00.000Z", skipped: 0 }]);
  });

  it("claims a slot once: the same tick again sees its claim, the next tick sees nothing due", async () => {
    await listDueInstances(at("2026-03-01T03:00:00.000Z"), env);
    const tick = at("2026-03-01T06:00:00.000Z");
    const claimed = await listDueInstances(tick, env);
    const again = await listDueInstances(tick, env);
    expect(again.due).toEqual(claimed.due);
    expect(again.due).toHaveLength(1);

    const next = await listDueInstances(at("2026-03-01T06:05:00.000Z"), env);
    expect(next.due).toEqual([]);
  });

  it("runs only the latest missed slot after downtime and counts the others as skipped", async () => {
    await listDueInstances(at("2026-03-01T03:00:00.000Z"), env);
    // Down from 03:00 to 19:00: the slots at 06, 10, 14 and 18 passed; 18:00 runs, three are skipped.
    const back = await listDueInstances(at("2026-03-01T19:00:00.000Z"), env);
    expect(back.due).toEqual([{ instance: "shop", slot: "2026-03-01T18:00:00.000Z", skipped: 3 }]);
  });

  it("reports an instance whose policy is gone and still schedules the others", async () => {
    await env.definitions.put("policy", {
      name: "doomed",
      schedule: ["R/2026-01-01T00:00:00+00:00/PT1H"],
      retention: { default: "P1D" },
    });
    await env.definitions.put("instance", { name: "orphan", cluster: "prod", policy: "doomed" });
    await env.definitions.delete("instance", "orphan");
    await env.definitions.delete("policy", "doomed");
    // Recreated by hand without its policy, as a damaged store would hold it.
    const body = JSON.stringify({ name: "orphan", cluster: "prod", policy: "doomed" });
    await env.catalog.container
      .getBlockBlobClient("config/instances/orphan.json")
      .upload(body, Buffer.byteLength(body));

    const listed = await listDueInstances(at("2026-03-01T03:00:00.000Z"), env);
    expect(listed.problems).toEqual([{ instance: "orphan", message: 'policy "doomed" does not exist' }]);
    expect(listed.baselined).toEqual(["shop"]);
  });

  it("refuses a tick that is not a time, naming it", async () => {
    await expect(listDueInstances({ tick: "yesterday", claimant: "x" }, env)).rejects.toThrow(
      'tick "yesterday" is not a time',
    );
  });
});

describe("tick ids", () => {
  it("gives every time within one 5-minute interval the same tick id", () => {
    expect(tickInstanceId(new Date("2026-03-01T06:00:00Z"))).toBe(
      tickInstanceId(new Date("2026-03-01T06:04:59.999Z")),
    );
    expect(tickInstanceId(new Date("2026-03-01T06:05:00Z"))).not.toBe(
      tickInstanceId(new Date("2026-03-01T06:04:59Z")),
    );
    expect(roundToTick(new Date("2026-03-01T06:07:30Z")).toISOString()).toBe("2026-03-01T06:05:00.000Z");
  });
});
