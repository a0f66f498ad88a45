// The `aks-backup` command line: one commander program, one module per command under commands/,
// and one place that turns errors into messages and exit codes.
import { Command } from "commander";
import { registerBackupCommand } from "./commands/backup.js";
import { registerDescribeCommand } from "./commands/describe.js";
import { registerImportVeleroCommand } from "./commands/import-velero.js";
import { registerRecoveryPointsCommand } from "./commands/recovery-points.js";
import { registerRestoreCommand } from "./commands/restore.js";
import { registerServeCommand } from "./commands/serve.js";
import { registerSimCommand } from "./commands/sim.js";
import { registerStatusCommand } from "./commands/status.js";
import { ConfigError, formatConfigIssue } from "./config-file.js";

export function buildProgram(): Command {
  const program = new Command("aks-backup")
    .description("Backup and restore for Azure Kubernetes Service clusters")
    .option("-c, --config <file>", "configuration file (default: ./aks-backup.yaml)")
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerBackupCommand(program);
  registerRecoveryPointsCommand(program);
  registerDescribeCommand(program);
  registerStatusCommand(program);
  registerRestoreCommand(program);
  registerImportVeleroCommand(program);
  registerServeCommand(program);
  registerSimCommand(program);
  return program;
}

/** Runs the CLI; errors become one clear message on stderr and exit code 1. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    process.exitCode = 1;
    if (error instanceof ConfigError) {
      for (const issue of error.issues)
        process.stderr.write(`aks-backup: ${formatConfigIssue(error.file, issue)}\n`);
      return;
    }
    process.stderr.write(`aks-backup: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
