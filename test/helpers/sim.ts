// Test access to simulated clusters: one fresh simulator per test file, a client-node KubeConfig
// for it, and kubectl spawned against it with a private kubeconfig file.
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll } from "vitest";
import { renderKubeconfig } from "../../src/sim/kubeconfig.js";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/sim/simulator.js";
import { type KubectlResult, runKubectl } from "./kubectl.js";

/** Starts a simulator before the file's tests and stops it after; call at the top of a describe. */
export function useSimulator(options: SimulatorOptions = {}): () => Simulator {
  let sim: Simulator | undefined;
  beforeAll(async () => {
    sim = await startSimulator({ crdEstablishDelayMs: 50, ...options });
  });
  afterAll(async () => {
    await sim?.close();
  });
  return () => {
    if (!sim)
      throw new Error("the simulator has not started (useSimulator must be called in a describe block)");
    return sim;
  };
}

export function kubeConfigFor(sim: Simulator): KubeConfig {
  const config = new KubeConfig();
  config.loadFromString(sim.kubeconfig);
  return config;
}

/** Runs the real kubectl against the simulator; never throws on a non-zero exit. */
export function kubectl(
  sim: Simulator,
  args: string[],
  input?: string,
  options: { namespace?: string } = {},
): Promise<KubectlResult> {
  const kubeconfig = options.namespace
    ? renderKubeconfig({
        name: sim.clusterName,
        server: sim.kube.url,
        caCert: sim.tls.caCert,
        token: sim.entraToken ?? sim.token,
        namespace: options.namespace,
      })
    : sim.kubeconfig;
  return runKubectl(kubeconfig, args, input);
}
