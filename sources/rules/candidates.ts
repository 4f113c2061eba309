import semver from 'semver';

import type {Policy} from '../policy/policy';
import {makeFinding, type Finding} from './finding';
import type {PublishTime} from './publishTime';
import {assessRelease, isEligible, type ReleaseAssessment} from './releaseAge';

export type Candidate = {
  version: string;
  publishTime: PublishTime;
};

export type CandidateChoice = {
  /** Eligible versions, in the order the resolver ranked them. */
  eligible: Array<string>;
  /** One `held-back` finding per quarantined version ranked above the chosen one. */
  heldBack: Array<Finding>;
  /** Set when no candidate is eligible: the range cannot be resolved under the policy. */
  failure: Finding | null;
};

type Assessed = Candidate & {assessment: ReleaseAssessment};

/**
 * Filters a resolver's candidates (best first) for a new resolution of `name@range`. `withheld`
 * are better versions the resolver already dropped (Yarn's own age gate): never returned, but
 * reported as held back when this policy quarantines them too, so the user hears about them.
 */
export function chooseCandidates(name: string, range: string, candidates: ReadonlyArray<Candidate>, policy: Policy, now: Date, withheld: ReadonlyArray<Candidate> = []): CandidateChoice {
  const assess = (candidate: Candidate): Assessed => ({...candidate, assessment: assessRelease(name, candidate.version, candidate.publishTime, policy, now)});
  const assessed = candidates.map(assess);
  const eligible = assessed.filter(candidate => isEligible(candidate.assessment)).map(candidate => candidate.version);

  if (eligible.length === 0)
    return {eligible, heldBack: [], failure: assessed.length > 0 ? noEligibleVersion(name, range, assessed, policy, now) : null};

  const firstEligible = assessed.findIndex(candidate => isEligible(candidate.assessment));
  const skipped = [...withheld.map(assess).filter(candidate => !isEligible(candidate.assessment)), ...assessed.slice(0, firstEligible)];
  const heldBack = skipped.map(candidate => heldBackFinding(name, range, candidate, eligible[0], policy));
  return {eligible, heldBack, failure: null};
}

/**
 * A dist-tag names one version; when it is quarantined, the newest eligible version below it is
 * used instead (prereleases only when the tag itself points at one), as Yarn's own gate does.
 */
export function chooseTagFallback(name: string, tag: string, taggedVersion: string, versions: ReadonlyArray<Candidate>, policy: Policy, now: Date): CandidateChoice {
  const tolerantOfPrereleases = semver.prerelease(taggedVersion) !== null;
  const below = versions
    .filter(candidate => semver.valid(candidate.version) !== null)
    .filter(candidate => candidate.version === taggedVersion || (semver.lt(candidate.version, taggedVersion) && (tolerantOfPrereleases || semver.prerelease(candidate.version) === null)))
    .sort((a, b) => semver.rcompare(a.version, b.version));

  return chooseCandidates(name, tag, below, policy, now);
}

function heldBackFinding(name: string, range: string, candidate: Assessed, usedVersion: string, policy: Policy): Finding {
  const {assessment} = candidate;
  return makeFinding({
    rule: `release-age`,
    kind: `held-back`,
    severity: `info`,
    name,
    range,
    version: candidate.version,
    usedVersion,
    periodMs: policy.periodMs,
    ...(assessment.status === `quarantined` ? {publishedAt: assessment.publishedAt, ageMs: assessment.ageMs, eligibleAt: assessment.eligibleAt} : {detail: `no publish time`}),
  });
}

function noEligibleVersion(name: string, range: string, assessed: ReadonlyArray<Assessed>, policy: Policy, now: Date): Finding {
  const quarantined = assessed.flatMap(candidate => candidate.assessment.status === `quarantined` ? [candidate.assessment] : []);
  const youngest = quarantined.reduce<typeof quarantined[number] | null>((best, item) => best === null || item.publishedAt > best.publishedAt ? item : best, null);
  const firstEligibleAt = quarantined.reduce<Date | null>((best, item) => best === null || item.eligibleAt < best ? item.eligibleAt : best, null);
  const missing = assessed.length - quarantined.length;
  const youngestVersion = youngest === null ? assessed[0].version : assessed.find(candidate => candidate.assessment === youngest)!.version;

  return makeFinding({
    rule: `release-age`,
    kind: `no-eligible-version`,
    severity: `error`,
    name,
    range,
    version: youngestVersion,
    publishedAt: youngest?.publishedAt ?? null,
    ageMs: youngest === null ? null : now.getTime() - youngest.publishedAt.getTime(),
    eligibleAt: firstEligibleAt,
    periodMs: policy.periodMs,
    detail: missing === 0 ? null : missing === 1 ? `1 candidate has no publish time` : `${missing} candidates have no publish time`,
  });
}
