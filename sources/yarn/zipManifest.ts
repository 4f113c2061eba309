import {closeSync, fstatSync, openSync, readSync} from 'fs';
import {posix} from 'path';
import {inflateRawSync} from 'zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const END_RECORD_SIZE = 22;
const CENTRAL_HEADER_SIZE = 46;
const LOCAL_HEADER_SIZE = 30;
const MAX_COMMENT = 0xffff;
const UNICODE_PATH_FIELD = 0x7075;
const FILE_TYPE_MASK = 0o170000;
const SYMLINK_TYPE = 0o120000;
/** A package manifest is small; anything larger is not one Yarn wrote. */
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

type Unreadable = {kind: `unreadable`, reason: string};

export type ArchivedManifest = {kind: `manifest`, name: string, version: string} | Unreadable;

type OpenArchive = {fd: number, directory: Buffer};

/**
 * Reads one `package.json` out of a Yarn cache archive without unpacking it (null when there is no
 * archive at that path): the end record, the
 * central directory, and that one entry. A few small reads per archive, where Yarn's own `ZipFS`
 * would load each archive whole; synchronous, because a committed cache means thousands of them
 * and each read is served from the page cache.
 */
export function readArchivedManifest(file: string, entryName: string): ArchivedManifest | null {
  return withArchive(file, archive => {
    const entry = readJsonEntry(archive, entryName);
    if (entry.kind === `unreadable`)
      return entry;
    const fields = entry.value as {name?: unknown, version?: unknown} | null;
    return {kind: `manifest`, name: String(fields?.name ?? ``), version: String(fields?.version ?? ``)};
  });
}

/** Opens the archive and reads its central directory; null when there is no file, a reason when it is no readable zip. */
function withArchive<T>(file: string, read: (archive: OpenArchive) => T): T | Unreadable | null {
  let fd: number;
  try {
    fd = openSync(file, `r`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === `ENOENT`)
      return null;
    return {kind: `unreadable`, reason: (error as Error).message};
  }
  try {
    const {size} = fstatSync(fd);
    const end = findEndRecord(fd, size);
    if (end === null)
      return {kind: `unreadable`, reason: `not a zip archive`};
    const directorySize = end.readUInt32LE(12);
    const directoryOffset = end.readUInt32LE(16);
    if (directoryOffset + directorySize > size)
      return {kind: `unreadable`, reason: `a truncated zip archive`};
    return read({fd, directory: readAt(fd, directoryOffset, directorySize)});
  } catch (error) {
    return {kind: `unreadable`, reason: (error as Error).message};
  } finally {
    closeSync(fd);
  }
}

/** The parsed JSON of one entry, or why it cannot be read. */
function readJsonEntry({fd, directory}: OpenArchive, entryName: string): {kind: `json`, value: unknown} | Unreadable {
  const header = findCentralHeader(directory, entryName);
  if (header === null)
    return {kind: `unreadable`, reason: `no ${entryName} in the archive`};
  if (header === `ambiguous`)
    return {kind: `unreadable`, reason: `the archive holds ${entryName} more than once`};
  if (header === `damaged`)
    return {kind: `unreadable`, reason: `a damaged zip directory`};
  if (header === `renamed`)
    return {kind: `unreadable`, reason: `an entry is renamed by a Unicode-path field, which Yarn applies`};
  // Yarn follows a symlink to another entry; its own text would be read here instead.
  if (((directory.readUInt32LE(header + 38) >>> 16) & FILE_TYPE_MASK) === SYMLINK_TYPE)
    return {kind: `unreadable`, reason: `${entryName} is a symlink`};
  const method = directory.readUInt16LE(header + 10);
  const compressedSize = directory.readUInt32LE(header + 20);
  const localOffset = directory.readUInt32LE(header + 42);
  if (compressedSize > MAX_MANIFEST_BYTES)
    return {kind: `unreadable`, reason: `${entryName} is too large to be a manifest`};

  const local = readAt(fd, localOffset, LOCAL_HEADER_SIZE);
  if (local.readUInt32LE(0) !== LOCAL_FILE_HEADER)
    return {kind: `unreadable`, reason: `a damaged zip entry`};
  const data = readAt(fd, localOffset + LOCAL_HEADER_SIZE + local.readUInt16LE(26) + local.readUInt16LE(28), compressedSize);
  const content = method === 0 ? data : method === 8 ? inflateRawSync(data, {maxOutputLength: MAX_MANIFEST_BYTES}) : null;
  if (content === null)
    return {kind: `unreadable`, reason: `an unknown compression method (${method})`};
  return {kind: `json`, value: JSON.parse(content.toString(`utf8`))};
}

