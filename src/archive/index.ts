// The backup archive: Velero's gzip tar format 1.1.0, written and read as streams.
// Everything outside src/archive imports from here.
export {
  ArchiveFormatError,
  type ArchiveFormatReason,
  ArchiveIntegrityError,
  isArchiveFormatError,
  isArchiveIntegrityError,
  UnsafeItemError,
} from "./errors.js";
export { FORMAT_VERSION, itemPaths, READABLE_FORMAT_VERSIONS } from "./layout.js";
export {
  type ArchiveCopies,
  type ArchiveDigest,
  type ArchiveEntry,
  ArchiveReader,
  type ArchiveSource,
  type ReadArchiveOptions,
  readArchive,
  verifyArchive,
} from "./reader.js";
export { type ArchiveItem, type ArchiveSummary, ArchiveWriter, type ArchiveWriterOptions } from "./writer.js";
