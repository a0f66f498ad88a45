// `aks-backup serve` for API tests: a config file in a temporary directory pointing at the test
// run's Azurite (a fresh container per server), the server on a free loopback port, and a small
// fetch wrapper that returns status, headers and the parsed JSON body.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inject } from "vitest";
import { parse, stringify } from "yaml";
import { type RunningServe, startServe } from "../../src/cli/commands/serve.js";
import { writeSimulatorFiles } from "../../src/sim/files.js";
import type { Simulator } from "../../src/sim/simulator.js";

export interface Reply<T = unknown> {
  status: number;
  headers: Headers;
  /** The parsed JSON body, typed by the caller with the response's documented shape. */
  body: T;
  text: string;
}

export interface TestServer {
  url: string;
  serve: RunningServe;
  dir: string;
  container: string;
  lines: string[];
  request<T = unknown>(
    method: string,
    path: string,
    options?: { body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Reply<T>>;
  close(): Promise<void>;
}

let counter = 0;

/** Starts serve over `config` (its storage section is filled in); close it in afterAll. */
export async function startTestServer(
  config: Record<string, unknown> = {},
  options: { scheduler?: boolean; host?: string; container?: string } = {},
): Promise<TestServer> {
  const dir = await mkdtemp(join(tmpdir(), "aks-backup-api-"));
  const container = options.container ?? `api-${process.pid}-${Date.now()}-${counter++}`;
  const configPath = join(dir, "aks-backup.yaml");
  const storage = { connectionString: inject("azuriteConnectionString"), container };
  await writeFile(configPath, stringify({ ...config, storage }));
  const lines: string[] = [];
  const serve = await startServe({
    configPath,
    port: 0,
    ...(options.host ? { host: options.host } : {}),
    scheduler: options.scheduler ?? false,
    log: (line) => lines.push(line),
    warn: (line) => lines.push(line),
  });
  const request: TestServer["request"] = async (method, path, options = {}) => {
    const text = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    const response = await fetch(`${serve.url}${path}`, {
      method,
      headers: { ...(text === undefined ? {} : { "content-type": "application/json" }), ...options.headers },
      ...(text === undefined ? {} : { body: text }),
    });
    const replyText = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: replyText ? JSON.parse(replyText) : undefined,
      text: replyText,
    };
  };
  return {
    url: serve.url,
    serve,
    dir,
    container,
    lines,
    request,
    async close() {
      await serve.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export const CLUSTER = { name: "prod", kubeconfig: "/nonexistent/kubeconfig" };
export const DAILY = {
  name: "daily",
  schedule: ["R/2026-01-01T02:00:00+00:00/P1D"],
  retention: { default: "P7D" },
};
export const INSTANCE = { name: "prod-shop", cluster: "prod", policy: "daily", snapshotVolumes: false };

/**
 * serve over a simulated cluster, configured as `aks-backup sim --dir` configures it (cluster `sim`,
 * the Azure fake) with this run's Azurite; close also removes the simulator's files.
 */
export async function startSimTestServer(sim: Simulator): Promise<TestServer> {
  const simDir = await mkdtemp(join(tmpdir(), "aks-backup-api-sim-"));
  try {
    const files = await writeSimulatorFiles(simDir, sim, {
      connectionString: inject("azuriteConnectionString"),
      container: "unused",
    });
    const { storage: _storage, ...config } = parse(await readFile(files.config, "utf8"));
    const server = await startTestServer(config);
    return {
      ...server,
      async close() {
        await server.close();
        await rm(simDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(simDir, { recursive: true, force: true });
    throw error;
  }
}
