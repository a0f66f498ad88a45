// Reads a list response's bytes in one pass: where each element of its top-level "items" array lies,
// whether it is compact, and the few fields a backup selects on (apiVersion, kind, metadata's name,
// namespace and labels). A backup archives the server's own bytes and never needs the rest of an
// object as JavaScript values, so building every object with JSON.parse, the largest cost of an
// export, is left to the types whose selection reads further (persistent volume claims, say).

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

// What a byte outside strings may be inside a value that is skipped rather than parsed; 0 (the
// default) is a byte JSON cannot hold there.
const LITERAL = 1;
const SPACE = 2;
const OPEN = 4;
const CLOSE = 5;
const SEPARATOR = 6;
const BYTE_CLASS = new Uint8Array(256);
for (const c of "0123456789+-.eEtruefalsn") BYTE_CLASS[c.charCodeAt(0)] = LITERAL;
for (const c of " \n\r\t") BYTE_CLASS[c.charCodeAt(0)] = SPACE;
BYTE_CLASS[OPEN_OBJECT] = OPEN;
BYTE_CLASS[OPEN_ARRAY] = OPEN;
BYTE_CLASS[CLOSE_OBJECT] = CLOSE;
BYTE_CLASS[CLOSE_ARRAY] = CLOSE;
BYTE_CLASS[COMMA] = SEPARATOR;
BYTE_CLASS[COLON] = SEPARATOR;

/** Nesting deeper than this is left to JSON.parse (the scan gives up). */
const MAX_DEPTH = 512;

// The keys the scan looks for, by where they occur.
const KEY_OTHER = 0;
const KEY_API_VERSION = 1;
const KEY_KIND = 2;
const KEY_METADATA = 3;
const KEY_ITEMS = 4;
const KEY_NAME = 5;
const KEY_NAMESPACE = 6;
const KEY_LABELS = 7;
/** A key with an escape JSON does not allow: the scan gives up. */
const KEY_INVALID = -1;
const KEYS: ReadonlyArray<readonly [string, number]> = [
  ["apiVersion", KEY_API_VERSION],
  ["kind", KEY_KIND],
  ["metadata", KEY_METADATA],
  ["items", KEY_ITEMS],
  ["name", KEY_NAME],
  ["namespace", KEY_NAMESPACE],
  ["labels", KEY_LABELS],
];
/** The keys by their length: a key of another length is none of them (unless escaped). */
const KEYS_BY_LENGTH: Array<Array<readonly [string, number]> | undefined> = [];
for (const entry of KEYS) {
  const sameLength = KEYS_BY_LENGTH[entry[0].length] ?? [];
  sameLength.push(entry);
  KEYS_BY_LENGTH[entry[0].length] = sameLength;
}

/** One element of "items": where it lies in the body, and whether it is already compact JSON. */
export interface RawItemSpan {
  start: number;
  end: number;
  compact: boolean;
}

/** The fields of a listed object a backup reads before it decides to archive the object. */
export interface ScannedItem {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; labels?: unknown };
  [field: string]: unknown;
}

export interface ScannedList {
  /** The list's own metadata (continue token, resourceVersion); {} when the body has none. */
  metadata: { continue?: string; resourceVersion?: string };
  spans: RawItemSpan[];
  /**
   * For each item what `read` asked for, or the whole object when the item is not compact (it
   * will then be serialised again, so it must be complete).
   */
  items: ScannedItem[];
}

/**
 * What scanList parses of each item: "whole" all of it; "identity" apiVersion, kind and
 * metadata's name, namespace and labels (each only if sent); "names" the same without labels.
 */
export type ItemFields = "whole" | "identity" | "names";

/**
 * Scans a list response. Undefined when the body is not a JSON object whose "items" (if any) is an
 * array of objects, or is unusual enough (items twice, very deep nesting) that JSON.parse must
 * decide: the caller then parses the body whole. The bytes the scan skips are checked for shape
 * (brackets that match, strings that end, no byte that JSON cannot hold outside a string), and
 * every field it reads is decoded as JSON.parse decodes it.
 */
