// Auto-protection: a managed cluster tagged `aks-backup-policy=<policy>` is registered and protected
// by an instance named after it; the tag removed (or the cluster deleted) stops that protection and
// keeps its recovery points. Only instances auto-protection created itself are ever stopped: it marks
// them with the blob metadata `autoprotected=true` on the instance definition. Editing such an
// instance through the API rewrites its blob without the mark, so from then on it is the user's and
// auto-protection leaves it alone. Every step is idempotent: duplicate and concurrent events end in
// one cluster and one instance.
import { parseManagedClusterId } from "../model/arm-id.js";
import type { Cluster } from "../model/cluster.js";
import { isValidName, NAME_MAX_LENGTH } from "../model/names.js";
import type { Environment } from "../orchestrations/environment.js";
import { stopProtection } from "../orchestrations/retention.js";
import { DefinitionConflictError, type Stored } from "../store/definitions.js";
import type { ClusterReader } from "./cluster-reader.js";

export const POLICY_TAG = "aks-backup-policy";
export const AUTO_MARK = "autoprotected";

export interface ProtectionResult {
  /** What was done, or why nothing was. */
  readonly detail: string;
  /** False when the event changed nothing it could act on (logged as dropped). */
  readonly acted: boolean;
}

export async function reconcileProtection(
  env: Environment,
  readCluster: ClusterReader,
  clusterId: string,
  deleted: boolean,
): Promise<ProtectionResult> {
  const cluster = deleted ? undefined : await readCluster(clusterId);
  const policy = cluster ? tagValue(cluster.tags, POLICY_TAG) : undefined;
  if (policy === undefined) return unprotect(env, clusterId, cluster ? "untagged" : "gone");
  return protect(env, clusterId, policy);
}

async function protect(env: Environment, clusterId: string, policy: string): Promise<ProtectionResult> {
  const skip = (detail: string): ProtectionResult => ({ detail, acted: false });
  if (!isValidName(policy)) return skip(`tag ${POLICY_TAG}="${policy.slice(0, 80)}" is not a policy name`);
  if (!(await env.definitions.get("policy", policy))) {
    return skip(`tag ${POLICY_TAG} names policy "${policy}", which does not exist`);
  }
  const registered = await registerCluster(env, clusterId);
  if (typeof registered === "string") return skip(registered);
  const clusterName = registered.name;
  const protecting = (await env.definitions.list("instance")).filter((i) => i.value.cluster === clusterName);
  for (const instance of protecting) {
    if (!(await isMarked(env, instance.value.name))) continue;
    if (instance.value.policy === policy) {
      return {
        detail: `instance ${instance.value.name} already protects it with policy ${policy}`,
        acted: false,
      };
    }
    try {
      const updated = await env.definitions.put(
        "instance",
        { ...instance.value, policy },
        { ifMatch: instance.etag },
      );
      await mark(env, instance.value.name, updated.etag);
    } catch (error) {
      if (error instanceof DefinitionConflictError) {
        return skip(`instance ${instance.value.name} changed meanwhile; left as it is`);
      }
      throw error;
    }
    return { detail: `instance ${instance.value.name} now uses policy ${policy}`, acted: true };
  }
  const handMade = protecting[0];
  if (handMade) {
    return skip(`instance ${handMade.value.name}, not created by auto-protection, already protects it`);
  }
  const name = clusterName;
  try {
    const created = await env.definitions.put("instance", { name, cluster: clusterName, policy });
    await mark(env, name, created.etag);
  } catch (error) {
    if (!(error instanceof DefinitionConflictError)) throw error;
    // A concurrent delivery of the same event created it first: that one marks it.
    const existing = await env.definitions.get("instance", name);
    if (existing?.value.cluster === clusterName) {
      return { detail: `instance ${name} was created by a concurrent event`, acted: false };
    }
    return skip(`an instance named ${name} already exists for cluster ${existing?.value.cluster ?? "?"}`);
  }
  return { detail: `instance ${name} created on cluster ${clusterName} with policy ${policy}`, acted: true };
}

