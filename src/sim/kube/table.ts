// Server-side printing (meta.k8s.io/v1 Table), which `kubectl get` asks for: a few columns per
// well-known kind, CRD additionalPrinterColumns, and Name/Age for everything else.
import type { ServedType } from "./registry.js";
import type { KubeObject } from "./types.js";

type Json = Record<string, unknown>;

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

interface Column {
  definition: ColumnDefinition;
  cell(object: KubeObject, now: number): unknown;
}

/** apimachinery's HumanDuration: "45s", "3m20s", "5h10m", "12d", "2y30d". */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${hours / 24}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const years = Math.floor(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const days = Math.floor(hours / 24) % 365;
    return days === 0 ? `${years}y` : `${years}y${days}d`;
  }
  return `${years}y`;
}

function column(name: string, cell: Column["cell"], options: Partial<ColumnDefinition> = {}): Column {
  return {
    definition: { name, type: "string", format: "", description: "", priority: 0, ...options },
    cell,
  };
}

function get(object: unknown, path: string): unknown {
  let current = object;
  for (const part of path.split(".").filter((p) => p.length > 0)) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Json)[part];
  }
  return current;
}

function age(object: KubeObject, now: number): string {
  const created = object.metadata?.creationTimestamp;
  return created ? humanDuration(now - Date.parse(created)) : "<unknown>";
}

const nameColumn = column("Name", (o) => o.metadata?.name ?? "", {
  format: "name",
  description:
    "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names",
});
const ageColumn = column("Age", age, {
  description:
    "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata",
});

function count(value: unknown): number {
  return value && typeof value === "object" ? Object.keys(value).length : 0;
}

