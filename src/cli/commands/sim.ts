// `aks-backup sim --dir D`: run a simulated AKS cluster (Kubernetes API + Azure fake) and embedded
// Azurite until interrupted, with the files a user needs to point kubectl and aks-backup at it.
import { join, resolve } from "node:path";
import type { Command } from "commander";
import { writeSimulatorFiles } from "../../sim/files.js";
import { startSimulator } from "../../sim/simulator.js";
import { startAzurite } from "../../store/azurite.js";

interface SimFlags {
  dir: string;
  clusterName: string;
  kubePort: string;
  armPort: string;
}

export function registerSimCommand(program: Command): void {
  program
    .command("sim")
    .description(
      "start a simulated AKS cluster and embedded storage; write <dir>/kubeconfig and <dir>/aks-backup.yaml",
    )
    .option("--dir <dir>", "directory for the kubeconfig, config file and storage data", ".sim")
    .option("--cluster-name <name>", "name of the simulated cluster", "sim")
    .option("--kube-port <port>", "port of the Kubernetes API (0 = any free port)", "0")
    .option("--arm-port <port>", "port of the Azure Resource Manager fake (0 = any free port)", "0")
    .action(async (flags: SimFlags) => runSim(flags));
}

function parsePort(value: string, flag: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${flag} must be a port number between 0 and 65535, got "${value}"`);
  }
  return port;
}

async function runSim(flags: SimFlags): Promise<void> {
  const dir = resolve(flags.dir);
  const kubePort = parsePort(flags.kubePort, "--kube-port");
  const armPort = parsePort(flags.armPort, "--arm-port");
  const azurite = await startAzurite({ dataDir: join(dir, "storage") });
  let sim: Awaited<ReturnType<typeof startSimulator>>;
  try {
    sim = await startSimulator({ clusterName: flags.clusterName, kubePort, armPort });
  } catch (error) {
    await azurite.stop();
    throw error;
  }
  const files = await writeSimulatorFiles(dir, sim, {
    connectionString: azurite.connectionString,
    container: "aks-backups",
  });
  console.log(
    `simulated cluster "${sim.clusterName}" ready: Kubernetes API ${sim.kube.url}, Azure ${sim.azure.url}, storage ${azurite.blobEndpoint}; KUBECONFIG=${files.kubeconfig}, config ${files.config}`,
  );

  await new Promise<void>((resolveStop) => {
    const stop = () => resolveStop();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  await sim.close();
  await azurite.stop();
  console.log("simulator stopped");
}
