// A durable job run in the foreground by a CLI command: the app's orchestrations in the local
// runtime (state kept in the storage, so `serve` lists the job), its custom status shown as it
// runs, and Ctrl-C turned into a signal the command handles (a second Ctrl-C leaves at once).
import { captureRegistrations } from "../local/registry.js";
import { BlobInstanceStore, type InstanceStatus, LocalRuntime } from "../local/runtime.js";
import { registerAll } from "../orchestrations/index.js";
import type { CliContext } from "./context.js";
import { ProgressLine } from "./output.js";

const POLL_MS = 200;

export interface ForegroundJob {
  readonly runtime: LocalRuntime;
  readonly progress: ProgressLine;
  /** Aborted on the first SIGINT/SIGTERM; `reason` is then "cancelled by <signal>". */
  readonly signal: AbortSignal;
  reason(): string;
  /**
   * Starts the orchestration and shows `describe(customStatus)` until it ends; undefined when the
   * user interrupted it first (the command decides what that means).
   */
  run(
    name: string,
    instanceId: string,
    input: unknown,
    describe: (status: unknown) => string | undefined,
  ): Promise<InstanceStatus | undefined>;
  close(): Promise<void>;
}

export async function foregroundJob(context: CliContext, stopping: string): Promise<ForegroundJob> {
  const registry = await captureRegistrations(() => registerAll(async () => context.env));
  const runtime = new LocalRuntime(registry, { store: new BlobInstanceStore(context.catalog.container) });
  const progress = new ProgressLine();
  const controller = new AbortController();
  let why = "cancelled";
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(130);
    progress.clear();
    process.stderr.write(`aks-backup: ${signal}: ${stopping} (again to quit now)\n`);
    why = `cancelled by ${signal}`;
    controller.abort();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    runtime,
    progress,
    signal: controller.signal,
    reason: () => why,
    async run(name, instanceId, input, describe) {
      await runtime.startNew(name, { instanceId, input });
      for (;;) {
        const status = await runtime.getStatus(instanceId);
        if (status && status.runtimeStatus !== "Pending" && status.runtimeStatus !== "Running") {
          progress.clear();
          return status;
        }
        if (controller.signal.aborted) {
          progress.clear();
          return undefined;
        }
        const line = status?.customStatus ? describe(status.customStatus) : undefined;
        if (line) progress.update(line);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    async close() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
      progress.clear();
      await runtime.close();
    },
  };
}
