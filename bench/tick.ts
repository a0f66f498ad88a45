// Benchmark of issue 5: one scheduled tick over 500 backup instances (all on one shared simulated
// cluster, each covering its own namespace) run by the real `scheduledBackups` orchestration in the
// local runtime against Azurite, measured in one run at two object counts per namespace. Reports
// the history events per backup (which must not depend on the object count) and the orchestration
// overhead per instance: its lifetime minus the time spent in its activities.
//
// The simulator runs in its own process (this file, argv `sim ...`), so its request handling never
// competes with the orchestrations for this process's event loop; Azurite is a process of its own,
// started afresh for each tick (after a small warm-up tick). Each run: a baseline tick (every
// instance seen for the first time), then the measured tick one hourly slot later.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { BlobServiceClient } from "@azure/storage-blob";
import { EventType } from "../src/local/history.js";
import { captureRegistrations, type Registry } from "../src/local/registry.js";
import { BlobInstanceStore, type InstanceStore, LocalRuntime } from "../src/local/runtime.js";
import type { StoredInstance } from "../src/local/store.js";
import { createEnvironment } from "../src/orchestrations/environment.js";
import { registerAll } from "../src/orchestrations/index.js";
import { startTick, type TickResult, tickInstanceId } from "../src/orchestrations/scheduled-backups.js";
import { startSimulator } from "../src/sim/simulator.js";
import { startAzurite } from "../src/store/azurite.js";

/** Activities running at once: the local runtime's default, which `serve` uses. */
const CONCURRENCY = 8;
const HOUR = 3_600_000;
const WARM_UP_INSTANCES = 50;

export interface Stats {
  mean: number;
  p50: number;
  p95: number;
  max: number;
}

export interface TickBenchRow {
  configMapsPerNamespace: number;
  instances: number;
  concurrency: number;
  /** Objects in each backup (its manifest's totalItems), min and max over the instances. */
  itemsMin: number;
  itemsMax: number;
  succeeded: number;
  /** Wall time of the tick: startTick until the scheduledBackups orchestration has completed. */
  totalSeconds: number;
  /** Σ of every activity's run time (the tick's listDueInstances included). */
  activitySeconds: number;
  activities: number;
  /** Mean run time of each activity, ms, by name. */
  activityMeans: Record<string, number>;
  /** History events of each backupInstance, min and max over the instances. */
  historyMin: number;
  historyMax: number;
  episodesMin: number;
  episodesMax: number;
  /** Per backupInstance, ms: (lastUpdated − created) − Σ its activities' run time. */
  overhead: Stats;
  /** The same, minus the time its activities waited for a free slot (the concurrency bound). */
  overheadExclQueue: Stats;
  /** Per backupInstance, ms: time inside the orchestrator function over all its replays. */
  replay: Stats;
  replaysPerInstance: number;
  /** Per backupInstance, ms: its lifetime (lastUpdated − created). */
  lifetime: Stats;
  /** Per backupInstance, ms: Σ its activities' run time. */
  activity: Stats;
  /** (total − Σactivity / concurrency) / instances, ms. */
  overheadPerInstanceFromTotal: number;
  /** The scheduledBackups orchestration itself. */
  tickHistory: number;
  tickEpisodes: number;
  tickReplays: number;
  tickReplaySeconds: number;
  /** Size of the tick's stored state document at the end, KB (it is rewritten after every episode). */
  tickDocumentKb: number;
  listDueSeconds: number;
  /** Instance-state writes (all instances) and their summed time. */
  stateWrites: number;
  stateWriteSeconds: number;
  /** The baseline tick (every instance seen for the first time, nothing due), wall seconds. */
  baselineSeconds: number;
}

interface Timing {
  start: number;
  end: number;
  ms: number;
}

/** Per-run measurements, filled by the wrapped registrations and the wrapped store. */
class Meter {
  /** Activity runs by instance id (the invocation id is `<instanceId>:<taskId>`). */
  readonly activities = new Map<string, Map<number, Timing>>();
  readonly replays = new Map<string, { count: number; ms: number }>();
  /** Activity runs by activity name. */
  readonly byName = new Map<string, { count: number; ms: number }>();
  writes = 0;
  writeMs = 0;

  reset(): void {
    this.activities.clear();
    this.replays.clear();
    this.byName.clear();
    this.writes = 0;
    this.writeMs = 0;
  }

