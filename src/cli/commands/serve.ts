// `aks-backup serve`: the HTTP API, the schedule timer and the orchestrations in one local process,
// over the configured (or embedded) storage; instance state lives there too, so a restart resumes.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { onDemandInstanceId } from "../../api/backups.js";
import { KIND_LABEL } from "../../api/definitions.js";
import type { ApiServer } from "../../api/node-server.js";
import { allowedSubscriptionsOf } from "../../events/index.js";
import type { LocalRuntime } from "../../local/runtime.js";
import { acquireServeLease } from "../../local/serve-lease.js";
import { azureSettingsOf, type Environment } from "../../orchestrations/environment.js";
import { appSetting } from "../../settings/app-settings-table.js";
import type { DefinitionKind, SeedReport } from "../../store/definitions.js";
import { DEFAULT_CONFIG_FILE, loadConfig } from "../config-file.js";
import { environmentFor } from "../context.js";
import { DEFAULT_DEMO_DIR, type Demo, startDemo } from "../demo.js";

interface ServeFlags {
  port: string;
  host: string;
}

export interface ServeOptions {
  /** The config file; default `./aks-backup.yaml`, and demo mode when that does not exist. */
  configPath?: string;
  /** Where demo mode keeps its files (default `.demo` in the working directory). */
  demoDir?: string;
  host?: string;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /** Run the schedule timer (default true; tests that start backups themselves turn it off). */
  scheduler?: boolean;
  /** Console lines (default: stdout). */
  log?: (line: string) => void;
  /** Warnings (default: stderr). */
  warn?: (line: string) => void;
}

export interface RunningServe {
  readonly url: string;
  readonly env: Environment;
  readonly runtime: LocalRuntime;
  /** Demo mode only: the job id of the first backup it started. */
  readonly firstBackup?: string;
  /** Stops the timer, the API, the runtime and the storage, in that order. */
  close(): Promise<void>;
}

export function registerServeCommand(program: Command): void {
  program
    .command("serve")
    .description("run the HTTP API, the schedule timer and the orchestrations locally")
    .option("--port <port>", "port of the HTTP API (0 = any free port)", "7071")
    .option(
      "--host <host>",
      "address to listen on; anything but loopback exposes an API without auth",
      "127.0.0.1",
    )
    .action(async (flags: ServeFlags, command: Command) => {
      const globals = command.optsWithGlobals<{ config?: string }>();
      const serve = await startServe({
        ...(globals.config ? { configPath: globals.config } : {}),
        host: flags.host,
        port: parsePort(flags.port),
      });
      await untilSignal();
      console.log("aks-backup serve: stopping");
      await serve.close();
    });
}

