import semver from 'semver';

import type {NewerVersion} from './releaseAge';
import type {RegistryProtocol} from './source';

/** A locked npm version, with what the release-age rule says of the newer versions its declared ranges accept. */
export type LockedVersionOutlook = {
  name: string;
  protocol: RegistryProtocol;
  version: string;
  path: ReadonlyArray<string>;
  newer: ReadonlyArray<NewerVersion>;
};

/** A newer version within a declared range that the release-age rule holds back: what an update would bring, and when. */
export type PendingVersion = {
  name: string;
  protocol: RegistryProtocol;
  version: string;
  range: string;
  /** The locked version it would replace. */
  usedVersion: string;
  publishedAt: Date;
  ageMs: number;
  eligibleAt: Date;
  path: ReadonlyArray<string>;
};

/**
 * Whether one of these ranges accepts a version newer than the locked one: only then are the
 * package's versions worth asking the registry for (an exact pin accepts none).
 */
export function acceptsNewer(lockedVersion: string, ranges: ReadonlyArray<string>): boolean {
  if (semver.valid(lockedVersion) === null)
    return false;
  return ranges.some(range => semver.intersects(range, `>${lockedVersion}`));
}

/**
 * The quarantined newer versions of every locked version, soonest eligible first (then by name,
 * version and range), so the list reads as a schedule. Exempt and eligible versions are not pending.
 */
export function pendingVersions(outlooks: ReadonlyArray<LockedVersionOutlook>): Array<PendingVersion> {
  const pending = outlooks.flatMap(({name, protocol, version: usedVersion, path, newer}) => newer.flatMap(({range, version, assessment}): Array<PendingVersion> =>
    assessment.status === `quarantined`
      ? [{name, protocol, version, range, usedVersion, publishedAt: assessment.publishedAt, ageMs: assessment.ageMs, eligibleAt: assessment.eligibleAt, path}]
      : []));
  return pending.sort((a, b) =>
    a.eligibleAt.getTime() - b.eligibleAt.getTime()
    || compareText(a.name, b.name)
    || semver.compare(a.version, b.version)
    || compareText(a.range, b.range));
}

/** How many distinct versions of how many packages are held back, and when the first becomes eligible. */
export function summarizePending(pending: ReadonlyArray<PendingVersion>): {versions: number, packages: number, nextEligibleAt: Date | null} {
  return {
    versions: new Set(pending.map(entry => `${entry.name}@${entry.version}`)).size,
    packages: new Set(pending.map(entry => entry.name)).size,
    nextEligibleAt: pending.length === 0 ? null : new Date(Math.min(...pending.map(entry => entry.eligibleAt.getTime()))),
  };
}

function compareText(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}
