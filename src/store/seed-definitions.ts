// Seeding the definition store from the config file: what is not stored yet is created, what is
// stored (perhaps edited through the API since) is kept as it is; clusters and policies go first.
import type { Config } from "../model/config.js";
import { DefinitionConflictError, DefinitionError, type DefinitionKind } from "./definition-errors.js";
import type { CallOptions, DefinitionStore } from "./definitions.js";

export type SeedConfig = Pick<Config, "clusters" | "policies" | "instances">;

export interface SeedReport {
  created: { kind: DefinitionKind; name: string }[];
  /** Already stored: left as they are, never overwritten. */
  kept: { kind: DefinitionKind; name: string }[];
  /** Refused by the store (an instance whose policy or cluster is missing), with the reason. */
  failed: { kind: DefinitionKind; name: string; message: string }[];
}

export async function seedDefinitions(
  store: DefinitionStore,
  config: SeedConfig,
  options: CallOptions = {},
): Promise<SeedReport> {
  const report: SeedReport = { created: [], kept: [], failed: [] };
  const steps: [DefinitionKind, readonly { name: string }[]][] = [
    ["cluster", config.clusters],
    ["policy", config.policies],
    ["instance", config.instances],
  ];
  for (const [kind, values] of steps) {
    for (const value of values) {
      const entry = { kind, name: value.name };
      if (await store.get(kind, value.name, options)) {
        report.kept.push(entry);
        continue;
      }
      try {
        await store.put(kind, value, options);
        report.created.push(entry);
      } catch (error) {
        if (error instanceof DefinitionConflictError) report.kept.push(entry);
        else if (error instanceof DefinitionError) report.failed.push({ ...entry, message: error.message });
        else throw error;
      }
    }
  }
  return report;
}
