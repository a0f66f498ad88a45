// Demo mode, the newcomer's first run: with no aks-backup.yaml, `serve` starts a simulated AKS cluster
// and local storage under one directory, deploys sample applications with volumes, writes a config
// protecting them (one policy, one instance), and says plainly that none of it is Azure.
import { readFile, writeFile } from "node:fs/promises";
import { isAbsolute, join, relative, resolve } from "node:path";
import { BlobServiceClient } from "@azure/storage-blob";
import { KubeConfig } from "@kubernetes/client-node";
import type { Config } from "../model/config.js";
import { writeSimulatorFiles } from "../sim/files.js";
import { type Simulator, startSimulator } from "../sim/simulator.js";
import { type EmbeddedAzurite, startAzurite } from "../store/azurite.js";
import { Catalog } from "../store/catalog.js";
import { loadConfig } from "./config-file.js";
import { DEMO_APPS, type DemoApp, demoNamespaces } from "./demo/apps.js";
import { DEMO_INSTANCE, DEMO_POLICY, demoProtection, renderDemoConfig } from "./demo/config.js";
import { deployApps, waitForApps } from "./demo/deploy.js";
import { releaseDemoDirectory, resetDemoDirectory } from "./demo/directory.js";

export { DEMO_INSTANCE, DEMO_POLICY } from "./demo/config.js";

/** Where `npm start` keeps the demo, relative to the working directory. */
export const DEFAULT_DEMO_DIR = ".demo";
export const DEMO_CLUSTER = "sim";
export const DEMO_SNAPSHOT_GROUP = "aks-backup-snapshots";
const CONTAINER = "aks-backups";

export interface DemoOptions {
  /** Cleared and rewritten on every start (see docs/demo.md). */
  dir: string;
  /** Progress while starting, one line each. */
  log?: (line: string) => void;
  /** Why demo mode runs, for the first notice line. */
  reason?: string;
  now?: () => Date;
  /** How long the sample applications may take to become ready (default 60 s). */
  readyTimeoutMs?: number;
  abortSignal?: AbortSignal;
}

export interface Demo {
  dir: string;
  configPath: string;
  kubeconfigPath: string;
  /** The written config, loaded and validated as every command loads it. */
  config: Config;
  simulator: Simulator;
  storage: EmbeddedAzurite;
  apps: readonly DemoApp[];
  instance: string;
  policy: string;
  /** One sentence for the API: what this is and that nothing touches Azure. */
  message: string;
  /** Lines for the console: the message, what was deployed, how to look around and how to leave. */
  notice: string[];
  /** Stops the simulator and storage; the files stay until the next demo start. Idempotent. */
  stop(): Promise<void>;
}

export async function startDemo(options: DemoOptions): Promise<Demo> {
  const log = options.log ?? (() => undefined);
  const dir = resolve(options.dir);
  const shown = displayDir(dir);
  await resetDemoDirectory(dir, shown);
  log(`demo: starting a simulated AKS cluster and local storage in ${shown}`);
  const storage = await startAzurite({ dataDir: join(dir, "storage") }).catch(async (error: unknown) => {
    await releaseDemoDirectory(dir);
    throw error;
  });
  let simulator: Simulator | undefined;
  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await simulator?.close();
      await storage.stop();
      await releaseDemoDirectory(dir);
    })();
    return stopped;
  };
  try {
    simulator = await startSimulator({ clusterName: DEMO_CLUSTER });
    const demo = await prepare(dir, shown, simulator, storage, options, log);
    return { ...demo, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function prepare(
  dir: string,
  shown: string,
  simulator: Simulator,
  storage: EmbeddedAzurite,
  options: DemoOptions,
  log: (line: string) => void,
): Promise<Omit<Demo, "stop">> {
  const files = await writeSimulatorFiles(dir, simulator, {
    connectionString: storage.connectionString,
    container: CONTAINER,
  });
  const protection = demoProtection({
    now: (options.now ?? (() => new Date()))(),
    clusterName: simulator.clusterName,
    namespaces: demoNamespaces(DEMO_APPS),
    snapshotResourceGroup: simulator.azure.createResourceGroup(DEMO_SNAPSHOT_GROUP),
  });
  const text = renderDemoConfig(await readFile(files.config, "utf8"), protection);
  await writeFile(files.config, text, { mode: 0o600 });
  const config = await loadConfig(files.config);
  // An empty container, so listing recovery points works before the first backup.
  const blobs = BlobServiceClient.fromConnectionString(storage.connectionString);
  await new Catalog(blobs.getContainerClient(CONTAINER)).ensureContainer();

  log(`demo: deploying ${DEMO_APPS.length} sample applications through the Kubernetes API`);
  const kubeconfig = new KubeConfig();
  kubeconfig.loadFromFile(files.kubeconfig);
  await deployApps(kubeconfig, DEMO_APPS);
  log("demo: waiting until their pods run and their claims are bound to Azure disks");
  await waitForApps(kubeconfig, DEMO_APPS, {
    ...(options.readyTimeoutMs !== undefined ? { timeoutMs: options.readyTimeoutMs } : {}),
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
  });

  const message = `DEMO MODE: ${options.reason ?? "no aks-backup.yaml here"}, so this runs against a simulated AKS cluster and local storage (${shown}/). Nothing touches Azure.`;
  return {
    dir,
    configPath: files.config,
    kubeconfigPath: files.kubeconfig,
    config,
    simulator,
    storage,
    apps: DEMO_APPS,
    instance: DEMO_INSTANCE,
    policy: DEMO_POLICY,
    message,
    notice: noticeLines(message, shown, simulator.clusterName),
  };
}

function noticeLines(message: string, shown: string, clusterName: string): string[] {
  const namespaces = demoNamespaces(DEMO_APPS);
  return [
    message,
    `  Sample applications in the simulated cluster "${clusterName}":`,
    ...DEMO_APPS.map((app) => `    ${app.namespace}/${app.name}: ${app.description}`),
    `  Protected by instance "${DEMO_INSTANCE}" (namespaces ${namespaces.join(", ")}, volumes snapshotted) with policy "${DEMO_POLICY}" (hourly; points kept 1 day, the first of each day 7 days).`,
    `  Look around: KUBECONFIG=${shown}/kubeconfig kubectl get pods,pvc -A; npx aks-backup -c ${shown}/aks-backup.yaml recovery-points ${DEMO_INSTANCE}`,
    `  Leave demo mode: write an aks-backup.yaml (docs/configuration.md), or run \`npx aks-backup sim --dir .sim\` for a simulator that keeps your changes. ${shown}/ is cleared on the next demo start (docs/demo.md).`,
  ];
}

/** `.demo` when under the working directory, else the absolute path. */
function displayDir(dir: string): string {
  const rel = relative(process.cwd(), dir);
  return rel && !rel.startsWith("..") && !isAbsolute(rel) ? rel : dir;
}
