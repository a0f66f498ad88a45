// One stored resource type: objects by key ("<namespace>/<name>" or "<name>") with the keys kept
// sorted, so lists, namespace ranges and continue tokens are binary searches, not scans.
import { cloneJson } from "./patch/json-value.js";
import type { KubeObject } from "./types.js";

/** One stored version of an object. `object` is never changed after it is stored. */
export interface Entry {
  readonly object: KubeObject;
  readonly rv: number;
  /** The object's JSON, computed once on first read and shared by every response. */
  json?: string;
}

/** A copy of the stored object the caller may change. */
export function copyOf(entry: Entry): KubeObject {
  return cloneJson(entry.object);
}

export function jsonOf(entry: Entry): string {
  entry.json ??= JSON.stringify(entry.object);
  return entry.json;
}

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** The first index in the sorted `keys` whose key is >= `key`. */
export function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] ?? "") < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class ResourceTable {
  private sorted: string[] = [];
  /** Keys still in `sorted` whose objects are gone; dropped in one pass when the keys are next read. */
  private readonly removed = new Set<string>();
  readonly entries = new Map<string, Entry>();

  /** The keys in order. Removals are applied lazily, so a burst of deletes costs one pass, not one each. */
  get keys(): readonly string[] {
    if (this.removed.size > 0) {
      this.sorted = this.sorted.filter((k) => !this.removed.has(k));
      this.removed.clear();
    }
    return this.sorted;
  }

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  put(key: string, entry: Entry): void {
    // A key removed and put back is still in `sorted`.
    if (!this.entries.has(key) && !this.removed.delete(key)) {
      const last = this.sorted[this.sorted.length - 1];
      // Names created in order are the common case: append without searching.
      if (last === undefined || last < key) this.sorted.push(key);
      else this.sorted.splice(lowerBound(this.sorted, key), 0, key);
    }
    this.entries.set(key, entry);
  }

  remove(key: string): void {
    if (this.entries.delete(key)) this.removed.add(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
