// A restore request, its fields named after Azure's KubernetesClusterRestoreCriteria. Selection
// fields name what the backup holds (source namespaces); namespaceMappings says where it goes.
import { z } from "zod";
import { hookReferenceSchema } from "./backup-instance.js";
import { labelSelectorSchema } from "./label-selector.js";
import { nameProblem, namespacePatternSchema } from "./names.js";
import { resourceTypeSchema } from "./resource-type.js";

export const conflictPolicies = ["Skip", "Patch"] as const;
export const persistentVolumeRestoreModes = ["RestoreWithVolumeData", "RestoreWithoutVolumeData"] as const;

/** Namespaces a mapping may not write into: the target cluster's own machinery lives there. */
export const PROTECTED_TARGET_NAMESPACES: readonly string[] = [
  "kube-system",
  "kube-public",
  "kube-node-lease",
];

// The shape store/recovery-point-id.ts builds; model/ imports nothing outside itself.
const RECOVERY_POINT_ID = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?-\d{8}-\d{6}-[0-9a-f]{4}$/;

const recoveryPointIdSchema = z.string().superRefine((id, ctx) => {
  if (!RECOVERY_POINT_ID.test(id)) {
    ctx.addIssue({
      code: "custom",
      message: `"${id.slice(0, 80)}" is not a recovery point id (<instance>-<yyyymmdd>-<hhmmss>-<4 hex>, as listed by recovery-points)`,
    });
  }
});

/** A registered cluster's name; a server URL or kubeconfig is refused with a message that says why. */
const targetClusterSchema = z.string().superRefine((name, ctx) => {
  if (/[:/\n]/.test(name)) {
    ctx.addIssue({
      code: "custom",
      message:
        "must be the name of a registered cluster; a server URL or kubeconfig is never accepted in a request (register the cluster first)",
    });
    return;
  }
  const problem = nameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const namespaceNameSchema = z.string().superRefine((name, ctx) => {
  const problem = nameProblem(name);
  if (problem) ctx.addIssue({ code: "custom", message: problem.replace("a name", "a namespace") });
});

/** Source namespace -> target namespace; no two sources onto one target, never onto kube-*. */
const namespaceMappingsSchema = z.record(z.string(), namespaceNameSchema).superRefine((mappings, ctx) => {
  const sourceOf = new Map<string, string>();
  for (const [source, target] of Object.entries(mappings)) {
    // Checked here, not by a key schema: zod reports a bad record key without its reason.
    const problem = nameProblem(source);
    if (problem) {
      ctx.addIssue({
        code: "custom",
        path: [source],
        message: `source ${problem.replace("a name", "a namespace")}`,
      });
    }
    const earlier = sourceOf.get(target);
    if (earlier !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: [source],
        message: `"${earlier}" and "${source}" both map onto "${target}"; each target namespace takes one source`,
      });
    }
    sourceOf.set(target, source);
    if (PROTECTED_TARGET_NAMESPACES.includes(target) && target !== source) {
      ctx.addIssue({
        code: "custom",
        path: [source],
        message: `"${target}" is a system namespace of the target cluster; a mapping may not restore into it`,
      });
    }
  }
});

export const restoreRequestSchema = z.strictObject({
  recoveryPointId: recoveryPointIdSchema,
  /** A cluster registered in the config or the store; absent: the cluster the backup was taken of. */
  targetCluster: targetClusterSchema.optional(),
  /** Source namespaces or `*` patterns; absent: every namespace in the backup (system ones only when named). */
  includedNamespaces: z.array(namespacePatternSchema()).optional(),
  excludedNamespaces: z.array(namespacePatternSchema()).optional(),
  /** Resource types (see resource-type.ts); absent: every type in the backup. */
  includedResourceTypes: z.array(resourceTypeSchema()).optional(),
  excludedResourceTypes: z.array(resourceTypeSchema()).optional(),
  /** An item is restored when its labels match any of them (OR). */
  labelSelectors: z.array(labelSelectorSchema()).optional(),
  /** true: every cluster-scoped item of the backup; false: only those the restored items need. */
  includeClusterScopeResources: z.boolean().default(true),
  namespaceMappings: namespaceMappingsSchema.default({}),
  /** What to do with an item that already exists in the target: leave it, or merge-patch it. */
  conflictPolicy: z.enum(conflictPolicies).default("Skip"),
  persistentVolumeRestoreMode: z.enum(persistentVolumeRestoreModes).default("RestoreWithVolumeData"),
  /** Restore hook custom resources, by namespace and name. */
  restoreHookReferences: z.array(hookReferenceSchema).optional(),
  /** Compute the result without writing to the cluster. */
  dryRun: z.boolean().default(false),
  /** Types restored first, in this order, within their phase (priorities.ts restorePhases). */
  resourceOrder: z.array(resourceTypeSchema()).optional(),
});

export type RestoreRequest = z.output<typeof restoreRequestSchema>;
export type RestoreRequestInput = z.input<typeof restoreRequestSchema>;