  activity(name: string, invocationId: string, timing: Timing): void {
    const total = this.byName.get(name) ?? { count: 0, ms: 0 };
    total.count++;
    total.ms += timing.ms;
    this.byName.set(name, total);
    const cut = invocationId.lastIndexOf(":");
    const instance = invocationId.slice(0, cut);
    const task = Number(invocationId.slice(cut + 1));
    const runs = this.activities.get(instance) ?? new Map<number, Timing>();
    this.activities.set(instance, runs);
    runs.set(task, timing);
  }

  replay(instanceId: string, ms: number): void {
    const entry = this.replays.get(instanceId) ?? { count: 0, ms: 0 };
    entry.count++;
    entry.ms += ms;
    this.replays.set(instanceId, entry);
  }
}

/** Re-adds every activity and orchestrator of the registry with a timer around its handler. */
function instrument(registry: Registry, meter: Meter): void {
  for (const name of registry.names("activityTrigger")) {
    const registration = registry.get(name, "activityTrigger");
    registry.add({
      ...registration,
      handler: async (input, context) => {
        const start = Date.now();
        const began = performance.now();
        try {
          return await registration.handler(input, context);
        } finally {
          const ms = performance.now() - began;
          meter.activity(name, (context as { invocationId: string }).invocationId, {
            start,
            end: Date.now(),
            ms,
          });
        }
      },
    });
  }
  for (const name of registry.names("orchestrationTrigger")) {
    const registration = registry.get(name, "orchestrationTrigger");
    registry.add({
      ...registration,
      handler: async (trigger, context) => {
        const began = performance.now();
        try {
          return await registration.handler(trigger, context);
        } finally {
          meter.replay((trigger as { instanceId: string }).instanceId, performance.now() - began);
        }
      },
    });
  }
}

function timedStore(inner: InstanceStore, meter: Meter): InstanceStore {
  return {
    async save(instance) {
      const began = performance.now();
      try {
        await inner.save(instance);
      } finally {
        meter.writes++;
        meter.writeMs += performance.now() - began;
      }
    },
    load: (id) => inner.load(id),
    list: (filter) => inner.list(filter),
  };
}

function stats(values: readonly number[]): Stats {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? 0;
  const mean = sorted.reduce((sum, v) => sum + v, 0) / Math.max(1, sorted.length);
  return { mean, p50: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? 0 };
}

async function inBatches<T, R>(items: readonly T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size)
    out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

const namespaceOf = (configMaps: number, index: number) => `n${configMaps}-${index}`;

/** The simulator child: argv `sim <instances> <counts,...> <kubeconfig-path>`; prints READY, runs until stdin ends. */
async function simulatorProcess(args: string[]): Promise<void> {
  const [instances = "500", counts = "5", kubeconfigPath = "kubeconfig"] = args;
  const sim = await startSimulator({ crdEstablishDelayMs: 0 });
  const store = sim.kube.store;
  const nsType = store.resourceFor("", "namespaces");
  const cmType = store.resourceFor("", "configmaps");
  if (!nsType || !cmType) throw new Error("the simulator does not serve namespaces/configmaps");
  const started = performance.now();
  let objects = 0;
  for (const count of counts.split(",").map(Number)) {
    for (let i = 0; i < Number(instances); i++) {
      const namespace = namespaceOf(count, i);
      store.create(nsType, { apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
      for (let c = 0; c < count; c++, objects++) {
        store.create(cmType, {
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: `cm-${c}`, namespace, labels: { app: `app-${c % 7}` } },
          data: { "config.yaml": `replicas: ${c % 5}\nname: cm-${c}\n`, index: String(c) },
        });
      }
    }
  }
  await sim.controllers.idle();
  writeFileSync(kubeconfigPath, sim.kubeconfig, { mode: 0o600 });
  process.stdout.write(
    `READY ${JSON.stringify({ objects, seedSeconds: (performance.now() - started) / 1000 })}\n`,
  );
  process.stdin.resume();
  process.stdin.on("end", () => {
    void sim.close().then(() => process.exit(0));
  });
}

function startSimProcess(
  instances: number,
  counts: readonly number[],
  kubeconfig: string,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [import.meta.filename, "sim", String(instances), counts.join(","), kubeconfig],
    { stdio: ["pipe", "pipe", "inherit"] },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("READY ")) resolve(child);
    });
    child.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
}