async function unprotect(
  env: Environment,
  clusterId: string,
  why: "untagged" | "gone",
): Promise<ProtectionResult> {
  const clusters = (await env.definitions.list("cluster")).filter((c) =>
    sameId(c.value.aksResourceId, clusterId),
  );
  const names = new Set(clusters.map((c) => c.value.name));
  const stopped: string[] = [];
  for (const instance of await env.definitions.list("instance")) {
    if (!names.has(instance.value.cluster)) continue;
    const etag = await markedEtag(env, instance.value.name);
    if (etag === undefined) continue;
    try {
      await stopProtection(env, instance.value.name, "retain", { ifMatch: etag });
      stopped.push(instance.value.name);
    } catch (error) {
      // Edited (so no longer auto-protected) or stopped by someone else meanwhile.
      if (!(error instanceof DefinitionConflictError)) throw error;
    }
  }
  const reason = why === "gone" ? "the cluster no longer exists" : `the cluster has no ${POLICY_TAG} tag`;
  if (stopped.length === 0) return { detail: `${reason}; no auto-protected instance to stop`, acted: false };
  return { detail: `${reason}: protection stopped (data retained) for ${stopped.join(", ")}`, acted: true };
}

/** The stored cluster with this ARM id, registered under a name derived from the cluster's if absent. */
async function registerCluster(env: Environment, clusterId: string): Promise<Cluster | string> {
  const existing = await findCluster(env, clusterId);
  if (existing) return existing.value;
  const name = definitionName(parseManagedClusterId(clusterId).name);
  if (!name) return `cluster name of ${clusterId} cannot be made a DNS-1123 name`;
  try {
    return (await env.definitions.put("cluster", { name, aksResourceId: clusterId })).value;
  } catch (error) {
    if (!(error instanceof DefinitionConflictError)) throw error;
    const stored = await env.definitions.get("cluster", name);
    if (stored && sameId(stored.value.aksResourceId, clusterId)) return stored.value;
    return `a cluster named ${name} is already registered for another cluster`;
  }
}

async function findCluster(env: Environment, clusterId: string): Promise<Stored<Cluster> | undefined> {
  return (await env.definitions.list("cluster")).find((c) => sameId(c.value.aksResourceId, clusterId));
}

/** An AKS cluster name (letters, digits, '_' and '-') as a DNS-1123 label: lower case, '_' as '-'. */
export function definitionName(clusterName: string): string | undefined {
  const name = clusterName
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .replace(/-+/g, "-")
    .slice(0, NAME_MAX_LENGTH)
    .replace(/^-+|-+$/g, "");
  return isValidName(name) ? name : undefined;
}

export function sameId(a: string | undefined, b: string): boolean {
  return a !== undefined && a.toLowerCase() === b.toLowerCase();
}

/** ARM tag names are case-insensitive. */
function tagValue(tags: Readonly<Record<string, string>>, key: string): string | undefined {
  for (const [name, value] of Object.entries(tags)) {
    if (name.toLowerCase() === key && typeof value === "string" && value.trim() !== "") return value.trim();
  }
  return undefined;
}

function instanceBlob(env: Environment, name: string) {
  return env.definitions.container.getBlockBlobClient(env.definitions.blobName("instance", name));
}

async function mark(env: Environment, name: string, etag: string): Promise<void> {
  const blob = instanceBlob(env, name);
  try {
    const properties = await blob.getProperties({ conditions: { ifMatch: etag } });
    await blob.setMetadata(
      { ...properties.metadata, [AUTO_MARK]: "true" },
      { conditions: { ifMatch: etag } },
    );
  } catch (error) {
    // Edited through the API in between: it is the user's instance now, left unmarked.
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 412 || status === 404) return;
    throw error;
  }
}

/** Whether the instance carries the auto-protection mark. */
export async function isMarked(env: Environment, name: string): Promise<boolean> {
  return (await markedEtag(env, name)) !== undefined;
}

/** The ETag of a marked instance's blob; undefined when it is absent or not marked. */
async function markedEtag(env: Environment, name: string): Promise<string | undefined> {
  try {
    const properties = await instanceBlob(env, name).getProperties();
    return properties.metadata?.[AUTO_MARK] === "true" ? properties.etag : undefined;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw error;
  }
}
