import type {Project, Report} from '@yarnpkg/core';

import {acceptsNewer, type LockedVersionOutlook} from '../rules/pending';
import {assessNewerInRange, assessRelease, type NewerVersion, type ReleaseAssessment, type ReleaseFact, semverRanges} from '../rules/releaseAge';
import {lookUpReleaseFacts, mapWithProgress} from './evaluation';
import type {NpmPackage} from './graph';
import type {Session} from './session';

export type VersionExplanation = {
  pkg: NpmPackage;
  /** Its publish time, and the path from a workspace every finding on it shows. */
  fact: ReleaseFact;
  /** What the release-age rule says of it. */
  assessment: ReleaseAssessment;
  /** Newer versions the ranges resolving to it accept, with what the rule says of each. */
  newer: Array<NewerVersion>;
};

/**
 * What `yarn quarantine why` says of some npm versions of the project: the facts the evaluation
 * behind `check` and the install gate gathers, from the same walk of the graph, judged by the same
 * rule. Each version's publish time is looked up even where the policy needs none (an exempt
 * version, the rule off), since it is what the command shows.
 */
export async function explainVersions(project: Project, session: Session, versions: ReadonlyArray<NpmPackage>, lockedBefore: ReadonlySet<string>, report: Report): Promise<Array<VersionExplanation>> {
  const {policy, now} = session;
  const facts = await lookUpReleaseFacts(project, session, versions, lockedBefore, report);
  const explanations: Array<VersionExplanation> = [];
  for (const [index, pkg] of versions.entries()) {
    const fact = facts[index];
    explanations.push({pkg, fact, assessment: assessRelease(pkg.name, pkg.version, fact.publishTime, policy, now), newer: await newerInRange(session, pkg)});
  }
  return explanations;
}

export type NewerVersionsLookup =
  | {pkg: NpmPackage, kind: `read`, outlook: LockedVersionOutlook}
  | {pkg: NpmPackage, kind: `unavailable`, reason: string};

/**
 * What `yarn quarantine pending` reads: the newer versions the declared ranges of each of these npm
 * versions accept, judged by the rule `check` and `why` apply, from the same registry lookups. Only
 * packages whose ranges accept something newer are looked up, concurrently.
 */
export async function lookUpNewerVersions(project: Project, session: Session, versions: ReadonlyArray<NpmPackage>, report: Report): Promise<Array<NewerVersionsLookup>> {
  const wanted = versions.filter(pkg => acceptsNewer(pkg.version, semverRanges(pkg.declaredRanges)));
  return await mapWithProgress(project.configuration, report, wanted, async (pkg): Promise<NewerVersionsLookup> => {
    try {
      const newer = await newerInRange(session, pkg);
      return {pkg, kind: `read`, outlook: {name: pkg.name, protocol: pkg.protocol, version: pkg.version, path: pkg.path, newer}};
    } catch (error) {
      return {pkg, kind: `unavailable`, reason: error instanceof Error ? error.message : String(error)};
    }
  });
}

/** The registry's versions of a package, asked for only when a semver range resolving to it could accept a newer one. */
async function newerInRange(session: Session, pkg: NpmPackage): Promise<Array<NewerVersion>> {
  if (!acceptsNewer(pkg.version, semverRanges(pkg.declaredRanges)) || session.policy.periodMs === 0)
    return [];
  const packument = await session.publishTimes.packument(pkg.ident);
  const candidates = [...packument.versions].map(version => ({version, publishTime: packument.timeOf(version)}));
  return assessNewerInRange(pkg.name, pkg.version, pkg.declaredRanges, candidates, session.policy, session.now);
}
