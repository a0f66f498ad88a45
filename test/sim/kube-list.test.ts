// Lists as clients page through them: across namespaces, by selector, in stable pages with continue
// tokens read from one snapshot, 410 Expired once compacted, and fast enough for 50,000 objects.
import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../src/sim/kube/types.js";
import type { ListBody, StatusBody, TableBody } from "../helpers/kube-shapes.js";
import { eventually, raw, useKubeSim } from "../helpers/kube-sim.js";

type Harness = ReturnType<ReturnType<typeof useKubeSim>>;

function seedConfigMaps(
  h: Harness,
  namespaces: string[],
  perNamespace: number,
  labels: (i: number) => Record<string, string> = () => ({}),
) {
  const store = h.sim.store;
  const nsType = h.type("", "namespaces");
  const cmType = h.type("", "configmaps");
  for (const ns of namespaces) {
    if (!store.get(nsType, undefined, ns)) store.create(nsType, { metadata: { name: ns } });
    for (let i = 0; i < perNamespace; i++) {
      store.create(cmType, {
        metadata: { name: `cm-${String(i).padStart(5, "0")}`, namespace: ns, labels: labels(i) },
        data: { i: String(i) },
      });
    }
  }
}

async function listAll(h: Harness, path: string, limit: number) {
  const names: string[] = [];
  const pages: Array<{ remaining?: number; count: number }> = [];
  let token: string | undefined;
  do {
    const sep = path.includes("?") ? "&" : "?";
    const res = await raw<ListBody>(
      h,
      "GET",
      `${path}${sep}limit=${limit}${token ? `&continue=${encodeURIComponent(token)}` : ""}`,
    );
    expect(res.status).toBe(200);
    for (const item of res.json.items) names.push(`${item.metadata?.namespace}/${item.metadata?.name}`);
    pages.push({ remaining: res.json.metadata.remainingItemCount, count: res.json.items.length });
    token = res.json.metadata.continue;
  } while (token);
  return { names, pages };
}

