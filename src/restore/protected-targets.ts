// A namespace mapping must not pour a restore into a live namespace another backup instance
// protects unless the caller chose to merge (`Patch`): with `Skip` the result would be a mix of the
// running application and the backup, which neither its owner nor the restore asked for.
import { namespaceMatcher } from "../backup/namespaces.js";
import type { Cluster } from "../kube/cluster.js";
import { isKubeApiError } from "../kube/errors.js";
import type { RestoreRequest } from "../model/restore-request.js";
import type { Environment } from "../orchestrations/environment.js";
import { RestorePlanError } from "./errors.js";

/** Throws MappingOntoProtectedNamespace (409) naming the mapping at fault; nothing when all is well. */
export async function refuseMappingOntoProtected(
  env: Pick<Environment, "definitions" | "connect">,
  request: RestoreRequest,
  targetCluster: string,
): Promise<void> {
  const mappings = Object.entries(request.namespaceMappings ?? {});
  if (mappings.length === 0 || request.conflictPolicy === "Patch") return;
  const instances = (await env.definitions.list("instance"))
    .map((stored) => stored.value)
    .filter((instance) => instance.cluster === targetCluster)
    .map((instance) => ({ name: instance.name, covers: namespaceMatcher(instance) }));
  if (instances.length === 0) return;
  let cluster: Cluster | undefined;
  for (const [source, target] of mappings) {
    const protector = instances.find((instance) => instance.covers(target));
    if (!protector) continue;
    cluster ??= await env.connect(targetCluster);
    if (!(await namespaceExists(cluster, target))) continue;
    throw new RestorePlanError(
      "MappingOntoProtectedNamespace",
      `namespace "${target}" already exists in cluster ${targetCluster} and is protected by backup instance ${protector.name}; map "${source}" to a new namespace, or set conflictPolicy to Patch to merge the backup into it`,
      `namespaceMappings.${source}`,
    );
  }
}

async function namespaceExists(cluster: Cluster, name: string): Promise<boolean> {
  try {
    await cluster.request("GET", `/api/v1/namespaces/${encodeURIComponent(name)}`);
    return true;
  } catch (error) {
    if (isKubeApiError(error) && error.statusCode === 404) return false;
    throw error;
  }
}
