import semver from 'semver';

import {findMatchingPattern} from '../policy/pattern';
import type {Policy} from '../policy/policy';
import {makeFinding, type Finding} from './finding';
import {rankOf, type TrustEvidence, type TrustRank} from './trustEvidence';

export {rankOf, type TrustRank};

/**
 * An old locked downgrade is most likely a publishing pipeline that regressed once (pnpm flagged
 * versions years after such a regression); attacks are found and pulled within days.
 */
export const LOCKED_DOWNGRADE_GRACE_MS = 30 * 86_400_000;

/** The major, or `0.minor` for 0.x: releases of one line replace each other, other lines are maintained apart. */
export function releaseLineOf(version: string): string | null {
  const parsed = semver.parse(version);
  if (parsed === null)
    return null;
  return parsed.major === 0 ? `0.${parsed.minor}` : `${parsed.major}`;
}

/** One version of a package's registry document: when it was published and how. */
export type PublishedVersion = {version: string, publishedAt: Date | null, evidence: TrustEvidence};

export type EarlierVersion = {version: string, rank: TrustRank, publishedAt: Date | null};

/**
 * What the registry's document says of one version's trust, against its release line; none of it
 * changes once the version is published, so it is cached with the version.
 */
export type TrustFact =
  /** The document records no publisher and no attestation for any version: nothing to compare. */
  | {kind: `no-evidence`}
  /** `earlier`: the best-ranked stable version published before it on its line, if any has evidence. */
  | {kind: `known`, rank: TrustRank, earlier: EarlierVersion | null}
  | {kind: `unknown`, reason: string};

/**
 * Earlier means on the same release line, stable, and lower by semver or published before: a
 * maintenance release of an older major published the old way is no downgrade of a newer major, but
 * a token publish of 1.13.7 after a trusted 1.14.0 is one of the 1.x line, whatever its number says.
 * Either order counts, so a registry that restamps or ties publish times can add a bar, never remove one.
 */
export function trustFactOf(version: string, versions: ReadonlyArray<PublishedVersion>): TrustFact {
  const own = versions.find(entry => entry.version === version);
  if (!own)
    return {kind: `unknown`, reason: `the registry does not list this version`};
  if (!versions.some(entry => hasEvidence(entry.evidence)))
    return {kind: `no-evidence`};

  const line = releaseLineOf(version);
  let earlier: EarlierVersion | null = null;
  for (const entry of versions) {
    if (line === null || entry.version === version || releaseLineOf(entry.version) !== line || semver.prerelease(entry.version) !== null)
      continue;
    const publishedBefore = entry.publishedAt !== null && own.publishedAt !== null && entry.publishedAt.getTime() < own.publishedAt.getTime();
    if (!publishedBefore && !semver.lt(entry.version, version))
      continue;
    const rank = rankOf(entry.evidence);
    // The closest of the best-ranked ones: the version a reader compares with.
    if (rank > 0 && (earlier === null || rank > earlier.rank || (rank === earlier.rank && semver.gt(entry.version, earlier.version))))
      earlier = {version: entry.version, rank, publishedAt: entry.publishedAt};
  }
  return {kind: `known`, rank: rankOf(own.evidence), earlier};
}

function hasEvidence(evidence: TrustEvidence) {
  return evidence.publisher || evidence.trustedPublisher || evidence.provenance;
}

/** A version in the graph, with what its registry says of its trust and of the baseline version it replaced. */
export type TrustSubject = {
  name: string;
  version: string;
  /** Locked before this command, and kept. */
  locked: boolean;
  publishedAt: Date | null;
  fact: TrustFact;
  /** The baseline version it replaced (`updatedFromOf`), for a version the baseline did not have. */
  updatedFrom: {version: string, fact: TrustFact} | null;
};

/**
 * A version ranked below the best earlier version of its line, or below the baseline version it
 * replaced, is a finding. A locked version older than `LOCKED_DOWNGRADE_GRACE_MS` is a warning:
 * adopting the plugin must not fail an install on a regression a project has used for months, and
 * a freshly published downgrade pinned by a lockfile still fails it. An unreadable document fails
 * closed; a registry that records no evidence gives no finding (the summary counts those).
 */
export function checkTrust(subjects: ReadonlyArray<TrustSubject>, policy: Policy, now: Date): Array<Finding> {
  if (policy.trustPolicy === `off`)
    return [];
  return subjects.flatMap(subject => {
    if (findMatchingPattern(policy.trustExemptPackages, subject.name, subject.version) !== null)
      return [];
    const {fact} = subject;
    const common = {
      rule: `trust` as const,
      name: subject.name,
      version: subject.version,
      locked: subject.locked,
      publishedAt: subject.publishedAt,
      ageMs: subject.publishedAt === null ? null : now.getTime() - subject.publishedAt.getTime(),
    };
    if (fact.kind === `unknown`)
      return [makeFinding({...common, kind: `trust-unknown`, severity: policy.trustPolicy === `warn` ? `warning` : `error`, detail: fact.reason})];
    if (fact.kind === `no-evidence`)
      return [];

    const against = downgradedAgainst(fact.rank, fact.earlier, subject.updatedFrom);
    if (against === null)
      return [];
    const oldLocked = subject.locked && common.ageMs !== null && common.ageMs > LOCKED_DOWNGRADE_GRACE_MS;
    return [makeFinding({
      ...common,
      kind: `trust-downgrade`,
      severity: policy.trustPolicy === `warn` || oldLocked ? `warning` : `error`,
      trust: {rank: fact.rank, previousRank: against.rank, previousPublishedAt: against.publishedAt, against: against.kind, oldLocked},
      previousVersion: against.previous,
    })];
  });
}

type Against = {kind: `release-line` | `baseline`, previous: string, rank: TrustRank, publishedAt: Date | null};

/** The release line's best earlier version first: it is what the registry itself shows was lost. */
function downgradedAgainst(rank: TrustRank, earlier: EarlierVersion | null, updatedFrom: TrustSubject[`updatedFrom`]): Against | null {
  if (earlier !== null && earlier.rank > rank)
    return {kind: `release-line`, previous: earlier.version, rank: earlier.rank, publishedAt: earlier.publishedAt};
  if (updatedFrom !== null && updatedFrom.fact.kind === `known` && updatedFrom.fact.rank > rank)
    return {kind: `baseline`, previous: updatedFrom.version, rank: updatedFrom.fact.rank, publishedAt: null};
  return null;
}

/**
 * The baseline version an update replaced: of those below it that the graph no longer has, the newest
 * one of its release line, else the newest. A rollback (to a version below the one it leaves) and a
 * version added beside one the graph keeps replace nothing: moving back is the user's choice, and the
 * release line still sets its bar.
 */
export function updatedFromOf(version: string, baselineVersions: ReadonlyArray<string>, stillInGraph: ReadonlySet<string>): string | null {
  if (semver.valid(version) === null)
    return null;
  const replaced = baselineVersions.filter(candidate => semver.valid(candidate) !== null && semver.lt(candidate, version) && !stillInGraph.has(candidate));
  const newest = (candidates: Array<string>) => candidates.length === 0 ? null : candidates.reduce((a, b) => semver.gt(b, a) ? b : a);
  const line = releaseLineOf(version);
  return newest(replaced.filter(candidate => releaseLineOf(candidate) === line)) ?? newest(replaced);
}
