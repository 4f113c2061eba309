import {randomBytes} from 'crypto';
import {promises as fs, readFileSync} from 'fs';
import path from 'path';

import type {InstallScripts} from '../rules/installScript';
import type {EarlierVersion} from '../rules/trust';
import type {TrustEvidence, TrustRank} from '../rules/trustEvidence';

/** Bumped when what an entry means changes: @3 adds each version's trust line, decided as `trustFactOf` decides it. */
const FORMAT = `yarn-plugin-quarantine/release-times@3`;
/** A few MB and a few milliseconds to load; an evicted entry only costs one lookup to learn again. */
const MAX_ENTRIES = 50_000;

/**
 * What the registry said of a published version, none of which ever changes: its publish time (kept
 * only once the version was out of quarantine), a digest of the dependencies its manifest declares,
 * the URL of its tarball (`""`: the registry's conventional one), its install scripts and how it was
 * published, and the best-ranked earlier version of its release line (`earlier`, null when none had
 * evidence; `noEvidence` when the registry records none for any version). `null`: not learnt yet.
 */
export type CachedRelease = {
  publishedAt: Date | null,
  dependencies: string | null,
  archiveUrl: string | null,
  installScripts: InstallScripts | null,
  trust: TrustEvidence | null,
  trustLine: TrustLine | null,
};

export type TrustLine = {noEvidence: true} | {noEvidence: false, earlier: EarlierVersion | null};

/**
 * `[publish time in ms, dependencies digest, archive URL, install scripts, trust bits, trust line]` for
 * a version, trailing nulls dropped; `0` for a verification remembered. A trust line is `0` when the
 * registry records no evidence for the package, `[]` when no earlier version of the line has any,
 * `[version, rank, publish time in ms or null]` for the best-ranked earlier one.
 */
type StoredTrustLine = 0 | [] | [string, number, number | null];
type Entry = 0 | [number | null, (string | null)?, (string | null)?, (InstallScripts | null)?, (number | null)?, (StoredTrustLine | null)?];

const NOT_LEARNT: CachedRelease = {publishedAt: null, dependencies: null, archiveUrl: null, installScripts: null, trust: null, trustLine: null};

/**
 * The release-time cache: what the registry said of each version a project uses, so a warm install
 * needs no registry request. Quarantined versions get no publish time, so they are asked about again
 * (and found pulled, if they were) on every run.
 */
export class ReleaseTimeCache {
  private entries: Map<string, Entry> | null = null;
  private readonly added = new Map<string, Entry>();

  /** `file` null: kept in memory only, for a machine where every folder offered is inside the project. */
  constructor(private readonly file: string | null, private readonly maxEntries = MAX_ENTRIES) {}

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

  /** A graph whose edges, archive URLs and dependency lists the lockfile rule verified, by what decides them. */
  static graphKeyOf(key: string) {
    return `graph ${key}`;
  }

  /** A warning about a version, given once per machine. */
  static warningKeyOf(key: string) {
    return `warned ${key}`;
  }

  /** Whether a verification (an archive or a graph) is remembered. */
  has(key: string) {
    return this.load().get(key) === 0;
  }

  remember(key: string) {
    if (this.has(key))
      return;
    this.load().set(key, 0);
    this.added.set(key, 0);
  }

  get(key: string): CachedRelease | null {
    const entry = this.load().get(key);
    if (!Array.isArray(entry))
      return null;
    const [publishedAt, dependencies = null, archiveUrl = null, installScripts = null, trust = null, trustLine = null] = entry;
    return {publishedAt: publishedAt === null ? null : new Date(publishedAt), dependencies, archiveUrl, installScripts, trust: trust === null ? null : trustOfBits(trust), trustLine: trustLine === null ? null : trustLineOf(trustLine)};
  }

  /** Adds what was learnt of a version to what is already known of it. */
  update(key: string, learnt: Partial<CachedRelease>) {
    const known = this.get(key) ?? NOT_LEARNT;
    const merged = {...known, ...Object.fromEntries(Object.entries(learnt).filter(([, value]) => value !== null && typeof value !== `undefined`))} as CachedRelease;
    const entry: Entry = [merged.publishedAt?.getTime() ?? null, merged.dependencies, merged.archiveUrl, merged.installScripts, merged.trust === null ? null : bitsOfTrust(merged.trust), merged.trustLine === null ? null : storedTrustLine(merged.trustLine)];
    while (entry.length > 1 && entry[entry.length - 1] === null)
      entry.pop();
    if (JSON.stringify(this.load().get(key)) === JSON.stringify(entry))
      return;
    this.load().set(key, entry);
    this.added.set(key, entry);
  }

  /**
   * Merges with what other processes wrote meanwhile and replaces the file atomically. Installs
   * sharing a global folder save at the same moment: the read-merge-replace holds a lock file, or
   * each would replace the file with its own merge and drop what the others learnt.
   */
  async save() {
    if (this.added.size === 0 || this.file === null)
      return;

    await fs.mkdir(path.dirname(this.file), {recursive: true});
    const unlock = await lockFile(`${this.file}.lock`);
    try {
      const merged = readEntries(this.file);
      // Field by field: another process may have learnt what this one did not (a version's scripts, its trust).
      for (const [key, entry] of this.added)
        merged.set(key, mergeEntries(merged.get(key), entry));

      // The newest entries are the ones this process used; the oldest written go first.
      const kept = [...merged].slice(-this.maxEntries);
      const temp = `${this.file}.${process.pid}.${randomBytes(4).toString(`hex`)}.tmp`;
      await fs.writeFile(temp, JSON.stringify({format: FORMAT, entries: Object.fromEntries(kept)}));
      await fs.rename(temp, this.file);
    } finally {
      await unlock();
    }
    this.added.clear();
  }

