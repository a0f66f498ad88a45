// Tar headers as Go's archive/tar writes them for Velero (USTAR, the name split into prefix/name
// when it fits, PAX "path" records when not) and the decoding of USTAR, PAX and GNU headers.
import { ArchiveFormatError } from "./errors.js";

export const BLOCK_SIZE = 512;
/** Go's tar.Writer.Close writes exactly two zero blocks and no record padding. */
export const END_OF_ARCHIVE: Buffer = Buffer.alloc(2 * BLOCK_SIZE);

const NAME_SIZE = 100;
const PREFIX_SIZE = 155;
const USTAR_MAGIC = "ustar\0";
/** The largest size an 11-digit octal field holds. */
const MAX_OCTAL_11 = 8 ** 11 - 1;
// biome-ignore lint/suspicious/noControlCharactersInRegex: Go's isASCII: 7-bit, no NUL
const ASCII = /^[\x01-\x7f]*$/;

export function paddingFor(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

export interface FileHeaderOptions {
  mode: number;
  /** Seconds since the epoch. */
  mtime: number;
}

/**
 * An encoder of regular-file headers, byte for byte as Go's tar.Writer produces them for a
 * Header{Name, Size, Typeflag: TypeReg, Mode, ModTime} with no format chosen: USTAR if the name
 * fits (splitting at a '/' into prefix and name), else a PAX extended header carrying "path".
 * The fields every entry shares are laid out once: headers are the hot path of a backup.
 */
export interface FileHeaderEncoder {
  /** The header block(s) of an entry: one USTAR block, or a PAX header, its records and a block. */
  encode(path: string, size: number): Buffer;
  /**
   * Writes the single USTAR block of an entry whose path fits the name field as is (ASCII, at
   * most 100 bytes) at `offset` of `target`, with no allocation; false (and `target` left to be
   * overwritten) when the path needs `encode`. `target` must have 512 bytes free at `offset`.
   */
  encodeInto(target: Buffer, offset: number, path: string, size: number): boolean;
  /**
   * As encodeInto, for the path `head` + `name` + `tail`, where head and tail are ASCII bytes
   * given with their byte sums: a backup's paths share their directories, so only the name is
   * laid out (and summed) per entry.
   */
  encodeJoinedInto(
    target: Buffer,
    offset: number,
    head: PathBytes,
    name: string,
    tail: PathBytes,
    size: number,
  ): boolean;
}

/** ASCII bytes of a path part, with their sum (the header checksum adds every byte). */
export interface PathBytes {
  bytes: Buffer;
  sum: number;
}

/** The bytes of a path part for encodeJoinedInto; undefined unless it is ASCII without NUL. */
export function pathBytes(part: string): PathBytes | undefined {
  if (!ASCII.test(part)) return undefined;
  const bytes = Buffer.from(part, "latin1");
  return { bytes, sum: bytes.reduce((sum, byte) => sum + byte, 0) };
}

const NO_BYTES: PathBytes = { bytes: Buffer.alloc(0), sum: 0 };

export function fileHeaderEncoder(options: FileHeaderOptions): FileHeaderEncoder {
  const template = Buffer.alloc(BLOCK_SIZE);
  writeOctal(template, 100, 8, options.mode);
  writeOctal(template, 108, 8, 0); // uid
  writeOctal(template, 116, 8, 0); // gid
  writeOctal(template, 136, 12, options.mtime);
  template.write("0", 156, "ascii");
  writeOctal(template, 329, 8, 0); // devmajor
  writeOctal(template, 337, 8, 0); // devminor
  template.write(USTAR_MAGIC, 257, "latin1");
  template.write("00", 263, "ascii");
  template.fill(0x20, 148, 156);
  const templateSum = template.reduce((sum, byte) => sum + byte, 0);

  const ustarBlock = (name: string, prefix: string, size: number): Buffer => {
    const block = Buffer.allocUnsafe(BLOCK_SIZE);
    template.copy(block);
    const digits = octalDigits(size, 12);
    block.write(name, 0, "latin1");
    block.write(digits, 124, "latin1");
    if (prefix !== "") block.write(prefix, 345, "latin1");
    writeChecksum(block, templateSum + asciiSum(name) + asciiSum(digits) + asciiSum(prefix));
    return block;
  };

  /** The size as 11 octal digits and a NUL, then the checksum; `sum` holds every other byte. */
  const finishInto = (target: Buffer, offset: number, size: number, sum: number): void => {
    let rest = size;
    for (let i = 134; i >= 124; i--) {
      const digit = rest % 8;
      rest = (rest - digit) / 8;
      target[offset + i] = 0x30 + digit;
      sum += 0x30 + digit;
    }
    // The checksum as "%06o\0 ": a header's sum is far below 8^6.
    rest = sum;
    for (let i = 153; i >= 148; i--) {
      const digit = rest % 8;
      rest = (rest - digit) / 8;
      target[offset + i] = 0x30 + digit;
    }
    target[offset + 154] = 0;
    target[offset + 155] = 0x20;
  };

  const sizeFits = (size: number) => size <= MAX_OCTAL_11 && Number.isInteger(size) && size >= 0;

  const encodeJoinedInto: FileHeaderEncoder["encodeJoinedInto"] = (
    target,
    offset,
    head,
    name,
    tail,
    size,
  ) => {
    const nameAt = head.bytes.length;
    const tailAt = nameAt + name.length;
    if (tailAt + tail.bytes.length > NAME_SIZE || !sizeFits(size)) return false;
    target.set(template, offset);
    target.set(head.bytes, offset);
    let sum = templateSum + head.sum + tail.sum;
    for (let i = 0; i < name.length; i++) {
      const code = name.charCodeAt(i);
      if (code === 0 || code > 0x7f) return false;
      target[offset + nameAt + i] = code;
      sum += code;
    }
    target.set(tail.bytes, offset + tailAt);
    finishInto(target, offset, size, sum);
    return true;
  };

  const encode = (path: string, size: number): Buffer => {
    if (path.length <= NAME_SIZE && ASCII.test(path)) return ustarBlock(path, "", size);
    const split = splitUstarPath(path);
    if (split) return ustarBlock(split.name, split.prefix, size);
    const records = paxRecord("path", path);
    const slash = path.lastIndexOf("/");
    // Go names the extended header <dir>/PaxHeaders.0/<file>, truncated to the name field.
    const paxName = `${path.slice(0, slash + 1)}PaxHeaders.0/${path.slice(slash + 1)}`;
    const paxBlock = Buffer.alloc(BLOCK_SIZE);
    paxBlock.write(toAscii(paxName).slice(0, NAME_SIZE).replace(/\/+$/, ""), 0, "latin1");
    writeOctal(paxBlock, 100, 8, 0);
    writeOctal(paxBlock, 108, 8, 0);
    writeOctal(paxBlock, 116, 8, 0);
    writeOctal(paxBlock, 124, 12, records.length);
    writeOctal(paxBlock, 136, 12, 0);
    paxBlock.write("x", 156, "ascii");
    paxBlock.write(USTAR_MAGIC, 257, "latin1");
    paxBlock.write("00", 263, "ascii");
    paxBlock.fill(0x20, 148, 156);
    writeChecksum(
      paxBlock,
      paxBlock.reduce((sum, byte) => sum + byte, 0),
    );
    const main = ustarBlock("", "", size);
    writeTruncatedName(main, toAscii(path));
    main.fill(0x20, 148, 156);
    writeChecksum(
      main,
      main.reduce((sum, byte) => sum + byte, 0),
    );
    return Buffer.concat([paxBlock, records, Buffer.alloc(paddingFor(records.length)), main]);
  };
  const encodeInto = (target: Buffer, offset: number, path: string, size: number): boolean =>
    encodeJoinedInto(target, offset, NO_BYTES, path, NO_BYTES, size);

  return { encode, encodeInto, encodeJoinedInto };
}

/** Go's formatString on an over-long name: the first 100 bytes, a trailing '/' run cut by a NUL. */
function writeTruncatedName(block: Buffer, ascii: string): void {
  block.write(ascii.slice(0, NAME_SIZE), 0, "latin1");
  if (ascii.length > NAME_SIZE && ascii[NAME_SIZE - 1] === "/") {
    block[ascii.slice(0, NAME_SIZE - 1).replace(/\/+$/, "").length] = 0;
  }
}

/** Go's splitUSTARPath: the last '/' within the first 156 bytes, name part 1..100 bytes. */
function splitUstarPath(path: string): { prefix: string; name: string } | undefined {
  if (path.length <= NAME_SIZE || !ASCII.test(path)) return undefined;
  let length = path.length;
  if (length > PREFIX_SIZE + 1) length = PREFIX_SIZE + 1;
  else if (path[length - 1] === "/") length--;
  const i = path.lastIndexOf("/", length - 1);
  const nameLength = path.length - i - 1;
  if (i <= 0 || nameLength > NAME_SIZE || nameLength === 0 || i > PREFIX_SIZE) return undefined;
  return { prefix: path.slice(0, i), name: path.slice(i + 1) };
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  const bodyBytes = Buffer.byteLength(body);
  let size = bodyBytes + String(bodyBytes).length;
  if (String(size).length + bodyBytes !== size) size = String(size).length + bodyBytes;
  return Buffer.from(`${size}${body}`);
}

function toAscii(value: string): string {
  return [...value].filter((c) => c.charCodeAt(0) < 0x80 && c !== "\0").join("");
}

function asciiSum(value: string): number {
  let sum = 0;
  for (let i = 0; i < value.length; i++) sum += value.charCodeAt(i);
  return sum;
}

function octalDigits(value: number, size: number): string {
  const digits = value.toString(8);
  if (digits.length > size - 1) throw new RangeError(`${value} does not fit a ${size}-byte tar field`);
  return digits.padStart(size - 1, "0");
}

function writeOctal(block: Buffer, offset: number, size: number, value: number): void {
  block.write(octalDigits(value, size), offset, "latin1");
}

/** "%06o\0 ", as Go's block.setFormat writes it; the sum counts the field as eight spaces. */
function writeChecksum(block: Buffer, sum: number): void {
  block.write(sum.toString(8).padStart(6, "0"), 148, "latin1");
  block[154] = 0;
  block[155] = 0x20;
}

export interface DecodedHeader {
  name: string;
  size: number;
  /** The typeflag character; "\0" (pre-POSIX regular file) is reported as "0". */
  type: string;
  linkName: string;
}

/** Decodes one header block; undefined for the all-zero end-of-archive block. */
export function decodeHeader(block: Buffer): DecodedHeader | undefined {
  if (block.every((b) => b === 0)) return undefined;
  const recorded = parseNumber(block.subarray(148, 156), "checksum");
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const byte = i >= 148 && i < 156 ? 0x20 : (block[i] ?? 0);
    unsigned += byte;
    signed += byte > 127 ? byte - 256 : byte;
  }
  if (recorded !== unsigned && recorded !== signed) {
    throw new ArchiveFormatError("corrupt", "tar header checksum mismatch: the archive is damaged");
  }
  const typeByte = block[156] ?? 0;
  let name = readString(block, 0, NAME_SIZE);
  // Only POSIX ustar has a prefix field; GNU tar ("ustar  \0") keeps atime/ctime there.
  if (block.toString("latin1", 257, 263) === USTAR_MAGIC) {
    const prefix = readString(block, 345, PREFIX_SIZE);
    if (prefix !== "") name = `${prefix}/${name}`;
  }
  return {
    name,
    size: parseNumber(block.subarray(124, 136), "size"),
    type: typeByte === 0 ? "0" : String.fromCharCode(typeByte),
    linkName: readString(block, 157, NAME_SIZE),
  };
}

