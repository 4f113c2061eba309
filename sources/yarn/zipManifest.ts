import {promises as fs} from 'fs';
import {inflateRawSync} from 'zlib';

const END_OF_CENTRAL_DIRECTORY = 0x06054b50;
const CENTRAL_FILE_HEADER = 0x02014b50;
const LOCAL_FILE_HEADER = 0x04034b50;
const END_RECORD_SIZE = 22;
const MAX_COMMENT = 0xffff;
/** A package manifest is small; anything larger is not one Yarn wrote. */
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

export type ArchivedManifest = {kind: `manifest`, name: string, version: string} | {kind: `unreadable`, reason: string};

/**
 * Reads one `package.json` out of a Yarn cache archive without unpacking it: the end record, the
 * central directory, and that one entry. Opening every archive of a committed cache this way costs
 * a few reads each, where Yarn's own `ZipFS` would load each archive whole.
 */
export async function readArchivedManifest(file: string, entryName: string): Promise<ArchivedManifest> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, `r`);
  } catch (error) {
    return {kind: `unreadable`, reason: (error as Error).message};
  }
  try {
    const {size} = await handle.stat();
    const tailSize = Math.min(size, END_RECORD_SIZE + MAX_COMMENT);
    const tail = await readAt(handle, size - tailSize, tailSize);
    let end = -1;
    for (let index = tail.length - END_RECORD_SIZE; index >= 0; index--) {
      if (tail.readUInt32LE(index) === END_OF_CENTRAL_DIRECTORY) {
        end = index;
        break;
      }
    }
    if (end === -1)
      return {kind: `unreadable`, reason: `not a zip archive`};

    const directorySize = tail.readUInt32LE(end + 12);
    const directoryOffset = tail.readUInt32LE(end + 16);
    if (directoryOffset + directorySize > size)
      return {kind: `unreadable`, reason: `a truncated zip archive`};
    const directory = await readAt(handle, directoryOffset, directorySize);

    const wanted = Buffer.from(entryName);
    for (let offset = 0; offset + 46 <= directory.length;) {
      if (directory.readUInt32LE(offset) !== CENTRAL_FILE_HEADER)
        return {kind: `unreadable`, reason: `a damaged zip directory`};
      const method = directory.readUInt16LE(offset + 10);
      const compressedSize = directory.readUInt32LE(offset + 20);
      const nameLength = directory.readUInt16LE(offset + 28);
      const extraLength = directory.readUInt16LE(offset + 30);
      const commentLength = directory.readUInt16LE(offset + 32);
      const localOffset = directory.readUInt32LE(offset + 42);
      const name = directory.subarray(offset + 46, offset + 46 + nameLength);
      offset += 46 + nameLength + extraLength + commentLength;
      if (!name.equals(wanted))
        continue;

      if (compressedSize > MAX_MANIFEST_BYTES)
        return {kind: `unreadable`, reason: `${entryName} is too large to be a manifest`};
      const local = await readAt(handle, localOffset, 30);
      if (local.readUInt32LE(0) !== LOCAL_FILE_HEADER)
        return {kind: `unreadable`, reason: `a damaged zip entry`};
      const dataOffset = localOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
      const data = await readAt(handle, dataOffset, compressedSize);
      const content = method === 0 ? data : method === 8 ? inflateRawSync(data) : null;
      if (content === null)
        return {kind: `unreadable`, reason: `an unknown compression method (${method})`};
      const manifest = JSON.parse(content.toString(`utf8`));
      return {kind: `manifest`, name: String(manifest?.name ?? ``), version: String(manifest?.version ?? ``)};
    }
    return {kind: `unreadable`, reason: `no ${entryName} in the archive`};
  } catch (error) {
    return {kind: `unreadable`, reason: (error as Error).message};
  } finally {
    await handle.close();
  }
}

async function readAt(handle: fs.FileHandle, position: number, length: number) {
  const buffer = Buffer.alloc(length);
  let read = 0;
  while (read < length) {
    const {bytesRead} = await handle.read(buffer, read, length - read, position + read);
    if (bytesRead === 0)
      throw new Error(`a truncated zip archive`);
    read += bytesRead;
  }
  return buffer;
}
