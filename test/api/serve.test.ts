// `aks-backup serve` as a process a user starts and stops: instance state kept in storage across a
// restart, a warning when it listens beyond loopback, and config entries it could not store named.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it } from "vitest";
import { stringify } from "yaml";
import { isLoopback } from "../../src/cli/commands/serve.js";
import { eventually } from "../helpers/eventually.js";
import { CLUSTER, DAILY, startTestServer } from "./harness.js";
import type { Job, JobDetail, List } from "./shapes.js";

// The built CLI, as users run it (`npm test` builds before the tests run).
const CLI = join(import.meta.dirname, "..", "..", "bin", "aks-backup.js");

describe("aks-backup serve", () => {
  it("still knows the jobs of its previous run after a restart", async () => {
    const first = await startTestServer({ clusters: [CLUSTER], policies: [DAILY] }, { scheduler: true });
    let tickId: string;
    try {
      tickId = await eventually(
        async () =>
          (await first.request<List<Job>>("GET", "/api/jobs?status=Succeeded")).body.value[0]?.id as string,
        "the first tick to complete",
        10_000,
      );
    } finally {
      await first.close();
    }
    const second = await startTestServer(
      { clusters: [CLUSTER], policies: [DAILY] },
      { container: first.container },
    );
    try {
      const job = await second.request<JobDetail>("GET", `/api/jobs/${encodeURIComponent(tickId)}`);
      expect(job.status).toBe(200);
      expect(job.body).toMatchObject({ id: tickId, type: "Schedule", status: "Succeeded" });
      expect(second.lines.join("\n")).toMatch(/already stored, kept as they are: cluster prod, policy daily/);
    } finally {
      await second.close();
    }
  });

  it("warns that the API has no authentication when it listens beyond loopback", async () => {
    const server = await startTestServer({}, { host: "0.0.0.0" });
    try {
      expect(server.lines.join("\n")).toMatch(
        /WARNING: listening on 0\.0\.0\.0: the local API has no authentication/,
      );
      expect((await server.request("GET", "/api/health")).status).toBe(200);
    } finally {
      await server.close();
    }
    expect(["127.0.0.1", "localhost", "::1", "[::1]", "127.1.2.3"].every(isLoopback)).toBe(true);
    expect(["0.0.0.0", "::", "10.0.0.4", "example.com"].some(isLoopback)).toBe(false);
  });
});

describe("aks-backup serve, the command", () => {
  it("prints one ready line, answers, and stops cleanly on SIGTERM", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aks-backup-serve-"));
    try {
      const container = `serve-cli-${process.pid}-${Date.now()}`;
      const storage = { connectionString: inject("azuriteConnectionString"), container };
      await writeFile(
        join(dir, "aks-backup.yaml"),
        stringify({ storage, clusters: [CLUSTER], policies: [DAILY] }),
      );
      const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
        cwd: dir,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (chunk: Buffer) => {
        stdout += chunk.toString();
      });
      child.stderr.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      let exitCode: number | null | undefined;
      const exited = new Promise<number | null>((resolve) =>
        child.on("exit", (code) => {
          exitCode = code;
          resolve(code);
        }),
      );
      const url = await eventually(
        () => {
          if (exitCode !== undefined) throw new Error(`serve exited with ${exitCode}: ${stderr}`);
          return /API ready on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(stdout)?.[1];
        },
        `the ready line (stdout: ${stdout}, stderr: ${stderr})`,
        20_000,
      );
      const health = await fetch(`${url}/api/health`);
      expect(health.status).toBe(200);
      expect(stdout).toMatch(/created from the config file: cluster prod, policy daily/);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/stopping/);
      expect(stderr).toBe("");
      expect(stdout + stderr).not.toMatch(/AccountKey/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("aks-backup serve with no config file (demo mode)", () => {
  it("says it is a demo, runs a first backup of the sample apps with their volumes, and stops cleanly", async () => {
    const dir = await mkdtemp(join(tmpdir(), "aks-backup-demo-serve-"));
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    try {
      const url = await eventually(
        () => /API ready on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(stdout)?.[1],
        "the ready line",
        60_000,
      );
      expect(stdout).toMatch(/DEMO MODE/);
      const health = (await (await fetch(`${url}/api/health`)).json()) as { mode: string; notice?: string };
      expect(health.mode).toBe("demo");
      expect(health.notice).toMatch(/simulated/);

      const jobId = await eventually(
        () => /api\/jobs\/(\S+)/.exec(stdout)?.[1],
        "the first backup's job",
        10_000,
      );
      const job = await eventually(
        async () => {
          const body = (await (await fetch(`${url}/api/jobs/${jobId}`)).json()) as {
            status: string;
            recoveryPointId?: string;
          };
          return body.status === "InProgress" ? undefined : body;
        },
        "the first backup to finish",
        60_000,
      );
      expect(job.status).toBe("Succeeded");
      const point = (await (await fetch(`${url}/api/recovery-points/${job.recoveryPointId}`)).json()) as {
        volumeSnapshots: unknown[];
        totalItems: number;
      };
      expect(point.volumeSnapshots.length).toBeGreaterThanOrEqual(2);
      expect(point.totalItems).toBeGreaterThan(10);
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
      expect(stdout).toMatch(/stopping/);
      expect(stdout + stderr).not.toMatch(/AccountKey/);
    } catch (error) {
      throw new Error(`${(error as Error).message}\nstdout: ${stdout}\nstderr: ${stderr}`);
    } finally {
      child.kill("SIGKILL");
      await rm(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
