// `aks-backup import-velero <backup> --cluster <name>`: a Velero backup tarball uploaded to the
// container as `imports/velero/<backup>.tar.gz` becomes a recovery point (its SHA-256 recorded in
// a manifest), which `restore` then restores like any other.
import type { Command } from "commander";
import { unknownNameMessage } from "../../model/issues.js";
import { importVeleroBackup, VeleroImportError } from "../../restore/velero-import.js";
import { openContext, UsageError } from "../context.js";
import { type OutputFormat, parseOutputFormat, printJson } from "../output.js";

interface ImportFlags {
  cluster: string;
  instance?: string;
  output: OutputFormat;
}

export function registerImportVeleroCommand(program: Command): void {
  program
    .command("import-velero <backup>")
    .description("make the Velero tarball imports/velero/<backup>.tar.gz in the container a recovery point")
    .requiredOption(
      "--cluster <name>",
      "registered cluster the backup was taken of (restore's default target)",
    )
    .option("--instance <name>", "instance to list the recovery point under", "velero")
    .option("-o, --output <format>", "table or json", parseOutputFormat, "table")
    .action(async (backup: string, flags: ImportFlags, command: Command) => {
      const context = await openContext(command.optsWithGlobals());
      try {
        const clusters = context.config.clusters.map((cluster) => cluster.name);
        const stored = await context.env.definitions.get("cluster", flags.cluster);
        if (!stored)
          throw new UsageError(`--cluster: ${unknownNameMessage("cluster", flags.cluster, clusters)}`);
        const imported = await importVeleroBackup(context.catalog, {
          backup,
          cluster: flags.cluster,
          ...(flags.instance ? { instance: flags.instance } : {}),
        }).catch((error: unknown) => {
          if (error instanceof VeleroImportError) throw new UsageError(error.message);
          throw error;
        });
        if (flags.output === "json") printJson(imported);
        else {
          const how = imported.created ? "imported as" : "was imported before as";
          console.log(
            `${backup} ${how} recovery point ${imported.recoveryPointId} (${imported.totalItems} items, sha256 ${imported.sha256})`,
          );
          console.log(`restore it with: aks-backup restore ${imported.recoveryPointId}`);
        }
      } finally {
        await context.close();
      }
    });
}
