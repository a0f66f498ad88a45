// The `aks-backup` command line: one commander program, one module per command under commands/.
import { Command } from "commander";
import { registerSimCommand } from "./commands/sim.js";

export function buildProgram(): Command {
  const program = new Command("aks-backup")
    .description("Backup and restore for Azure Kubernetes Service clusters")
    .showHelpAfterError()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  registerSimCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