async function runTick(
  connectionString: string,
  kubeconfig: string,
  instances: number,
  configMaps: number,
): Promise<TickBenchRow> {
  const service = BlobServiceClient.fromConnectionString(connectionString);
  const container = `tick-${configMaps}-${Date.now()}`;
  // The slots are the hours; the baseline tick is one hour before the measured one.
  const tick = new Date(Math.floor(Date.now() / HOUR) * HOUR);
  const baselineTick = new Date(tick.getTime() - HOUR);
  const env = createEnvironment({ service, container });
  const meter = new Meter();
  let runtime: LocalRuntime | undefined;
  try {
    await env.definitions.ensureContainer();
    // One cluster shared by every instance, its client rate limit lifted: the tick, not the limiter, is measured.
    await env.definitions.put("cluster", { name: "sim", kubeconfig, qps: 1e6, burst: 1_000_000 });
    await env.definitions.put("policy", {
      name: "hourly",
      schedule: [`R/${new Date(tick.getTime() - 24 * HOUR).toISOString().replace(".000Z", "+00:00")}/PT1H`],
      retention: { default: "P7D" },
    });
    const indices = Array.from({ length: instances }, (_, i) => i);
    await inBatches(indices, 32, (i) =>
      env.definitions.put("instance", {
        name: `app-${i}`,
        cluster: "sim",
        policy: "hourly",
        includedNamespaces: [namespaceOf(configMaps, i)],
        includeClusterScopeResources: false,
        snapshotVolumes: false,
      }),
    );

    const registry = await captureRegistrations(() => registerAll(async () => env));
    instrument(registry, meter);
    const store = timedStore(new BlobInstanceStore(env.catalog.container), meter);
    runtime = new LocalRuntime(registry, { store, concurrency: CONCURRENCY });

    // Every instance is seen for the first time: baselined, nothing due.
    const baselineStart = performance.now();
    await startTick(runtime, baselineTick);
    const baseline = await runtime.waitForCompletion(tickInstanceId(baselineTick), { timeoutMs: 600_000 });
    const baselineSeconds = (performance.now() - baselineStart) / 1000;
    const baselined = (baseline.output as TickResult | null)?.baselined.length ?? 0;
    if (baseline.runtimeStatus !== "Completed" || baselined !== instances)
      throw new Error(`baseline tick: ${baseline.runtimeStatus}, ${baselined} of ${instances} baselined`);

    meter.reset();
    const tickId = tickInstanceId(tick);
    const start = performance.now();
    await startTick(runtime, tick);
    const done = await runtime.waitForCompletion(tickId, { timeoutMs: 600_000 });
    const totalSeconds = (performance.now() - start) / 1000;
    const result = done.output as TickResult | null;
    if (done.runtimeStatus !== "Completed" || !result)
      throw new Error(`tick ${tickId} ended ${done.runtimeStatus}: ${String(done.output)}`);
    if (result.instances.length !== instances)
      throw new Error(`tick ${tickId} ran ${result.instances.length} of ${instances} instances`);

    const loaded = await inBatches(result.instances, 32, (o) => store.load(o.jobId));
    const jobs = loaded.filter((s): s is StoredInstance => s !== undefined);
    if (jobs.length !== instances)
      throw new Error(`${instances - jobs.length} backups are missing from the store`);
    const tickDoc = await store.load(tickId);

    const perJob = jobs.map((job) => {
      const runs = meter.activities.get(job.instanceId) ?? new Map<number, Timing>();
      const scheduledAt = new Map(
        job.history
          .filter((e) => e.EventType === EventType.TaskScheduled)
          .map((e) => [e.EventId, Date.parse(e.Timestamp)]),
      );
      let activityMs = 0;
      let waitedMs = 0;
      for (const [task, run] of runs) {
        activityMs += run.ms;
        waitedMs += Math.max(0, run.start - (scheduledAt.get(task) ?? run.start));
      }
      const lifetime = Date.parse(job.lastUpdatedTime) - Date.parse(job.createdTime);
      const output = job.output as { status?: string; totalItems?: number } | undefined;
      return {
        history: job.history.length,
        episodes: job.history.filter((e) => e.EventType === EventType.OrchestratorStarted).length,
        lifetime,
        activityMs,
        overhead: lifetime - activityMs,
        overheadExclQueue: lifetime - activityMs - waitedMs,
        replay: meter.replays.get(job.instanceId) ?? { count: 0, ms: 0 },
        items: output?.totalItems ?? 0,
        succeeded: output?.status === "Succeeded",
      };
    });

    let activitySeconds = 0;
    let activities = 0;
    for (const runs of meter.activities.values())
      for (const run of runs.values()) {
        activitySeconds += run.ms / 1000;
        activities++;
      }
    const tickRuns = meter.activities.get(tickId);
    const tickReplay = meter.replays.get(tickId) ?? { count: 0, ms: 0 };
    const history = perJob.map((j) => j.history);
    const episodes = perJob.map((j) => j.episodes);
    const items = perJob.map((j) => j.items);
    return {
      configMapsPerNamespace: configMaps,
      instances,
      concurrency: CONCURRENCY,
      itemsMin: Math.min(...items),
      itemsMax: Math.max(...items),
      succeeded: perJob.filter((j) => j.succeeded).length,
      totalSeconds,
      activitySeconds,
      activities,
      activityMeans: Object.fromEntries(
        [...meter.byName].map(([name, { count, ms }]) => [name, ms / Math.max(1, count)]),
      ),
      historyMin: Math.min(...history),
      historyMax: Math.max(...history),
      episodesMin: Math.min(...episodes),
      episodesMax: Math.max(...episodes),
      overhead: stats(perJob.map((j) => j.overhead)),
      overheadExclQueue: stats(perJob.map((j) => j.overheadExclQueue)),
      replay: stats(perJob.map((j) => j.replay.ms)),
      replaysPerInstance: perJob.reduce((sum, j) => sum + j.replay.count, 0) / instances,
      lifetime: stats(perJob.map((j) => j.lifetime)),
      activity: stats(perJob.map((j) => j.activityMs)),
      overheadPerInstanceFromTotal: ((totalSeconds - activitySeconds / CONCURRENCY) * 1000) / instances,
      tickHistory: tickDoc?.history.length ?? 0,
      tickEpisodes: tickDoc?.history.filter((e) => e.EventType === EventType.OrchestratorStarted).length ?? 0,
      tickReplays: tickReplay.count,
      tickReplaySeconds: tickReplay.ms / 1000,
      tickDocumentKb: tickDoc ? Buffer.byteLength(JSON.stringify(tickDoc)) / 1024 : 0,
      listDueSeconds: [...(tickRuns?.values() ?? [])].reduce((sum, r) => sum + r.ms, 0) / 1000,
      stateWrites: meter.writes,
      stateWriteSeconds: meter.writeMs / 1000,
      baselineSeconds,
    };
  } finally {
    await runtime?.close();
    await env.close();
  }
}

