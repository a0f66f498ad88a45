// The store's history: every committed change in resourceVersion order, kept until compaction, so
// watches can resume from a resourceVersion and list pages can be read as of their first page.
import type { WatchEventType } from "./api.js";
import type { ServedType } from "./registry.js";
import type { Entry } from "./store-table.js";

export interface Change {
  rv: number;
  /** Storage key of the type ("apps/deployments"). */
  table: string;
  type: ServedType;
  key: string;
  event: WatchEventType;
  /** The state after the change; for DELETED the last state, stamped with the deletion's rv. */
  entry: Entry;
  /** The state before the change; undefined when the change created the object. */
  prev?: Entry;
  /** Wall-clock time of the commit (ms), for compaction by age. */
  at: number;
}

export class ChangeLog {
  private changes: Change[] = [];
  /** Reads and watches from before this revision are refused (410), as etcd refuses them. */
  compactedRv = 0;

  append(change: Change): void {
    this.changes.push(change);
  }

  /** Changes with rv > `rv`, oldest first. */
  since(rv: number): Change[] {
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.changes[mid]?.rv ?? 0) <= rv) lo = mid + 1;
      else hi = mid;
    }
    return this.changes.slice(lo);
  }

  /** Forgets the history up to and including `rv`. */
  compact(rv: number): void {
    if (rv <= this.compactedRv) return;
    this.compactedRv = rv;
    let drop = 0;
    while (drop < this.changes.length && (this.changes[drop]?.rv ?? 0) <= rv) drop++;
    this.changes = this.changes.slice(drop);
  }

  /** The newest rv committed at or before `time` (ms); 0 if none is that old. */
  rvAt(time: number): number {
    let found = 0;
    for (const c of this.changes) {
      if (c.at > time) break;
      found = c.rv;
    }
    return found;
  }

  get length(): number {
    return this.changes.length;
  }
}
