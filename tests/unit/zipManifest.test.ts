import {mkdtempSync, writeFileSync} from 'fs';
import {tmpdir} from 'os';
import path from 'path';
import {describe, expect, it} from 'vitest';
import {deflateRawSync} from 'zlib';

import {readArchivedManifest} from '../../sources/yarn/zipManifest';

type Entry = {name: string, content: string, method?: 0 | 8, symlink?: boolean, extra?: Buffer};

/** A zip as Yarn writes its cache archives (no comment, sizes in the headers), with what a test needs to forge. */
function zip(entries: Array<Entry>, {comment = ``}: {comment?: string} = {}) {
  const locals: Array<Buffer> = [];
  const centrals: Array<Buffer> = [];
  let offset = 0;
  for (const {name, content, method = 8, symlink = false, extra = Buffer.alloc(0)} of entries) {
    const raw = Buffer.from(content);
    const data = method === 8 ? deflateRawSync(raw) : raw;
    const nameBytes = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(offset, 42);
    // Made on Unix (3), with the file's mode in the high half of the external attributes.
    central.writeUInt16LE(3 << 8, 4);
    central.writeUInt32LE(((symlink ? 0o120777 : 0o100644) << 16) >>> 0, 38);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes, extra);
    offset += 30 + nameBytes.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  end.writeUInt16LE(Buffer.byteLength(comment), 20);
  return Buffer.concat([...locals, directory, end, Buffer.from(comment)]);
}

/** An Info-ZIP Unicode Path extra field (0x7075) naming `name`. */
function unicodePath(name: string) {
  const data = Buffer.concat([Buffer.from([1, 0, 0, 0, 0]), Buffer.from(name)]);
  const header = Buffer.alloc(4);
  header.writeUInt16LE(0x7075, 0);
  header.writeUInt16LE(data.length, 2);
  return Buffer.concat([header, data]);
}

const manifest = (version: string) => JSON.stringify({name: `lib`, version, scripts: {postinstall: `node x.js`}});
const WANTED = `node_modules/lib/package.json`;

function write(content: Buffer) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), `zip-manifest-`)), `lib.zip`);
  writeFileSync(file, content);
  return file;
}

function read(content: Buffer) {
  return readArchivedManifest(write(content), WANTED);
}

describe(`readArchivedManifest`, () => {
  it.each<[string, Buffer, ReturnType<typeof readArchivedManifest>]>([
    [`a deflated manifest`, zip([{name: `node_modules/`, content: ``, method: 0}, {name: WANTED, content: manifest(`1.0.0`)}]), {kind: `manifest`, name: `lib`, version: `1.0.0`}],
    [`a stored manifest`, zip([{name: WANTED, content: manifest(`1.0.1`), method: 0}]), {kind: `manifest`, name: `lib`, version: `1.0.1`}],
    [`an archive with a comment`, zip([{name: WANTED, content: manifest(`1.0.0`)}], {comment: `made by hand`}), {kind: `manifest`, name: `lib`, version: `1.0.0`}],
    [`the manifest of another package only`, zip([{name: `node_modules/other/package.json`, content: manifest(`1.0.0`)}]), {kind: `unreadable`, reason: `no ${WANTED} in the archive`}],
    [`two entries of the same name (tools disagree on which one wins)`, zip([{name: WANTED, content: manifest(`1.0.0`)}, {name: WANTED, content: manifest(`1.0.1`)}]), {kind: `unreadable`, reason: `the archive holds ${WANTED} more than once`}],
    [`a second spelling of the same path`, zip([{name: WANTED, content: manifest(`1.0.0`)}, {name: `node_modules/lib/./package.json`, content: manifest(`1.0.1`)}]), {kind: `unreadable`, reason: `the archive holds ${WANTED} more than once`}],
    [`a spelling with backslashes`, zip([{name: WANTED, content: manifest(`1.0.0`)}, {name: `node_modules\\lib\\package.json`, content: manifest(`1.0.1`)}]), {kind: `unreadable`, reason: `the archive holds ${WANTED} more than once`}],
    [`a manifest that is a symlink (Yarn follows it to another file)`, zip([{name: `node_modules/lib/other.json`, content: manifest(`2.0.0`)}, {name: WANTED, content: `other.json`, symlink: true}]), {kind: `unreadable`, reason: `${WANTED} is a symlink`}],
    [`an entry renamed by a Unicode-path extra field (libzip applies it)`, zip([{name: WANTED, content: manifest(`1.0.0`)}, {name: `node_modules/lib/xackage.json`, content: manifest(`2.0.0`), extra: unicodePath(WANTED)}]), {kind: `unreadable`, reason: `an entry is renamed by a Unicode-path field, which Yarn applies`}],
    [`bytes that are no zip`, Buffer.from(`not a zip at all, just text that is long enough`), {kind: `unreadable`, reason: `not a zip archive`}],
  ])(`%s`, (_, content, expected) => {
    expect(read(content)).toEqual(expected);
  });

  it(`says there is no archive rather than calling a missing file unreadable`, () => {
    expect(readArchivedManifest(path.join(tmpdir(), `no-such-archive-${process.pid}.zip`), WANTED)).toBeNull();
  });

  it(`calls a directory cut short damaged`, () => {
    const whole = zip([{name: WANTED, content: manifest(`1.0.0`)}, {name: `node_modules/lib/index.js`, content: `x`}]);
    // Break the second central header's signature.
    const second = whole.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    whole.writeUInt32LE(0, second);
    expect(read(whole)).toEqual({kind: `unreadable`, reason: `a damaged zip directory`});
  });
});
