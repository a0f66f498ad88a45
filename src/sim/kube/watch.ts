// Watch streams: newline-delimited {"type","object"} events from a resourceVersion (or the current
// state first), filtered by namespace and selectors, with bookmarks, timeouts and 410 for old versions.
import type { Change } from "./change-log.js";
import { matchesFields, parseFieldSelector } from "./field-selectors.js";
import { negotiateFormat } from "./request-options.js";
import { entryJson, groupVersion, type ResourceRequest, requireVerb } from "./resource-handlers.js";
import { matchesLabels, parseLabelSelector } from "./selectors.js";
import { badRequest, StatusError } from "./status.js";
import type { Entry } from "./store-table.js";
import { columnsFor, table, tableRows } from "./table.js";
import type { KubeObject } from "./types.js";

export interface WatchSettings {
  /** How often a watch that allows bookmarks gets one (kube-apiserver: about a minute). */
  bookmarkIntervalMs: number;
  /** Longest watch when the client sets no timeoutSeconds (kube-apiserver: 30-60 minutes). */
  maxTimeoutMs: number;
}

export function isWatchRequest(r: ResourceRequest): boolean {
  const w = r.query.get("watch");
  return r.route.watchPrefix || w === "true" || w === "1";
}

export function handleWatch(r: ResourceRequest, settings: WatchSettings): void {
  requireVerb(r.type, "watch");
  const { type, store, query, res, req } = r;
  const format = negotiateFormat(req, query);
  const gv = groupVersion(type);
  let fieldSelector = query.get("fieldSelector") ?? "";
  if (r.route.name !== undefined) {
    fieldSelector = [fieldSelector, `metadata.name=${r.route.name}`].filter((s) => s).join(",");
  }
  const labels = parseLabelSelector(query.get("labelSelector") ?? "");
  const fields = parseFieldSelector(fieldSelector, type.group, type.resource);
  const namespace = type.namespaced ? r.route.namespace : undefined;
  const matches = (entry: Entry | undefined): boolean =>
    entry !== undefined &&
    (!namespace || entry.object.metadata?.namespace === namespace) &&
    matchesLabels(labels, entry.object.metadata?.labels) &&
    matchesFields(fields, entry.object);

  const rvParam = query.get("resourceVersion") ?? "";
  const sendInitial = query.get("sendInitialEvents") === "true";
  const bookmarks = query.get("allowWatchBookmarks") === "true";
  if (sendInitial && (query.get("resourceVersionMatch") !== "NotOlderThan" || !bookmarks)) {
    throw badRequest(
      "sendInitialEvents: Forbidden: sendInitialEvents is only supported with resourceVersionMatch=NotOlderThan and allowWatchBookmarks=true",
    );
  }
  if (rvParam !== "" && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version "${rvParam}"`);
  const startFromState = rvParam === "" || rvParam === "0" || sendInitial;

  let initial: Entry[] = [];
  let backlog: Change[] = [];
  let tooOld: StatusError | undefined;
  const startRv = store.resourceVersion;
  if (startFromState) {
    initial = store.listEntries(type, namespace ? { namespace } : {}).entries.filter(matches);
  } else {
    try {
      backlog = store.changesSince(Number(rvParam));
    } catch (err) {
      if (!(err instanceof StatusError)) throw err;
      tooOld = err;
    }
  }

  res.writeHead(200, {
    "Content-Type":
      format.kind === "table" ? "application/json;as=Table;v=v1;g=meta.k8s.io" : "application/json",
    "Cache-Control": "no-cache, private",
    "Transfer-Encoding": "chunked",
  });
  res.flushHeaders();
  if (tooOld) {
    res.end(`${JSON.stringify({ type: "ERROR", object: tooOld.status })}\n`);
    return;
  }

  let first = true;
  const render = (eventType: string, entry: Entry): string => {
    if (format.kind === "table") {
      const columns = columnsFor(type);
      const object = JSON.parse(entryJson(entry, gv)) as KubeObject;
      const t = table(
        columns,
        tableRows(columns, [object], format.include),
        { resourceVersion: String(entry.rv) },
        {
          withDefinitions: first,
        },
      );
      first = false;
      return `{"type":"${eventType}","object":${JSON.stringify(t)}}\n`;
    }
    if (format.kind === "partial") {
      const partial = {
        kind: "PartialObjectMetadata",
        apiVersion: "meta.k8s.io/v1",
        metadata: entry.object.metadata,
      };
      return `{"type":"${eventType}","object":${JSON.stringify(partial)}}\n`;
    }
    return `{"type":"${eventType}","object":${entryJson(entry, gv)}}\n`;
  };
  const bookmark = (rv: number, initialEnd: boolean): string =>
    `${JSON.stringify({
      type: "BOOKMARK",
      object: {
        kind: type.kind,
        apiVersion: gv,
        metadata: {
          resourceVersion: String(rv),
          ...(initialEnd ? { annotations: { "k8s.io/initial-events-end": "true" } } : {}),
        },
      },
    })}\n`;

  const table_ = `${type.group}/${type.resource}`;
  const onChange = (change: Change): void => {
    if (change.table !== table_) return;
    const now = matches(change.entry);
    const before = change.event !== "ADDED" && matches(change.prev);
    if (change.event === "DELETED") {
      if (before || now) res.write(render("DELETED", change.entry));
    } else if (now && before) {
      res.write(render("MODIFIED", change.entry));
    } else if (now) {
      res.write(render("ADDED", change.entry));
    } else if (before) {
      // The object left the selection: watchers see it go, as the watch cache reports it.
      res.write(render("DELETED", change.entry));
    }
  };

  for (const entry of initial) res.write(render("ADDED", entry));
  if (sendInitial) res.write(bookmark(startRv, true));
  for (const change of backlog) onChange(change);
  const unsubscribe = store.onChange(onChange);

  const timeoutSeconds = Number(query.get("timeoutSeconds") ?? "");
  const timeoutMs =
    timeoutSeconds > 0 ? Math.min(timeoutSeconds * 1000, settings.maxTimeoutMs) : settings.maxTimeoutMs;
  const timers: NodeJS.Timeout[] = [setTimeout(() => finish(), timeoutMs)];
  if (bookmarks)
    timers.push(
      setInterval(() => res.write(bookmark(store.resourceVersion, false)), settings.bookmarkIntervalMs),
    );
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    if (!res.writableEnded) res.end();
  };
  req.on("close", finish);
  res.on("close", finish);
  res.on("error", finish);
}
