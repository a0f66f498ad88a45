// The simulated API server's storage (an ObjectStore): objects per type in sorted tables, a change
// log for watches and snapshot paging, and the registry semantics of every write (see store-writes).

import { builtinAdmission } from "./admission/plugins.js";
import type { AdmissionHook } from "./admission.js";
import type { ListOptions, ListResult, ObjectStore, StoreEvent } from "./api.js";
import { type Change, ChangeLog } from "./change-log.js";
import { decodeContinue } from "./continue-token.js";
import { matchesFields, parseFieldSelector } from "./field-selectors.js";
import { readPage } from "./list-page.js";
import { cloneJson, deepFreeze } from "./patch/json-value.js";
import { bindPod, isBindingType } from "./pod-bindings.js";
import { type ServedType, storageKey, TypeRegistry } from "./registry.js";
import { matchesLabels, parseLabelSelector } from "./selectors.js";
import { ServiceAllocator, type ServiceAllocatorOptions } from "./service-allocator.js";
import { badRequest, expiredContinue, notFoundPath, StatusError } from "./status.js";
import { copyOf, type Entry, objectKey, ResourceTable } from "./store-table.js";
import {
  type DeleteResult,
  type InternalDeleteOptions,
  type InternalWriteOptions,
  StoreWriter,
} from "./store-writes.js";
import type { KubeObject, ResourceInfo } from "./types.js";

export interface MemoryStoreOptions {
  registry?: TypeRegistry;
  /**
   * History older than this is compacted, as kube-apiserver compacts etcd (default 5 minutes);
   * 0 turns the timer off (compact() still works).
   */
  compactionIntervalMs?: number;
  services?: ServiceAllocatorOptions;
  /** Clock for timestamps written into objects. */
  now?: () => Date;
}

/** A list query as the HTTP layer receives it (ListOptions plus the resourceVersion parameters). */
export interface ListQuery extends ListOptions {
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface EntryList {
  entries: Entry[];
  resourceVersion: number;
  continue?: string;
  remainingItemCount?: number;
}

export type ChangeListener = (change: Change) => void;

function tooOld(message: string): StatusError {
  return new StatusError(410, "Expired", message);
}

export class MemoryStore implements ObjectStore {
  readonly registry: TypeRegistry;
  readonly services: ServiceAllocator;
  readonly now: () => Date;
  private readonly tables = new Map<string, ResourceTable>();
  private readonly log = new ChangeLog();
  private readonly listeners = new Set<ChangeListener>();
  private readonly pending: Change[] = [];
  private dispatching = false;
  private revision = 1;
  private readonly hooks: AdmissionHook[] = [];
  private readonly writer: StoreWriter;
  private compactionTimer: NodeJS.Timeout | undefined;
  private rvAtLastTick = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.registry = options.registry ?? new TypeRegistry();
    this.now = options.now ?? (() => new Date());
    this.services = new ServiceAllocator(options.services);
    this.hooks.push(this.services.hook, ...builtinAdmission(this));
    this.writer = new StoreWriter(this);
    const interval = options.compactionIntervalMs ?? 5 * 60_000;
    if (interval > 0) {
      this.compactionTimer = setInterval(() => this.compactOnTimer(), interval);
      this.compactionTimer.unref();
    }
  }

  // ---- ObjectStore ----

  resourceFor(group: string, resourceOrKind: string): ResourceInfo | undefined {
    return this.registry.resourceFor(group, resourceOrKind);
  }

  /** Every served type in its preferred version (the controllers enumerate these). */
  resources(): ResourceInfo[] {
    const seen = new Map<string, ResourceInfo>();
    for (const t of this.registry.allServed()) {
      const key = storageKey(t.group, t.resource);
      if (seen.has(key)) continue;
      const preferred = this.registry.resourceFor(t.group, t.resource);
      if (preferred) seen.set(key, preferred);
    }
    return [...seen.values()];
  }

  get(resource: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    const type = this.resolve(resource);
    const entry = this.entry(type, namespace, name);
    return entry ? copyOf(entry) : undefined;
  }

  list(resource: ResourceInfo, options: ListOptions = {}): ListResult {
    const page = this.listEntries(this.resolve(resource), options);
    return {
      // The stored objects themselves: frozen, so sharing them is safe and costs nothing.
      items: page.entries.map((e) => e.object),
      resourceVersion: String(page.resourceVersion),
      ...(page.continue ? { continue: page.continue } : {}),
      ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
    };
  }

