// The RestoreHook objects a restore request references (group
// clusterbackup.dataprotection.microsoft.com), read from the target cluster, where Azure has them
// deployed, and turned into rules.
import { readHookObjects } from "../../backup/hooks/read.js";
import type { Cluster } from "../../kube/cluster.js";
import type { HookReference } from "../../model/backup-instance.js";
import { type RestoreHookRule, rulesFromRestoreHook } from "./parse.js";

export async function readRestoreHookRules(
  cluster: Cluster,
  references: readonly HookReference[],
  options: { abortSignal?: AbortSignal } = {},
): Promise<{ rules: RestoreHookRule[]; warnings: string[] }> {
  const read = await readHookObjects(
    cluster,
    references,
    { kind: "RestoreHook", resource: "restorehooks" },
    options.abortSignal,
  );
  const rules: RestoreHookRule[] = [];
  const warnings = [...read.warnings];
  for (const object of read.objects) {
    const parsed = rulesFromRestoreHook(object);
    rules.push(...parsed.value);
    warnings.push(...parsed.warnings);
  }
  return { rules, warnings };
}
