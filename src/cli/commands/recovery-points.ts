// `aks-backup recovery-points <instance>`: the committed recovery points of an instance, newest
// first, read from the storage container alone.
import type { Command } from "commander";
import { openContext } from "../context.js";
import {
  formatBytes,
  formatDuration,
  formatTable,
  type OutputFormat,
  parseOutputFormat,
  printJson,
} from "../output.js";

export function registerRecoveryPointsCommand(program: Command): void {
  program
    .command("recovery-points <instance>")
    .description("list an instance's recovery points, newest first")
    .option("-o, --output <format>", "table or json", parseOutputFormat, "table")
    .action(async (name: string, flags: { output: OutputFormat }, command: Command) => {
      const context = await openContext(command.optsWithGlobals());
      try {
        context.instance(name);
        const points = await context.catalog.listRecoveryPoints(name);
        if (flags.output === "json") {
          printJson(points);
          return;
        }
        if (points.length === 0) {
          console.log(`no recovery points for ${name} yet`);
          return;
        }
        const rows = points.map((p) => [
          p.id,
          p.status,
          p.trigger,
          p.startTime,
          formatDuration(Date.parse(p.endTime) - Date.parse(p.startTime)),
          String(p.totalItems),
          p.archive ? formatBytes(p.archive.sizeBytes) : "-",
        ]);
        console.log(formatTable(["ID", "STATUS", "TRIGGER", "STARTED", "DURATION", "ITEMS", "SIZE"], rows));
      } finally {
        await context.close();
      }
    });
}