export async function startServe(options: ServeOptions = {}): Promise<RunningServe> {
  const log = options.log ?? ((line: string) => console.log(line));
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const host = options.host ?? "127.0.0.1";
  const closing: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const close of closing.splice(0).reverse()) await close();
  };
  let configPath = resolve(options.configPath ?? DEFAULT_CONFIG_FILE);
  let demo: Demo | undefined;
  if (options.configPath === undefined && !existsSync(configPath)) {
    // No config file and none asked for: the newcomer's first run, against a simulated cluster.
    demo = await startDemo({ dir: resolve(options.demoDir ?? DEFAULT_DEMO_DIR), log });
    closing.push(demo.stop);
    for (const line of demo.notice) log(line);
    configPath = demo.configPath;
  }
  try {
    const config = await loadConfig(configPath);
    const env = await environmentFor(config, configPath);
    closing.push(() => env.close());
    await env.definitions.ensureContainer();
    // Before anything is resumed or scheduled: a second serve on this container stops here.
    const lease = await acquireServeLease(env.catalog.container, { warn });
    closing.push(() => lease.release());
    printSeedReport(await env.definitions.seedFromConfig(config), log, warn);
    const {
      captureRegistrations,
      LocalRuntime,
      BlobInstanceStore,
      registerAll,
      startApiServer,
      startScheduler,
      startRetentionSweep,
    } = await loadServeModules();
    const registry = await captureRegistrations(() => registerAll(async () => env));
    const runtime = new LocalRuntime(registry, {
      store: new BlobInstanceStore(env.catalog.container),
    });
    closing.push(() => runtime.close());
    await runtime.resume();
    if (!isLoopback(host)) {
      warn(
        `aks-backup serve: WARNING: listening on ${host}: the local API has no authentication; anyone who can reach this address can change policies and delete backups`,
      );
    }
    const server: ApiServer = await startApiServer({
      env,
      client: runtime,
      host,
      port: options.port ?? 7071,
      ...(demo ? { notice: demo.message } : {}),
      // Event Grid deliveries read clusters' tags with the config's Azure access, and only from
      // the allowed subscriptions (AKS_BACKUP_ALLOWED_SUBSCRIPTIONS, else azure.subscriptionId).
      events: {
        azure: await azureSettingsOf(config),
        allowedSubscriptions: allowedSubscriptionsOf(
          appSetting(process.env, "AKS_BACKUP_ALLOWED_SUBSCRIPTIONS"),
          config.azure?.subscriptionId,
        ),
      },
    });
    closing.push(() => server.close());
    // The schedule timer: a tick now and at every tick boundary, as the Functions timer does on Azure.
    if (options.scheduler !== false) {
      const scheduler = startScheduler({
        client: runtime,
        onError: (error) => warn(`aks-backup serve: schedule tick failed: ${(error as Error).message}`),
      });
      closing.push(async () => scheduler.stop());
      // The daily retention sweep, as the Functions timer runs it: asked hourly (the first time a
      // minute after start), started at most once a day because its id is the day.
      const sweep = () =>
        startRetentionSweep(runtime, new Date()).catch((error: unknown) =>
          warn(`aks-backup serve: retention sweep failed to start: ${(error as Error).message}`),
        );
      const first = setTimeout(sweep, 60_000);
      const hourly = setInterval(sweep, 60 * 60_000);
      first.unref();
      hourly.unref();
      closing.push(async () => {
        clearTimeout(first);
        clearInterval(hourly);
      });
    }
    log(
      `aks-backup serve: API ready on ${server.url}/api, backup center on ${server.url}/ (config ${configPath}; Ctrl-C to stop)`,
    );
    let firstBackup: string | undefined;
    if (demo) {
      firstBackup = onDemandInstanceId(demo.instance, new Date());
      await runtime.startNew("backupInstance", {
        instanceId: firstBackup,
        input: { instance: demo.instance, trigger: "OnDemand" },
      });
      log(`aks-backup serve: DEMO MODE: first backup of ${demo.instance} started; follow it with`);
      log(`  curl ${server.url}/api/jobs/${encodeURIComponent(firstBackup)}`);
      log(`  curl ${server.url}/api/backup-instances/${demo.instance}/recovery-points`);
    }
    return { url: server.url, env, runtime, close: closeAll, ...(firstBackup ? { firstBackup } : {}) };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

// Loaded when serve starts, so the other commands never load the durable runtime and the API.
async function loadServeModules() {
  const [registry, runtime, store, orchestrations, scheduler, server, retention] = await Promise.all([
    import("../../local/registry.js"),
    import("../../local/runtime.js"),
    import("../../local/store.js"),
    import("../../orchestrations/index.js"),
    import("../../orchestrations/scheduled-backups.js"),
    import("../../api/node-server.js"),
    import("../../orchestrations/retention.js"),
  ]);
  return {
    captureRegistrations: registry.captureRegistrations,
    LocalRuntime: runtime.LocalRuntime,
    BlobInstanceStore: store.BlobInstanceStore,
    registerAll: orchestrations.registerAll,
    startScheduler: scheduler.startScheduler,
    startApiServer: server.startApiServer,
    startRetentionSweep: retention.startRetentionSweep,
  };
}

function printSeedReport(
  report: SeedReport,
  log: (line: string) => void,
  warn: (line: string) => void,
): void {
  const names = (entries: readonly { kind: DefinitionKind; name: string }[]) =>
    entries.map((entry) => `${KIND_LABEL[entry.kind]} ${entry.name}`).join(", ");
  if (report.created.length > 0)
    log(`aks-backup serve: created from the config file: ${names(report.created)}`);
  if (report.updated.length > 0)
    log(`aks-backup serve: updated from the config file: ${names(report.updated)}`);
  if (report.kept.length > 0)
    log(`aks-backup serve: already stored, kept as they are: ${names(report.kept)}`);
  if (report.differsFromFile.length > 0)
    warn(
      `aks-backup serve: edited through the API and different from the config file (the stored version is used): ${names(report.differsFromFile)}`,
    );
  for (const failed of report.failed) {
    warn(
      `aks-backup serve: ${failed.kind} ${failed.name} from the config file was not stored: ${failed.message}`,
    );
  }
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a port number between 0 and 65535, got "${value}"`);
  }
  return port;
}

function untilSignal(): Promise<void> {
  return new Promise((resolveStop) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolveStop();
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}