/** Yarn writes archives without a comment, so the end record is the last 22 bytes; others are searched for. */
function findEndRecord(fd: number, size: number): Buffer | null {
  if (size < END_RECORD_SIZE)
    return null;
  const last = readAt(fd, size - END_RECORD_SIZE, END_RECORD_SIZE);
  if (last.readUInt32LE(0) === END_OF_CENTRAL_DIRECTORY)
    return last;
  const tailSize = Math.min(size, END_RECORD_SIZE + MAX_COMMENT);
  const tail = readAt(fd, size - tailSize, tailSize);
  for (let index = tail.length - END_RECORD_SIZE; index >= 0; index--)
    if (tail.readUInt32LE(index) === END_OF_CENTRAL_DIRECTORY)
      return tail.subarray(index, index + END_RECORD_SIZE);
  return null;
}

/**
 * The offset of the one central directory header naming `wanted`; null when there is none. Two
 * entries that name it, or spellings that unzip to the same path (`./`, `//`, backslashes), make the
 * archive ambiguous: which one a tool extracts is its own choice.
 */
function findCentralHeader(directory: Buffer, wanted: string): number | `ambiguous` | `damaged` | `renamed` | null {
  const suffix = Buffer.from(wanted.slice(wanted.lastIndexOf(`/`) + 1));
  let found: number | null = null;
  let ambiguous = false;
  let renamed = false;
  const walked = walkCentralDirectory(directory, (nameStart, nameEnd, offset) => {
    // libzip names such an entry by its extra field, not by the name compared here; Yarn never writes one.
    renamed ||= hasUnicodePath(directory, nameEnd, nameEnd + directory.readUInt16LE(offset + 30));
    if (renamed)
      return true;
    // Most names end otherwise: compared as bytes before anything is decoded.
    if (nameEnd - nameStart < suffix.length || directory.compare(suffix, 0, suffix.length, nameEnd - suffix.length, nameEnd) !== 0)
      return false;
    if (normalizedName(directory, nameStart, nameEnd) === wanted) {
      ambiguous = found !== null;
      found = offset;
    }
    return ambiguous;
  });
  if (renamed)
    return `renamed`;
  if (ambiguous)
    return `ambiguous`;
  return walked ? found : `damaged`;
}

function hasUnicodePath(directory: Buffer, extraStart: number, extraEnd: number) {
  for (let offset = extraStart; offset + 4 <= extraEnd; offset += 4 + directory.readUInt16LE(offset + 2))
    if (directory.readUInt16LE(offset) === UNICODE_PATH_FIELD)
      return true;
  return false;
}

/** Visits the central directory headers as unzip tools walk them, until `visit` returns true; false when the directory is damaged. */
function walkCentralDirectory(directory: Buffer, visit: (nameStart: number, nameEnd: number, offset: number) => boolean): boolean {
  for (let offset = 0; offset + CENTRAL_HEADER_SIZE <= directory.length;) {
    if (directory.readUInt32LE(offset) !== CENTRAL_FILE_HEADER)
      return false;
    const nameStart = offset + CENTRAL_HEADER_SIZE;
    const nameEnd = nameStart + directory.readUInt16LE(offset + 28);
    if (visit(nameStart, nameEnd, offset))
      return true;
    offset = nameEnd + directory.readUInt16LE(offset + 30) + directory.readUInt16LE(offset + 32);
  }
  return true;
}

/** An entry's path as it unzips: `./`, `//` and backslashes folded, no leading slash. */
function normalizedName(directory: Buffer, nameStart: number, nameEnd: number) {
  return posix.normalize(directory.toString(`utf8`, nameStart, nameEnd).replace(/\\/g, `/`)).replace(/^\/+/, ``);
}

function readAt(fd: number, position: number, length: number) {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const bytesRead = readSync(fd, buffer, read, length - read, position + read);
    if (bytesRead === 0)
      throw new Error(`a truncated zip archive`);
    read += bytesRead;
  }
  return buffer;
}
