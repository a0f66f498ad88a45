// One stored resource type: objects by key ("<namespace>/<name>" or "<name>") with the keys kept
// sorted, so lists, namespace ranges and continue tokens are binary searches, not scans.
import type { KubeObject } from "./types.js";

/** One stored version of an object. `object` is never changed after it is stored. */
export interface Entry {
  readonly object: KubeObject;
  readonly rv: number;
  /** The object's JSON, computed once on first read and shared by every response. */
  json?: string;
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
  readonly keys: string[] = [];
  readonly entries = new Map<string, Entry>();

  get(key: string): Entry | undefined {
    return this.entries.get(key);
  }

  put(key: string, entry: Entry): void {
    if (!this.entries.has(key)) {
      const last = this.keys[this.keys.length - 1];
      // Names created in order are the common case: append without searching.
      if (last === undefined || last < key) this.keys.push(key);
      else this.keys.splice(lowerBound(this.keys, key), 0, key);
    }
    this.entries.set(key, entry);
  }

  remove(key: string): void {
    if (!this.entries.delete(key)) return;
    const i = lowerBound(this.keys, key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }

  get size(): number {
    return this.entries.size;
  }
}
