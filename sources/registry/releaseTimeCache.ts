import {randomBytes} from 'crypto';
import {promises as fs, readFileSync} from 'fs';
import path from 'path';

const FORMAT = `yarn-plugin-quarantine/release-times@1`;
/** About 3 MB and a few milliseconds to load; an evicted entry only costs one lookup to learn again. */
const MAX_ENTRIES = 50_000;

/**
 * Publish times of versions that were already out of quarantine when seen: such a time never
 * changes, so a warm install needs no registry request for them. Quarantined versions are never
 * stored, so they are asked about again (and found pulled, if they were) on every run.
 */
export class ReleaseTimeCache {
  private entries: Map<string, number> | null = null;
  private readonly added = new Map<string, number>();

  constructor(private readonly file: string, private readonly maxEntries = MAX_ENTRIES) {}

  static keyOf(registry: string, name: string, version: string) {
    return `${registry} ${name}@${version}`;
  }

  get(key: string): Date | null {
    const ms = this.load().get(key);
    return typeof ms === `number` ? new Date(ms) : null;
  }

  set(key: string, at: Date) {
    if (this.load().get(key) === at.getTime())
      return;
    this.load().set(key, at.getTime());
    this.added.set(key, at.getTime());
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

  private load(): Map<string, number> {
    return this.entries ??= readEntries(this.file);
  }
}

/** A missing, corrupt or foreign file reads as empty: the cache is rebuilt, never trusted blindly. */
function readEntries(file: string): Map<string, number> {
  try {
    const document = JSON.parse(readFileSync(file, `utf8`));
    if (document?.format !== FORMAT || typeof document.entries !== `object` || document.entries === null)
      return new Map();
    return new Map(Object.entries(document.entries).filter((entry): entry is [string, number] => Number.isSafeInteger(entry[1])));
  } catch {
    return new Map();
  }
}
