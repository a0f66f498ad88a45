// One measured run in a fresh process: either a bare paged list of every type a backup reads, or
// the backup itself into Azurite. argv: <list|export> <kubeconfig> <connection-string> <container>.
// Prints one JSON line: seconds, API requests, items, archive size, peak RSS.
import { readFileSync } from "node:fs";
import { BlobServiceClient } from "@azure/storage-blob";
import { planBackup } from "../src/backup/plan.js";
import { runBackup } from "../src/backup/run.js";
import { connectCluster } from "../src/kube/connect.js";
import { discoverResources } from "../src/kube/discovery.js";
import { listResources } from "../src/kube/list.js";
import { backupInstanceSchema } from "../src/model/backup-instance.js";
import { Catalog } from "../src/store/catalog.js";

const [mode, kubeconfigPath = "", connectionString = "", container = "bench"] = process.argv.slice(2);
const cluster = await connectCluster(
  { name: "sim", kubeconfigYaml: readFileSync(kubeconfigPath, "utf8") },
  { qps: 0 },
);
const instance = backupInstanceSchema.parse({ name: "bench", cluster: "sim", policy: "daily" });
const rssBefore = process.memoryUsage().rss;
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
} else {
  const catalog = new Catalog(
    BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container),
  );
  const manifest = await runBackup({ instance, trigger: "OnDemand" }, { cluster, catalog });
  if (manifest.status !== "Succeeded")
    throw new Error(`backup ${manifest.status}: ${JSON.stringify(manifest.errors)}`);
  items = manifest.totalItems;
  types = Object.keys(manifest.itemCounts).length;
  archiveBytes = manifest.archive?.sizeBytes ?? 0;
}

const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(
  `${JSON.stringify({
    mode,
    seconds,
    // This process's CPU (all its threads: zlib's pool too) while measured.
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    items,
    types,
    requests: cluster.stats.requests,
    archiveBytes,
    rssBeforeMb: rssBefore / 2 ** 20,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  })}\n`,
);
cluster.close();
