// Restores: `POST /api/restores` checks the request, the recovery point and the target cluster
// before anything starts (a bad request starts nothing), then starts the durable `restore` and
// answers 202 with the status URLs; `GET /api/restores/{id}` says how it went, with the result.
import { randomBytes } from "node:crypto";
import { parseModel } from "../model/issues.js";
import { type RestoreRequest, restoreRequestSchema } from "../model/restore-request.js";
import { RESTORE, type RestoreInput, readRestoreResult } from "../orchestrations/restore.js";
import { RestorePlanError } from "../restore/errors.js";
import { restorableManifest, targetClusterOf } from "../restore/load.js";
import { refuseMappingOntoProtected } from "../restore/protected-targets.js";
import type { ApiDeps } from "./deps.js";
import { fieldErrors } from "./errors.js";
import { ApiError, invalid, json, notFound } from "./http.js";
import { jobOf } from "./jobs.js";
import { objectBody } from "./names.js";
import type { Route } from "./router.js";

export function restoreRoutes(deps: ApiDeps): Route[] {
  const { env, client } = deps;
  return [
    {
      method: "POST",
      pattern: "/api/restores",
      handler: async (request) => {
        if (deps.restoreEnabled === false) throw restoreDisabled();
        const parsed = parseModel(restoreRequestSchema, objectBody(request.body));
        if (!parsed.ok) throw invalid("the restore request is not valid", fieldErrors(parsed.issues));
        const input = await restoreInput(deps, parsed.value, restoreInstanceId(parsed.value, env.now()));
        await client.startNew(RESTORE, { instanceId: input.restoreId, input });
        const links = deps.links(input.restoreId);
        return json(202, links, { location: links.statusQueryGetUri, "retry-after": "10" });
      },
    },
    {
      method: "GET",
      pattern: "/api/restores/{id}",
      handler: async (_request, params) => {
        const id = params.id ?? "";
        const status = id.startsWith("restore:") ? await client.getStatus(id) : undefined;
        const job = status && status.name === RESTORE ? jobOf(status) : undefined;
        if (!status || !job) throw notFound(`restore "${id.slice(0, 200)}" does not exist`);
        const done = status.runtimeStatus === "Completed";
        const result = done ? await readRestoreResult(env, id) : undefined;
        const input = status.input as Partial<RestoreInput> | undefined;
        return json(200, {
          ...job,
          ...(input?.targetCluster ? { targetCluster: input.targetCluster } : {}),
          request: input?.request ?? null,
          output: status.output ?? null,
          result: result ?? null,
        });
      },
    },
  ];
}

/** 403: this deployment was made without restore, and its identity may not write to the clusters. */
export function restoreDisabled(): ApiError {
  return new ApiError(
    403,
    "restore is disabled in this deployment: AKS_BACKUP_RESTORE_ENABLED=false (deployed with enableRestore=false, so the app's identity has no write access to the clusters); redeploy with enableRestore=true, or restore with the CLI under an identity that may write to the target cluster",
  );
}

/**
 * The orchestration's input, once the recovery point is restorable and the target cluster is
 * registered; a RestorePlanError (404, 409, 422, or 400 for the target) otherwise.
 */
export async function restoreInput(
  deps: { env: Pick<ApiDeps["env"], "catalog" | "definitions" | "connect"> },
  request: RestoreRequest,
  restoreId: string,
): Promise<RestoreInput> {
  const manifest = await restorableManifest(deps.env.catalog, request.recoveryPointId);
  if (manifest.archive === undefined) {
    throw new RestorePlanError(
      "ArchiveMissing",
      `recovery point ${manifest.id} records no archive; restore from another recovery point`,
      "recoveryPointId",
    );
  }
  const registered = (await deps.env.definitions.list("cluster")).map((stored) => stored.value.name);
  const targetCluster = targetClusterOf(request, manifest, registered);
  await refuseMappingOntoProtected(deps.env, request, targetCluster);
  return { restoreId, instance: manifest.instance, targetCluster, request };
}

/** `restore:<recovery point>:<UTC time>-<4 hex>`: sortable, and two requests in one ms still differ. */
export function restoreInstanceId(request: Pick<RestoreRequest, "recoveryPointId">, now: Date): string {
  const stamp = now.toISOString().replace(/[-:.]/g, "");
  return `restore:${request.recoveryPointId}:${stamp}-${randomBytes(2).toString("hex")}`;
}
