// Seeding the definition store from the config file: what is not stored yet is created, what the
// file wrote before and has changed since is updated, and what was edited through the API is kept
// as it is (and reported when the file says otherwise); clusters and policies go first.
import type { Config } from "../model/config.js";
import { DefinitionConflictError, DefinitionError, type DefinitionKind } from "./definition-errors.js";
import type { CallOptions, DefinitionStore } from "./definitions.js";

export type SeedConfig = Pick<Config, "clusters" | "policies" | "instances">;

export interface SeedReport {
  created: { kind: DefinitionKind; name: string }[];
  /** Written by an earlier seeding and changed in the file since: updated to the file's version. */
  updated: { kind: DefinitionKind; name: string }[];
  /** Already stored: left as they are (the same as the file, or edited through the API). */
  kept: { kind: DefinitionKind; name: string }[];
  /** Among `kept`: edited through the API and different from the file, whose version is not applied. */
  differsFromFile: { kind: DefinitionKind; name: string }[];
  /** Refused by the store (an instance whose policy or cluster is missing), with the reason. */
  failed: { kind: DefinitionKind; name: string; message: string }[];
}

export async function seedDefinitions(
  store: DefinitionStore,
  config: SeedConfig,
  options: CallOptions = {},
): Promise<SeedReport> {
  const report: SeedReport = { created: [], updated: [], kept: [], differsFromFile: [], failed: [] };
  const steps: [DefinitionKind, readonly { name: string }[]][] = [
    ["cluster", config.clusters],
    ["policy", config.policies],
    ["instance", config.instances],
  ];
  for (const [kind, values] of steps) {
    for (const value of values) {
      const entry = { kind, name: value.name };
      const stored = await store.get(kind, value.name, options);
      const same = stored !== undefined && canonical(stored.value) === canonical(value);
      if (stored && (same || stored.origin !== "config")) {
        report.kept.push(entry);
        if (!same) report.differsFromFile.push(entry);
        continue;
      }
      try {
        await store.put(kind, value, {
          ...options,
          origin: "config",
          ...(stored ? { ifMatch: stored.etag } : {}),
        });
        (stored ? report.updated : report.created).push(entry);
      } catch (error) {
        if (error instanceof DefinitionConflictError) report.kept.push(entry);
        else if (error instanceof DefinitionError) report.failed.push({ ...entry, message: error.message });
        else throw error;
      }
    }
  }
  return report;
}

/** JSON with sorted keys and no undefined members: two definitions equal in content compare equal. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => a.localeCompare(b)))
      : inner,
  );
}
