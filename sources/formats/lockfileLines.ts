import type {Finding, FindingKind} from '../rules/finding';
import {jsrNameOf} from '../rules/jsr';
import {withoutBindings} from '../rules/source';

/** An entry of yarn.lock as its text has it: where its key is, what the key lists and what it resolves to. */
export type LockfileEntry = {
  /** The 1-based line of the entry's key (`"axios@npm:^1.14.0":`). */
  line: number;
  /** The descriptors the key lists, unquoted: `axios@npm:^1.14.0`. */
  descriptors: ReadonlyArray<string>;
  /** `resolution:`; null in a Yarn 1 lockfile, which has none. */
  resolution: string | null;
  version: string | null;
};

export type LockfileLines = {
  entries: ReadonlyArray<LockfileEntry>;
  /** The line of `__metadata:`; null in a Yarn 1 lockfile. */
  metadataLine: number | null;
};

/** Every top-level key of a lockfile (Yarn 1's or a later one's) with the fields that identify its entry. */
export function parseLockfileLines(text: string): LockfileLines {
  const entries: Array<LockfileEntry> = [];
  let metadataLine: number | null = null;
  let current: LockfileEntry | null = null;
  text.split(`\n`).forEach((raw, index) => {
    const line = raw.replace(/\r$/, ``);
    if (line.startsWith(`#`) || line.trim() === ``)
      return;
    if (!/^\s/.test(line)) {
      current = null;
      const key = keyOfLine(line);
      if (key === `__metadata`)
        metadataLine = index + 1;
      else if (key !== null)
        entries.push(current = {line: index + 1, descriptors: keyDescriptors(key), resolution: null, version: null});
      return;
    }
    // Only the entry's own fields, two spaces in: `dependencies:` lists other packages' ranges further in.
    const field = /^ {2}(resolution|version)(?::\s*|\s+)(\S.*)$/.exec(line);
    if (current !== null && field !== null)
      current[field[1] as `resolution` | `version`] = scalarOf(field[2]);
  });
  return {entries, metadataLine};
}

/**
 * The key a top-level line opens an entry with: everything before the first `:` that is followed by
 * a space or ends the line, outside quotes; what follows it (an anchor, a tag, a comment) is not part
 * of it. One pass over the line, as over the whole file.
 */
function keyOfLine(line: string): string | null {
  let quote: string | null = null;
  for (let index = 0; index < line.length; index++) {
    const char = line[index];
    if (quote !== null) {
      if (quote === `"` && char === `\\`)
        index++;
      else if (char === quote)
        quote = null;
    } else if (char === `"` || char === `'`) {
      quote = char;
    } else if (char === `#` && index > 0 && /\s/.test(line[index - 1])) {
      return null;
    } else if (char === `:` && (index + 1 === line.length || /\s/.test(line[index + 1]))) {
      return line.slice(0, index).trim();
    }
  }
  return null;
}

/** A field's value: the quoted string, or the plain one without a trailing comment; an anchor or a tag before it is not part of it. */
function scalarOf(text: string): string {
  const value = text.replace(/^(?:[&!]\S*\s+)+/, ``);
  const quoted = /^"(?:[^"\\]|\\.)*"|^'(?:[^']|'')*'/.exec(value);
  return quoted !== null ? unquote(quoted[0]) : value.replace(/\s+#.*$/, ``).trim();
}

/**
 * `"a@npm:^1, a@npm:^1.2"` (Yarn 2+ quotes the whole key), `"a@^1", "a@^1.2"` or `a@^1, a@^1.2`
 * (Yarn 1 quotes each part that needs it), or single-quoted as YAML allows. Yarn itself splits keys
 * on commas. One pass over the key: a lockfile is a pull request's to write, keys of any length included.
 */
