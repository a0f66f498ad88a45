// Paged listing as a backup drives it: bounded pages with exactly one call per page, selectors,
// items completed with apiVersion and kind, lists outliving their snapshot, and types in parallel.
import { describe, expect, it } from "vitest";
import {
  type Cluster,
  discoverResources,
  type KubeObject,
  type ListWarning,
  listPagesWithJson,
  listResources,
  mapWithLimit,
  type ResourceType,
} from "../../src/kube/index.js";
import { useSimulator } from "../helpers/sim.js";
import { connectSim, listableType } from "./harness.js";

const configMaps = listableType("", "configmaps", "ConfigMap");

async function collect(
  pages: AsyncIterable<KubeObject[]>,
): Promise<{ items: KubeObject[]; sizes: number[] }> {
  const items: KubeObject[] = [];
  const sizes: number[] = [];
  for await (const page of pages) {
    sizes.push(page.length);
    items.push(...page);
  }
  return { items, sizes };
}

const nameOf = (o: KubeObject) => `${o.metadata.namespace}/${o.metadata.name}`;

describe("kube: paged listing", () => {
  const sim = useSimulator();

  function seed(
    namespaces: string[],
    perNamespace: number,
    labels: (i: number) => Record<string, string> = () => ({}),
  ) {
    const store = sim().kube.store;
    const nsType = store.resourceFor("", "namespaces");
    const cmType = store.resourceFor("", "configmaps");
    if (!nsType || !cmType) throw new Error("core types not served");
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

  function countConfigMaps(): number {
    const store = sim().kube.store;
    const cmType = store.resourceFor("", "configmaps");
    return cmType ? store.list(cmType).items.length : 0;
  }

  it("lists 5,000 ConfigMaps across namespaces in pages of 500 with exactly 10 calls", async () => {
    const namespaces = Array.from({ length: 10 }, (_, i) => `bulk-${i}`);
    seed(namespaces, 0);
    await sim().controllers.idle();
    // The cluster already holds some (kube-root-ca.crt per namespace): fill up to exactly 5,000.
    const missing = 5000 - countConfigMaps();
    seed(namespaces, Math.floor(missing / namespaces.length));
    seed(["bulk-rest"], 0);
    await sim().controllers.idle();
    seed(["bulk-rest"], 5000 - countConfigMaps());
    expect(countConfigMaps()).toBe(5000);

    const cluster = await connectSim(sim());
    const { items, sizes } = await collect(listResources(cluster, configMaps));
    expect(items).toHaveLength(5000);
    expect(sizes).toEqual(Array(10).fill(500));
    expect(cluster.stats.requests).toBe(10);
    expect(new Set(items.map(nameOf)).size).toBe(5000);
    expect(items[0]).toMatchObject({ apiVersion: "v1", kind: "ConfigMap" });
    expect(items.every((o) => o.apiVersion === "v1" && o.kind === "ConfigMap")).toBe(true);
    cluster.close();
  });

  it("selects by label, by field and by namespace", async () => {
    seed(["sel-a", "sel-b"], 30, (i) => ({ app: "shop", tier: i % 3 === 0 ? "db" : "web" }));
    const cluster = await connectSim(sim());
    const db = await collect(
      listResources(cluster, configMaps, { labelSelector: "app=shop,tier=db", pageSize: 7 }),
    );
    expect(db.items).toHaveLength(20);
    expect(db.items.every((o) => o.metadata.labels?.tier === "db")).toBe(true);
    const inA = await collect(
      listResources(cluster, configMaps, { namespace: "sel-a", labelSelector: "app=shop" }),
    );
    expect(inA.items).toHaveLength(30);
    const one = await collect(
      listResources(cluster, configMaps, { fieldSelector: "metadata.name=cm-00001", labelSelector: "app" }),
    );
    expect(one.items.map(nameOf)).toEqual(["sel-a/cm-00001", "sel-b/cm-00001"]);
    cluster.close();
  });

  it("with the JSON bytes: each item's are the server's, compact, and parse to the item", async () => {
    seed(["raw-a"], 0);
    const store = sim().kube.store;
    const cmType = store.resourceFor("", "configmaps");
    for (let i = 0; cmType && i < 12; i++) {
      store.create(cmType, {
        metadata: { name: `raw-${i}`, namespace: "raw-a", annotations: { note: 'quote " and ] }\\' } },
        data: { text: i % 2 ? "caf\u00e9 \u{1F600} [{" : "<b>&</b>" },
      });
    }
    const cluster = await connectSim(sim());
    let count = 0;
    for await (const page of listPagesWithJson(cluster, configMaps, { pageSize: 7 })) {
      expect(page.json).toHaveLength(page.items.length);
      for (const [i, item] of page.items.entries()) {
        const text = Buffer.concat(page.json[i] ?? []).toString("utf8");
        expect(JSON.parse(text)).toEqual(item);
        expect(text).toBe(JSON.stringify(JSON.parse(text)));
        count++;
      }
    }
    expect(count).toBe(countConfigMaps());
    expect(cluster.stats.requests).toBe(Math.ceil(count / 7));
    cluster.close();
  });

  it("refuses an answer that is not a JSON list instead of reading it as an empty one", async () => {
    const cluster = await connectSim(sim());
    sim().kube.faults.misanswer(
      { group: "", resource: "configmaps" },
      { contentType: "text/html", body: "<html>sign in</html>" },
    );
    try {
      const drain = async (pages: AsyncIterable<unknown>) => {
        for await (const _page of pages);
      };
      for (const pages of [listResources(cluster, configMaps), listPagesWithJson(cluster, configMaps)]) {
        await expect(drain(pages)).rejects.toMatchObject({
          code: "KubeBadResponse",
          message: expect.stringContaining("/api/v1/configmaps on cluster"),
        });
      }
    } finally {
      sim().kube.faults.clear();
      cluster.close();
    }
  });

  it("continues with the Status's inconsistent token after 410 Expired, and says so", async () => {
    seed(["expire"], 25);
    await sim().controllers.idle();
    const cluster = await connectSim(sim());
    const warnings: ListWarning[] = [];
    const seen: string[] = [];
    let pages = 0;
    for await (const page of listResources(cluster, configMaps, {
      namespace: "expire",
      pageSize: 10,
      onWarning: (w) => warnings.push(w),
    })) {
      seen.push(...page.map(nameOf));
      if (++pages === 1) sim().kube.store.compact();
    }
    // 25 plus the namespace's kube-root-ca.crt
    expect(seen).toHaveLength(26);
    expect(new Set(seen).size).toBe(26);
    expect(warnings).toEqual([
      expect.objectContaining({ kind: "InconsistentContinue", type: "v1 configmaps" }),
    ]);
    // page 1, the expired continue, then the rest from the inconsistent token.
    expect(cluster.stats.requests).toBe(4);
    cluster.close();
  });

  it("lists again after 410 Expired without a token, skipping what it already returned", async () => {
    // Secrets: no controller adds any to a new namespace, so the test decides what remains.
    const store = sim().kube.store;
    const nsType = store.resourceFor("", "namespaces");
    const secretType = store.resourceFor("", "secrets");
    if (!nsType || !secretType) throw new Error("core types not served");
    store.create(nsType, { metadata: { name: "relist" } });
    const name = (i: number) => `s-${String(i).padStart(3, "0")}`;
    for (let i = 0; i < 20; i++)
      store.create(secretType, { metadata: { name: name(i), namespace: "relist" }, type: "Opaque" });
    const secrets: ResourceType = { ...configMaps, resource: "secrets", kind: "Secret" };
    const cluster = await connectSim(sim());
    const warnings: ListWarning[] = [];
    const seen: string[] = [];
    let pages = 0;
    for await (const page of listResources(cluster, secrets, {
      namespace: "relist",
      pageSize: 10,
      onWarning: (w) => warnings.push(w),
    })) {
      seen.push(...page.map(nameOf));
      if (++pages === 1) {
        // Everything after the first page goes and the snapshot expires: the simulator, having no
        // position left to offer, sends 410 without a token (kube-apiserver always sends one).
        for (let i = 10; i < 20; i++) store.delete(secretType, "relist", name(i));
        store.create(secretType, { metadata: { name: "s-003a", namespace: "relist" }, type: "Opaque" });
        store.compact();
      }
    }
    expect(warnings.map((w) => w.kind)).toEqual(["Relisted"]);
    expect(warnings[0]?.message).toContain("listed again after relist/s-009");
    // The first page once; the newcomer sorts before where the list was, as with an inconsistent continue.
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => `relist/${name(i)}`));
    // page 1, the expired continue, and the relist (11 objects: two pages).
    expect(cluster.stats.requests).toBe(4);
    cluster.close();
  });

  it("lists several types in parallel with a limit, and an abort stops all of them", async () => {
    const cluster = await connectSim(sim());
    const { types } = await discoverResources(cluster);
    let running = 0;
    let peak = 0;
    const counts = await mapWithLimit(
      types,
      async (type, signal) => {
        running++;
        peak = Math.max(peak, running);
        try {
          let n = 0;
          for await (const page of listResources(cluster, type, { abortSignal: signal })) n += page.length;
          return n;
        } finally {
          running--;
        }
      },
      { limit: 4 },
    );
    expect(peak).toBe(4);
    expect(counts[types.findIndex((t) => t.resource === "namespaces" && t.group === "")]).toBeGreaterThan(3);

    const controller = new AbortController();
    sim().kube.faults.latency(2_000, { path: /\/configmaps$/ });
    const started = Date.now();
    const run = mapWithLimit(
      types,
      async (type, signal) => {
        if (type.resource === "configmaps") setTimeout(() => controller.abort(new Error("cancelled")), 20);
        return listAll(cluster, type, signal);
      },
      { limit: 4, abortSignal: controller.signal },
    );
    await expect(run).rejects.toThrow("cancelled");
    expect(Date.now() - started).toBeLessThan(1_500);
    sim().kube.faults.clear();
    cluster.close();
  });
});

async function listAll(cluster: Cluster, type: ResourceType, signal: AbortSignal): Promise<number> {
  let n = 0;
  for await (const page of listResources(cluster, type, { abortSignal: signal })) n += page.length;
  return n;
}
