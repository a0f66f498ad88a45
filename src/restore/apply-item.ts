// Applying one planned item: create it; when it exists, apply the conflict policy (Skip leaves it,
// Patch merge-patches the backed-up content over it; a ServiceAccount is merged either way); a
// Terminating namespace is waited for and created afresh. A refusal is the item's failure with the
// API server's words; only an unreachable cluster or the caller's abort is thrown.
import type { Cluster } from "../kube/cluster.js";
import { isKubeApiError } from "../kube/errors.js";
import type { KubeObject } from "../kube/types.js";
import {
  contentPatch,
  type FrozenSpecRule,
  frozenSpecPatch,
  frozenSpecRuleOf,
  listed,
  serviceAccountPatch,
} from "./conflicts.js";
import type { ExistenceHint } from "./existence-hint.js";
import {
  createItem,
  followedLostAnswer,
  isAlreadyExists,
  isClusterDown,
  isNamespaceTerminating,
  mergePatchItem,
  type RequestSettings,
  readItem,
  serverMessage,
} from "./item-requests.js";
import { typeKeyOf } from "./object-paths.js";
import { resolveOwnerReferences, withOwnerReferences } from "./owners.js";
import type { ConflictPolicy, ItemOutcome, ItemResult, PlannedItem } from "./types.js";
import { waitForNamespaceGone } from "./wait.js";

/** What every item of a phase shares while the phase runs. */
export interface ItemContext {
  cluster: Cluster;
  conflictPolicy: ConflictPolicy;
  settings: RequestSettings;
  /** Old uid -> new uid of everything applied so far. */
  uids: Map<string, string>;
  /** Old uids of this phase's items not applied yet. */
  later: Set<string>;
  /** Old uids that items of the plan name as owners: their uid is read even when skipped. */
  ownerUids: ReadonlySet<string>;
  /** Types that cannot be created, by `resource.group`, with why. */
  unavailableTypes: ReadonlyMap<string, string>;
  /** Namespaces that cannot take new content, with why. */
  blockedNamespaces: Map<string, string>;
  /** Dry run: `namespaces/<name>` and `customresourcedefinitions/<name>` this run would create. */
  dryRunCreated: Set<string>;
  namespaceTimeoutMs: number;
  pollIntervalMs: number;
  /** Whether items of the current type tend to exist already (one per type run). */
  existence: ExistenceHint;
}

export interface AppliedItem {
  result: ItemResult;
  warnings: string[];
  /** Some owner comes later in the phase: its reference is added by a patch afterwards. */
  ownersPending: boolean;
}

const isCore = (item: PlannedItem, resource: string) => item.group === "" && item.resource === resource;
const isCrd = (item: PlannedItem) =>
  item.group === "apiextensions.k8s.io" && item.resource === "customresourcedefinitions";

function resultOf(item: PlannedItem, outcome: ItemOutcome, reason?: string): ItemResult {
  return {
    group: item.group,
    resource: item.resource,
    kind: item.kind,
    ...(item.namespace !== undefined ? { namespace: item.namespace } : {}),
    name: item.name,
    outcome,
    ...(reason !== undefined ? { reason } : {}),
  };
}

function noteUid(context: ItemContext, item: PlannedItem, object: KubeObject | undefined): void {
  const uid = object?.metadata?.uid;
  if (item.oldUid !== undefined && typeof uid === "string") context.uids.set(item.oldUid, uid);
}

/** Why the item cannot be applied before even trying, if it cannot. */
function blockedReason(context: ItemContext, item: PlannedItem): string | undefined {
  const type = context.unavailableTypes.get(typeKeyOf(item));
  if (type !== undefined) return type;
  const namespace = item.namespace === undefined ? undefined : context.blockedNamespaces.get(item.namespace);
  return namespace === undefined ? undefined : `namespace ${item.namespace} cannot take it: ${namespace}`;
}

