// `aks-backup status`: every instance's protection health (src/health/), last and next backup,
// and what it stores, read from the storage container alone (one listing for both).
import type { Command } from "commander";
import { inventory } from "../../health/inventory.js";
import {
  type HealthReport,
  healthReport,
  type InstanceHealth,
  type InstanceUsage,
  type UsageReport,
  usageReport,
} from "../../health/report.js";
import { openContext } from "../context.js";
import { formatBytes, formatTable, type OutputFormat, parseOutputFormat, printJson } from "../output.js";

/** What `status -o json` prints: every instance's health with its usage, and the totals. */
export interface StatusOutput {
  status: HealthReport["status"];
  instances: Array<InstanceHealth & { usage: InstanceUsage | undefined }>;
  totals: UsageReport["totals"];
  note: string;
}

export function registerStatusCommand(program: Command): void {
  program
    .command("status")
    .description("every instance's protection health, last and next backup, and storage used")
    .option("-o, --output <format>", "table or json", parseOutputFormat, "table")
    .action(async (flags: { output: OutputFormat }, command: Command) => {
      const context = await openContext(command.optsWithGlobals());
      try {
        const listing = await inventory(context.catalog);
        const [health, usage] = await Promise.all([
          healthReport(context.env, listing),
          usageReport(context.env, listing),
        ]);
        const usageOf = new Map(usage.instances.map((u) => [u.name, u]));
        if (flags.output === "json") {
          const output: StatusOutput = {
            status: health.status,
            instances: health.instances.map((h) => ({ ...h, usage: usageOf.get(h.name) })),
            totals: usage.totals,
            note: usage.note,
          };
          printJson(output);
          return;
        }
        if (health.instances.length === 0) {
          console.log("no backup instances");
          return;
        }
        const rows = health.instances.map((h) => {
          const u = usageOf.get(h.name);
          return [
            h.name,
            h.status,
            h.lastSuccessfulBackup?.endTime ?? "never",
            h.lastRun?.status ?? "-",
            h.nextBackup ?? "-",
            String(u?.recoveryPoints ?? 0),
            formatBytes(u?.blobBytes ?? 0),
            `${u?.snapshots.count ?? 0} (${formatBytes(u?.snapshots.provisionedBytes ?? 0)})`,
          ];
        });
        console.log(
          formatTable(
            [
              "INSTANCE",
              "HEALTH",
              "LAST BACKUP",
              "LAST RUN",
              "NEXT BACKUP",
              "POINTS",
              "BLOBS",
              "SNAPSHOTS (PROVISIONED)",
            ],
            rows,
          ),
        );
        const reasons = health.instances.flatMap((h) =>
          h.reasons.map((r) => `${h.name}: ${r.severity}: ${r.message}`),
        );
        if (reasons.length > 0) console.log(`\n${reasons.join("\n")}`);
        console.log(`\noverall: ${health.status}`);
      } finally {
        await context.close();
      }
    });
}
