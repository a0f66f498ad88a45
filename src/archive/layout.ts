// Velero's backup layout (format 1.1.0): the paths an item is written to, and the reverse parse
// that refuses any entry outside that layout or able to escape the directory it is extracted to.
import { ArchiveFormatError, UnsafeItemError } from "./errors.js";

/** Velero's BackupFormatVersion (pkg/backup/backup.go); written as "1.1.0\n". */
export const FORMAT_VERSION = "1.1.0";
/**
 * Versions the reader accepts: Velero wrote "1" (its integer BackupVersion) before format 1.1.0
 * introduced the `<version>-preferredversion` directories; "1.0.0" is the same layout spelled out.
 */
export const READABLE_FORMAT_VERSIONS: readonly string[] = ["1", "1.0.0", "1.1.0"];
/** pkg/apis/velero/v1/constants.go: MetadataDir + "version", written first by writeBackupVersion. */
export const VERSION_FILE = "metadata/version";

// pkg/apis/velero/v1/constants.go: ResourcesDir, NamespaceScopedDir, ClusterScopedDir,
// PreferredVersionDir.
const RESOURCES_DIR = "resources";
const NAMESPACED_DIR = "namespaces";
const CLUSTER_DIR = "cluster";
const PREFERRED_SUFFIX = "-preferredversion";

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export interface ItemIdentity {
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name: string;
}

export type ArchivePath =
  | { kind: "version" }
  | { kind: "directory" }
  | {
      kind: "item";
      group: string;
      resource: string;
      /** Set for entries in a `<version>` or `<version>-preferredversion` directory. */
      version?: string;
      preferred: boolean;
      scope: "namespaced" | "cluster";
      namespace?: string;
      name: string;
    };

/** `deployments.apps`, or `secrets` for the core group (Velero's GroupResource.String()). */
export function groupResourceDir(resource: string, group: string): string {
  return group === "" ? resource : `${resource}.${group}`;
}

/**
 * The two entries Velero writes for an item listed at its preferred version, in its order: the
 * group-resource copy "for backward compatibility", then the same bytes under
 * `<version>-preferredversion` (pkg/backup/item_backupper.go, backupItemInternal and
 * getFileForArchive; the path is pkg/archive/filesystem.go GetVersionedItemFilePath). Velero
 * writes both for every such item, with or without the EnableAPIGroupVersions feature flag.
 */
export function itemPaths(item: ItemIdentity): [string, string] {
  const [groupResource, preferred] = itemDirectories(item);
  return [`${groupResource}${item.name}${ITEM_SUFFIX}`, `${preferred}${item.name}${ITEM_SUFFIX}`];
}

/** What follows an item's name in its paths. */
export const ITEM_SUFFIX = ".json";

/** The directories (with a trailing '/') of itemPaths: the same for every item of a type and namespace. */
export function itemDirectories(item: Omit<ItemIdentity, "name">): [string, string] {
  const base = `${RESOURCES_DIR}/${groupResourceDir(item.resource, item.group)}`;
  const scoped = item.namespace ? `${NAMESPACED_DIR}/${item.namespace}/` : `${CLUSTER_DIR}/`;
  return [`${base}/${scoped}`, `${base}/${item.version}${PREFERRED_SUFFIX}/${scoped}`];
}

/** Why a namespace or name cannot be a path segment, or undefined when it can. */
export function unsafeNameReason(value: string): string | undefined {
  if (value === "" || value === ".") return "is empty or '.'";
  if (value.includes("/") || value.includes("\\")) return "contains a path separator";
  if (value.includes("..")) return "contains '..'";
  if (value.includes("\0")) return "contains a NUL character";
  return undefined;
}

/** Refuses, before anything is written, an item whose path would leave its directory. */
export function checkItemIdentity(item: ItemIdentity & { kind: string }): void {
  const what = `${item.namespace ? `${item.namespace}/` : ""}${item.name}`;
  const fail = (detail: string) => {
    throw new UnsafeItemError(`cannot archive ${item.resource || "?"} ${JSON.stringify(what)}: ${detail}`);
  };
  if (!DNS_LABEL.test(item.resource)) fail(`resource ${JSON.stringify(item.resource)} is not a DNS label`);
  if (item.group !== "" && (!DNS_SUBDOMAIN.test(item.group) || item.group.includes(".."))) {
    fail(`group ${JSON.stringify(item.group)} is not a DNS subdomain`);
  }
  if (!DNS_LABEL.test(item.version) || item.version === NAMESPACED_DIR || item.version === CLUSTER_DIR) {
    fail(`version ${JSON.stringify(item.version)} is not a Kubernetes API version`);
  }
  if (item.kind === "" || item.kind.includes("/")) fail(`kind ${JSON.stringify(item.kind)} is not a kind`);
  checkItemName(item);
}

