// The files `aks-backup sim --dir D` leaves for users: a kubeconfig for kubectl, the CA and the
// Azure fake's token, and an aks-backup.yaml whose simulator-owned parts are refreshed on every
// start while whatever the user added (policies, instances, more clusters) is kept as written.
import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Document, isMap, isSeq, parseDocument, type YAMLMap } from "yaml";
import type { Simulator } from "./simulator.js";

export interface SimulatorFiles {
  kubeconfig: string;
  config: string;
  caCert: string;
  armToken: string;
}

export interface StorageSettings {
  connectionString: string;
  container: string;
}

export async function writeSimulatorFiles(
  dir: string,
  sim: Simulator,
  storage: StorageSettings,
): Promise<SimulatorFiles> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const files: SimulatorFiles = {
    kubeconfig: join(root, "kubeconfig"),
    config: join(root, "aks-backup.yaml"),
    caCert: join(root, "ca.crt"),
    armToken: join(root, "azure-token"),
  };
  await writeFile(files.kubeconfig, sim.kubeconfig, { mode: 0o600 });
  await writeFile(files.caCert, sim.tls.caCert);
  await writeFile(files.armToken, sim.token, { mode: 0o600 });
  const existing = existsSync(files.config) ? await readFile(files.config, "utf8") : undefined;
  await writeFile(files.config, renderConfig(existing, sim, storage, files), { mode: 0o600 });
  return files;
}

function header(clusterName: string): string {
  return [
    " aks-backup configuration for the simulated cluster started by `aks-backup sim`.",
    ` The simulator rewrites storage, azure and the "${clusterName}" cluster on every start (its ports and`,
    " credentials change); everything else in this file (policies, instances, other clusters) is yours",
    " and is kept as written.",
  ].join("\n");
}

/** Merges the simulator's sections into an existing config (or a new one) and returns the YAML. */
export function renderConfig(
  existing: string | undefined,
  sim: Simulator,
  storage: StorageSettings,
  files: Pick<SimulatorFiles, "kubeconfig" | "caCert" | "armToken">,
): string {
  const parsed = existing ? parseDocument(existing) : undefined;
  const doc: Document = parsed && isMap(parsed.contents) ? parsed : new Document({});
  doc.commentBefore = header(sim.clusterName);

  doc.set(
    "storage",
    doc.createNode({ connectionString: storage.connectionString, container: storage.container }),
  );
  const storageNode = doc.get("storage", true);
  if (storageNode && typeof storageNode === "object") {
    (storageNode as YAMLMap).commentBefore =
      " Azurite, the Azure Storage emulator, started by `aks-backup sim` with its data in this directory.\n The key is Azurite's documented development key, not a secret.";
  }
  doc.set(
    "azure",
    doc.createNode({
      resourceManagerEndpoint: sim.azure.url,
      caFile: files.caCert,
      credential: { tokenFile: files.armToken },
    }),
  );

  const cluster = {
    name: sim.clusterName,
    kubeconfig: files.kubeconfig,
    context: sim.clusterName,
    aksResourceId: sim.aksResourceId,
  };
  const clusters = doc.get("clusters", true);
  if (isSeq(clusters)) {
    const index = clusters.items.findIndex((item) => isMap(item) && item.get("name") === sim.clusterName);
    if (index >= 0) clusters.items[index] = doc.createNode(cluster);
    else clusters.items.unshift(doc.createNode(cluster));
  } else {
    doc.set("clusters", doc.createNode([cluster]));
  }
  for (const key of ["policies", "instances"]) {
    if (!doc.has(key)) doc.set(key, doc.createNode([]));
  }
  return doc.toString();
}
