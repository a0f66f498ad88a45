// `aks-backup backup <instance>`: an on-demand backup of one instance, shown as it runs; prints the
// recovery point it committed. Exits 1 when the backup failed.
import type { Command } from "commander";
import { configuredDenyList } from "../../backup/deny-list.js";
import { runBackup } from "../../backup/run.js";
import { openContext } from "../context.js";
import {
  formatBytes,
  formatDuration,
  type OutputFormat,
  ProgressLine,
  parseOutputFormat,
  printJson,
} from "../output.js";
import { printManifest } from "./describe.js";

interface BackupFlags {
  wait?: boolean;
  output: OutputFormat;
}

export function registerBackupCommand(program: Command): void {
  program
    .command("backup <instance>")
    .description("back up one instance now (on demand) and print its recovery point")
    .option("--wait", "wait until the backup is committed (the CLI always runs it in the foreground)")
    .option("-o, --output <format>", "table or json", parseOutputFormat, "table")
    .action(async (name: string, flags: BackupFlags, command: Command) => {
      const context = await openContext(command.optsWithGlobals());
      try {
        const instance = context.instance(name);
        const cluster = await context.connect(instance.cluster);
        const progress = new ProgressLine();
        // Ctrl-C stops the backup at its next step and still commits a Failed recovery point, so
        // nothing is left half-written; a second Ctrl-C leaves at once.
        const cancel = new AbortController();
        const onSignal = (signal: NodeJS.Signals) => {
          if (cancel.signal.aborted) process.exit(130);
          progress.clear();
          process.stderr.write(
            `aks-backup: ${signal}: stopping the backup and recording it as Failed (again to quit now)\n`,
          );
          cancel.abort(new Error(`cancelled by ${signal}`));
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
        const manifest = await runBackup(
          { instance, trigger: "OnDemand" },
          {
            cluster,
            catalog: context.catalog,
            volumes: await context.volumeDeps(instance),
            pageSize: context.config.kube.pageSize,
            denyList: configuredDenyList(context.config.backup.deniedResourceTypes),
            abortSignal: cancel.signal,
            onProgress: (p) =>
              progress.update(
                `backing up ${name}: ${p.phase}, ${p.typesDone}/${p.typesTotal} types, ${p.items} items`,
              ),
          },
        ).finally(() => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
        });
        progress.clear();
        if (flags.output === "json") {
          printJson({ recoveryPointId: manifest.id, ...manifest });
        } else {
          const took = Date.parse(manifest.endTime) - Date.parse(manifest.startTime);
          const size = manifest.archive ? `, ${formatBytes(manifest.archive.sizeBytes)}` : "";
          console.log(
            `recovery point ${manifest.id}: ${manifest.status}, ${manifest.totalItems} items${size} in ${formatDuration(took)}`,
          );
          printManifest(manifest, { header: false });
        }
        if (manifest.status === "Failed") process.exitCode = 1;
      } finally {
        await context.close();
      }
    });
}
