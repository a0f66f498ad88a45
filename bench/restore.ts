// Benchmark of issue 6: a restore of 31,000 Secrets and ConfigMaps over 100 namespaces into an
// empty simulated cluster (objects/s, API calls per object, ratio to bare creates of the same kind
// of objects at the same client QPS and concurrency), then the same plan again with every object
// present and Patch, and with Skip. One fresh simulator process; the bare creates run half before
// and half after the restore, so both meet the same server and, on a busy machine, the same noise.
// Run as `node dist/bench/restore.js sim <kubeconfig>`, this file is that simulator process.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Cluster } from "../src/kube/cluster.js";
import { connectCluster } from "../src/kube/connect.js";
import { mapWithLimit } from "../src/kube/task-pool.js";
import type { KubeObject } from "../src/kube/types.js";
import { applyPlan, DEFAULT_CONCURRENCY } from "../src/restore/apply.js";
import { itemCollectionPath } from "../src/restore/object-paths.js";
import type { PlannedItem, RestorePlan } from "../src/restore/types.js";
import { startSimulator } from "../src/sim/simulator.js";

const NAMESPACES = 100;
const WARM_UP = 2_000;

export interface Run {
  seconds: number;
  objectsPerSecond: number;
  callsPerObject: number;
  /** CPU time of this (the client) process per object: what the restore logic costs. */
  clientCpuMsPerObject: number;
}

export interface RestoreBench {
  objects: number;
  namespaces: number;
  qps: number;
  concurrency: number;
  bare: Run;
  restore: Run & { ratio: number; created: number };
  patch: Run & { patched: number };
  skip: Run & { skipped: number };
}

function namespaceItem(name: string): PlannedItem {
  const object = { apiVersion: "v1", kind: "Namespace", metadata: { name } };
  return {
    group: "",
    version: "v1",
    resource: "namespaces",
    kind: "Namespace",
    namespaced: false,
    name,
    object,
  };
}

function objectItem(index: number, prefix: string): PlannedItem {
  const namespace = `${prefix}-${index % NAMESPACES}`;
  const name = `object-${index}`;
  const secret = index % 2 === 0;
  const labels = { app: `app-${index % 37}`, tier: index % 3 === 0 ? "web" : "data" };
  const object: KubeObject = secret
    ? {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace, labels },
        type: "Opaque",
        data: { token: Buffer.from(`secret-${index}-${name}`).toString("base64") },
      }
    : {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name, namespace, labels },
        data: { "app.yaml": `replicas: ${index % 5}\nname: ${name}\n`, index: String(index) },
      };
  return {
    group: "",
    version: "v1",
    resource: secret ? "secrets" : "configmaps",
    kind: object.kind,
    namespaced: true,
    namespace,
    name,
    object,
  };
}

/** Namespaces first, then Secrets, then ConfigMaps: the order a restore plan has. */
function itemsFor(objects: number, prefix: string): PlannedItem[] {
  const all = Array.from({ length: objects }, (_, i) => objectItem(i, prefix));
  return [
    ...Array.from({ length: NAMESPACES }, (_, n) => namespaceItem(`${prefix}-${n}`)),
    ...all.filter((item) => item.resource === "secrets"),
    ...all.filter((item) => item.resource === "configmaps"),
  ];
}

function planOf(items: PlannedItem[]): RestorePlan {
  return {
    recoveryPointId: "bench",
    phases: [{ name: "resources", items }],
    skipped: [],
    unselected: 0,
    warnings: [],
    volumes: [],
    persistentVolumeRestoreMode: "RestoreWithoutVolumeData",
    conflictPolicy: "Skip",
    namespaceMappings: {},
  };
}

/** The simulator's bare create throughput: POSTs in plan order, types one after another, no logic. */
async function bareCreate(cluster: Cluster, items: PlannedItem[], concurrency: number): Promise<void> {
  const namespaces = items.filter((item) => item.resource === "namespaces");
  const rest = items.filter((item) => item.resource !== "namespaces");
  for (const batch of [namespaces, rest]) {
    await mapWithLimit(
      batch,
      async (item) => {
        await cluster.request("POST", itemCollectionPath(item), { body: item.object });
      },
      { limit: concurrency },
    );
  }
}

async function timed(cluster: Cluster, objects: number, work: () => Promise<void>): Promise<Run> {
  const calls = cluster.stats.requests;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    seconds,
    objectsPerSecond: objects / seconds,
    callsPerObject: (cluster.stats.requests - calls) / objects,
    clientCpuMsPerObject: (used.user + used.system) / 1000 / objects,
  };
}

function combined(a: Run, b: Run, objectsA: number, objectsB: number): Run {
  const objects = objectsA + objectsB;
  const seconds = a.seconds + b.seconds;
  return {
    seconds,
    objectsPerSecond: objects / seconds,
    callsPerObject: (a.callsPerObject * objectsA + b.callsPerObject * objectsB) / objects,
    clientCpuMsPerObject: (a.clientCpuMsPerObject * objectsA + b.clientCpuMsPerObject * objectsB) / objects,
  };
}

