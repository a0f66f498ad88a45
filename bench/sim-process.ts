// A seeded simulator in its own process, so the benchmarked exporter's memory and CPU are its own.
// argv: <objects> <namespaces> <kubeconfig-path>; prints "READY <json>" and runs until stdin closes.
import { writeFileSync } from "node:fs";
import { startSimulator } from "../src/sim/simulator.js";
import { seedCluster } from "./seed.js";

const [objects = "5000", namespaces = "200", kubeconfigPath = "kubeconfig"] = process.argv.slice(2);
const sim = await startSimulator({ crdEstablishDelayMs: 0 });
const started = performance.now();
const seeded = await seedCluster(sim, Number(objects), Number(namespaces));
writeFileSync(kubeconfigPath, sim.kubeconfig, { mode: 0o600 });
process.stdout.write(
  `READY ${JSON.stringify({ ...seeded, seedSeconds: (performance.now() - started) / 1000 })}\n`,
);
process.stdin.resume();
process.stdin.on("end", () => {
  void sim.close().then(() => process.exit(0));
});
