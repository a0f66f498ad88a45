// The export's listing: types in the order given while a few are fetched at once, pages held ahead
// within a bound, a failing type ended with its error, and in-flight requests cancelled when the
// consumer stops or the job is aborted.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { type ListingEvent, listTypes, type TypeListing } from "../../src/backup/listing.js";
import { isKubeApiError } from "../../src/kube/index.js";
import { useSimulator } from "../helpers/sim.js";
import { connectSim, listableType } from "../kube/harness.js";

const configMaps = listableType("", "configmaps", "ConfigMap");
const secrets = listableType("", "secrets", "Secret");

const NAMESPACES = ["list-a", "list-b", "list-c", "list-d", "list-e"];
const PAGE = 2;

/** The ConfigMaps of one namespace, in pages of PAGE. */
const inNamespace = (namespace: string): TypeListing => ({
  type: configMaps,
  options: { namespace, pageSize: PAGE, objects: "names" },
});

/** What a consumer sees: per event, the listing's namespace and the page's names or the end. */
function describeEvent(event: ListingEvent<TypeListing>): string {
  const where = event.listing.options.namespace ?? event.listing.type.resource;
  if ("page" in event) return `${where}: ${event.page.items.map((i) => i.metadata.name).join(",")}`;
  return event.error === undefined ? `${where}: end` : `${where}: failed`;
}

describe("backup: listing types", () => {
  const sim = useSimulator();

  async function seed(perNamespace: number): Promise<void> {
    const store = sim().kube.store;
    const nsType = store.resourceFor("", "namespaces");
    const cmType = store.resourceFor("", "configmaps");
    if (!nsType || !cmType) throw new Error("core types not served");
    for (const ns of NAMESPACES) {
      if (store.get(nsType, undefined, ns)) continue;
      store.create(nsType, { metadata: { name: ns } });
      for (let i = 0; i < perNamespace; i++)
        store.create(cmType, { metadata: { name: `cm-${String(i).padStart(2, "0")}`, namespace: ns } });
    }
    // Each namespace also gets its kube-root-ca.crt: ten ConfigMaps, five pages.
    await sim().controllers.idle();
  }

  async function collect(
    listings: TypeListing[],
    options: Parameters<typeof listTypes>[2] = {},
  ): Promise<string[]> {
    const cluster = await connectSim(sim());
    try {
      const seen: string[] = [];
      for await (const event of listTypes(cluster, listings, options)) seen.push(describeEvent(event));
      return seen;
    } finally {
      cluster.close();
    }
  }

  it("yields each type's pages in the listings' order, as a one-at-a-time listing does", async () => {
    await seed(9);
    const listings = NAMESPACES.map(inNamespace);
    const sequential = await collect(listings, { concurrency: 1 });
    const concurrent = await collect(listings, { concurrency: 3 });
    expect(concurrent).toEqual(sequential);
    // Every namespace's five pages, then its end.
    for (const ns of NAMESPACES) {
      const mine = concurrent.filter((e) => e.startsWith(`${ns}:`));
      expect(mine).toHaveLength(6);
      expect(mine.at(-1)).toBe(`${ns}: end`);
      expect(mine.at(-2)).toBe(`${ns}: cm-08,kube-root-ca.crt`);
    }
    expect(concurrent.indexOf("list-a: end")).toBeLessThan(
      concurrent.findIndex((e) => e.startsWith("list-b")),
    );
  });

  it("fetches the next types while one is consumed, holding a bounded number of pages", async () => {
    await seed(9);
    // A consumer that takes one page and pauses: each type in flight fetches until its queue of
    // pagesAhead is full plus the page in hand; the type in use has one more (the one taken).
    const requestsWhilePaused = async (concurrency: number): Promise<number> => {
      const cluster = await connectSim(sim());
      const iterator = listTypes(cluster, NAMESPACES.map(inNamespace), { concurrency, pagesAhead: 2 })[
        Symbol.asyncIterator
      ]();
      try {
        const first = await iterator.next();
        expect(first.done).toBe(false);
        const expected = 4 + 3 * (concurrency - 1);
        await vi.waitFor(() => expect(cluster.stats.requests).toBe(expected));
        await sleep(100);
        return cluster.stats.requests;
      } finally {
        await iterator.return?.();
        cluster.close();
      }
    };
    expect(await requestsWhilePaused(1)).toBe(4);
    expect(await requestsWhilePaused(3)).toBe(10);
  });

  it("ends a type the identity may not list with its error, and goes on with the others", async () => {
    await seed(9);
    sim().kube.faults.forbid({ group: "", resource: "secrets" });
    try {
      const cluster = await connectSim(sim());
      const events: Array<ListingEvent<TypeListing>> = [];
      for await (const event of listTypes(cluster, [
        inNamespace("list-a"),
        { type: secrets, options: { pageSize: PAGE } },
        inNamespace("list-b"),
      ]))
        events.push(event);
      cluster.close();
      const ends = events.filter((e) => "end" in e);
      expect(ends.map(describeEvent)).toEqual(["list-a: end", "secrets: failed", "list-b: end"]);
      const failed = ends[1];
      expect(failed && "end" in failed && isKubeApiError(failed.error, 403)).toBe(true);
      expect(events.filter((e) => "page" in e && e.listing.options.namespace === "list-b").length).toBe(5);
    } finally {
      sim().kube.faults.clear();
    }
  });

  it("cancels the requests in flight when the consumer stops early", async () => {
    await seed(9);
    // The types fetched ahead hang; stopping after the first page must not wait for them.
    sim().kube.faults.latency(10_000, { path: /namespaces\/list-[bc]\/configmaps/ });
    const cluster = await connectSim(sim());
    try {
      const started = Date.now();
      for await (const event of listTypes(cluster, NAMESPACES.map(inNamespace))) {
        expect(describeEvent(event)).toBe("list-a: cm-00,cm-01");
        break;
      }
      expect(Date.now() - started).toBeLessThan(5_000);
      const after = cluster.stats.requests;
      await sleep(100);
      expect(cluster.stats.requests).toBe(after);
    } finally {
      sim().kube.faults.clear();
      cluster.close();
    }
  });

  it("throws the abort's reason once the job is aborted, with types still in flight", async () => {
    await seed(9);
    sim().kube.faults.latency(10_000, { path: /namespaces\/list-[bc]\/configmaps/ });
    const cluster = await connectSim(sim());
    const controller = new AbortController();
    try {
      const seen: string[] = [];
      const run = (async () => {
        for await (const event of listTypes(cluster, NAMESPACES.map(inNamespace), {
          abortSignal: controller.signal,
        })) {
          seen.push(describeEvent(event));
          if (seen.at(-1) === "list-a: end")
            setTimeout(() => controller.abort(new Error("job cancelled")), 20);
        }
      })();
      await expect(run).rejects.toThrow("job cancelled");
      // list-a was read to its end; list-b never answered.
      expect(seen.at(-1)).toBe("list-a: end");
    } finally {
      sim().kube.faults.clear();
      cluster.close();
    }
  });
});