function startSimProcess(kubeconfig: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [import.meta.filename, "sim", kubeconfig], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("READY")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
}

async function withSimulator<T>(
  dir: string,
  qps: number,
  work: (cluster: Cluster) => Promise<T>,
): Promise<T> {
  const kubeconfig = join(dir, "kubeconfig");
  const child = await startSimProcess(kubeconfig);
  const cluster = await connectCluster({ name: "bench", kubeconfig }, { qps, burst: Math.max(qps, 100) });
  try {
    // Warms the simulator's JIT, so every measurement meets the same server.
    await bareCreate(cluster, itemsFor(WARM_UP, "warm-up"), DEFAULT_CONCURRENCY);
    return await work(cluster);
  } finally {
    cluster.close();
    child.stdin?.end();
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

export async function benchRestore(
  objects = 31_000,
  options: { qps?: number; concurrency?: number } = {},
): Promise<RestoreBench> {
  const qps = options.qps ?? 0;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const dir = mkdtempSync(join(tmpdir(), "bench-restore-"));
  const items = itemsFor(objects, "shop");
  const bareBefore = itemsFor(Math.ceil(objects / 2), "bare-a");
  const bareAfter = itemsFor(Math.floor(objects / 2), "bare-b");
  const total = items.length;
  try {
    return await withSimulator(dir, qps, async (cluster) => {
      const options = { concurrency };
      const before = await timed(cluster, bareBefore.length, () =>
        bareCreate(cluster, bareBefore, concurrency),
      );
      let counts = { created: 0, patched: 0, skipped: 0 };
      const restore = await timed(cluster, total, async () => {
        counts = (await applyPlan(cluster, planOf(items), options)).counts;
      });
      const created = counts.created;
      const after = await timed(cluster, bareAfter.length, () => bareCreate(cluster, bareAfter, concurrency));
      const patch = await timed(cluster, total, async () => {
        counts = (await applyPlan(cluster, planOf(items), { ...options, conflictPolicy: "Patch" })).counts;
      });
      const patched = counts.patched;
      const skip = await timed(cluster, total, async () => {
        counts = (await applyPlan(cluster, planOf(items), options)).counts;
      });
      const bare = combined(before, after, bareBefore.length, bareAfter.length);
      return {
        objects: total,
        namespaces: NAMESPACES,
        qps,
        concurrency,
        bare,
        restore: { ...restore, created, ratio: restore.objectsPerSecond / bare.objectsPerSecond },
        patch: { ...patch, patched },
        skip: { ...skip, skipped: counts.skipped },
      };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function row(label: string, run: Run, extra = ""): string {
  const seconds = run.seconds.toFixed(2).padStart(7);
  const rate = Math.round(run.objectsPerSecond).toString().padStart(6);
  const calls = run.callsPerObject.toFixed(3);
  const cpu = run.clientCpuMsPerObject.toFixed(3);
  return `  ${label.padEnd(26)} ${seconds} s ${rate} objects/s  ${calls} calls/object  ${cpu} client CPU ms/object${extra}`;
}

/** Runs the benchmark and prints its figures (`quick`: 3,000 objects instead of 31,000). */
export async function printRestoreBench(quick = false): Promise<RestoreBench> {
  const r = await benchRestore(quick ? 3_000 : 31_000);
  const limit = r.qps > 0 ? `${r.qps} QPS` : "no client QPS limit";
  console.log(
    `\nrestore of ${r.objects} objects (Secrets and ConfigMaps, ${r.namespaces} namespaces included) into an empty simulated cluster, ${limit}, concurrency ${r.concurrency}`,
  );
  console.log(row("bare creates (simulator)", r.bare, "  (half before, half after the restore)"));
  console.log(row("restore, empty cluster", r.restore, `  (${r.restore.created} created)`));
  console.log(row("restore again, Patch", r.patch, `  (${r.patch.patched} patched)`));
  console.log(row("restore again, Skip", r.skip, `  (${r.skip.skipped} skipped)`));
  console.log(
    `  ratio restore / bare creates ${r.restore.ratio.toFixed(2)} (goal >= 0.8); calls per object ${r.restore.callsPerObject.toFixed(3)} (goal <= 1.1); Velero: about 10 objects/s`,
  );
  return r;
}

async function serveSimulator(kubeconfigPath: string): Promise<void> {
  const sim = await startSimulator({ crdEstablishDelayMs: 0 });
  writeFileSync(kubeconfigPath, sim.kubeconfig, { mode: 0o600 });
  process.stdout.write("READY\n");
  process.stdin.resume();
  process.stdin.on("end", () => {
    void sim.close().then(() => process.exit(0));
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, arg] = process.argv.slice(2);
  if (mode === "sim") await serveSimulator(arg ?? "kubeconfig");
  else await printRestoreBench(mode === "quick");
}
