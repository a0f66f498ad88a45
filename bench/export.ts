// Benchmark of issue 3: backup export against a bare paged list of the same objects, both measured
// in fresh processes in one run, at 5,000, 50,000 and 300,000 objects over 33 types and 200
// namespaces; plus API calls against the budget and peak memory growth between the sizes.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startAzurite } from "../src/store/azurite.js";

interface WorkerResult {
  mode: string;
  seconds: number;
  cpuSeconds: number;
  items: number;
  types: number;
  requests: number;
  archiveBytes: number;
  rssBeforeMb: number;
  peakRssMb: number;
}

export interface ExportBenchRow {
  objects: number;
  types: number;
  listSeconds: number;
  exportSeconds: number;
  throughputRatio: number;
  listCpuSeconds: number;
  exportCpuSeconds: number;
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
        const list = await runWorker(["list", kubeconfig]);
        const exported = await runWorker([
          "export",
          kubeconfig,
          azurite.connectionString,
          `bench-${objects}`,
        ]);
        // The bare list's calls (discovery, then ceil(items/500) per type, at least one) plus /version.
        const requestBudget = list.requests + 1;
        rows.push({
          objects,
          types: exported.types,
          listSeconds: list.seconds,
          exportSeconds: exported.seconds,
          throughputRatio: list.seconds / exported.seconds,
          listCpuSeconds: list.cpuSeconds,
          exportCpuSeconds: exported.cpuSeconds,
          exportItems: exported.items,
          listRequests: list.requests,
          exportRequests: exported.requests,
          requestBudget,
          archiveMb: exported.archiveBytes / 2 ** 20,
          peakRssMb: exported.peakRssMb,
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
