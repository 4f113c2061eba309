import type {Rule} from '../rules/finding';
import type {ListEntry, ListSetting} from './listEntry';
import type {Pattern} from './pattern';

export type LockfileMode = `verify` | `trust`;
export type MissingPublishTimeMode = `reject` | `allow`;
export type NewDependenciesMode = `reject` | `warn` | `off`;
export type InstallScriptsMode = `reject` | `warn` | `off`;
export type TrustPolicyMode = `no-downgrade` | `warn` | `off`;

export type Policy = {
  /** 0 turns the release-age rule off. */
  periodMs: number;
  periodText: string;
  exemptPackages: ReadonlyArray<Pattern>;
  lockfile: LockfileMode;
  missingPublishTime: MissingPublishTimeMode;
  newDependencies: NewDependenciesMode;
  approvedDependencies: ReadonlyArray<Pattern>;
  installScripts: InstallScriptsMode;
  /** Versions whose install scripts are approved: `approve --scripts` pins each to its version. */
  approvedScripts: ReadonlyArray<Pattern>;
  trustPolicy: TrustPolicyMode;
  /** Versions exempt from the trust-downgrade rule: `approve --trust` pins each to its version. */
  trustExemptPackages: ReadonlyArray<Pattern>;
  /** Entries whose expiry has passed: they approve nothing, and a finding one would have covered says so. */
  expiredEntries: ReadonlyArray<PolicyListEntry>;
  /** Entries that still count but carry an expiry. */
  expiringEntries: ReadonlyArray<PolicyListEntry>;
  /** Settings that something outside the repository set, wholly or in part, which reviewers must see. */
  setOutsideProject: ReadonlyArray<SettingSource>;
};

/**
 * Where a setting's value came from: its default, a `YARN_*` environment variable, or rc files. Yarn reads
 * a `.yarnrc.yml` above the project, in the home folder and in a folder below the project's root as well
 * as the repository's own: those others, and the variable, are the setting's origins outside the project.
 */
export type SettingSource = {
  setting: string;
  from: `default` | `environment` | `files`;
  /** As Yarn records it: `default`, the variable's name, or the rc files (a merged list names each). */
  source: string;
  /** The variable's name, or the rc files other than the project's root one. */
  origins: ReadonlyArray<string>;
  /** Each origin with where it lies: `/p/.yarnrc.yml, outside the project`. */
  described: ReadonlyArray<string>;
  /** A list that the project's own files add entries to as well (Yarn merges a list from every file that sets it). */
  partly: boolean;
};

export type {ListSetting};

export type PolicyListEntry = ListEntry & {setting: ListSetting};

/** The list each rule's approvals go to. The lockfile rule has none: what it finds is fixed in the lockfile, not approved. */
export const LIST_OF_RULE = {
  [`release-age`]: `quarantineExemptPackages`,
  [`new-dependency`]: `quarantineApprovedDependencies`,
  [`install-scripts`]: `quarantineApprovedScripts`,
  [`trust`]: `quarantineTrustExemptPackages`,
} as const satisfies Record<Exclude<Rule, `lockfile`>, ListSetting>;

export type ApprovableRule = keyof typeof LIST_OF_RULE;

export function isApprovable(rule: Rule): rule is ApprovableRule {
  return Object.hasOwn(LIST_OF_RULE, rule);
}
