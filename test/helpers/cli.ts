// The built `aks-backup` command run as a user runs it: a child process in a directory, with its
// exit code and both outputs collected.
import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export const CLI = join(import.meta.dirname, "..", "..", "bin", "aks-backup.js");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: string[], cwd: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    child.on("error", reject);
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Writes `dir/aks-backup.yaml` and `dir/kubeconfig` for the CLI tests' usual setup: the run's Azurite
 * (`container`), cluster `sim` from `kubeconfig`, a daily policy and instance `shop` of namespace
 * `shop`, with `instanceFields` (YAML lines such as "snapshotVolumes: false") added to it.
 */
export function writeShopConfig(
  dir: string,
  options: { connectionString: string; container: string; kubeconfig: string; instanceFields?: string[] },
): void {
  writeFileSync(join(dir, "kubeconfig"), options.kubeconfig, { mode: 0o600 });
  writeFileSync(
    join(dir, "aks-backup.yaml"),
    [
      "storage:",
      `  connectionString: "${options.connectionString}"`,
      `  container: ${options.container}`,
      "clusters:",
      "  - name: sim",
      "    kubeconfig: kubeconfig",
      "policies:",
      "  - name: daily",
      '    schedule: ["R/2026-01-01T02:00:00+00:00/P1D"]',
      "    retention: {default: P7D}",
      "instances:",
      "  - name: shop",
      "    cluster: sim",
      "    policy: daily",
      "    includedNamespaces: [shop]",
      ...(options.instanceFields ?? []).map((line) => `    ${line}`),
      "",
    ].join("\n"),
  );
}
