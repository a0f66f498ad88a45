// The controllers' shared informer cache: the latest state of the types they read, secondary
// indexes over it, and an owner-uid index over every type, all kept current from store events.
import type { StoreEvent } from "../api.js";
import type { KubeObject, ResourceInfo } from "../types.js";
import { objectKey, typeKey } from "./context.js";

/** A dependent as the owner index knows it: enough to fetch or delete it. */
export interface DependentRef {
  type: ResourceInfo;
  namespace: string | undefined;
  name: string;
  uid: string;
}

export type IndexFunction = (object: KubeObject) => string[];

interface Index {
  fn: IndexFunction;
  entries: Map<string, Set<string>>;
  /** What each object was indexed under, so removal never re-reads a possibly changed object. */
  valuesByKey: Map<string, string[]>;
}

function refKey(type: ResourceInfo, namespace: string | undefined, name: string): string {
  return `${typeKey(type)}|${objectKey(namespace, name)}`;
}

export class ObjectCache {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly indexes = new Map<string, Map<string, Index>>();
  /** owner uid -> dependent ref key -> dependent. */
  private readonly dependentsByOwner = new Map<string, Map<string, DependentRef>>();
  /** dependent ref key -> owner uids it listed, to undo on change. */
  private readonly ownersByDependent = new Map<string, string[]>();

  /** Starts caching full objects of a type (by `typeKey`). */
  track(type: string): void {
    if (!this.objects.has(type)) this.objects.set(type, new Map());
  }

  tracks(type: string): boolean {
    return this.objects.has(type);
  }

  /** Adds a secondary index over a tracked type, e.g. pods by node name. */
  addIndex(type: string, name: string, fn: IndexFunction): void {
    this.track(type);
    let byName = this.indexes.get(type);
    if (!byName) {
      byName = new Map();
      this.indexes.set(type, byName);
    }
    if (byName.has(name)) return;
    const index: Index = { fn, entries: new Map(), valuesByKey: new Map() };
    for (const [key, object] of this.objects.get(type) ?? []) this.indexAdd(index, key, object);
    byName.set(name, index);
  }

  get(type: string, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.objects.get(type)?.get(objectKey(namespace, name));
  }

  list(type: string): IterableIterator<KubeObject> {
    return (this.objects.get(type) ?? new Map<string, KubeObject>()).values();
  }

  byIndex(type: string, index: string, value: string): KubeObject[] {
    const keys = this.indexes.get(type)?.get(index)?.entries.get(value);
    if (!keys) return [];
    const objects = this.objects.get(type);
    const out: KubeObject[] = [];
    for (const key of keys) {
      const object = objects?.get(key);
      if (object) out.push(object);
    }
    return out;
  }

  /** How many objects an index holds under `value`, without materialising them. */
  countByIndex(type: string, index: string, value: string): number {
    return this.indexes.get(type)?.get(index)?.entries.get(value)?.size ?? 0;
  }

  dependents(ownerUid: string): DependentRef[] {
    return [...(this.dependentsByOwner.get(ownerUid)?.values() ?? [])];
  }

  /** Cached objects of a tracked type whose controller reference names `ownerUid`. */
  controlledBy(type: string, ownerUid: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const ref of this.dependentsByOwner.get(ownerUid)?.values() ?? []) {
      if (typeKey(ref.type) !== type) continue;
      const object = this.get(type, ref.namespace, ref.name);
      const controller = object?.metadata?.ownerReferences?.find((r) => r.controller === true);
      if (object && controller?.uid === ownerUid) out.push(object);
    }
    return out;
  }

  hasDependents(ownerUid: string): boolean {
    return (this.dependentsByOwner.get(ownerUid)?.size ?? 0) > 0;
  }

  apply(event: StoreEvent): void {
    const meta = event.object.metadata ?? {};
    const name = meta.name ?? "";
    const type = typeKey(event.resource);
    const key = objectKey(meta.namespace, name);
    const removed = event.type === "DELETED";
    this.applyOwners(
      event.resource,
      meta.namespace,
      name,
      meta.uid ?? "",
      removed ? [] : ownerUids(event.object),
    );
    const objects = this.objects.get(type);
    if (!objects) return;
    const indexes = this.indexes.get(type);
    if (indexes) for (const index of indexes.values()) this.indexRemove(index, key);
    if (removed) {
      objects.delete(key);
      return;
    }
    objects.set(key, event.object);
    if (indexes) for (const index of indexes.values()) this.indexAdd(index, key, event.object);
  }

  private applyOwners(
    type: ResourceInfo,
    namespace: string | undefined,
    name: string,
    uid: string,
    owners: string[],
  ): void {
    const key = refKey(type, namespace, name);
    const before = this.ownersByDependent.get(key);
    if (!before && owners.length === 0) return;
    for (const owner of before ?? []) {
      const set = this.dependentsByOwner.get(owner);
      set?.delete(key);
      if (set?.size === 0) this.dependentsByOwner.delete(owner);
    }
    if (owners.length === 0) {
      this.ownersByDependent.delete(key);
      return;
    }
    this.ownersByDependent.set(key, owners);
    for (const owner of owners) {
      let set = this.dependentsByOwner.get(owner);
      if (!set) {
        set = new Map();
        this.dependentsByOwner.set(owner, set);
      }
      set.set(key, { type, namespace, name, uid });
    }
  }

  private indexAdd(index: Index, key: string, object: KubeObject): void {
    const values = index.fn(object);
    if (values.length > 0) index.valuesByKey.set(key, values);
    for (const value of values) {
      let set = index.entries.get(value);
      if (!set) {
        set = new Set();
        index.entries.set(value, set);
      }
      set.add(key);
    }
  }

  private indexRemove(index: Index, key: string): void {
    const values = index.valuesByKey.get(key);
    if (!values) return;
    index.valuesByKey.delete(key);
    for (const value of values) {
      const set = index.entries.get(value);
      set?.delete(key);
      if (set?.size === 0) index.entries.delete(value);
    }
  }
}

function ownerUids(object: KubeObject): string[] {
  const refs = object.metadata?.ownerReferences ?? [];
  const uids: string[] = [];
  for (const ref of refs) if (typeof ref.uid === "string" && ref.uid) uids.push(ref.uid);
  return uids;
}