function readString(block: Buffer, offset: number, size: number): string {
  const field = block.subarray(offset, offset + size);
  const end = field.indexOf(0);
  return field.toString("utf8", 0, end < 0 ? size : end);
}

function parseNumber(field: Buffer, what: string): number {
  // GNU base-256: the high bit of the first byte set, big-endian binary after it.
  if (((field[0] ?? 0) & 0x80) !== 0) {
    let value = (field[0] ?? 0) & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + (field[i] ?? 0);
    if (!Number.isSafeInteger(value)) throw corruptNumber(what);
    return value;
  }
  const text = field
    .toString("latin1")
    .replace(/[\0 ]+$/, "")
    .replace(/^[ ]+/, "");
  if (text === "") return 0;
  if (!/^[0-7]+$/.test(text)) throw corruptNumber(what);
  return Number.parseInt(text, 8);
}

function corruptNumber(what: string): ArchiveFormatError {
  return new ArchiveFormatError(
    "corrupt",
    `tar header has an unreadable ${what} field: the archive is damaged`,
  );
}

/** PAX extended header records ("<length> <key>=<value>\n"), UTF-8. */
export function parsePaxRecords(data: Buffer): Map<string, string> {
  const records = new Map<string, string>();
  let offset = 0;
  while (offset < data.length) {
    const space = data.indexOf(0x20, offset);
    const length = space < 0 ? Number.NaN : Number(data.toString("latin1", offset, space));
    if (!Number.isSafeInteger(length) || length <= 0 || offset + length > data.length) {
      throw new ArchiveFormatError("corrupt", "malformed PAX extended header record");
    }
    const record = data.toString("utf8", space + 1, offset + length);
    const equals = record.indexOf("=");
    if (equals <= 0 || !record.endsWith("\n")) {
      throw new ArchiveFormatError("corrupt", "malformed PAX extended header record");
    }
    records.set(record.slice(0, equals), record.slice(equals + 1, -1));
    offset += length;
  }
  return records;
}
