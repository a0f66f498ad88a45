// The real kubectl, spawned with a private kubeconfig file and a bare environment, so tests see
// exactly what a user's kubectl does against a simulated cluster.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl with `kubeconfig` (YAML text); never throws on a non-zero exit. */
export async function runKubectl(kubeconfig: string, args: string[], input?: string): Promise<KubectlResult> {
  const dir = mkdtempSync(join(tmpdir(), "kubectl-"));
  const kubeconfigPath = join(dir, "kubeconfig");
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
