// Test access to simulated clusters: one fresh simulator per test file, a client-node KubeConfig
// for it, and kubectl spawned against it with a private kubeconfig file.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll } from "vitest";
import { renderKubeconfig } from "../../src/sim/kubeconfig.js";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/sim/simulator.js";

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

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real kubectl against the simulator; never throws on a non-zero exit. */
export async function kubectl(
  sim: Simulator,
  args: string[],
  input?: string,
  options: { namespace?: string } = {},
): Promise<KubectlResult> {
  const dir = mkdtempSync(join(tmpdir(), "kubectl-"));
  const kubeconfigPath = join(dir, "kubeconfig");
  const kubeconfig = options.namespace
    ? renderKubeconfig({
        name: sim.clusterName,
        server: sim.kube.url,
        caCert: sim.tls.caCert,
        token: sim.token,
        namespace: options.namespace,
      })
    : sim.kubeconfig;
  writeFileSync(kubeconfigPath, kubeconfig, { mode: 0o600 });
  try {
    return await new Promise<KubectlResult>((resolve, reject) => {
      const child = spawn("kubectl", ["--kubeconfig", kubeconfigPath, "--request-timeout=20s", ...args], {
        env: { PATH: process.env.PATH ?? "", HOME: dir },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
      child.stdin.end(input ?? "");
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