/**
 * The part of checkItemIdentity that differs from item to item of a type: its namespace and name.
 * For a caller that has checked the type with checkItemIdentity already (and, with
 * `namespaceChecked`, this namespace too).
 */
export function checkItemName(item: ItemIdentity, namespaceChecked = false): void {
  const namespaceReason =
    !namespaceChecked && item.namespace !== undefined && item.namespace !== ""
      ? unsafeNameReason(item.namespace)
      : undefined;
  const nameReason = namespaceReason ? undefined : unsafeNameReason(item.name);
  if (!namespaceReason && !nameReason) return;
  const what = `${item.namespace ? `${item.namespace}/` : ""}${item.name}`;
  const detail = namespaceReason ? `namespace ${namespaceReason}` : `name ${nameReason}`;
  throw new UnsafeItemError(`cannot archive ${item.resource || "?"} ${JSON.stringify(what)}: ${detail}`);
}

/** Parses an entry path of the archive; throws ArchiveFormatError for anything off the layout. */
export function parseArchivePath(path: string, isDirectory: boolean): ArchivePath {
  const unsafe = (detail: string) =>
    new ArchiveFormatError("unsafe-path", `archive entry ${JSON.stringify(path)} ${detail}`, { path });
  if (path.includes("\0")) throw unsafe("contains a NUL character");
  if (path.startsWith("/")) throw unsafe("is an absolute path");
  if (path.includes("\\")) throw unsafe("contains a backslash");
  const trimmed = isDirectory ? path.replace(/\/+$/, "") : path;
  const segments = trimmed.split("/");
  if (segments.some((s) => s === "" || s === "." || s === "..")) {
    throw unsafe("has an empty, '.' or '..' segment");
  }
  const offLayout = () =>
    new ArchiveFormatError(
      "layout",
      `archive entry ${JSON.stringify(path)} is not part of Velero's backup layout ` +
        `(metadata/version, resources/<resource>[.<group>]/[<version>[-preferredversion]/]` +
        `{namespaces/<ns>,cluster}/<name>.json)`,
      { path },
    );
  if (isDirectory) {
    if ((segments[0] === RESOURCES_DIR && segments.length <= 5) || trimmed === "metadata") {
      return { kind: "directory" };
    }
    throw offLayout();
  }
  if (trimmed === VERSION_FILE) return { kind: "version" };
  const [top, groupResource, next, ...rest] = segments;
  if (top !== RESOURCES_DIR || !groupResource || !next) throw offLayout();
  const dot = groupResource.indexOf(".");
  const resource = dot < 0 ? groupResource : groupResource.slice(0, dot);
  const group = dot < 0 ? "" : groupResource.slice(dot + 1);
  if (resource === "") throw offLayout();

  let version: string | undefined;
  let preferred = false;
  let scoped = [next, ...rest];
  if (next !== NAMESPACED_DIR && next !== CLUSTER_DIR) {
    preferred = next.endsWith(PREFERRED_SUFFIX);
    version = preferred ? next.slice(0, -PREFERRED_SUFFIX.length) : next;
    if (version === "") throw offLayout();
    scoped = rest;
  }
  const [scopeDir, first, second, ...extra] = scoped;
  let namespace: string | undefined;
  let file: string | undefined;
  if (scopeDir === CLUSTER_DIR && first !== undefined && second === undefined) file = first;
  if (scopeDir === NAMESPACED_DIR && second !== undefined && extra.length === 0) {
    namespace = first;
    file = second;
  }
  if (file === undefined || !file.endsWith(".json")) throw offLayout();
  const name = file.slice(0, -".json".length);
  for (const value of namespace === undefined ? [name] : [namespace, name]) {
    const reason = unsafeNameReason(value);
    if (reason) throw unsafe(`names an item that ${reason}`);
  }
  return {
    kind: "item",
    group,
    resource,
    ...(version === undefined ? {} : { version }),
    preferred,
    scope: namespace === undefined ? "cluster" : "namespaced",
    ...(namespace === undefined ? {} : { namespace }),
    name,
  };
}
