// `GET /api/health`: is the storage account reachable, which version answers, and the protection
// health of every instance (src/health/); `GET /api/health/instances/{name}` for one instance.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type HealthReport, healthReport } from "../health/report.js";
import { type ConfigBlobOutcome, readConfigBlobState } from "../store/config-blob.js";
import { DefinitionError } from "../store/definitions.js";
import type { ApiDeps } from "./deps.js";
import { ApiError, json } from "./http.js";
import { checkedName } from "./names.js";
import type { Route } from "./router.js";

export function healthRoutes(deps: ApiDeps): Route[] {
  return [
    {
      method: "GET",
      pattern: "/api/health",
      handler: async () => {
        const storage = await storageHealth(deps);
        // Unreachable storage is the one 503: instance health needs storage, so it is not reported.
        const report = storage.reachable && storage.container ? await instancesHealth(deps) : undefined;
        const configFile = storage.reachable && storage.container ? await configFileHealth(deps) : undefined;
        let status = storage.reachable ? (report?.status ?? "Healthy") : "Unhealthy";
        // A refused config file changes nothing stored, but what it says is not in force: worth a look.
        if (status === "Healthy" && configFile && configFile.status !== "applied") status = "Warning";
        return json(storage.reachable ? 200 : 503, {
          status,
          version: packageVersion(),
          mode: deps.notice ? "demo" : "normal",
          ...(deps.notice ? { notice: deps.notice } : {}),
          storage,
          ...(configFile ? { configFile } : {}),
          instances: report?.instances ?? [],
        });
      },
    },
    {
      method: "GET",
      pattern: "/api/health/instances/{name}",
      handler: async (_request, params) => {
        const name = checkedName(params.name);
        const found = (await instancesHealth(deps, name)).instances[0];
        if (!found) throw new ApiError(404, `backup instance "${name}" does not exist`);
        return json(200, found);
      },
    },
  ];
}

async function instancesHealth(deps: ApiDeps, only?: string): Promise<HealthReport> {
  try {
    return await healthReport(deps.env, undefined, only);
  } catch (error) {
    if (error instanceof DefinitionError) throw error;
    throw deps.env.catalog.storageError(error, "cannot read the instances' health");
  }
}

/** The last handling of the config file in the container (Azure: AKS_BACKUP_CONFIG_BLOB), if any. */
async function configFileHealth(deps: ApiDeps): Promise<Omit<ConfigBlobOutcome, "changed"> | undefined> {
  const state = await readConfigBlobState(deps.env.catalog.container).catch(() => undefined);
  if (!state || state.status === "absent") return undefined;
  const { changed: _changed, ...shown } = state;
  return shown;
}

async function storageHealth(
  deps: ApiDeps,
): Promise<{ reachable: boolean; container?: boolean; detail?: string }> {
  try {
    const container = await deps.env.catalog.container.exists();
    return { reachable: true, container };
  } catch (error) {
    // The catalog's wording names the container and never a key or SAS token.
    const detail = deps.env.catalog.storageError(error, "cannot reach the container").message;
    deps.log?.(detail);
    return { reachable: false, detail };
  }
}

let version: string | undefined;

/** The package version, read once from the nearest aks-backup package.json (src/ and dist/ alike). */
function packageVersion(): string {
  version ??= readVersion();
  return version;
}

function readVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let depth = 0; depth < 6; depth++) {
    const file = join(dir, "package.json");
    if (existsSync(file)) {
      const parsed = JSON.parse(readFileSync(file, "utf8")) as { name?: unknown; version?: unknown };
      if (parsed.name === "aks-backup" && typeof parsed.version === "string") return parsed.version;
    }
    dir = dirname(dir);
  }
  return "unknown";
}
