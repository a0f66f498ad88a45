// The embedded blob store: starts Azurite (the real Azure Storage emulator) as a child process on
// loopback, for `serve`/CLI runs with no `storage` configured and for the tests.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** Azurite's well-known development account; public, documented, not a secret. */
export const AZURITE_ACCOUNT = "devstoreaccount1";
const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export interface EmbeddedAzurite {
  blobEndpoint: string;
  connectionString: string;
  stop(): Promise<void>;
}

export interface AzuriteOptions {
  /** Directory for Azurite's data; omitted = in memory, gone when stopped. */
  dataDir?: string;
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  startTimeoutMs?: number;
}

function azuriteBlobEntry(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("azurite/package.json")), "dist", "src", "blob", "main.js");
}

export async function startAzurite(options: AzuriteOptions = {}): Promise<EmbeddedAzurite> {
  const host = options.host ?? "127.0.0.1";
  const args = [
    azuriteBlobEntry(),
    "--blobHost",
    host,
    "--blobPort",
    String(options.port ?? 0),
    "--skipApiVersionCheck",
    "--disableTelemetry",
    "--loose",
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push("--location", options.dataDir);
  } else {
    args.push("--inMemoryPersistence");
  }
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"] });
  const blobEndpoint = await waitForListening(child, options.startTimeoutMs ?? 20_000);
  const accountEndpoint = `${blobEndpoint}/${AZURITE_ACCOUNT}`;
  return {
    blobEndpoint: accountEndpoint,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${accountEndpoint};`,
    stop: () => stopChild(child),
  };
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Azurite did not start within ${timeoutMs} ms; it printed: ${output.slice(-2000)}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /successfully listens on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        child.stdout?.off("data", onData);
        // Keep draining so a chatty Azurite never blocks on a full pipe.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve(match[1].replace(/\/$/, ""));
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(
        new Error(`Azurite exited with code ${code} before listening; it printed: ${output.slice(-2000)}`),
      );
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