export function scanList(body: Buffer, read: ItemFields = "identity"): ScannedList | undefined {
  return new ListScanner(body, read).scan();
}

class ListScanner {
  readonly #body: Buffer;
  readonly #read: ItemFields;
  readonly #stack = new Uint8Array(MAX_DEPTH);
  #spaced = false;
  readonly #apiVersion: RepeatedField = { start: 0, end: 0, value: undefined };
  readonly #kind: RepeatedField = { start: 0, end: 0, value: undefined };
  readonly #namespace: RepeatedField = { start: 0, end: 0, value: undefined };
  /** The last key read by #member, as KEY_*. */
  #key = KEY_OTHER;

  constructor(body: Buffer, read: ItemFields) {
    this.#body = body;
    this.#read = read;
  }

  scan(): ScannedList | undefined {
    const body = this.#body;
    let listMetadata: unknown = {};
    const spans: RawItemSpan[] = [];
    let items: ScannedItem[] = [];
    let sawItems = false;
    let at = this.#open(this.#skipSpace(0));
    while (at >= 0 && body[at] !== CLOSE_OBJECT) {
      const value = this.#member(at);
      if (value < 0) return undefined;
      let end: number;
      if (this.#key === KEY_ITEMS) {
        // Twice: JSON.parse keeps the last, and so must whoever reads these bytes; let it decide.
        if (sawItems) return undefined;
        sawItems = true;
        end = this.#items(value, spans, items);
      } else {
        end = this.#skipValue(value);
        if (end >= 0 && this.#key === KEY_METADATA) listMetadata = this.#parse(value, end);
      }
      at = this.#next(end);
    }
    if (at < 0 || this.#skipSpace(at + 1) !== body.length) return undefined;
    if (typeof listMetadata !== "object" || listMetadata === null || Array.isArray(listMetadata))
      return undefined;
    if (this.#read === "whole") items = spans.map((s) => this.#parse<ScannedItem>(s.start, s.end));
    return { metadata: listMetadata, spans, items };
  }

  /** Reads the items array (or null) at `at` into `spans` and `items`; returns where it ends. */
  #items(at: number, spans: RawItemSpan[], items: ScannedItem[]): number {
    const body = this.#body;
    if (at + NULL.length <= body.length && body.compare(NULL, 0, NULL.length, at, at + NULL.length) === 0) {
      return at + NULL.length;
    }
    if (body[at] !== OPEN_ARRAY) return -1;
    at = this.#skipSpace(at + 1);
    if (body[at] === CLOSE_ARRAY) return at + 1;
    for (;;) {
      if (body[at] !== OPEN_OBJECT) return -1;
      this.#spaced = false;
      const start = at;
      let item: ScannedItem | undefined;
      if (this.#read === "whole") {
        at = this.#skipValue(at);
      } else {
        item = {};
        at = this.#identity(at, item);
      }
      if (at < 0) return -1;
      const compact = !this.#spaced;
      spans.push({ start, end: at, compact });
      if (item) items.push(compact ? item : this.#parse<ScannedItem>(start, at));
      at = this.#skipSpace(at);
      if (body[at] === COMMA) {
        at = this.#skipSpace(at + 1);
        continue;
      }
      return body[at] === CLOSE_ARRAY ? at + 1 : -1;
    }
  }

  /** Walks the item object at `at`, reading its identity into `item`; returns where it ends. */
  #identity(at: number, item: ScannedItem): number {
    const body = this.#body;
    at = this.#open(at);
    while (at >= 0 && body[at] !== CLOSE_OBJECT) {
      const value = this.#member(at);
      if (value < 0) return -1;
      const key = this.#key;
      let end: number;
      if (key === KEY_METADATA && body[value] === OPEN_OBJECT) {
        const metadata: NonNullable<ScannedItem["metadata"]> = {};
        item.metadata = metadata;
        end = this.#metadata(value, metadata);
      } else {
        end = this.#skipValue(value);
        if (end < 0) return -1;
        if (key === KEY_API_VERSION) item.apiVersion = this.#decodeRepeated(this.#apiVersion, value, end);
        else if (key === KEY_KIND) item.kind = this.#decodeRepeated(this.#kind, value, end);
        else if (key === KEY_METADATA) item.metadata = this.#parse(value, end);
      }
      at = this.#next(end);
    }
    return at < 0 ? -1 : at + 1;
  }

  /** Walks the metadata object at `at`, reading name, namespace and (maybe) labels into `metadata`. */
  #metadata(at: number, metadata: NonNullable<ScannedItem["metadata"]>): number {
    const body = this.#body;
    const labels = this.#read === "identity";
    at = this.#open(at);
    while (at >= 0 && body[at] !== CLOSE_OBJECT) {
      const value = this.#member(at);
      if (value < 0) return -1;
      const end = this.#skipValue(value);
      if (end < 0) return -1;
      const key = this.#key;
      if (key === KEY_NAME) metadata.name = this.#decode(value, end);
      else if (key === KEY_NAMESPACE) metadata.namespace = this.#decodeRepeated(this.#namespace, value, end);
      else if (key === KEY_LABELS && labels) metadata.labels = this.#parse(value, end);
      at = this.#next(end);
    }
    return at < 0 ? -1 : at + 1;
  }

  /** Past the '{' at `at` and any space: where the first key (or the '}') is; -1 if no object. */
  #open(at: number): number {
    return this.#body[at] === OPEN_OBJECT ? this.#skipSpace(at + 1) : -1;
  }