/** In a dry run, what this run would create first and the API server cannot know of yet. */
function dryRunPrerequisite(context: ItemContext, item: PlannedItem): string | undefined {
  if (!context.settings.dryRun) return undefined;
  if (item.namespace !== undefined && context.dryRunCreated.has(`namespaces/${item.namespace}`)) {
    return `namespace ${item.namespace}`;
  }
  const crd = typeKeyOf(item);
  return context.dryRunCreated.has(`customresourcedefinitions/${crd}`)
    ? `CustomResourceDefinition ${crd}`
    : undefined;
}

function noteDryRunCreated(context: ItemContext, item: PlannedItem): void {
  if (!context.settings.dryRun) return;
  if (isCore(item, "namespaces") || isCrd(item)) context.dryRunCreated.add(`${item.resource}/${item.name}`);
}

/** Applies one item; never throws for the item's own refusal. */
export async function applyItem(context: ItemContext, item: PlannedItem): Promise<AppliedItem> {
  const blocked = blockedReason(context, item);
  if (blocked !== undefined)
    return { result: resultOf(item, "failed", blocked), warnings: [], ownersPending: false };
  const prerequisite = dryRunPrerequisite(context, item);
  if (prerequisite !== undefined) {
    noteDryRunCreated(context, item);
    // Its dependents name it by a stand-in uid, as they would by the one a real run gives it.
    if (item.oldUid !== undefined) context.uids.set(item.oldUid, `dry-run-${item.oldUid}`);
    const reason = `dry run: not validated by the API server, since this restore creates its ${prerequisite} first`;
    return { result: resultOf(item, "created", reason), warnings: [], ownersPending: false };
  }
  const owners = resolveOwnerReferences(
    item.object.metadata.ownerReferences ?? [],
    context.uids,
    context.later,
  );
  const body = withOwnerReferences(item.object, owners.current);
  const warnings = owners.dropped;
  const result = await createOrResolve(context, item, body);
  if (result.outcome === "created") noteDryRunCreated(context, item);
  const applied = result.outcome === "created" || result.outcome === "patched";
  return { result, warnings, ownersPending: owners.pending && applied && !context.settings.dryRun };
}

const rethrowIfFatal = (context: ItemContext, error: unknown) => {
  if (isClusterDown(error) || context.settings.abortSignal?.aborted) throw error;
};

/** Patch policy, when the type's items tend to exist: patch first; undefined if nothing was there. */
async function patchFirst(
  context: ItemContext,
  item: PlannedItem,
  body: KubeObject,
): Promise<ItemResult | undefined> {
  if (context.conflictPolicy !== "Patch" || !context.existence.likely) return undefined;
  if (isCore(item, "namespaces") || isCore(item, "serviceaccounts")) return undefined;
  if (frozenSpecRuleOf(item) !== undefined) return undefined;
  try {
    noteUid(context, item, await mergePatchItem(context.cluster, item, contentPatch(body), context.settings));
    context.existence.record(true);
    return resultOf(item, "patched");
  } catch (error) {
    rethrowIfFatal(context, error);
    if (isKubeApiError(error, 404)) return undefined;
    context.existence.record(true);
    return resultOf(item, "failed", serverMessage(error));
  }
}

async function createOrResolve(
  context: ItemContext,
  item: PlannedItem,
  body: KubeObject,
): Promise<ItemResult> {
  const patched = await patchFirst(context, item, body);
  if (patched !== undefined) return patched;
  try {
    const created = await createItem(context.cluster, item, body, context.settings);
    noteUid(context, item, created.object);
    context.existence.record(false);
    return resultOf(item, "created");
  } catch (error) {
    rethrowIfFatal(context, error);
    context.existence.record(isAlreadyExists(error));
    try {
      if (isAlreadyExists(error))
        return await resolveConflict(context, item, body, followedLostAnswer(error));
    } catch (conflictError) {
      rethrowIfFatal(context, conflictError);
      return resultOf(item, "failed", serverMessage(conflictError));
    }
    if (isNamespaceTerminating(error)) {
      const reason = `namespace ${item.namespace} is being deleted (Terminating); run the restore again once it is gone`;
      return resultOf(item, "failed", reason);
    }
    return resultOf(item, "failed", serverMessage(error));
  }
}

