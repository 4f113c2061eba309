import {createHash} from 'crypto';

import type {Finding, Rule, Severity} from '../rules/finding';
import type {LocatedFinding} from './locatedFinding';

type SarifLevel = `error` | `warning` | `note`;

const LEVELS: Record<Severity, SarifLevel> = {error: `error`, warning: `warning`, info: `note`};

type RuleDescriptor = {
  name: string;
  shortDescription: string;
  fullDescription: string;
  /** The fix, naming the command and the setting. */
  help: string;
  /** The severity under the default settings. */
  level: SarifLevel;
  /** GitHub code scanning's 0-10 score (7.0 and up is "high"): each rule stops what a compromise looks like. */
  securitySeverity: string;
};

// A rule without its descriptor does not compile.
const RULE_DESCRIPTORS: Record<Rule, RuleDescriptor> = {
  [`release-age`]: {
    name: `ReleaseAge`,
    shortDescription: `An npm version published less than quarantinePeriod ago`,
    fullDescription: `yarn.lock pins an npm version published less than the quarantine period (quarantinePeriod, 3 days by default) ago, one the registry no longer lists (often one pulled for being malicious), or one whose publish time could not be learnt. Most compromised releases are found and removed within hours of their publication.`,
    help: `Move to an eligible version with yarn up -R <package>, or wait until the eligible-at time the message gives. If you trust the version, exempt it with yarn quarantine approve --release-age <package>@<version>, which adds it to quarantineExemptPackages in .yarnrc.yml.`,
    level: `error`,
    securitySeverity: `7.0`,
  },
  [`new-dependency`]: {
    name: `NewDependency`,
    shortDescription: `An update brings in a package the project never had`,
    fullDescription: `An update of a package the project already had brings in a package that is not in the baseline yarn.lock and that no workspace declares, or a sub-dependency comes from git, a tarball URL, file:, exec:, link: or portal:. Compromised releases often add one: axios 1.14.1 brought plain-crypto-js, whose postinstall dropped a trojan.`,
    help: `Review the package. If you trust it, run yarn quarantine approve <package>, which adds it to quarantineApprovedDependencies in .yarnrc.yml, or declare it in a workspace's package.json; otherwise stay on the previous version of the package that brought it. quarantineNewDependencies sets the rule to reject, warn or off.`,
    level: `error`,
    securitySeverity: `8.0`,
  },
  [`lockfile`]: {
    name: `Lockfile`,
    shortDescription: `yarn.lock says something the manifests and the registry do not confirm`,
    fullDescription: `yarn.lock (or an archive of a committed cache) resolves a declared range to another source, package or version, fetches an npm version from another URL than the registry serves it at, lists other dependencies than the registry's manifest, keeps an entry of the base revision with another checksum, or was rewritten in an older format. A pull request can edit any of these without changing a manifest.`,
    help: `Restore the entry from the base branch, or re-resolve the package from its manifest with yarn up -R <package> and review what it resolves to; a zero-install project runs yarn install --immutable --immutable-cache --check-cache in CI. quarantineLockfile: trust turns the rule off.`,
    level: `error`,
    securitySeverity: `7.5`,
  },
  [`install-scripts`]: {
    name: `InstallScripts`,
    shortDescription: `An update adds or changes an install script Yarn would run`,
    fullDescription: `An update of a package the project had adds a preinstall, install or postinstall script (or a binding.gyp Yarn builds), or changes one's command, and Yarn would run it in this project; or the registry cannot say which scripts it has. Shai-Hulud, nx, ua-parser-js and eslint-scope each added or changed one.`,
    help: `Read the script. If you trust it, run yarn quarantine approve --scripts <package>@<version>, which adds that version to quarantineApprovedScripts in .yarnrc.yml; otherwise stay on the previous version, or keep it from running with "dependenciesMeta": {"<package>@<version>": {"built": false}} in package.json. quarantineInstallScripts sets the rule to reject, warn or off.`,
    level: `error`,
    securitySeverity: `8.0`,
  },
  [`trust`]: {
    name: `TrustDowngrade`,
    shortDescription: `A version published with less trust evidence than its release line had`,
    fullDescription: `An npm version was published without the trusted publisher or the provenance attestation that the best earlier stable version of its release line (same major; same minor for 0.x), or the version it replaced, was published with. axios 1.14.1 was published by hand with a stolen token, without the trusted publisher 1.14.0 had.`,
    help: `Stay on the earlier version the message names. If you know why the publisher changed (the maintainers say so), run yarn quarantine approve --trust <package>@<version>, which adds that version to quarantineTrustExemptPackages in .yarnrc.yml. quarantineTrustPolicy sets the rule to no-downgrade, warn or off.`,
    level: `error`,
    securitySeverity: `8.0`,
  },
};

const RULES = Object.keys(RULE_DESCRIPTORS) as Array<Rule>;

/** The key code scanning keeps alerts apart by, versioned in case what identifies a finding ever changes. */
export const FINGERPRINT_KEY = `quarantineFinding/v1`;

/**
 * Stable across runs, so that code scanning keeps one alert per finding: what the finding is about,
 * never when it was seen (ages and eligible-at times change from run to run).
 */
export function fingerprintOf(finding: Finding): string {
  const identity = [finding.rule, finding.kind, finding.protocol, finding.name, finding.version, finding.range, finding.found];
  return createHash(`sha256`).update(JSON.stringify(identity)).digest(`hex`);
}

export type SarifRun = {
  toolVersion: string;
  /** yarn.lock, relative to the repository's root, with `/` separators. */
  lockfilePath: string;
  findings: ReadonlyArray<LocatedFinding>;
  /** What the run has to say besides its findings: a setting from outside the repository. */
  warnings: ReadonlyArray<string>;
};

/** A SARIF 2.1.0 log of one run of `yarn quarantine check`: one result per finding, on its entry in yarn.lock. */
export function sarifLog({toolVersion, lockfilePath, findings, warnings}: SarifRun) {
  const uri = lockfilePath.split(`/`).map(encodeURIComponent).join(`/`);
  return {
    $schema: `https://json.schemastore.org/sarif-2.1.0.json`,
    version: `2.1.0`,
    runs: [{
      tool: {
        driver: {
          name: `yarn-plugin-quarantine`,
          version: toolVersion,
          rules: RULES.map(rule => {
            const descriptor = RULE_DESCRIPTORS[rule];
            return {
              id: rule,
              name: descriptor.name,
              shortDescription: {text: descriptor.shortDescription},
              fullDescription: {text: descriptor.fullDescription},
              help: {text: descriptor.help},
              defaultConfiguration: {level: descriptor.level},
              properties: {tags: [`security`, `supply-chain`], [`security-severity`]: descriptor.securitySeverity},
            };
          }),
        },
      },
      invocations: [{
        executionSuccessful: true,
        toolExecutionNotifications: warnings.map(text => ({level: `warning`, message: {text}})),
      }],
      results: findings.map(({finding, message, line, fields}) => ({
        ruleId: finding.rule,
        ruleIndex: RULES.indexOf(finding.rule),
        level: LEVELS[finding.severity],
        message: {text: message},
        locations: [{
          physicalLocation: {
            artifactLocation: {uri},
            region: {startLine: line},
          },
        }],
        partialFingerprints: {[FINGERPRINT_KEY]: fingerprintOf(finding)},
        properties: fields,
      })),
    }],
  };
}
