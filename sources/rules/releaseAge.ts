import semver from 'semver';

import type {Policy} from '../policy/policy';
import {findMatchingPattern, type Pattern} from '../policy/pattern';
import {makeFinding, type Finding} from './finding';
import type {PublishTime} from './publishTime';

export type ReleaseFact = {
  name: string;
  version: string;
  /** Taken from the lockfile rather than resolved by this command. */
  locked: boolean;
  publishTime: PublishTime;
  path: ReadonlyArray<string>;
};

export type ReleaseAssessment =
  | {status: `off`}
  | {status: `exempt`, pattern: Pattern}
  | {status: `eligible`}
  | {status: `quarantined`, publishedAt: Date, ageMs: number, eligibleAt: Date}
  | {status: `missing-publish-time`, allowed: boolean}
  | {status: `unlisted`, httpStatus?: number}
  | {status: `unavailable`, reason: string};

export function isExempt(name: string, version: string, policy: Policy): Pattern | null {
  return findMatchingPattern(policy.exemptPackages, name, version);
}

/** Whether the rule needs a publish time at all for this version: no registry request otherwise. */
export function needsPublishTime(name: string, version: string, policy: Policy): boolean {
  return policy.periodMs > 0 && isExempt(name, version, policy) === null;
}

export function assessRelease(name: string, version: string, publishTime: PublishTime, policy: Policy, now: Date): ReleaseAssessment {
  if (policy.periodMs === 0)
    return {status: `off`};

  const pattern = isExempt(name, version, policy);
  if (pattern !== null)
    return {status: `exempt`, pattern};

  switch (publishTime.kind) {
    case `missing`:
      return {status: `missing-publish-time`, allowed: policy.missingPublishTime === `allow`};
    case `unlisted`:
      return {status: `unlisted`, httpStatus: publishTime.status};
    case `unavailable`:
      return {status: `unavailable`, reason: publishTime.reason};
    case `known`: {
      const ageMs = now.getTime() - publishTime.at.getTime();
      if (ageMs >= policy.periodMs)
        return {status: `eligible`};
      return {status: `quarantined`, publishedAt: publishTime.at, ageMs, eligibleAt: new Date(publishTime.at.getTime() + policy.periodMs)};
    }
  }
}

export function isEligible(assessment: ReleaseAssessment): boolean {
  switch (assessment.status) {
    case `off`:
    case `exempt`:
    case `eligible`:
      return true;
    case `missing-publish-time`:
      return assessment.allowed;
    default:
      return false;
  }
}

export type NewerVersion = {range: string, version: string, assessment: ReleaseAssessment};

/**
 * The versions newer than a locked one that the ranges resolving to it accept, newest first within
 * each range, each assessed: what the next update of those ranges would bring, and when. Nothing
 * while the rule is off.
 */
export function assessNewerInRange(name: string, lockedVersion: string, ranges: ReadonlyArray<string>, candidates: ReadonlyArray<{version: string, publishTime: PublishTime}>, policy: Policy, now: Date): Array<NewerVersion> {
  if (policy.periodMs === 0)
    return [];
  const newer: Array<NewerVersion> = [];
  for (const range of semverRanges(ranges)) {
    const parsed = new semver.Range(range);
    const accepted = candidates.filter(({version}) => semver.valid(version) !== null && semver.gt(version, lockedVersion) && parsed.test(version));
    for (const {version, publishTime} of accepted.sort((a, b) => semver.rcompare(a.version, b.version)))
      newer.push({range, version, assessment: assessRelease(name, version, publishTime, policy, now)});
  }
  return newer;
}

/** The ranges among these that are semver ranges (dist-tags are not), each once. */
export function semverRanges(ranges: ReadonlyArray<string>): Array<string> {
  return [...new Set(ranges)].filter(range => {
    try {
      new semver.Range(range);
      return true;
    } catch {
      return false;
    }
  });
}

/** The release-age rule over the final graph: every npm version, locked ones too under `verify`. */
export function checkReleaseAge(facts: ReadonlyArray<ReleaseFact>, policy: Policy, now: Date): Array<Finding> {
  const findings: Array<Finding> = [];

  for (const fact of facts) {
    if (fact.locked && policy.lockfile === `trust`)
      continue;

    const assessment = assessRelease(fact.name, fact.version, fact.publishTime, policy, now);
    const base = {rule: `release-age`, severity: `error`, name: fact.name, version: fact.version, locked: fact.locked, path: fact.path, periodMs: policy.periodMs} as const;

    switch (assessment.status) {
      case `quarantined`:
        findings.push(makeFinding({...base, kind: `quarantined`, publishedAt: assessment.publishedAt, ageMs: assessment.ageMs, eligibleAt: assessment.eligibleAt}));
        break;
      case `missing-publish-time`:
        if (!assessment.allowed)
          findings.push(makeFinding({...base, kind: `missing-publish-time`}));
        break;
      case `unlisted`:
        findings.push(makeFinding({...base, kind: `unlisted-version`, detail: assessment.httpStatus === 403 ? `HTTP 403` : null}));
        break;
      case `unavailable`:
        findings.push(makeFinding({...base, kind: `registry-error`, detail: assessment.reason}));
        break;
    }
  }

  return findings;
}