describe("kube-sim lists", () => {
  const h = useKubeSim({ store: { compactionIntervalMs: 0 } });

  it("lists across all namespaces and within one", async () => {
    seedConfigMaps(h(), ["alpha", "beta"], 3, (i) => ({
      index: String(i),
      parity: i % 2 === 0 ? "even" : "odd",
    }));
    const all = await raw<ListBody>(h(), "GET", "/api/v1/configmaps?labelSelector=index");
    expect(all.json.kind).toBe("ConfigMapList");
    expect(all.json.items.map((i: KubeObject) => `${i.metadata?.namespace}/${i.metadata?.name}`)).toEqual([
      "alpha/cm-00000",
      "alpha/cm-00001",
      "alpha/cm-00002",
      "beta/cm-00000",
      "beta/cm-00001",
      "beta/cm-00002",
    ]);
    const beta = await raw<ListBody>(h(), "GET", "/api/v1/namespaces/beta/configmaps?labelSelector=index");
    expect(beta.json.items).toHaveLength(3);
  });

  it.each([
    ["labelSelector=parity%3Deven", 4],
    ["labelSelector=parity%20in%20(odd)", 2],
    ["labelSelector=index%2C!nothing", 6],
    ["labelSelector=parity%3Deven%2Cindex%3D2", 2],
    ["fieldSelector=metadata.namespace%3Dalpha,labelSelector=index", 3],
    ["fieldSelector=metadata.name%3Dcm-00001", 2],
    ["fieldSelector=metadata.name!%3Dcm-00001,labelSelector=index", 4],
  ])("selects with %s", async (query, count) => {
    const res = await raw<ListBody>(h(), "GET", `/api/v1/configmaps?${query.replace(",", "&")}`);
    expect(res.json.items).toHaveLength(count);
  });

  it.each([
    ["labelSelector=app%20in%20web", "unable to parse requirement: found 'web' expected: '('"],
    ["fieldSelector=spec.foo%3Dbar", "field label not supported: spec.foo"],
  ])("refuses %s with 400", async (query, message) => {
    const res = await raw<StatusBody>(h(), "GET", `/api/v1/configmaps?${query}`);
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ reason: "BadRequest", message });
  });

  it("pages 5,000 objects: each exactly once, in order, counting down remainingItemCount", async () => {
    seedConfigMaps(h(), ["paging"], 5000);
    const { names, pages } = await listAll(h(), "/api/v1/namespaces/paging/configmaps", 700);
    expect(names).toHaveLength(5000);
    expect(new Set(names).size).toBe(5000);
    expect([...names].sort()).toEqual(names);
    expect(pages.map((p) => p.remaining)).toEqual([4300, 3600, 2900, 2200, 1500, 800, 100, undefined]);
  });

  it("keeps later pages to the first page's snapshot while objects change", async () => {
    const first = await raw<ListBody>(h(), "GET", "/api/v1/namespaces/paging/configmaps?limit=1000");
    const cm = h().type("", "configmaps");
    h().sim.store.delete(cm, "paging", "cm-04999");
    h().sim.store.create(cm, { metadata: { name: "cm-zzz", namespace: "paging" } });
    let token = first.json.metadata.continue;
    const names: (string | undefined)[] = first.json.items.map((i: KubeObject) => i.metadata?.name);
    while (token) {
      const page = await raw<ListBody>(
        h(),
        "GET",
        `/api/v1/namespaces/paging/configmaps?limit=1000&continue=${token}`,
      );
      names.push(...page.json.items.map((i: KubeObject) => i.metadata?.name));
      token = page.json.metadata.continue;
    }
    expect(names).toHaveLength(5000);
    expect(names).toContain("cm-04999");
    expect(names).not.toContain("cm-zzz");
  });

  it("answers a continue token older than the compaction with 410 Expired", async () => {
    const first = await raw<ListBody>(h(), "GET", "/api/v1/namespaces/paging/configmaps?limit=10");
    h().sim.store.compact();
    const stale = await raw<StatusBody>(
      h(),
      "GET",
      `/api/v1/namespaces/paging/configmaps?limit=10&continue=${first.json.metadata.continue}`,
    );
    expect(stale.status).toBe(410);
    expect(stale.json).toMatchObject({ kind: "Status", reason: "Expired", code: 410 });
    expect(stale.json.message).toContain("The provided continue parameter is too old");
    // The server offers a token to continue inconsistently, as kube-apiserver does.
    const inconsistent = await raw<ListBody>(
      h(),
      "GET",
      `/api/v1/namespaces/paging/configmaps?limit=10&continue=${stale.json.metadata.continue}`,
    );
    expect(inconsistent.status).toBe(200);
    expect(inconsistent.json.items[0]?.metadata.name).toBe("cm-00010");
  });

  it("refuses a malformed continue token with 400", async () => {
    const res = await raw<StatusBody>(h(), "GET", "/api/v1/configmaps?limit=10&continue=garbage");
    expect(res.status).toBe(400);
    expect(res.json.message).toMatch(/^continue key is not valid/);
  });

  it("serves a Table for kubectl's Accept header", async () => {
    const res = await raw<TableBody>(h(), "GET", "/api/v1/namespaces/alpha/configmaps", {
      headers: {
        Accept:
          "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json",
      },
    });
    expect(res.json.kind).toBe("Table");
    expect(res.json.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Data", "Age"]);
    expect(res.json.rows[0]?.cells.slice(0, 2)).toEqual(["cm-00000", 1]);
    expect(res.json.rows[0]?.object).toMatchObject({
      kind: "PartialObjectMetadata",
      metadata: { name: "cm-00000" },
    });
  });

  it("lists 50,000 objects across namespaces in pages of 500, with and without a field selector, each once", async () => {
    seedConfigMaps(
      h(),
      Array.from({ length: 50 }, (_, i) => `bulk-${String(i).padStart(2, "0")}`),
      1000,
    );
    // Speed is measured by `npm run bench`, not here.
    const { names } = await listAll(h(), "/api/v1/configmaps?fieldSelector=metadata.namespace!%3Dnone", 500);
    const plain = await listAll(h(), "/api/v1/configmaps", 500);
    expect(plain.names.length).toBeGreaterThanOrEqual(55_000);
    expect(new Set(plain.names).size).toBe(plain.names.length);
    expect(names).toEqual(plain.names);
  }, 60_000);
});

describe("kube-sim compaction by age", () => {
  const h = useKubeSim({ store: { compactionIntervalMs: 30 } });

  it("expires continue tokens once their snapshot is older than the compaction interval", async () => {
    seedConfigMaps(h(), ["aging"], 3);
    const first = await raw<ListBody>(h(), "GET", "/api/v1/namespaces/aging/configmaps?limit=1");
    h().sim.store.create(h().type("", "configmaps"), { metadata: { name: "newer", namespace: "aging" } });
    const status = await eventually(async () => {
      const res = await raw(
        h(),
        "GET",
        `/api/v1/namespaces/aging/configmaps?limit=1&continue=${first.json.metadata.continue}`,
      );
      return res.status === 410 ? res.status : undefined;
    }, "410 after automatic compaction");
    expect(status).toBe(410);
  });
});
