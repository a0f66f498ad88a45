// Benchmark of issue 3: backup export against a bare paged list of the same objects, at 5,000,
// 50,000 and 300,000 objects over 33 types and 200 namespaces; plus API calls against the budget
// and peak memory growth between the sizes. Each size runs several list/export pairs (alternating
// which goes first) and reports the median pair: on a small shared machine one pair's ratio moves
// by ±0.1 from run to run. Each process does its work twice: the first run is a fresh process's,
// JIT warm-up and all; the second is the steady state of a warm Functions worker, which runs every
// job after its first.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAzurite } from "../src/store/azurite.js";
import type { RunFigures, WorkerResult } from "./export-worker.js";

/** One side of the comparison: the list and the export, and the median pair's ratio. */
export interface RunComparison {
  listSeconds: number;
  exportSeconds: number;
  /** The median of the pairs' list/export ratios. */
  throughputRatio: number;
  /** The lowest and highest pair's ratio. */
  ratioRange: [number, number];
  listCpuSeconds: number;
  exportCpuSeconds: number;
}

export interface ExportBenchRow {
  objects: number;
  types: number;
  pairs: number;
  /** Each process's first run: a fresh process, cold JIT. */
  first: RunComparison;
  /** The same work again in the same processes: a warm worker, as every later job runs. */
  again: RunComparison;
  exportItems: number;
  listRequests: number;
  exportRequests: number;
  requestBudget: number;
  archiveMb: number;
  peakRssMb: number;
}

const here = import.meta.dirname;

function startSim(
  objects: number,
  kubeconfig: string,
): Promise<{ child: ChildProcess; seedSeconds: number }> {
  const child = spawn(
    process.execPath,
    ["--max-old-space-size=8192", join(here, "sim-process.js"), String(objects), "200", kubeconfig],
    {
      stdio: ["pipe", "pipe", "inherit"],
    },
  );
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split("\n").find((l) => l.startsWith("READY "));
      if (line) resolve({ child, seedSeconds: JSON.parse(line.slice(6)).seedSeconds });
    });
    child.on("exit", (code) => reject(new Error(`simulator exited with ${code}`)));
  });
}

function runWorker(args: string[]): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(here, "export-worker.js"), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").pop() ?? "{}"))
        : reject(new Error(`worker exited with ${code}`)),
    );
  });
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

function compare(lists: readonly RunFigures[], exports: readonly RunFigures[]): RunComparison {
  const ratios = lists.map((l, i) => l.seconds / (exports[i] as RunFigures).seconds);
  return {
    listSeconds: median(lists.map((l) => l.seconds)),
    exportSeconds: median(exports.map((e) => e.seconds)),
    throughputRatio: median(ratios),
    ratioRange: [Math.min(...ratios), Math.max(...ratios)],
    listCpuSeconds: median(lists.map((l) => l.cpuSeconds)),
    exportCpuSeconds: median(exports.map((e) => e.cpuSeconds)),
  };
}

/** Pairs per size: fewer for the largest, whose runs take seconds each. */
function pairsFor(objects: number): number {
  return objects >= 200_000 ? 3 : 5;
}

export async function benchExport(
  sizes: readonly number[] = [5_000, 50_000, 300_000],
): Promise<ExportBenchRow[]> {
  const azurite = await startAzurite();
  const dir = mkdtempSync(join(tmpdir(), "bench-export-"));
  const rows: ExportBenchRow[] = [];
  try {
    for (const objects of sizes) {
      const kubeconfig = join(dir, `kubeconfig-${objects}`);
      const { child } = await startSim(objects, kubeconfig);
      try {
        // The first list warms the simulator's JIT; measuring after it keeps the comparison fair.
        await runWorker(["list", kubeconfig]);
        const lists: WorkerResult[] = [];
        const exports: WorkerResult[] = [];
        const pairs = pairsFor(objects);
        for (let pair = 0; pair < pairs; pair++) {
          const list = () => runWorker(["list", kubeconfig]);
          const exported = () =>
            runWorker(["export", kubeconfig, azurite.connectionString, `bench-${objects}-${pair}`]);
          if (pair % 2 === 0) {
            lists.push(await list());
            exports.push(await exported());
          } else {
            exports.push(await exported());
            lists.push(await list());
          }
        }
        const last = exports[exports.length - 1] as WorkerResult;
        const runs = (r: WorkerResult) => [r.first, r.again];
        // The bare list's calls (discovery, then ceil(items/500) per type, at least one) plus /version.
        const requestBudget = Math.max(...lists.flatMap(runs).map((l) => l.requests)) + 1;
        rows.push({
          objects,
          types: last.first.types,
          pairs,
          first: compare(
            lists.map((l) => l.first),
            exports.map((e) => e.first),
          ),
          again: compare(
            lists.map((l) => l.again),
            exports.map((e) => e.again),
          ),
          exportItems: last.first.items,
          listRequests: Math.max(...lists.flatMap(runs).map((l) => l.requests)),
          exportRequests: Math.max(...exports.flatMap(runs).map((e) => e.requests)),
          requestBudget,
          archiveMb: last.first.archiveBytes / 2 ** 20,
          peakRssMb: Math.max(...exports.map((e) => e.peakRssMb)),
        });
      } finally {
        child.stdin?.end();
        await new Promise((resolve) => child.once("exit", resolve));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await azurite.stop();
  }
  return rows;
}
