// Request paths as kube-apiserver's RequestInfo reads them: discovery paths, and resource paths
// `/api/v1|/apis/<g>/<v>` + `[namespaces/<ns>/]<resource>[/<name>[/<subresource>]]`.
export type Route =
  | { kind: "root" }
  | { kind: "version" }
  | { kind: "health"; check: string }
  | { kind: "openapi"; path: string }
  | { kind: "coreVersions" }
  | { kind: "groups" }
  | { kind: "group"; group: string }
  | { kind: "groupVersion"; group: string; version: string }
  | ResourceRoute;

export interface ResourceRoute {
  kind: "resource";
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** The deprecated `/watch/` path prefix was used. */
  watchPrefix: boolean;
}

// Subresources of the namespaces resource itself; anything else after a namespace is a resource.
const namespaceSubresources = new Set(["status", "finalize"]);

export function parseRoute(pathname: string): Route | undefined {
  const parts = pathname.split("/").filter((p) => p.length > 0);
  const [first] = parts;
  if (parts.length === 0) return { kind: "root" };
  if (first === "version" && parts.length === 1) return { kind: "version" };
  if ((first === "healthz" || first === "livez" || first === "readyz") && parts.length <= 2) {
    return { kind: "health", check: parts.slice(1).join("/") };
  }
  if (first === "openapi") return { kind: "openapi", path: parts.slice(1).join("/") };
  let group: string;
  let version: string;
  let rest: string[];
  if (first === "api") {
    if (parts.length === 1) return { kind: "coreVersions" };
    group = "";
    version = parts[1] ?? "";
    rest = parts.slice(2);
  } else if (first === "apis") {
    if (parts.length === 1) return { kind: "groups" };
    if (parts.length === 2) return { kind: "group", group: parts[1] ?? "" };
    group = parts[1] ?? "";
    version = parts[2] ?? "";
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  if (rest.length === 0) return { kind: "groupVersion", group, version };
  let watchPrefix = false;
  if (rest[0] === "watch") {
    watchPrefix = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === "namespaces" && rest.length > 1) {
    namespace = decodeURIComponent(rest[1] ?? "");
    if (rest.length > 2 && !namespaceSubresources.has(rest[2] ?? "")) rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  const route: ResourceRoute = { kind: "resource", group, version, resource: rest[0] ?? "", watchPrefix };
  if (rest.length >= 2) route.name = decodeURIComponent(rest[1] ?? "");
  if (rest.length === 3) route.subresource = rest[2];
  // `namespaces/<name>` names the Namespace object; its namespace is itself, as RequestInfo says.
  if (
    namespace !== undefined &&
    !(route.resource === "namespaces" && rest.length <= 3 && rest[0] === "namespaces")
  ) {
    route.namespace = namespace;
  }
  return route;
}