function listOf(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

const builtinColumns: Record<string, Column[]> = {
  "/pods": [
    column("Ready", (o) => {
      const statuses = listOf(get(o, "status.containerStatuses"));
      const total = listOf(get(o, "spec.containers")).length;
      return `${statuses.filter((s) => s.ready === true).length}/${total}`;
    }),
    column("Status", (o) => (o.metadata?.deletionTimestamp ? "Terminating" : (get(o, "status.phase") ?? ""))),
    column(
      "Restarts",
      (o) => listOf(get(o, "status.containerStatuses")).reduce((n, s) => n + Number(s.restartCount ?? 0), 0),
      {
        type: "string",
      },
    ),
  ],
  "apps/deployments": [
    column("Ready", (o) => `${get(o, "status.readyReplicas") ?? 0}/${get(o, "spec.replicas") ?? 0}`),
    column("Up-to-date", (o) => get(o, "status.updatedReplicas") ?? 0, { type: "integer" }),
    column("Available", (o) => get(o, "status.availableReplicas") ?? 0, { type: "integer" }),
  ],
  "apps/statefulsets": [
    column("Ready", (o) => `${get(o, "status.readyReplicas") ?? 0}/${get(o, "spec.replicas") ?? 0}`),
  ],
  "/services": [
    column("Type", (o) => get(o, "spec.type") ?? ""),
    column("Cluster-IP", (o) => get(o, "spec.clusterIP") ?? "<none>"),
    column("External-IP", (o) => {
      const ingress = listOf(get(o, "status.loadBalancer.ingress")).map((i) => i.ip ?? i.hostname);
      return ingress.length > 0
        ? ingress.join(",")
        : get(o, "spec.type") === "LoadBalancer"
          ? "<pending>"
          : "<none>";
    }),
    column("Port(s)", (o) => {
      const ports = listOf(get(o, "spec.ports")).map(
        (p) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`,
      );
      return ports.length > 0 ? ports.join(",") : "<none>";
    }),
  ],
  "/configmaps": [column("Data", (o) => count(o.data) + count(o.binaryData), { type: "integer" })],
  "/secrets": [
    column("Type", (o) => o.type ?? ""),
    column("Data", (o) => count(o.data), { type: "integer" }),
  ],
  "/namespaces": [column("Status", (o) => get(o, "status.phase") ?? "")],
  "/persistentvolumeclaims": [
    column("Status", (o) => (o.metadata?.deletionTimestamp ? "Terminating" : (get(o, "status.phase") ?? ""))),
    column("Volume", (o) => get(o, "spec.volumeName") ?? ""),
    column("Capacity", (o) => get(o, "status.capacity.storage") ?? ""),
    column("Access Modes", (o) => accessModes(get(o, "status.accessModes"))),
    column("StorageClass", (o) => get(o, "spec.storageClassName") ?? ""),
  ],
  "/persistentvolumes": [
    column("Capacity", (o) => get(o, "spec.capacity.storage") ?? ""),
    column("Access Modes", (o) => accessModes(get(o, "spec.accessModes"))),
    column("Reclaim Policy", (o) => get(o, "spec.persistentVolumeReclaimPolicy") ?? ""),
    column("Status", (o) => get(o, "status.phase") ?? ""),
    column("Claim", (o) => {
      const ref = get(o, "spec.claimRef") as Json | undefined;
      return ref ? `${ref.namespace}/${ref.name}` : "";
    }),
    column("StorageClass", (o) => get(o, "spec.storageClassName") ?? ""),
  ],
};

function accessModes(value: unknown): string {
  const short: Record<string, string> = {
    ReadWriteOnce: "RWO",
    ReadOnlyMany: "ROX",
    ReadWriteMany: "RWX",
    ReadWriteOncePod: "RWOP",
  };
  return listOf(value as unknown)
    .map((m) => short[String(m)] ?? String(m))
    .join(",");
}

/** A JSONPath of the simple forms CRD printer columns use: `.a.b`, `.a[0].b`, `.a[?(@.k=="v")].b`. */
function evaluateJsonPath(object: KubeObject, path: string): unknown {
  const tokens =
    path
      .replace(/^\{?\.?/, "")
      .replace(/\}$/, "")
      .match(/[^.[\]]+|\[[^\]]*\]/g) ?? [];
  let current: unknown = object;
  for (const token of tokens) {
    if (current === null || current === undefined) return undefined;
    const filter = /^\[\?\(@\.([\w.-]+)\s*==\s*["']([^"']*)["']\)\]$/.exec(token);
    if (filter) {
      current = listOf(current).find((item) => String(get(item, filter[1] ?? "")) === filter[2]);
    } else if (/^\[\d+\]$/.test(token)) {
      current = listOf(current)[Number(token.slice(1, -1))];
    } else if (token !== "[*]") {
      current = typeof current === "object" ? (current as Json)[token] : undefined;
    }
  }
  return current;
}

export function columnsFor(type: ServedType): Column[] {
  if (type.crd) {
    const printer = type.crd.printerColumns;
    if (printer.length === 0) return [nameColumn, ageColumn];
    return [
      nameColumn,
      ...printer.map((p) =>
        column(
          p.name,
          (o, now) => {
            const value = evaluateJsonPath(o, p.jsonPath);
            if (p.type === "date" && typeof value === "string") return humanDuration(now - Date.parse(value));
            return value ?? null;
          },
          {
            type: p.type,
            format: p.format ?? "",
            description: p.description ?? "",
            priority: p.priority ?? 0,
          },
        ),
      ),
    ];
  }
  return [nameColumn, ...(builtinColumns[`${type.group}/${type.resource}`] ?? []), ageColumn];
}

export type IncludeObject = "None" | "Metadata" | "Object";

function partialMetadata(object: KubeObject): Json {
  return { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: object.metadata ?? {} };
}

export function tableRows(columns: Column[], objects: KubeObject[], include: IncludeObject): Json[] {
  const now = Date.now();
  return objects.map((o) => ({
    cells: columns.map((c) => c.cell(o, now)),
    ...(include === "None" ? {} : { object: include === "Object" ? o : partialMetadata(o) }),
  }));
}

export function table(
  columns: Column[],
  rows: Json[],
  metadata: Json,
  options: { withDefinitions: boolean },
): Json {
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata,
    columnDefinitions: options.withDefinitions ? columns.map((c) => c.definition) : [],
    rows,
  };
}