  /** Reads the key at `at` into #key; returns where its value starts, or -1. */
  #member(at: number): number {
    const body = this.#body;
    if (body[at] !== QUOTE) return -1;
    const keyEnd = this.#stringEnd(at);
    if (keyEnd < 0) return -1;
    this.#key = this.#keyOf(at, keyEnd);
    if (this.#key === KEY_INVALID) return -1;
    const colon = this.#skipSpace(keyEnd);
    return body[colon] === COLON ? this.#skipSpace(colon + 1) : -1;
  }

  /** After a member's value ending at `end`: the next key, or the '}' that closes the object; -1 if neither. */
  #next(end: number): number {
    if (end < 0) return -1;
    const body = this.#body;
    const at = this.#skipSpace(end);
    if (body[at] === COMMA) {
      const key = this.#skipSpace(at + 1);
      return body[key] === QUOTE ? key : -1;
    }
    return body[at] === CLOSE_OBJECT ? at : -1;
  }

  /** Where the value at `at` ends, brackets matched and bytes checked; -1 if it is malformed. */
  #skipValue(at: number): number {
    const body = this.#body;
    const length = body.length;
    const stack = this.#stack;
    let depth = 0;
    let i = at;
    while (i < length) {
      const byte = body[i] as number;
      if (byte === QUOTE) {
        // #stringEnd, inline: this is the scan's hottest loop, and most strings are short keys.
        i++;
        for (;;) {
          if (i >= length) return -1;
          const next = body[i++];
          if (next === QUOTE) break;
          // An escape: the next byte (a quote, perhaps) is part of it.
          if (next === BACKSLASH) i++;
        }
        if (depth === 0) return i;
        continue;
      }
      const kind = BYTE_CLASS[byte];
      if (kind === SEPARATOR || kind === LITERAL) {
        if (kind === SEPARATOR && depth === 0) return i === at ? -1 : i;
      } else if (kind === OPEN) {
        if (depth === MAX_DEPTH) return -1;
        stack[depth++] = byte === OPEN_OBJECT ? CLOSE_OBJECT : CLOSE_ARRAY;
      } else if (kind === CLOSE) {
        if (depth === 0) return i === at ? -1 : i;
        if (stack[--depth] !== byte) return -1;
        if (depth === 0) return i + 1;
      } else if (kind === SPACE) {
        if (depth === 0) return i === at ? -1 : i;
        this.#spaced = true;
      } else {
        return -1;
      }
      i++;
    }
    return depth === 0 && i > at ? i : -1;
  }

  /** The index just past the string whose opening quote is at `open`; -1 if it never ends. */
  #stringEnd(open: number): number {
    // A loop, not indexOf: most strings of an object are short keys, where a call costs more.
    const body = this.#body;
    const length = body.length;
    for (let i = open + 1; i < length; i++) {
      const byte = body[i];
      if (byte === QUOTE) return i + 1;
      // An escape: the next byte (a quote, perhaps) is part of it.
      if (byte === BACKSLASH) i++;
    }
    return -1;
  }

  /** Which of the keys the scan looks for the string at [start, end) is. */
  #keyOf(start: number, end: number): number {
    const body = this.#body;
    for (const [name, key] of KEYS_BY_LENGTH[end - start - 2] ?? []) {
      let same = true;
      for (let i = 0; i < name.length && same; i++) same = body[start + 1 + i] === name.charCodeAt(i);
      if (same) return key;
    }
    // An escaped key ("met\u0061data") is decoded: it might spell one of ours.
    return this.#hasEscape(start, end) ? this.#escapedKey(start, end) : KEY_OTHER;
  }

  #escapedKey(start: number, end: number): number {
    let decoded: unknown;
    try {
      decoded = JSON.parse(this.#body.toString("utf8", start, end));
    } catch {
      return KEY_INVALID;
    }
    return KEYS.find(([name]) => name === decoded)?.[1] ?? KEY_OTHER;
  }

  #hasEscape(start: number, end: number): boolean {
    const body = this.#body;
    for (let i = start + 1; i < end - 1; i++) if (body[i] === BACKSLASH) return true;
    return false;
  }

  /** The value at [start, end): a plain string read directly, anything else through JSON.parse. */
  #decode(start: number, end: number): unknown {
    const body = this.#body;
    if (body[start] === QUOTE && !this.#hasEscape(start, end))
      return body.toString("utf8", start + 1, end - 1);
    return this.#parse(start, end);
  }

  /**
   * #decode for a field most items share with the one before (kind, apiVersion, and namespace,
   * as lists come sorted by namespace): the same bytes give the same value without a new string.
   */
  #decodeRepeated(last: RepeatedField, start: number, end: number): unknown {
    const body = this.#body;
    let same = last.end - last.start === end - start;
    for (let i = 0; same && i < end - start; i++) same = body[last.start + i] === body[start + i];
    if (!same) {
      last.value = this.#decode(start, end);
      last.start = start;
      last.end = end;
    }
    return last.value;
  }

  #skipSpace(at: number): number {
    const body = this.#body;
    while (at < body.length && BYTE_CLASS[body[at] as number] === SPACE) {
      this.#spaced = true;
      at++;
    }
    return at;
  }

  #parse<T = unknown>(start: number, end: number): T {
    return JSON.parse(this.#body.toString("utf8", start, end));
  }
}