function keyDescriptors(key: string): Array<string> {
  const parts = key.match(/"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,\s][^,]*/g) ?? [];
  return parts.flatMap(part => unquote(part).split(`,`)).map(part => part.trim()).filter(part => part !== ``);
}

function unquote(value: string): string {
  const trimmed = value.trim();
  if (trimmed.length >= 2 && trimmed.startsWith(`'`) && trimmed.endsWith(`'`))
    return trimmed.slice(1, -1).replace(/''/g, `'`);
  if (!trimmed.startsWith(`"`))
    return trimmed;
  try {
    return JSON.parse(trimmed);
  } catch {
    return trimmed.slice(1, -1);
  }
}

/** `name` and `range` of `name@range`, scoped names included. */
function splitDescriptor(descriptor: string): {name: string, range: string} {
  const at = descriptor.indexOf(`@`, 1);
  return at === -1 ? {name: descriptor, range: ``} : {name: descriptor.slice(0, at), range: descriptor.slice(at + 1)};
}

/** A descriptor as findings and keys both can spell it: `lib@npm:^1.0.0` and Yarn 1's `lib@^1.0.0` are one. */
function comparable(name: string, range: string) {
  return `${name}@${withoutBindings(range).replace(/^npm:/, ``)}`;
}

/** The package a key's descriptor names: an alias's target (`lodash@npm:plain-crypto-js@^4` names plain-crypto-js). */
function packageOfDescriptor(descriptor: string) {
  const {name, range} = splitDescriptor(descriptor);
  const alias = /^npm:(@?[^@]+)@/.exec(range);
  return alias !== null ? alias[1] : name;
}

/** The npm locator a `patch:` resolution wraps: `typescript@patch:typescript@npm%3A5.9.3#...` wraps `typescript@npm:5.9.3`. */
function patchedLocator(resolution: string) {
  const patch = /^(?:@[^/@]+\/)?[^@]+@patch:([^#]+)#/.exec(resolution);
  if (patch === null)
    return null;
  try {
    return decodeURIComponent(patch[1]);
  } catch {
    return null;
  }
}

type Locate = (lockfile: LockfileLines, finding: Finding) => number | null;

/**
 * The entry of a version the registry serves. A `jsr:` package is shown as the `jsr:` entry the
 * project declared (its `@jsr/` npm entry only keeps the checksum); a `patch:` entry wraps the same
 * version and comes after the plain one.
 */
function entryOfVersion(lockfile: LockfileLines, finding: Finding, version: string | null = finding.version): LockfileEntry | null | undefined {
  if (version === null)
    return null;
  const jsrName = finding.protocol === `jsr:` ? jsrNameOf(finding.name) : null;
  const locators = [...(jsrName !== null ? [`${jsrName}@jsr:${version}`] : []), `${finding.name}@npm:${version}`];
  const {entries} = lockfile;
  // A key naming the package first: an entry that resolves to it under another package's key is not where a reviewer looks for it.
  const preferNamed = (matching: Array<LockfileEntry>) => matching.find(entry => namesPackage(entry, finding.name)) ?? matching[0];
  return locators.map(locator => preferNamed(entries.filter(entry => entry.resolution !== null && withoutBindings(entry.resolution) === locator))).find(Boolean)
    ?? entries.find(entry => entry.resolution === null && entry.version === version && entry.descriptors.some(descriptor => packageOfDescriptor(descriptor) === finding.name))
    ?? entries.find(entry => entry.resolution !== null && locators.includes(patchedLocator(entry.resolution) ?? ``));
}

function namesPackage(entry: LockfileEntry, name: string) {
  return entry.descriptors.some(descriptor => packageOfDescriptor(descriptor) === name);
}

/** The entry whose key lists the range a finding names, as its manifest declared it. */
function entryOfRange(lockfile: LockfileLines, finding: Finding): LockfileEntry | null | undefined {
  if (finding.range === null)
    return null;
  const wanted = comparable(finding.name, finding.range);
  return lockfile.entries.find(entry => entry.descriptors.some(descriptor => {
    const {name, range} = splitDescriptor(descriptor);
    return comparable(name, range) === wanted;
  }));
}

/** The entry that resolves to what a lockfile finding found (a locator, as a checksum is locked under). */
function entryOfFound(lockfile: LockfileLines, finding: Finding): LockfileEntry | null | undefined {
  if (finding.found === null)
    return null;
  const found = finding.found;
  return lockfile.entries.find(entry => entry.resolution === found)
    ?? lockfile.entries.find(entry => entry.resolution !== null && withoutBindings(entry.resolution) === withoutBindings(found));
}

const line = (entry: LockfileEntry | null | undefined) => entry?.line ?? null;
const byVersion: Locate = (lockfile, finding) => line(entryOfVersion(lockfile, finding) ?? entryOfRange(lockfile, finding));

// A finding kind without a way to its line does not compile.
const LOCATE: Record<FindingKind, Locate> = {
  // The skipped version is not in yarn.lock; the one used instead is.
  [`held-back`]: (lockfile, finding) => line(entryOfVersion(lockfile, finding, finding.usedVersion) ?? entryOfRange(lockfile, finding)),
  [`quarantined`]: byVersion,
  [`no-eligible-version`]: (lockfile, finding) => line(entryOfRange(lockfile, finding)),
  [`missing-publish-time`]: byVersion,
  [`unlisted-version`]: byVersion,
  [`registry-error`]: byVersion,
  [`new-sub-dependency`]: byVersion,
  [`exotic-source`]: (lockfile, finding) => line(entryOfRange(lockfile, finding) ?? entryOfVersion(lockfile, finding)),
  // The range the manifest declares is the key of the entry that resolves it elsewhere.
  [`source-mismatch`]: (lockfile, finding) => line(entryOfRange(lockfile, finding) ?? entryOfFound(lockfile, finding)),
  [`unconfirmed-tarball`]: byVersion,
  [`archive-mismatch`]: byVersion,
  // The format is the lockfile's own, written in its `__metadata`.
  [`format-downgrade`]: lockfile => lockfile.metadataLine,
  [`dependency-mismatch`]: byVersion,
  [`checksum-changed`]: (lockfile, finding) => line(entryOfFound(lockfile, finding)),
  [`install-script-changed`]: byVersion,
  [`install-scripts-omitted`]: byVersion,
  [`install-scripts-unknown`]: byVersion,
  [`install-scripts-not-in-registry`]: byVersion,
  [`trust-downgrade`]: byVersion,
  [`trust-unknown`]: byVersion,
};

/**
 * The line of yarn.lock a finding is shown on: its entry's key (`__metadata` for the lockfile's
 * format); failing that, the entry of that package when yarn.lock has only one, else line 1.
 */
export function lineOfFinding(lockfile: LockfileLines, finding: Finding): number {
  const located = LOCATE[finding.kind](lockfile, finding);
  if (located !== null)
    return located;
  const ofPackage = lockfile.entries.filter(entry => entry.resolution !== null
    ? splitDescriptor(withoutBindings(entry.resolution)).name === finding.name
    : entry.descriptors.some(descriptor => packageOfDescriptor(descriptor) === finding.name));
  return ofPackage.length === 1 ? ofPackage[0].line : 1;
}