  create(resource: ResourceInfo, object: KubeObject, options: InternalWriteOptions = {}): KubeObject {
    const type = this.resolve(resource);
    if (isBindingType(type)) return this.bind(object, options);
    return copyOf(this.writer.create(type, owned(object, options), options));
  }

  update(resource: ResourceInfo, object: KubeObject, options: InternalWriteOptions = {}): KubeObject {
    return copyOf(this.writer.update(this.resolve(resource), owned(object, options), options));
  }

  updateStatus(resource: ResourceInfo, object: KubeObject, options: InternalWriteOptions = {}): KubeObject {
    return copyOf(
      this.writer.update(this.resolve(resource), owned(object, options), {
        ...options,
        subresource: "status",
      }),
    );
  }

  delete(
    resource: ResourceInfo,
    namespace: string | undefined,
    name: string,
    options: InternalDeleteOptions = {},
  ): KubeObject {
    return this.deleteObject(this.resolve(resource), namespace, name, options).object;
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    return this.onChange((change) =>
      listener({ type: change.event, resource: this.preferred(change.type), object: change.entry.object }),
    );
  }

  // ---- extensions used by the HTTP layer, the simulator and tests ----

  /** create for the HTTP layer: the stored entry, whose cached JSON answers this and later reads. */
  createEntry(type: ServedType, object: KubeObject, options: InternalWriteOptions = {}): Entry {
    if (isBindingType(type)) return { object: this.bind(object, options), rv: 0 };
    return this.writer.create(type, owned(object, options), options);
  }

  /** update (or, with subresource, a status/finalize write) for the HTTP layer: the stored entry. */
  updateEntry(type: ServedType, object: KubeObject, options: InternalWriteOptions = {}): Entry {
    return this.writer.update(type, owned(object, options), options);
  }

  /** Creates a Binding as kube-apiserver does: the pod it names gets its node; nothing is stored. */
  bind(binding: KubeObject, options: { dryRun?: boolean; urlName?: string } = {}): KubeObject {
    return bindPod(this, this.writer, binding, options);
  }

  /** Runs `hook` on every create, update and delete after the built-in ones. */
  addAdmissionHook(hook: AdmissionHook): () => void {
    this.hooks.push(hook);
    return () => {
      const i = this.hooks.indexOf(hook);
      if (i >= 0) this.hooks.splice(i, 1);
    };
  }

  get admissionHooks(): readonly AdmissionHook[] {
    return this.hooks;
  }

  /** The newest committed resourceVersion. */
  get resourceVersion(): number {
    return this.revision;
  }

  get compactedResourceVersion(): number {
    return this.log.compactedRv;
  }

  /**
   * Compacts the history now, as kube-apiserver's compactor does: its bookkeeping write takes a
   * revision, and everything before it becomes unreadable (old continue tokens and watches get 410).
   */
  compact(): number {
    this.revision++;
    this.log.compact(this.revision);
    return this.revision;
  }

  /** Stops the compaction timer. */
  close(): void {
    if (this.compactionTimer) clearInterval(this.compactionTimer);
    this.compactionTimer = undefined;
  }

  deleteObject(
    type: ServedType,
    namespace: string | undefined,
    name: string,
    options: InternalDeleteOptions = {},
  ): DeleteResult {
    return this.writer.delete(type, namespace, name, options);
  }

  /** Resolves a ResourceInfo (possibly from another version or a plain literal) to a served type. */
  resolve(resource: ResourceInfo): ServedType {
    const type =
      this.registry.lookup(resource.group, resource.version, resource.resource) ??
      this.registry.resourceFor(resource.group, resource.resource);
    if (!type) throw notFoundPath();
    return type;
  }

  preferred(type: ServedType): ServedType {
    return this.registry.resourceFor(type.group, type.resource) ?? type;
  }

  entry(type: ServedType, namespace: string | undefined, name: string): Entry | undefined {
    return this.tables
      .get(storageKey(type.group, type.resource))
      ?.get(objectKey(type.namespaced ? namespace : undefined, name));
  }

  table(type: ServedType): ResourceTable {
    const key = storageKey(type.group, type.resource);
    let table = this.tables.get(key);
    if (!table) {
      table = new ResourceTable();
      this.tables.set(key, table);
    }
    return table;
  }

  dropTable(type: ServedType): void {
    this.tables.delete(storageKey(type.group, type.resource));
  }

  /** Takes the next resourceVersion; only the writer calls this, once per committed change. */
  nextRevision(): number {
    this.revision++;
    return this.revision;
  }