const NULL = Buffer.from("null");

/** Where a field's last value lay in the body, and what it decoded to. */
interface RepeatedField {
  start: number;
  end: number;
  value: unknown;
}

/** The bytes that put a missing apiVersion and kind in front of an item's own fields. */
export class ItemJsonPrefixes {
  readonly #apiVersion: string;
  readonly #kind: string;
  readonly #cache = new Map<string, Buffer>();

  constructor(apiVersion: string, kind: string) {
    this.#apiVersion = apiVersion;
    this.#kind = kind;
  }

  /** The parts of an item's compact JSON, given the apiVersion and kind the server sent. */
  parts(json: Buffer, apiVersion: unknown, kind: unknown): readonly Buffer[] | undefined {
    // A null field would be replaced in the object but written twice in the bytes.
    if (apiVersion === null || kind === null) return undefined;
    const addVersion = apiVersion === undefined;
    const addKind = kind === undefined;
    if (!addVersion && !addKind) return [json];
    const empty = json.length === 2;
    const key = `${addVersion}${addKind}${empty}`;
    let prefix = this.#cache.get(key);
    if (!prefix) {
      const fields = [
        ...(addVersion ? [`"apiVersion":${JSON.stringify(this.#apiVersion)}`] : []),
        ...(addKind ? [`"kind":${JSON.stringify(this.#kind)}`] : []),
      ];
      prefix = Buffer.from(`{${fields.join(",")}${empty ? "" : ","}`);
      this.#cache.set(key, prefix);
    }
    return [prefix, json.subarray(1)];
  }
}
