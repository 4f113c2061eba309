import {isExpired, type ListEntry} from '../policy/listEntry';
import {matchesPattern} from '../policy/pattern';

/** What yarn.lock holds, as list entries are matched against it. */
export type LockedFacts = {
  /** Each locked package with its version (`null` when it has no semver version: git, a tarball URL, a folder). */
  packages: ReadonlyArray<{name: string, version: string | null}>;
  /** Each locked dependency from a non-registry source, as declared (`payload@https://host/payload-1.0.0.tgz`). */
  sources: ReadonlyArray<{name: string, source: string}>;
};

export type PruneReason = `expired` | `unmatched`;

/**
 * Which entries no longer earn their place: those whose expiry has passed, and those that match
 * nothing the lockfile holds, so they would approve only what might come later.
 */
export function entriesToPrune<T extends ListEntry>(entries: ReadonlyArray<T>, locked: LockedFacts, now: Date): Array<{entry: T, reason: PruneReason}> {
  return entries.flatMap((entry): Array<{entry: T, reason: PruneReason}> => {
    if (isExpired(entry, now))
      return [{entry, reason: `expired`}];
    return matchesLockfile(entry, locked) ? [] : [{entry, reason: `unmatched`}];
  });
}

function matchesLockfile({pattern}: ListEntry, locked: LockedFacts): boolean {
  if (pattern.source !== null)
    return locked.sources.some(({name, source}) => source === pattern.source && pattern.name.test(name));
  return locked.packages.some(({name, version}) => pattern.name.test(name) && (pattern.range === null || (version !== null && matchesPattern(pattern, name, version))));
}
