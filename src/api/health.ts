// `GET /api/health`: is the storage account reachable, and which version answers. One cheap call
// to storage, so a load balancer or a user can poll it.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ApiDeps } from "./deps.js";
import { json } from "./http.js";
import type { Route } from "./router.js";

export function healthRoute(deps: ApiDeps): Route {
  return {
    method: "GET",
    pattern: "/api/health",
    handler: async () => {
      const storage = await storageHealth(deps);
      const healthy = storage.reachable;
      return json(healthy ? 200 : 503, {
        status: healthy ? "Healthy" : "Unhealthy",
        version: packageVersion(),
        mode: deps.notice ? "demo" : "normal",
        ...(deps.notice ? { notice: deps.notice } : {}),
        storage,
      });
    },
  };
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
