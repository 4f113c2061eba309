import type {Locator, Project} from '@yarnpkg/core';

import type {Policy} from '../policy/policy';
import {PublishTimes} from '../registry/publishTimes';
import {noteExpiredApproval} from '../rules/expiredApprovals';
import type {Finding} from '../rules/finding';
import type {InstallScripts} from '../rules/installScript';
import {readPolicy} from '../settings';
import {readProjectBaseline, type Baseline} from './baseline';
import {listingsByUser, type UserListings} from './graph';

/**
 * What one command knows: the policy, the single `now` every rule measures against, the publish
 * times learnt so far, and what the resolvers decided, kept until the install gate reports it.
 */
export class Session {
  readonly publishTimes: PublishTimes;
  /** Keyed so that a range resolved twice (by `yarn add` and then its install) is reported once. */
  readonly resolutionFindings = new Map<string, Finding>();
  /** Between the start and the end of the project's resolution, when resolvers choose what will be installed. */
  resolving = false;
  /** The finding that stopped resolution itself (no eligible version, a non-registry sub-dependency), for `--json`. */
  resolutionStop: Finding | null = null;
  /** Every finding this command reported, which the `--json` summary counts. */
  readonly reportedFindings: Array<Finding> = [];
  /** Archives of the project's cache that held what they claim, remembered once the install has succeeded. */
  archivesToRemember: ReadonlyArray<{locatorHash: string, checksum: string}> = [];
  /** The key of the graph the lockfile rule verified, remembered once the install has succeeded. */
  graphToRemember: string | null = null;
  /**
   * Updates the install-script rule judged from the registry's document, with what it said they run:
   * their fetched archives are held to it before anything is linked (a publisher can put other scripts
   * in the archive than in the document).
   */
  scriptsToConfirm: ReadonlyArray<ScriptsToConfirm> = [];
  /** Packages the trust-downgrade rule had nothing to compare for: their registry records no evidence, or offline mode left the document unread. */
  readonly trustNotCompared = {noEvidence: new Set<string>(), unreadOffline: new Set<string>()};
  /** Which package declared each dependency (as `name@range`), as the `reduceDependency` hook saw it. */
  readonly declaredBy = new Map<string, Locator>();
  private onDiskRead: Baseline | null | undefined;
  private sinceBaseline: Baseline | undefined;
  private listingsRead: UserListings | undefined;

  constructor(readonly project: Project, readonly policy: Policy, readonly now: Date) {
    this.publishTimes = new PublishTimes(project, policy, this.now);
  }

  /** The lockfile as it was on disk when the command started; null without one. */
  get onDisk(): Baseline | null {
    if (this.onDiskRead === undefined)
      this.onDiskRead = readProjectBaseline(this.project);
    return this.onDiskRead;
  }

  /** What the new sub-dependency rule compares against: the lockfile on disk, or the `--since` revision's. */
  get baseline(): Baseline | null {
    return this.sinceBaseline ?? this.onDisk;
  }

  /** What the user listed in manifests and settings, read once resolution has started (after `yarn add` edits). */
  get listings(): UserListings {
    return this.listingsRead ??= listingsByUser(this.project);
  }

  /** `--since <ref>`: compare against the lockfile of another revision instead of the one on disk. */
  useBaseline(baseline: Baseline) {
    this.sinceBaseline = baseline;
  }

  /** A finding of a resolver, kept until the install gate reports it; an expired approval that would have covered it is named. */
  record(finding: Finding) {
    this.resolutionFindings.set(`${finding.kind} ${finding.name}@${finding.range} ${finding.version}`, noteExpiredApproval(finding, this.policy));
  }

  /** The finding that stops resolution where it is met; returned for the error that stops it. */
  stopResolution(finding: Finding): Finding {
    return this.resolutionStop = noteExpiredApproval(finding, this.policy);
  }
}

export type ScriptsToConfirm = {name: string, version: string, locatorHashes: ReadonlyArray<string>, scripts: InstallScripts, path: ReadonlyArray<string>};

/**
 * Kept on the project itself: Yarn may run the plugin factory twice in one process, and the
 * resolver wrappers of the first instance must see the session of the hooks of the second.
 */
const SESSION = Symbol.for(`yarn-plugin-quarantine/session`);

/** Throws a ReportError naming the setting when the policy is invalid. */
export function sessionFor(project: Project): Session {
  const holder = project as Project & {[SESSION]?: Session};
  if (holder[SESSION])
    return holder[SESSION];
  const now = new Date();
  return holder[SESSION] = new Session(project, readPolicy(project, now), now);
}
