// `aks-backup describe <recovery-point-id>`: the manifest of one recovery point — what it holds,
// how it went, its warnings and errors.
import type { Command } from "commander";
import type { RecoveryPointManifest } from "../../model/recovery-point.js";
import { parseRecoveryPointId } from "../../store/recovery-point-id.js";
import { openContext, UsageError } from "../context.js";
import { formatBytes, formatTable, type OutputFormat, parseOutputFormat, printJson } from "../output.js";

export function registerDescribeCommand(program: Command): void {
  program
    .command("describe <recovery-point-id>")
    .description("show a recovery point's manifest: items, volumes, warnings and errors")
    .option("-o, --output <format>", "table or json", parseOutputFormat, "table")
    .action(async (id: string, flags: { output: OutputFormat }, command: Command) => {
      if (!parseRecoveryPointId(id)) {
        throw new UsageError(
          `"${id}" is not a recovery point id (expected <instance>-<yyyymmdd>-<hhmmss>-<hex>)`,
        );
      }
      const context = await openContext(command.optsWithGlobals());
      try {
        const manifest = await context.catalog.getManifest(id);
        if (!manifest) throw new UsageError(`recovery point ${id} not found (or not committed yet)`);
        if (flags.output === "json") printJson(manifest);
        else printManifest(manifest, { header: true });
      } finally {
        await context.close();
      }
    });
}

export function printManifest(manifest: RecoveryPointManifest, options: { header: boolean }): void {
  if (options.header) {
    const fields: [string, string][] = [
      ["Recovery point", manifest.id],
      ["Instance", `${manifest.instance} (cluster ${manifest.cluster}, policy ${manifest.policy ?? "-"})`],
      ["Status", manifest.status],
      ["Trigger", manifest.trigger],
      ["Started", manifest.startTime],
      ["Ended", manifest.endTime],
      ["Kubernetes", manifest.kubernetesVersion ?? "-"],
      ["Items", String(manifest.totalItems)],
      [
        "Archive",
        manifest.archive
          ? `${manifest.archive.blob} (${formatBytes(manifest.archive.sizeBytes)}, sha256 ${manifest.archive.sha256})`
          : "-",
      ],
    ];
    console.log(fields.map(([k, v]) => `${`${k}:`.padEnd(16)}${v}`).join("\n"));
  }
  const counts = Object.entries(manifest.itemCounts).sort(([a], [b]) => a.localeCompare(b));
  if (counts.length > 0)
    console.log(
      `\n${formatTable(
        ["TYPE", "ITEMS"],
        counts.map(([t, n]) => [t, String(n)]),
      )}`,
    );
  if (manifest.volumeSnapshots.length > 0) {
    const rows = manifest.volumeSnapshots.map((v) => [
      v.pvc,
      `${v.sizeGiB} GiB`,
      `${v.completionPercent}%`,
      v.snapshotId,
    ]);
    console.log(`\n${formatTable(["PVC", "SIZE", "COPIED", "SNAPSHOT"], rows)}`);
  }
  for (const [title, list] of [
    ["Warnings", manifest.warnings],
    ["Errors", manifest.errors],
  ] as const) {
    if (list.length === 0) continue;
    console.log(`\n${title}:`);
    for (const m of list) {
      const where = [m.type, m.namespace && m.name ? `${m.namespace}/${m.name}` : (m.name ?? m.namespace)]
        .filter(Boolean)
        .join(" ");
      console.log(`  ${where ? `${where}: ` : ""}${m.message}`);
    }
  }
}
