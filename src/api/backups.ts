// A backup instance's operations beyond its definition: an on-demand backup (202 with the durable
// status URLs), its recovery points, a recovery point's manifest, and stopping protection.
import { randomBytes } from "node:crypto";
import { z } from "zod";
import { parseModel } from "../model/issues.js";
import { isoDurationSchema } from "../model/policy.js";
import { BACKUP_INSTANCE } from "../orchestrations/backup-instance.js";
import { stopProtection } from "../orchestrations/retention.js";
import { parseRecoveryPointId } from "../store/recovery-point-id.js";
import { getDefinition, ifMatchOf } from "./definitions.js";
import type { ApiDeps } from "./deps.js";
import { fieldErrors } from "./errors.js";
import { invalid, json, notFound } from "./http.js";
import { checkedName, objectBody } from "./names.js";
import type { Route } from "./router.js";

/** The body of `POST /api/backup-instances/{name}/backup`; absent is `{}`. */
export const onDemandBackupSchema = z.strictObject({
  /** How long this recovery point is kept (`P30D`); absent: the policy's default retention. */
  retention: isoDurationSchema.optional(),
});

const DATA_CHOICES = ["retain", "delete"] as const;

export function backupRoutes(deps: ApiDeps): Route[] {
  const { env, client } = deps;
  return [
    {
      method: "POST",
      pattern: "/api/backup-instances/{name}/backup",
      handler: async (request, params) => {
        const name = checkedName(params.name);
        const parsed = parseModel(onDemandBackupSchema, objectBody(request.body, true) ?? {});
        if (!parsed.ok) throw invalid("the backup request is not valid", fieldErrors(parsed.issues));
        await getDefinition(env.definitions, "instance", name);
        const instanceId = onDemandInstanceId(name, env.now());
        const input = { instance: name, trigger: "OnDemand", ...parsed.value };
        await client.startNew(BACKUP_INSTANCE, { instanceId, input });
        const links = deps.links(instanceId);
        return json(202, links, { location: links.statusQueryGetUri, "retry-after": "10" });
      },
    },
    {
      method: "DELETE",
      pattern: "/api/backup-instances/{name}",
      handler: async (request, params) => {
        const name = checkedName(params.name);
        const data = dataChoice(request.query.get("data"));
        // A stopped instance (protection stopped with `retain`) can still have its data deleted.
        const known =
          (await env.definitions.get("instance", name)) !== undefined ||
          (await env.catalog.listRecoveryPoints(name)).length > 0;
        if (!known) throw notFound(`backup instance "${name}" does not exist and has no recovery points`);
        const ifMatch = ifMatchOf(request);
        const result = await stopProtection(env, name, data, ifMatch === undefined ? {} : { ifMatch });
        return json(200, result);
      },
    },
    {
      method: "GET",
      pattern: "/api/backup-instances/{name}/recovery-points",
      handler: async (_request, params) => {
        const name = checkedName(params.name);
        const points = await env.catalog.listRecoveryPoints(name);
        // Points stay listable after protection stopped with `retain`; only a name never seen is a 404.
        if (points.length === 0 && !(await env.definitions.get("instance", name))) {
          throw notFound(`backup instance "${name}" does not exist and has no recovery points`);
        }
        return json(200, { value: points });
      },
    },
    {
      method: "GET",
      pattern: "/api/recovery-points/{id}",
      handler: async (_request, params) => {
        const id = params.id ?? "";
        const unknown = notFound(`recovery point "${id.slice(0, 100)}" does not exist`);
        if (!parseRecoveryPointId(id)) throw unknown;
        const manifest = await env.catalog.getManifest(id);
        if (!manifest) throw unknown;
        return json(200, manifest);
      },
    },
  ];
}

/** `backup:<instance>:ondemand:<UTC time>-<4 hex>`: sortable, and two requests in one ms still differ. */
export function onDemandInstanceId(instance: string, now: Date): string {
  const stamp = now.toISOString().replace(/[-:.]/g, "");
  return `backup:${instance}:ondemand:${stamp}-${randomBytes(2).toString("hex")}`;
}

function dataChoice(value: string | null): (typeof DATA_CHOICES)[number] {
  const choice = DATA_CHOICES.find((known) => known === value);
  if (choice) return choice;
  const message =
    value === null
      ? "is required: retain keeps the existing recovery points, delete removes them and their snapshots"
      : `"${value.slice(0, 40)}" is not one of retain, delete`;
  throw invalid(`query parameter data ${message}`, [{ field: "data", message }]);
}
