// One page of a list, read as of a resourceVersion: the current sorted keys merged with the states
// that changes after that version replaced, so every page of a paged list sees the same snapshot.
import { encodeContinue } from "./continue-token.js";
import { type Entry, lowerBound, type ResourceTable } from "./store-table.js";

export interface PageRequest {
  table: ResourceTable;
  /** Key -> state at the snapshot (undefined = absent then), for keys changed after it. */
  delta: Map<string, Entry | undefined>;
  snapshotRv: number;
  namespace?: string;
  /** Keys >= start; "" = from the beginning. */
  start: string;
  limit?: number;
  /** undefined = no selector (then remainingItemCount can be given). */
  matches?: (entry: Entry) => boolean;
}

export interface Page {
  entries: Entry[];
  continue?: string;
  remainingItemCount?: number;
}

export function readPage(request: PageRequest): Page {
  const { table, delta, namespace, limit, matches } = request;
  const keys = table.keys;
  const rangeStart = namespace ? `${namespace}/` : "";
  // "0" is the character after "/", so [ns/, ns0) holds exactly the keys of one namespace.
  const rangeEnd = namespace ? `${namespace}0` : undefined;
  // Keys compare as strings here, so no Math.max.
  const start = [request.start, rangeStart].sort().at(-1) ?? "";
  let i = lowerBound(keys, start);
  const end = rangeEnd === undefined ? keys.length : lowerBound(keys, rangeEnd);
  const deltaKeys = [...delta.keys()]
    .filter((k) => k >= start && (rangeEnd === undefined || k < rangeEnd))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let j = 0;
  const entries: Entry[] = [];
  let lastKey = "";
  const max = limit && limit > 0 ? limit : Number.POSITIVE_INFINITY;

  while (entries.length < max && (i < end || j < deltaKeys.length)) {
    const current = i < end ? keys[i] : undefined;
    const changed = j < deltaKeys.length ? deltaKeys[j] : undefined;
    let key: string;
    let entry: Entry | undefined;
    if (current !== undefined && (changed === undefined || current < changed)) {
      key = current;
      i++;
      entry = delta.has(current) ? undefined : table.get(current);
    } else {
      key = changed as string;
      if (current === changed) i++;
      j++;
      entry = delta.get(key);
    }
    if (entry && (!matches || matches(entry))) {
      entries.push(entry);
      lastKey = key;
    }
  }

  if (entries.length < max) return { entries };
  if (!matches) {
    let remaining = end - i;
    for (let k = j; k < deltaKeys.length; k++) {
      const key = deltaKeys[k] as string;
      // An unread changed key that exists now is among keys[i..end): count its snapshot state instead.
      if (table.entries.has(key)) remaining--;
      if (delta.get(key) !== undefined) remaining++;
    }
    if (remaining <= 0) return { entries };
    return { entries, continue: encodeContinue(request.snapshotRv, lastKey), remainingItemCount: remaining };
  }
  if (i >= end && j >= deltaKeys.length) return { entries };
  return { entries, continue: encodeContinue(request.snapshotRv, lastKey) };
}
