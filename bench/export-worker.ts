// One process measuring the same work twice: either a bare paged list of every type a backup reads,
// or the backup itself into Azurite. The first run is a fresh process's (module state, a cold JIT);
// the second is what a warm Functions worker does for every later job. argv: <list|export>
// <kubeconfig> <connection-string> <container>. Prints one JSON line: per run, seconds, CPU, API
// requests, items, archive size; and the peak RSS of the first run.
import { readFileSync } from "node:fs";
import { BlobServiceClient } from "@azure/storage-blob";
import { planBackup } from "../src/backup/plan.js";
import { runBackup } from "../src/backup/run.js";
import { connectCluster } from "../src/kube/connect.js";
import { discoverResources } from "../src/kube/discovery.js";
import { listResources } from "../src/kube/list.js";
import { backupInstanceSchema } from "../src/model/backup-instance.js";
import { Catalog } from "../src/store/catalog.js";

export interface RunFigures {
  seconds: number;
  /** This process's CPU (all its threads: zlib's pool too) during the run. */
  cpuSeconds: number;
  items: number;
  types: number;
  requests: number;
  archiveBytes: number;
}

export interface WorkerResult {
  mode: string;
  first: RunFigures;
  again: RunFigures;
  rssBeforeMb: number;
  /** The process's peak RSS at the end of the first run. */
  peakRssMb: number;
}

const [mode = "list", kubeconfigPath = "", connectionString = "", container = "bench"] =
  process.argv.slice(2);
const cluster = await connectCluster(
  { name: "sim", kubeconfigYaml: readFileSync(kubeconfigPath, "utf8") },
  { qps: 0 },
);
const instance = backupInstanceSchema.parse({ name: "bench", cluster: "sim", policy: "daily" });
const catalog =
  mode === "export"
    ? new Catalog(BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container))
    : undefined;

async function measure(): Promise<RunFigures> {
  const requestsBefore = cluster.stats.requests;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  let items = 0;
  let types = 0;
  let archiveBytes = 0;
  if (mode === "list") {
    const { types: served } = await discoverResources(cluster);
    const plan = planBackup(served, instance);
    for (const type of [...plan.namespacedTypes, ...plan.clusterTypes, ...plan.dependencyTypes]) {
      types++;
      for await (const page of listResources(cluster, type, { pageSize: 500 })) items += page.length;
    }
  } else if (catalog) {
    const manifest = await runBackup({ instance, trigger: "OnDemand" }, { cluster, catalog });
    if (manifest.status !== "Succeeded")
      throw new Error(`backup ${manifest.status}: ${JSON.stringify(manifest.errors)}`);
    items = manifest.totalItems;
    types = Object.keys(manifest.itemCounts).length;
    archiveBytes = manifest.archive?.sizeBytes ?? 0;
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    items,
    types,
    requests: cluster.stats.requests - requestsBefore,
    archiveBytes,
  };
}

const rssBefore = process.memoryUsage().rss;
const first = await measure();
const peakRssMb = process.resourceUsage().maxRSS / 1024;
const again = await measure();
const result: WorkerResult = { mode, first, again, rssBeforeMb: rssBefore / 2 ** 20, peakRssMb };
process.stdout.write(`${JSON.stringify(result)}\n`);
cluster.close();