/** One tick over `instances` instances at each number of ConfigMaps per instance namespace. */
export async function benchTick(
  instances = 500,
  configMapCounts: readonly number[] = [5, 100],
): Promise<TickBenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), "bench-tick-"));
  const kubeconfig = join(dir, "kubeconfig");
  let sim: ChildProcess | undefined;
  // A fresh Azurite per tick: an emulator already holding an earlier run's blobs answers slower.
  const withAzurite = async <T>(use: (connectionString: string) => Promise<T>): Promise<T> => {
    const azurite = await startAzurite();
    try {
      return await use(azurite.connectionString);
    } finally {
      await azurite.stop();
    }
  };
  try {
    sim = await startSimProcess(instances, configMapCounts, kubeconfig);
    const first = configMapCounts[0] ?? 5;
    // A small warm-up tick first, so the first measured run does not also pay for JIT and connections.
    await withAzurite((cs) => runTick(cs, kubeconfig, Math.min(WARM_UP_INSTANCES, instances), first));
    const rows: TickBenchRow[] = [];
    for (const count of configMapCounts)
      rows.push(await withAzurite((cs) => runTick(cs, kubeconfig, instances, count)));
    return rows;
  } finally {
    if (sim) {
      const exited = new Promise((resolve) => sim?.once("exit", resolve));
      sim.stdin?.end();
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const ms = (v: number, digits = 1) => v.toFixed(digits);
const triple = (s: Stats, digits = 1) =>
  `${ms(s.mean, digits)} / ${ms(s.p50, digits)} / ${ms(s.p95, digits)}`;

/** The benchmark's printout, for bench/run.ts. */
export async function printTickBench(quick = false): Promise<TickBenchRow[]> {
  const instances = quick ? 100 : 500;
  const rows = await benchTick(instances);
  const first = rows[0];
  console.log(
    `\nscheduled tick: ${instances} instances, one shared simulated cluster, one namespace each, no volumes (snapshotVolumes false, no PVCs), activity concurrency ${first?.concurrency ?? CONCURRENCY}`,
  );
  console.log(
    "  ConfigMaps/ns  items/backup  succeeded  tick s  Σactivity s  activities  history events/backup  episodes/backup",
  );
  for (const r of rows) {
    const items = r.itemsMin === r.itemsMax ? `${r.itemsMin}` : `${r.itemsMin}-${r.itemsMax}`;
    const history = r.historyMin === r.historyMax ? `${r.historyMin}` : `${r.historyMin}-${r.historyMax}`;
    const episodes =
      r.episodesMin === r.episodesMax ? `${r.episodesMin}` : `${r.episodesMin}-${r.episodesMax}`;
    console.log(
      `  ${String(r.configMapsPerNamespace).padStart(13)}  ${items.padStart(12)}  ${`${r.succeeded}/${r.instances}`.padStart(9)}  ${r.totalSeconds.toFixed(2).padStart(6)}  ${r.activitySeconds.toFixed(2).padStart(11)}  ${String(r.activities).padStart(10)}  ${history.padStart(21)}  ${episodes.padStart(15)}`,
    );
  }
  // One line per measure, one column per object count.
  const table = (title: string, lines: [string, (r: TickBenchRow) => string][]) => {
    console.log(
      `\n  ${title.padEnd(46)}${rows.map((r) => `${r.configMapsPerNamespace} ConfigMaps/ns`.padEnd(30)).join("")}`.trimEnd(),
    );
    for (const [label, cell] of lines)
      console.log(`  ${label.padEnd(46)}${rows.map((r) => cell(r).padEnd(30)).join("")}`.trimEnd());
  };
  table("per backupInstance, ms (mean / p50 / p95)", [
    ["lifetime (created → completed)", (r) => triple(r.lifetime, 0)],
    ["Σ its activities' run time", (r) => triple(r.activity, 0)],
    ["overhead: lifetime − Σ activities", (r) => triple(r.overhead, 0)],
    ["  of which not waiting for an activity slot", (r) => triple(r.overheadExclQueue)],
    ["  of which in the orchestrator (all replays)", (r) => triple(r.replay)],
    ["(tick − Σactivity / concurrency) / instances", (r) => ms(r.overheadPerInstanceFromTotal)],
  ]);
  console.log(
    `  (every backup waits for one of the ${CONCURRENCY} activity slots the ${instances} share, so its lifetime is mostly queue)`,
  );
  console.log("\n  mean run time per activity, ms");
  for (const r of rows) {
    const means = Object.entries(r.activityMeans).map(([name, mean]) => `${name} ${mean.toFixed(0)}`);
    console.log(`  ${String(r.configMapsPerNamespace).padStart(13)}  ${means.join(", ")}`);
  }
  console.log("\n  the tick orchestration itself");
  console.log(
    "  ConfigMaps/ns  history events  episodes  replays  Σreplay s  state doc KB  listDueInstances s  state writes, all (Σs)  baseline tick s",
  );
  for (const r of rows) {
    console.log(
      `  ${String(r.configMapsPerNamespace).padStart(13)}  ${String(r.tickHistory).padStart(14)}  ${String(r.tickEpisodes).padStart(8)}  ${String(r.tickReplays).padStart(7)}  ${r.tickReplaySeconds.toFixed(2).padStart(9)}  ${r.tickDocumentKb.toFixed(0).padStart(12)}  ${r.listDueSeconds.toFixed(2).padStart(18)}  ${`${r.stateWrites} (${r.stateWriteSeconds.toFixed(1)})`.padStart(22)}  ${r.baselineSeconds.toFixed(2).padStart(15)}`,
    );
  }
  const histories = new Set(rows.flatMap((r) => [r.historyMin, r.historyMax]));
  const last = rows[rows.length - 1];
  if (first && last) {
    console.log(
      `\n  history events per backup: ${histories.size === 1 ? `${[...histories][0]} at every object count (independent of it)` : `DIFFER across object counts (${[...histories].join(", ")})`}`,
    );
    console.log(
      `  orchestration overhead per instance: ${ms(first.overheadPerInstanceFromTotal)} ms at ${first.configMapsPerNamespace}, ${ms(last.overheadPerInstanceFromTotal)} ms at ${last.configMapsPerNamespace} ConfigMaps/ns of tick time beyond Σactivity/${CONCURRENCY}; ${ms(first.overheadExclQueue.mean)} and ${ms(last.overheadExclQueue.mean)} ms of each backup's own lifetime outside its activities and their queue (mean)`,
    );
  }
  return rows;
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  if (process.argv[2] === "sim") await simulatorProcess(process.argv.slice(3));
  else await printTickBench(process.argv.includes("quick"));
}
