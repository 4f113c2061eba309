import {randomBytes} from 'crypto';
import {promises as fs, readFileSync} from 'fs';
import path from 'path';

const FORMAT = `yarn-plugin-quarantine/release-times@2`;
/** About 3 MB and a few milliseconds to load; an evicted entry only costs one lookup to learn again. */
const MAX_ENTRIES = 50_000;

/** What the registry said of a version: its publish time, and its tarball URL when it is not the conventional one. */
export type CachedRelease = {publishedAt: Date, archiveUrl: string | null};

/**
 * A publish time in ms, or `[ms, archiveUrl]` for a registry whose tarball URL is not the
 * conventional one; a bare URL for the tarball of a version whose publish time is not kept.
 */
type Entry = number | [number, string] | string;

/**
 * Publish times of versions that were already out of quarantine when seen, with their tarball URL
 * where the registry does not serve it at the conventional one: neither ever changes, so a warm
 * install needs no registry request for them. Quarantined versions are never stored, so they are
 * asked about again (and found pulled, if they were) on every run.
 */
export class ReleaseTimeCache {
  private entries: Map<string, Entry> | null = null;
  private readonly added = new Map<string, Entry>();

  constructor(private readonly file: string, private readonly maxEntries = MAX_ENTRIES) {}

  static keyOf(registry: string, name: string, version: string) {
    return `${registry} ${name}@${version}`;
  }

  /**
   * An archive of the project's own cache already found to hold what its lockfile entry claims.
   * Keyed by locator and checksum: Yarn hashes every cached archive against the lockfile's checksum
   * before linking it, so an archive that changes under the same key never reaches a script.
   */
  static archiveKeyOf(locatorHash: string, checksum: string) {
    return `archive ${locatorHash} ${checksum}`;
  }

  /** The registry's tarball URL for a version (the key of `keyOf`), kept apart from its publish time. */
  getArchiveUrl(key: string): string | null {
    const entry = this.load().get(`url ${key}`);
    return typeof entry === `string` ? entry : null;
  }

  setArchiveUrl(key: string, url: string) {
    if (this.load().get(`url ${key}`) === url)
      return;
    this.load().set(`url ${key}`, url);
    this.added.set(`url ${key}`, url);
  }

  hasArchive(key: string) {
    return this.load().has(key);
  }

  addArchive(key: string) {
    if (this.load().has(key))
      return;
    this.load().set(key, 0);
    this.added.set(key, 0);
  }

  get(key: string): CachedRelease | null {
    const entry = this.load().get(key);
    if (typeof entry === `undefined` || typeof entry === `string`)
      return null;
    return typeof entry === `number` ? {publishedAt: new Date(entry), archiveUrl: null} : {publishedAt: new Date(entry[0]), archiveUrl: entry[1]};
  }

  set(key: string, {publishedAt, archiveUrl}: CachedRelease) {
    const entry: Entry = archiveUrl === null ? publishedAt.getTime() : [publishedAt.getTime(), archiveUrl];
    if (JSON.stringify(this.load().get(key)) === JSON.stringify(entry))
      return;
    this.load().set(key, entry);
    this.added.set(key, entry);
  }

  /** Merges with what other processes wrote meanwhile and replaces the file atomically. */
  async save() {
    if (this.added.size === 0)
      return;

    const merged = readEntries(this.file);
    for (const [key, ms] of this.added)
      merged.set(key, ms);

    // The newest entries are the ones this process used; the oldest written go first.
    const kept = [...merged].slice(-this.maxEntries);
    const temp = `${this.file}.${process.pid}.${randomBytes(4).toString(`hex`)}.tmp`;
    await fs.mkdir(path.dirname(this.file), {recursive: true});
    await fs.writeFile(temp, JSON.stringify({format: FORMAT, entries: Object.fromEntries(kept)}));
    await fs.rename(temp, this.file);
    this.added.clear();
  }

  private load(): Map<string, Entry> {
    return this.entries ??= readEntries(this.file);
  }
}

function isEntry(value: unknown): value is Entry {
  if (Number.isSafeInteger(value))
    return true;
  if (typeof value === `string`)
    return /^https?:\/\//.test(value);
  return Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === `string` && /^https?:\/\//.test(value[1]);
}

/** A missing, corrupt or foreign file reads as empty: the cache is rebuilt, never trusted blindly. */
function readEntries(file: string): Map<string, Entry> {
  try {
    const document = JSON.parse(readFileSync(file, `utf8`));
    if (document?.format !== FORMAT || typeof document.entries !== `object` || document.entries === null)
      return new Map();
    return new Map(Object.entries(document.entries).filter((entry): entry is [string, Entry] => isEntry(entry[1])));
  } catch {
    return new Map();
  }
}
