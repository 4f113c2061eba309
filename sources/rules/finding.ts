import type {ListSetting} from '../policy/listEntry';
import type {InstallScriptName} from './installScript';
import type {RegistryProtocol} from './source';
import type {TrustRank} from './trustEvidence';

export type Rule = `release-age` | `new-dependency` | `lockfile` | `install-scripts` | `trust`;

/** An install script of a version, and what the baseline version it is shown against had under that name (null: none). */
export type ScriptChange = {script: InstallScriptName, command: string, previous: string | null};

export type FindingKind =
  /** A resolution used an older version because newer ones are still in quarantine. */
  | `held-back`
  /** The version in the graph was published less than the period ago. */
  | `quarantined`
  /** A new resolution found no candidate that is out of quarantine. */
  | `no-eligible-version`
  | `missing-publish-time`
  /** The registry no longer lists the version: unpublished, often for being malicious. */
  | `unlisted-version`
  /** The publish time could not be learnt; the rule fails closed. */
  | `registry-error`
  /** A package the project never had, brought in by an update of one it had. */
  | `new-sub-dependency`
  /** A sub-dependency from git, a tarball URL, `file:`, `exec:`, `link:` or `portal:`, not locked before. */
  | `exotic-source`
  /** yarn.lock resolves a dependency to another source, package or version than the manifest declares. */
  | `source-mismatch`
  /** yarn.lock fetches an npm version from another URL than the registry gives for it. */
  | `unconfirmed-tarball`
  /** An archive in the project's committed cache holds another package or version than its entry claims. */
  | `archive-mismatch`
  /** yarn.lock was rewritten in an older format than the base revision's, which makes Yarn weaken settings. */
  | `format-downgrade`
  /** yarn.lock says a registry package depends on something its registry manifest does not declare (or not on something it does). */
  | `dependency-mismatch`
  /** yarn.lock keeps an entry the base revision locked, with another checksum. */
  | `checksum-changed`
  /** An update adds an install script, or changes one's command, against every version the project had. */
  | `install-script-changed`
  /** The registry says an update has install scripts without saying which. */
  | `install-scripts-omitted`
  /** The registry could not be asked what an update runs at install: the rule fails closed. */
  | `install-scripts-unknown`
  /** A fetched archive's package.json runs an install script the registry's document does not list (or another command); or it could not be read. */
  | `install-scripts-not-in-registry`
  /** A version published with less trust evidence than the best earlier version of its release line, or than the baseline version it replaced. */
  | `trust-downgrade`
  /** The registry's document could not be read to learn how a version was published: the rule fails closed. */
  | `trust-unknown`;

export type Severity = `error` | `warning` | `info`;

/** For trust findings: the version's rank, and that of the version it is ranked below (`previousVersion`: the best earlier one of its line, or the baseline one it replaced). */
export type TrustComparison = {
  rank: TrustRank;
  previousRank: TrustRank;
  previousPublishedAt: Date | null;
  against: `release-line` | `baseline`;
  /** Locked before the command and published longer ago than the grace: a warning, which an install gives once per machine. */
  oldLocked: boolean;
};

/** The one shape every rule reports; reporters render it as a line or as JSON. */
export type Finding = {
  rule: Rule;
  kind: FindingKind;
  severity: Severity;
  /** The package: an npm name (for a `jsr:` package, the `@jsr/` package Yarn fetches for it), or the name a lockfile finding's range is declared under. */
  name: string;
  /** `jsr:` for a package the project reaches through the `jsr:` protocol: shown as `@std/path@jsr:1.0.0`, not as its `@jsr/` npm name. */
  protocol: RegistryProtocol;
  version: string | null;
  /** The range or dist-tag that was being resolved, for findings of new resolutions. */
  range: string | null;
  /** The version chosen instead, for `held-back`. */
  usedVersion: string | null;
  locked: boolean;
  publishedAt: Date | null;
  ageMs: number | null;
  periodMs: number;
  eligibleAt: Date | null;
  /** `name@version` steps from a workspace to the package, when known. */
  path: ReadonlyArray<string>;
  detail: string | null;
  /** For new-dependency findings: the package that brought this one in, and its versions in the baseline. */
  parent: {name: string, version: string, baselineVersions: ReadonlyArray<string>} | null;
  /** How many more new packages hang only under this one. */
  bringsAlong: number;
  /** An optional dependency, with the platform conditions it is installed under, if any. */
  optional: boolean;
  conditions: string | null;
  /** For lockfile findings: the package or workspace whose manifest declares the dependency. */
  declaredBy: string | null;
  /** For lockfile findings: what yarn.lock or the cache says (a locator, a URL, an archive's contents). */
  found: string | null;
  /** For lockfile findings: what the manifest or the registry confirms instead. */
  expected: string | null;
  /** For a cached archive: its path, relative to the project. */
  file: string | null;
  /** Install scripts: those an update added or changed; a new sub-dependency's own (empty: none, null: not learnt). */
  scripts: ReadonlyArray<ScriptChange> | null;
  /** For install-script findings: the baseline version the update is shown against. */
  previousVersion: string | null;
  /** Whether Yarn would run the package's install scripts here; null when not judged. */
  scriptsRun: boolean | null;
  /** Baseline versions whose scripts the registry could not describe, so every script counted as added. */
  unreadableBaseline: ReadonlyArray<string>;
  /** An entry of the rule's list that would have approved this, had it not expired. */
  expiredApproval: {setting: ListSetting, entry: string, expiredAt: Date} | null;
  trust: TrustComparison | null;
};

export function makeFinding(fields: Pick<Finding, `rule` | `kind` | `severity` | `name`> & Partial<Finding>): Finding {
  return {
    periodMs: 0,
    protocol: `npm:`,
    version: null,
    range: null,
    usedVersion: null,
    locked: false,
    publishedAt: null,
    ageMs: null,
    eligibleAt: null,
    path: [],
    detail: null,
    parent: null,
    bringsAlong: 0,
    optional: false,
    conditions: null,
    declaredBy: null,
    found: null,
    expected: null,
    file: null,
    scripts: null,
    previousVersion: null,
    scriptsRun: null,
    unreadableBaseline: [],
    expiredApproval: null,
    trust: null,
    ...fields,
  };
}

export function isBlocking(finding: Finding): boolean {
  return finding.severity === `error`;
}
