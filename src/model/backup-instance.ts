// A backup instance: one cluster protected by one policy with one datasource configuration, its
// fields named after Azure's KubernetesClusterBackupDatasourceParameters.
import { z } from "zod";
import { resourceGroupIdSchema } from "./arm-id.js";
import { labelSelectorSchema } from "./label-selector.js";
import { nameSchema, namespacePatternSchema, objectNameSchema } from "./names.js";
import { resourceTypeSchema } from "./resource-type.js";

/** Azure's NamespacedNameResource: a hook custom resource, by namespace and name. */
export const hookReferenceSchema = z.strictObject({
  name: objectNameSchema(),
  namespace: nameSchema(),
});

export const backupInstanceSchema = z.strictObject({
  name: nameSchema(),
  /** Name of a cluster in the config's `clusters`. */
  cluster: nameSchema(),
  /** Name of a policy in the config's `policies`. */
  policy: nameSchema(),
  /** Where volume snapshots are created; ARM resource group id. */
  snapshotResourceGroup: resourceGroupIdSchema.optional(),
  /** Namespaces or `*` patterns; absent = every namespace (system namespaces only when named). */
  includedNamespaces: z.array(namespacePatternSchema()).optional(),
  excludedNamespaces: z.array(namespacePatternSchema()).optional(),
  /** Resource types (see resource-type.ts); absent = every type. */
  includedResourceTypes: z.array(resourceTypeSchema()).optional(),
  excludedResourceTypes: z.array(resourceTypeSchema()).optional(),
  /** Label selectors; an object is selected when it matches any of them (OR). */
  labelSelectors: z.array(labelSelectorSchema()).optional(),
  /** true: every cluster-scoped resource; false: only those the selected items depend on. */
  includeClusterScopeResources: z.boolean().default(true),
  snapshotVolumes: z.boolean().default(true),
  backupHookReferences: z.array(hookReferenceSchema).optional(),
});

export type BackupInstance = z.output<typeof backupInstanceSchema>;
export type BackupInstanceInput = z.input<typeof backupInstanceSchema>;
export type HookReference = z.output<typeof hookReferenceSchema>;