  private load(): Map<string, Entry> {
    return this.entries ??= this.file === null ? new Map() : readEntries(this.file);
  }
}

/** A save holds the lock for milliseconds: one held longer was left by a process that died. */
const STALE_LOCK_MS = 10_000;
/** Past this, save without the lock: a lost entry only costs a lookup, a hung install costs more. */
const LOCK_PATIENCE_MS = 20_000;

async function lockFile(lock: string): Promise<() => Promise<void>> {
  const unlocked = async () => {};
  for (const giveUpAt = Date.now() + LOCK_PATIENCE_MS; Date.now() < giveUpAt;) {
    try {
      await (await fs.open(lock, `wx`)).close();
      return () => fs.rm(lock, {force: true});
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== `EEXIST`)
        return unlocked;
    }
    // A lock dated in the future (a skewed clock, a restored cache) is as stale as an old one.
    const since = await fs.stat(lock).then(stats => stats.mtimeMs, () => null);
    if (since !== null && Math.abs(Date.now() - since) > STALE_LOCK_MS)
      await fs.rm(lock, {force: true});
    else
      await new Promise(resolve => setTimeout(resolve, 5 + Math.random() * 20));
  }
  // Held past all patience: whoever holds it is gone, and the next save should not wait again.
  await fs.rm(lock, {force: true}).catch(() => {});
  return unlocked;
}

const DIGEST = /^[0-9a-f]{16}$/;
const URL_OR_CONVENTIONAL = /^(?:$|https?:\/\/)/;
/** `INSTALL_SCRIPT_NAMES`, spelt out: this module imports nothing but Node's own, so child processes can load it alone. */
const INSTALL_SCRIPT_NAME = /^(?:pre|post)?install$/;
const TRUST_BITS = {publisher: 1, trustedPublisher: 2, provenance: 4} as const;

function bitsOfTrust(trust: TrustEvidence) {
  return (Object.keys(TRUST_BITS) as Array<keyof TrustEvidence>).reduce((bits, field) => bits | (trust[field] ? TRUST_BITS[field] : 0), 0);
}

function trustOfBits(bits: number): TrustEvidence {
  return {publisher: (bits & TRUST_BITS.publisher) !== 0, trustedPublisher: (bits & TRUST_BITS.trustedPublisher) !== 0, provenance: (bits & TRUST_BITS.provenance) !== 0};
}

function storedTrustLine(line: TrustLine): StoredTrustLine {
  if (line.noEvidence)
    return 0;
  return line.earlier === null ? [] : [line.earlier.version, line.earlier.rank, line.earlier.publishedAt?.getTime() ?? null];
}

function trustLineOf(stored: StoredTrustLine): TrustLine {
  if (stored === 0)
    return {noEvidence: true};
  if (stored.length === 0)
    return {noEvidence: false, earlier: null};
  const [version, rank, publishedAt] = stored;
  return {noEvidence: false, earlier: {version, rank: rank as TrustRank, publishedAt: publishedAt === null ? null : new Date(publishedAt)}};
}

function isStoredTrustLine(value: unknown): value is StoredTrustLine {
  if (value === 0)
    return true;
  if (!Array.isArray(value))
    return false;
  if (value.length === 0)
    return true;
  const [version, rank, publishedAt] = value;
  return value.length === 3 && typeof version === `string` && version.length > 0 && version.length <= 256
    && (rank === 1 || rank === 2) && (publishedAt === null || Number.isSafeInteger(publishedAt));
}

function isInstallScripts(value: unknown): value is InstallScripts {
  if (typeof value !== `object` || value === null || Array.isArray(value))
    return false;
  return Object.entries(value).every(([name, command]) => INSTALL_SCRIPT_NAME.test(name) && typeof command === `string` && command !== ``);
}

function mergeEntries(theirs: Entry | undefined, ours: Entry): Entry {
  if (!Array.isArray(theirs) || !Array.isArray(ours))
    return ours;
  return Array.from({length: Math.max(theirs.length, ours.length)}, (_, index) => ours[index] ?? theirs[index] ?? null) as Entry;
}

function isEntry(value: unknown): value is Entry {
  if (value === 0)
    return true;
  if (!Array.isArray(value) || value.length < 1 || value.length > 6)
    return false;
  const [publishedAt, dependencies = null, archiveUrl = null, installScripts = null, trust = null, trustLine = null] = value;
  return (publishedAt === null || Number.isSafeInteger(publishedAt))
    && (dependencies === null || (typeof dependencies === `string` && DIGEST.test(dependencies)))
    && (archiveUrl === null || (typeof archiveUrl === `string` && URL_OR_CONVENTIONAL.test(archiveUrl)))
    && (installScripts === null || isInstallScripts(installScripts))
    && (trust === null || (Number.isInteger(trust) && trust >= 0 && trust <= 7))
    && (trustLine === null || isStoredTrustLine(trustLine));
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
