// `npm run bench`: runs the benchmarks and prints their figures and ratios, each measured in one
// run. `npm run bench -- quick` uses smaller sizes.
import { GZIP_LEVEL } from "../src/archive/writer.js";
import { benchExport, type ExportBenchRow, type RunComparison } from "./export.js";
import { benchSimList } from "./sim-list.js";
import { printSnapshotBench } from "./snapshots.js";

const quick = process.argv.includes("quick");
// `npm run bench -- tick [quick]` / `-- restore [quick]`: only that benchmark (bench/tick.ts,
// bench/restore.ts); the default run ends with both.
if (process.argv.includes("tick")) {
  await (await import("./tick.js")).printTickBench(quick);
  process.exit(0);
}
if (process.argv.includes("restore")) {
  await (await import("./restore.js")).printRestoreBench(quick);
  process.exit(0);
}

const list = await benchSimList(quick ? 10_000 : 50_000);
console.log("simulator: paged list of every ConfigMap across namespaces (limit 500)");
console.log(
  `  objects listed          ${list.objects} in ${list.pages} pages, ${list.namespaces} namespaces`,
);
console.log(
  `  raw HTTPS list          ${list.rawListSeconds.toFixed(2)} s  (${Math.round(list.rawObjectsPerSecond)} objects/s)`,
);
console.log(`  client-node list        ${list.clientNodeListSeconds.toFixed(2)} s`);
console.log(
  `  ratio raw / client-node ${list.rawToClientRatio.toFixed(2)}  (below 1: the client, not the simulator, bounds a list)`,
);

const rows = await benchExport(quick ? [5_000, 30_000] : [5_000, 50_000, 300_000]);
console.log(
  `\nbackup export vs a bare paged list of the same types (200 namespaces, gzip level ${GZIP_LEVEL}; median of\n` +
    "several list/export pairs, alternating which runs first; each process runs its work twice: first in a\n" +
    "fresh process, then again warm, as a Functions worker runs every job after its first)",
);
const ratioText = (c: RunComparison) =>
  `${c.throughputRatio.toFixed(2)} (${c.ratioRange[0].toFixed(2)}-${c.ratioRange[1].toFixed(2)})`;
const secondsText = (c: RunComparison) => `${c.listSeconds.toFixed(2)}/${c.exportSeconds.toFixed(2)}`;
const cpuText = (c: RunComparison) => `${c.listCpuSeconds.toFixed(2)}/${c.exportCpuSeconds.toFixed(2)}`;
console.log(
  "  objects  types  pairs  warm: list/export s  ratio (range)     CPU s  first run: list/export s  ratio (range)     CPU s  calls (budget)  archive MB  peak RSS MB",
);
for (const r of rows) {
  console.log(
    `  ${String(r.objects).padStart(7)}  ${String(r.types).padStart(5)}  ${String(r.pairs).padStart(5)}  ${secondsText(r.again).padStart(19)}  ${ratioText(r.again).padStart(16)}  ${cpuText(r.again).padStart(8)}  ${secondsText(r.first).padStart(24)}  ${ratioText(r.first).padStart(16)}  ${cpuText(r.first).padStart(8)}  ${`${r.exportRequests} (${r.requestBudget})`.padStart(14)}  ${r.archiveMb.toFixed(1).padStart(10)}  ${r.peakRssMb.toFixed(0).padStart(11)}`,
  );
}
console.log(
  "  (CPU: the measured process's, all its threads, zlib's included; the simulator runs apart. On a\n" +
    "   machine with few cores and other load, wall time follows CPU time and the ratio falls. Peak RSS:\n" +
    "   at the end of an export process's first run.)",
);
const first = rows[0];
const last = rows[rows.length - 1];
if (first && last) {
  const growth = last.peakRssMb - first.peakRssMb;
  // The target is set for 50,000 objects and more; the smallest run is the memory baseline, where
  // a backup's fixed costs (blob container, uploads, manifest) outweigh the listing.
  const targeted = rows.length > 1 ? rows.slice(1) : rows;
  const worst = (pick: (r: ExportBenchRow) => RunComparison) =>
    (Math.min(...targeted.map((r) => pick(r).throughputRatio)) * 100).toFixed(0);
  const overBudget = rows.filter((r) => r.exportRequests > r.requestBudget).length;
  console.log(
    `\n  throughput: a warm export at ${worst((r) => r.again)}% of the bare list at worst from ${targeted[0]?.objects} objects (target >= 80%); a fresh process's first at ${worst((r) => r.first)}%`,
  );
  console.log(
    `  memory: peak RSS grows ${growth.toFixed(0)} MB from ${first.objects} to ${last.objects} objects (target < 100 MB)`,
  );
  console.log(`  API calls: ${overBudget === 0 ? "within" : "OVER"} the budget at every size`);
}

await printSnapshotBench();
await (await import("./restore.js")).printRestoreBench(quick);
await (await import("./tick.js")).printTickBench(quick);