async function resolveConflict(
  context: ItemContext,
  item: PlannedItem,
  body: KubeObject,
  ambiguous: boolean,
): Promise<ItemResult> {
  if (isCore(item, "namespaces")) {
    const existing = await readItem(context.cluster, item, context.settings);
    if (existing.metadata.deletionTimestamp && context.settings.dryRun) {
      context.dryRunCreated.add(`namespaces/${item.name}`);
      const wait = `${Math.round(context.namespaceTimeoutMs / 1000)} s`;
      return resultOf(
        item,
        "created",
        `dry run: the namespace is Terminating; a restore waits up to ${wait} for it to go, then creates it`,
      );
    }
    if (existing.metadata.deletionTimestamp) return recreateNamespace(context, item, body);
  }
  if (isCore(item, "serviceaccounts")) return mergeServiceAccount(context, item, body);
  const frozen = context.conflictPolicy === "Patch" ? frozenSpecRuleOf(item) : undefined;
  if (frozen !== undefined) return patchFrozenSpec(context, item, body, frozen);
  if (context.conflictPolicy === "Patch") {
    const patched = await mergePatchItem(context.cluster, item, contentPatch(body), context.settings);
    noteUid(context, item, patched);
    return resultOf(item, "patched");
  }
  if (item.oldUid !== undefined && context.ownerUids.has(item.oldUid)) {
    noteUid(context, item, await readItem(context.cluster, item, context.settings));
  }
  const maybeOurs = ambiguous ? " (perhaps created by an attempt whose answer was lost)" : "";
  return resultOf(item, "skipped", `already exists${maybeOurs}`);
}

/** A namespace still being deleted: wait until it is gone, then create it afresh. */
async function recreateNamespace(
  context: ItemContext,
  item: PlannedItem,
  body: KubeObject,
): Promise<ItemResult> {
  const stillThere = await waitForNamespaceGone(context.cluster, item.name, {
    timeoutMs: context.namespaceTimeoutMs,
    pollIntervalMs: context.pollIntervalMs,
    ...(context.settings.abortSignal ? { abortSignal: context.settings.abortSignal } : {}),
  });
  if (stillThere !== undefined) {
    context.blockedNamespaces.set(item.name, stillThere);
    return resultOf(item, "failed", stillThere);
  }
  try {
    noteUid(context, item, (await createItem(context.cluster, item, body, context.settings)).object);
    return resultOf(item, "created", "waited for the Terminating namespace to be deleted");
  } catch (error) {
    if (isKubeApiError(error, 409))
      return resultOf(item, "failed", "namespace was recreated by someone else while waiting");
    throw error;
  }
}

async function mergeServiceAccount(
  context: ItemContext,
  item: PlannedItem,
  body: KubeObject,
): Promise<ItemResult> {
  const existing = await readItem(context.cluster, item, context.settings);
  noteUid(context, item, existing);
  const patch = serviceAccountPatch(existing, body, context.conflictPolicy);
  if (patch === undefined) return resultOf(item, "skipped", "already exists; nothing to merge");
  await mergePatchItem(context.cluster, item, patch, context.settings);
  return resultOf(item, "patched", "merged into the existing ServiceAccount");
}

/**
 * Patch over an object whose spec an update refuses to change (a Pod, a Job, a claim, a volume):
 * only what may change is patched, and only when it differs, so the item is `patched` with what
 * changed and why the rest did not, or `skipped` when it already looks as backed up.
 */
async function patchFrozenSpec(
  context: ItemContext,
  item: PlannedItem,
  body: KubeObject,
  rule: FrozenSpecRule,
): Promise<ItemResult> {
  const existing = await readItem(context.cluster, item, context.settings);
  noteUid(context, item, existing);
  const changes = frozenSpecPatch(existing, body, rule);
  if (changes === undefined) {
    return resultOf(item, "skipped", `already exists; ${rule.why} and what may change is as backed up`);
  }
  await mergePatchItem(context.cluster, item, changes.patch, context.settings);
  const verb = changes.changed.length === 1 && !changes.changed[0]?.endsWith("s") ? "was" : "were";
  return resultOf(item, "patched", `${rule.why}; its ${listed(changes.changed)} ${verb} patched`);
}
