// Benchmark: how fast the simulated API server serves a paged list of 50,000 objects, next to what
// a real client (client-node) spends receiving the same pages, measured in one run. The simulator
// must never be the bottleneck of the product's own benchmarks.
import { request } from "node:https";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { startSimulator } from "../src/sim/simulator.js";

export interface SimListResult {
  objects: number;
  namespaces: number;
  seedSeconds: number;
  rawListSeconds: number;
  rawObjectsPerSecond: number;
  clientNodeListSeconds: number;
  rawToClientRatio: number;
  pages: number;
}

function getJson(
  url: URL,
  token: string,
  ca: string,
): Promise<{ items: unknown[]; metadata: { continue?: string } }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: { authorization: `Bearer ${token}`, accept: "application/json" }, ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          if (res.statusCode !== 200) reject(new Error(`GET ${url} -> ${res.statusCode}`));
          else resolve(JSON.parse(Buffer.concat(chunks).toString("utf8")));
        });
      },
    );
    req.on("error", reject);
    req.end();
  });
}

export async function benchSimList(objects = 50_000, namespaces = 200): Promise<SimListResult> {
  const sim = await startSimulator({ crdEstablishDelayMs: 0 });
  try {
    const store = sim.kube.store;
    const nsType = store.resourceFor("", "namespaces");
    const cmType = store.resourceFor("", "configmaps");
    if (!nsType || !cmType) throw new Error("the simulator does not serve namespaces/configmaps");
    const seedStart = performance.now();
    for (let n = 0; n < namespaces; n++) {
      store.create(nsType, { apiVersion: "v1", kind: "Namespace", metadata: { name: `bench-${n}` } });
    }
    for (let i = 0; i < objects; i++) {
      store.create(cmType, {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: `cm-${i}`, namespace: `bench-${i % namespaces}`, labels: { app: `app-${i % 37}` } },
        data: { "config.yaml": `replicas: ${i % 5}\nname: cm-${i}\n`, index: String(i) },
      });
    }
    await sim.controllers.idle();
    const seedSeconds = (performance.now() - seedStart) / 1000;

    let listed = 0;
    let pages = 0;
    const rawStart = performance.now();
    let token: string | undefined;
    do {
      const url = new URL("/api/v1/configmaps", sim.kube.url);
      url.searchParams.set("limit", "500");
      if (token) url.searchParams.set("continue", token);
      const page = await getJson(url, sim.token, sim.tls.caCert);
      listed += page.items.length;
      pages++;
      token = page.metadata.continue || undefined;
    } while (token);
    const rawListSeconds = (performance.now() - rawStart) / 1000;

    const config = new KubeConfig();
    config.loadFromString(sim.kubeconfig);
    const core = config.makeApiClient(CoreV1Api);
    const clientStart = performance.now();
    let clientListed = 0;
    let next: string | undefined;
    do {
      const page = await core.listConfigMapForAllNamespaces({
        limit: 500,
        ...(next ? { _continue: next } : {}),
      });
      clientListed += page.items.length;
      next = page.metadata?._continue || undefined;
    } while (next);
    const clientNodeListSeconds = (performance.now() - clientStart) / 1000;

    if (listed < objects || clientListed !== listed) {
      // Namespaces get a kube-root-ca.crt ConfigMap each, so more than `objects` are listed.
      throw new Error(
        `listed ${listed} raw and ${clientListed} through client-node, expected at least ${objects}`,
      );
    }
    return {
      objects: listed,
      namespaces,
      seedSeconds,
      rawListSeconds,
      rawObjectsPerSecond: listed / rawListSeconds,
      clientNodeListSeconds,
      rawToClientRatio: rawListSeconds / clientNodeListSeconds,
      pages,
    };
  } finally {
    await sim.close();
  }
}
