// Finds the bytes of each element of a list response's top-level "items" array, so a backup can
// archive the server's own JSON instead of serialising every parsed object a second time.

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const ITEMS_KEY = Buffer.from('"items"');

/** One element of "items": where it lies in the body, and whether it is already compact JSON. */
export interface RawItemSpan {
  start: number;
  end: number;
  compact: boolean;
}

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

/** The index just past the string whose opening quote is at `open`. */
function skipString(body: Buffer, open: number): number {
  let at = open + 1;
  for (;;) {
    const quote = body.indexOf(QUOTE, at);
    if (quote < 0) return body.length;
    // A quote preceded by an odd run of backslashes is escaped.
    let slashes = 0;
    for (let i = quote - 1; body[i] === BACKSLASH; i--) slashes++;
    if (slashes % 2 === 0) return quote + 1;
    at = quote + 1;
  }
}

/**
 * The spans of the "items" elements of a JSON object body that JSON.parse has already accepted,
 * in order; undefined when the body has no items array of objects (the caller then serialises the
 * parsed items). Only the top-level key counts: an "items" key nested elsewhere is skipped.
 */
export function scanListItems(body: Buffer): RawItemSpan[] | undefined {
  const length = body.length;
  let depth = 0;
  let i = 0;
  let arrayAt = -1;
  // Find the top-level "items" key and the '[' that follows it.
  while (i < length) {
    const byte = body[i] as number;
    if (byte === QUOTE) {
      const end = skipString(body, i);
      if (
        depth === 1 &&
        end - i === ITEMS_KEY.length &&
        body.compare(ITEMS_KEY, 0, ITEMS_KEY.length, i, end) === 0
      ) {
        let at = end;
        while (at < length && isWhitespace(body[at] as number)) at++;
        if (body[at] === COLON) {
          at++;
          while (at < length && isWhitespace(body[at] as number)) at++;
          if (body[at] !== OPEN_ARRAY) return undefined;
          arrayAt = at;
          break;
        }
      }
      i = end;
      continue;
    }
    if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) depth++;
    else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) depth--;
    i++;
  }
  if (arrayAt < 0) return undefined;

  const spans: RawItemSpan[] = [];
  i = arrayAt + 1;
  depth = 0;
  let start = -1;
  let compact = true;
  while (i < length) {
    const byte = body[i] as number;
    if (byte === QUOTE) {
      i = skipString(body, i);
      continue;
    }
    if (depth === 0) {
      if (byte === CLOSE_ARRAY) return spans;
      if (byte === OPEN_OBJECT) {
        start = i;
        compact = true;
        depth = 1;
      } else if (byte !== 0x2c && !isWhitespace(byte)) {
        return undefined;
      }
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      if (--depth === 0) spans.push({ start, end: i + 1, compact });
    } else if (isWhitespace(byte)) {
      compact = false;
    }
    i++;
  }
  return undefined;
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