  /** Records a committed change and delivers it to listeners in commit order. */
  commit(change: Change): void {
    // Stored objects are shared with lists, watches and controllers; freezing keeps them unchanged.
    deepFreeze(change.entry.object);
    this.log.append(change);
    this.pending.push(change);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let c = this.pending.shift(); c; c = this.pending.shift()) {
        for (const listener of [...this.listeners]) {
          try {
            listener(c);
          } catch (err) {
            // A failing listener must not undo or block a committed write.
            console.error("store listener failed:", err);
          }
        }
      }
    } finally {
      this.dispatching = false;
    }
  }

  onChange(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Committed changes after `rv`; 410 when the history before it was compacted. */
  changesSince(rv: number): Change[] {
    if (rv < this.log.compactedRv) {
      throw tooOld(`too old resource version: ${rv} (${this.log.compactedRv})`);
    }
    return this.log.since(rv);
  }

  listEntries(type: ServedType, query: ListQuery): EntryList {
    const labels = query.labelSelector ? parseLabelSelector(query.labelSelector) : [];
    const fields = query.fieldSelector
      ? parseFieldSelector(query.fieldSelector, type.group, type.resource)
      : [];
    const matches =
      labels.length > 0 || fields.length > 0
        ? (e: Entry) => matchesLabels(labels, e.object.metadata?.labels) && matchesFields(fields, e.object)
        : undefined;

    let snapshotRv = this.revision;
    let start = "";
    if (query.continue) {
      if (query.resourceVersion && query.resourceVersion !== "0") {
        throw badRequest("specifying resource version is not allowed when using continue");
      }
      const position = decodeContinue(query.continue);
      start = position.start;
      if (position.rv !== -1) {
        if (position.rv < this.log.compactedRv) {
          throw expiredContinue(
            this.hasMore(type, query.namespace, start) ? inconsistentToken(position.start) : undefined,
          );
        }
        snapshotRv = position.rv;
      }
    } else if (query.resourceVersion && query.resourceVersionMatch === "Exact") {
      const rv = parseRv(query.resourceVersion);
      if (rv < this.log.compactedRv) throw tooOld("The resourceVersion for the provided list is too old.");
      snapshotRv = Math.min(rv, this.revision);
    } else if (query.resourceVersionMatch && query.resourceVersionMatch !== "NotOlderThan") {
      throw badRequest(`resourceVersionMatch: Unsupported value: "${query.resourceVersionMatch}"`);
    }

    const table = this.tables.get(storageKey(type.group, type.resource)) ?? new ResourceTable();
    const page = readPage({
      table,
      delta: this.snapshotDelta(storageKey(type.group, type.resource), snapshotRv),
      snapshotRv,
      ...(type.namespaced && query.namespace ? { namespace: query.namespace } : {}),
      start,
      ...(query.limit ? { limit: query.limit } : {}),
      ...(matches ? { matches } : {}),
    });
    return { ...page, resourceVersion: snapshotRv };
  }

  private hasMore(type: ServedType, namespace: string | undefined, start: string): boolean {
    const page = readPage({
      table: this.table(type),
      delta: new Map(),
      snapshotRv: this.revision,
      ...(namespace ? { namespace } : {}),
      start,
      limit: 1,
    });
    return page.entries.length > 0;
  }

  /** For each key of `table` changed after `rv`, its state at `rv`. */
  private snapshotDelta(table: string, rv: number): Map<string, Entry | undefined> {
    const delta = new Map<string, Entry | undefined>();
    if (rv >= this.revision) return delta;
    for (const change of this.log.since(rv)) {
      if (change.table === table && !delta.has(change.key)) delta.set(change.key, change.prev);
    }
    return delta;
  }

  private compactOnTimer(): void {
    const target = this.rvAtLastTick;
    this.rvAtLastTick = this.revision;
    if (target > this.log.compactedRv) {
      this.revision++;
      this.log.compact(target);
    }
  }
}

/** The caller's object, or a copy the writer may change when the caller keeps it. */
function owned(object: KubeObject, options: InternalWriteOptions): KubeObject {
  return options.owned ? object : cloneJson(object);
}

function parseRv(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
    throw badRequest(`invalid resource version "${value}"`);
  }
  return n;
}

function inconsistentToken(start: string): string {
  return Buffer.from(JSON.stringify({ v: "meta.k8s.io/v1", rv: -1, start })).toString("base64url");
}

export type { InternalDeleteOptions, InternalWriteOptions } from "./store-writes.js";
