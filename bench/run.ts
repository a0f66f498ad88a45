// `npm run bench`: runs the benchmarks in one process and prints their figures and ratios.
import { benchSimList } from "./sim-list.js";

const list = await benchSimList();
console.log("simulator: paged list of every ConfigMap across namespaces (limit 500)");
console.log(
  `  objects listed          ${list.objects} in ${list.pages} pages, ${list.namespaces} namespaces`,
);
console.log(`  seeding (in-process)    ${list.seedSeconds.toFixed(2)} s`);
console.log(
  `  raw HTTPS list          ${list.rawListSeconds.toFixed(2)} s  (${Math.round(list.rawObjectsPerSecond)} objects/s)`,
);
console.log(`  client-node list        ${list.clientNodeListSeconds.toFixed(2)} s`);
console.log(
  `  ratio raw / client-node ${list.rawToClientRatio.toFixed(2)}  (below 1: the client, not the simulator, bounds a list)`,
);
