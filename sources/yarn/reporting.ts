import {type Configuration, formatUtils, MessageName, type Project, type Report, structUtils} from '@yarnpkg/core';

import {ageFields, formatAge, formatDuration, formatUtc} from '../policy/duration';
import type {OutsideSetting, Policy} from '../policy/policy';
import type {LookupStats} from '../registry/publishTimes';
import type {Finding, FindingKind, Rule} from '../rules/finding';
import {jsrNameOf} from '../rules/jsr';
import {settingOrigin, settings, type SettingName} from '../settings';
import type {Session} from './session';

/** One line per finding: the package, the rule, the facts, the path from a workspace and the fix. */
export function formatFinding(configuration: Configuration, finding: Finding, {withSubject = true}: {withSubject?: boolean} = {}): string {
  const pretty = (value: string, type: string) => formatUtils.pretty(configuration, value, type);
  // A `jsr:` package is shown, and re-resolved, under the name the project declares it by.
  const jsrName = finding.protocol === `jsr:` ? jsrNameOf(finding.name) : null;
  const shown = jsrName !== null ? {ident: structUtils.parseIdent(jsrName), protocol: `jsr:`} : {ident: structUtils.parseIdent(finding.name), protocol: `npm:`};
  const subject = finding.range !== null && (finding.kind === `held-back` || finding.kind === `no-eligible-version`)
    ? structUtils.prettyDescriptor(configuration, structUtils.makeDescriptor(shown.ident, `${shown.protocol}${finding.range}`))
    : structUtils.prettyLocator(configuration, structUtils.makeLocator(shown.ident, `${shown.protocol}${finding.version ?? `unknown`}`));
  const upCommand = pretty(`yarn up -R ${jsrName ?? finding.name}`, formatUtils.Type.CODE);
  const version = (value: string | null) => pretty(value ?? `unknown`, formatUtils.Type.REFERENCE);
  const published = finding.publishedAt === null ? `` : `published ${formatUtc(finding.publishedAt)}, ${formatAge(finding.ageMs ?? 0)}`;
  const eligible = finding.eligibleAt === null ? `` : `eligible at ${pretty(formatUtc(finding.eligibleAt), `magenta`)}`;
  const period = pretty(formatDuration(finding.periodMs), `magenta`);
  const exemptCommand = pretty(`yarn quarantine approve --release-age ${finding.name}@${finding.version ?? `*`}`, formatUtils.Type.CODE);
  const exemptSetting = pretty(`quarantineExemptPackages`, formatUtils.Type.SETTING);
  const via = finding.path.length > 1 ? ` (via ${finding.path.join(` > `)})` : ``;
  const locked = finding.locked ? ` (locked)` : ``;

  switch (finding.kind) {
    case `held-back`:
      return `${subject}: held back ${version(finding.version)} (${finding.publishedAt === null ? `no publish time` : `${published}; ${eligible}`}), using ${version(finding.usedVersion)}`;
    case `quarantined`:
      return `${subject}${locked} is in quarantine: ${published}${(finding.ageMs ?? 0) < 0 ? `` : `, less than ${period}`}; ${eligible}${via}. Fix: ${finding.locked ? `run ${upCommand} to move to an eligible version, wait, or` : `wait, or`} exempt it with ${exemptCommand} (${exemptSetting})`;
    case `no-eligible-version`:
      // `detail` counts the candidates without a publish time; only then can the missing-time setting help.
      return `${withSubject ? `${subject}: ` : ``}no version satisfying ${pretty(finding.range ?? ``, formatUtils.Type.RANGE)} is out of quarantine (${period}): the youngest candidate, ${version(finding.version)}, was ${published || `published at an unknown time`}${finding.eligibleAt === null ? `` : `; the first candidate becomes ${eligible}`}${finding.detail ? ` (${finding.detail}, and ${pretty(`quarantineMissingPublishTime`, formatUtils.Type.SETTING)} is ${pretty(`reject`, formatUtils.Type.CODE)})` : ``}${via}. Fix: ${finding.detail ? missingTimeFix(configuration, finding, {wait: finding.eligibleAt !== null}) : `wait, or exempt it with ${exemptCommand} (${exemptSetting})`}`;
    case `missing-publish-time`:
      return `${subject}${locked}: the registry reports no publish time for this version, and ${pretty(`quarantineMissingPublishTime`, formatUtils.Type.SETTING)} is ${pretty(`reject`, formatUtils.Type.CODE)}${via}. Fix: ${missingTimeFix(configuration, finding, {wait: false})}`;
    case `unlisted-version`:
      if (finding.detail === `HTTP 403`)
        return `${subject}${locked}: the registry no longer serves this version (it answers 403 for the package: pulled for being malicious, or the credentials lack access)${via}. Fix: check the registry credentials; if they are right, run ${upCommand} to move to a served version, and check the machines that installed it`;
      return `${subject}${locked}: the registry no longer serves this version; it may have been pulled for being malicious${via}. Fix: run ${upCommand} to move to a served version, and check the machines that installed it`;
    case `registry-error`:
      return `${subject}${locked}: could not learn its publish time (${finding.detail}), so the release-age rule fails closed${via}. Fix: retry when the registry answers, or exempt it with ${exemptCommand} (${exemptSetting})`;
    case `new-sub-dependency`:
      return `${subject} is a new sub-dependency: ${describeParent(configuration, finding)} ${pretty(`${finding.name}@${finding.range}`, formatUtils.Type.CODE)}${finding.detail ? ` (${finding.detail})` : ``}, a package this project never had${describeNewScripts(configuration, finding)}${describeOptional(finding)}${finding.bringsAlong > 0 ? `; ${finding.bringsAlong} more new package${finding.bringsAlong === 1 ? `` : `s`} come${finding.bringsAlong === 1 ? `s` : ``} with it` : ``}${via}. Fix: ${approveFix(configuration, finding)}`;
    case `exotic-source`:
      return `${structUtils.prettyDescriptor(configuration, structUtils.makeDescriptor(structUtils.parseIdent(finding.name), finding.range ?? ``))}: a sub-dependency of ${pretty(finding.parent ? `${finding.parent.name}@${finding.parent.version}` : `a package`, formatUtils.Type.CODE)} from ${finding.detail}, not locked before; ${finding.version === null
        // Judged edge by edge (no version yet): Yarn had not resolved, so not fetched or run, anything for it.
        ? `Yarn would fetch${finding.detail === `exec:` ? ` and run` : ``} it during resolution, so it was stopped before any request`
        : `found in the resolved graph, and stopped before the fetch step`}. Fix: ${approveFix(configuration, finding)}`;
    case `source-mismatch`:
      return `${pretty(finding.declaredBy ?? `a package`, formatUtils.Type.CODE)} declares ${structUtils.prettyDescriptor(configuration, structUtils.makeDescriptor(structUtils.parseIdent(finding.name), finding.range ?? ``))}, but yarn.lock resolves it to ${pretty(finding.found ?? `unknown`, formatUtils.Type.CODE)} (${finding.detail}): a lockfile cannot change what a manifest declares, so nothing of it was fetched. Fix: re-resolve it from the manifest with ${upCommand} (in a Yarn 1 lockfile, delete its entry and install again), or declare that source in package.json if you mean it`;
    case `unconfirmed-tarball`:
      return `${subject}${locked}: yarn.lock fetches it from ${pretty(finding.found ?? ``, formatUtils.Type.URL)}, ${finding.expected !== null
        ? `but the registry serves ${finding.name} ${finding.version} at ${pretty(finding.expected, formatUtils.Type.URL)}`
        : `and the registry could not confirm that archive (${finding.detail})`}; it may be another version's archive, so nothing was fetched${via}. Fix: run ${upCommand} to take the registry's archive again`;
    case `archive-mismatch`:
      // No `expected`: the archive was not read, because Yarn would not check it against anything.
      return `${subject}${locked}: its archive in the project's cache, ${pretty(finding.file ?? ``, formatUtils.Type.PATH)}, ${finding.found !== null
        ? `holds ${describeHeld(finding)}`
        : finding.expected === null ? `would be taken unchecked: ${finding.detail}` : `cannot be read as a package archive (${finding.detail})`}; a pull request may have replaced it together with its checksum, so nothing was linked or run${via}. Fix: restore that file from your base branch, or delete it and run ${pretty(`yarn install`, formatUtils.Type.CODE)} to fetch the registry's archive; zero-install projects should run ${pretty(`yarn install --immutable --immutable-cache --check-cache`, formatUtils.Type.CODE)} in CI`;
    case `dependency-mismatch`:
      return `${subject}${locked}: yarn.lock says it depends on ${pretty(finding.found ?? ``, formatUtils.Type.CODE)}, but the registry's manifest of ${finding.name} ${finding.version} ${finding.expected ? `declares ${pretty(finding.expected, formatUtils.Type.CODE)}` : `declares no such dependency`}: a lockfile cannot change what a package depends on, so nothing of it was fetched${via}. Fix: run ${upCommand} to take its dependencies from the registry again`;
    case `checksum-changed`:
      return `${pretty(finding.found ?? finding.name, formatUtils.Type.CODE)}: yarn.lock keeps this entry of the base revision with another checksum (${finding.detail}): the same source now claims to hold other bytes. Fix: restore the entry's checksum from the base branch; if the source really changed, re-resolve it with ${upCommand} and review what it holds now`;
    case `install-script-changed`:
      return `${subject}${locked}: ${describeScriptUpdate(configuration, finding)}; ${describeScriptsRun(configuration, finding)}${via}${finding.scriptsRun ? `. Fix: ${scriptsFix(configuration, finding, `if you trust the script`)}` : ``}`;
    case `install-scripts-omitted`:
      return `${subject}${locked}: the registry says this version has install scripts but leaves out which, so the install-script rule cannot compare them with ${finding.previousVersion ?? `the baseline`}'s and fails closed; ${describeScriptsRun(configuration, finding)}${via}${finding.scriptsRun ? `. Fix: ${scriptsFix(configuration, finding, `read the scripts in its package.json; if you trust them`)}` : ``}`;
    case `format-downgrade`:
      return `yarn.lock was rewritten in an older format (${finding.found === `Yarn 1` ? `a Yarn 1 lockfile` : `version ${finding.found}`}) than the base revision's (version ${finding.expected}): Yarn 4.14 and later take that for a project migrated from an older Yarn and, for the install, turn on every install script and every git repository and (4.18) turn off its own age gate, writing ${finding.detail} into .yarnrc.yml. Fix: restore yarn.lock from the base branch and run yarn install with the project's Yarn; a project that moves to an older Yarn on purpose sets ${finding.detail} in .yarnrc.yml itself`;
  }
}

/** `1.14.0 -> 1.14.1 adds a postinstall script (`node setup.js`)`, or `changes its install script from `a` to `b``. */
function describeScriptUpdate(configuration: Configuration, finding: Finding) {
  const code = (text: string) => formatUtils.pretty(configuration, text, formatUtils.Type.CODE);
  const changes = (finding.scripts ?? []).map(({script, command, previous}) => previous === null
    ? `adds ${script === `install` ? `an` : `a`} ${script} script (${code(command)})`
    : `changes its ${script} script from ${code(previous)} to ${code(command)}`);
  const unreadable = finding.unreadableBaseline.length > 0 ? ` (the registry no longer describes ${finding.unreadableBaseline.join(`, `)}, so nothing could be compared with ${finding.unreadableBaseline.length === 1 ? `it` : `them`})` : ``;
  return `${finding.previousVersion ?? `?`} -> ${finding.version} ${changes.join(` and `)}${unreadable}`;
}

/** Where Yarn would run the scripts, or which setting keeps them from running. */
function describeScriptsRun(configuration: Configuration, finding: Finding) {
  const setting = (text: `enableScripts` | `dependenciesMeta`) => formatUtils.pretty(configuration, text, formatUtils.Type.CODE);
  if (finding.scriptsRun) {
    const run = `Yarn would run ${finding.kind === `install-scripts-omitted` || (finding.scripts?.length ?? 0) > 1 ? `them` : `it`} during the link step`;
    // The lockfile goes to machines without this machine's own setting.
    return finding.detail === null ? run : `${run} wherever scripts are on (${setting(`enableScripts`)} is false here only by ${finding.detail}, which is not the project's .yarnrc.yml)`;
  }
  return finding.detail === `built`
    ? `they will not run here: ${setting(`dependenciesMeta`)} sets ${formatUtils.pretty(configuration, `built: false`, formatUtils.Type.CODE)} for it`
    : `they will not run here: ${setting(`enableScripts`)} is false`;
}

/** `3 updates add or change install scripts that will not run here: a 1.0.0 -> 1.0.1 (postinstall), ...`. */
function describeScriptsNotRun(configuration: Configuration, findings: ReadonlyArray<Finding>) {
  const updates = findings.map(finding => {
    const scripts = finding.kind === `install-scripts-omitted` ? `scripts not described` : (finding.scripts ?? []).map(change => change.script).join(`, `);
    const ident = structUtils.parseIdent(finding.name);
    return `${structUtils.prettyIdent(configuration, ident)} ${finding.previousVersion ?? `?`} -> ${finding.version} (${scripts}${finding.detail === `built` ? `; built: false` : ``})`;
  });
  const reasons = new Set(findings.map(finding => finding.detail));
  const why = reasons.size === 1 && reasons.has(`enableScripts`) ? ` (${formatUtils.pretty(configuration, `enableScripts`, formatUtils.Type.CODE)} is false)` : ``;
  return `${findings.length} updates add or change install scripts that will not run here${why}: ${updates.join(`, `)}`;
}

function scriptsFix(configuration: Configuration, finding: Finding, approveIf: string) {
  const code = (text: string) => formatUtils.pretty(configuration, text, formatUtils.Type.CODE);
  const stay = finding.previousVersion !== null ? `stay on ${finding.previousVersion} (${code(`yarn up ${finding.name}@${finding.previousVersion}`)}), or ` : ``;
  return `${approveIf}, run ${code(`yarn quarantine approve --scripts ${finding.name}@${finding.version}`)}, which adds this version to ${formatUtils.pretty(configuration, `quarantineApprovedScripts`, formatUtils.Type.SETTING)}; otherwise ${stay}keep it from running with ${code(`"dependenciesMeta": {"${finding.name}@${finding.version}": {"built": false}}`)} in package.json`;
}

/** `lib 1.0.1, not 1.0.0`, or `other 1.0.0, not lib 1.0.0` when the archive is another package. */
function describeHeld(finding: Finding) {
  const at = (finding.found ?? ``).lastIndexOf(`@`);
  const [name, version] = [(finding.found ?? ``).slice(0, at), (finding.found ?? ``).slice(at + 1)];
  return name === finding.name ? `${name} ${version}, not ${finding.version}` : `${name} ${version}, not ${finding.name} ${finding.version}`;
}

function describeParent(configuration: Configuration, finding: Finding) {
  const parent = finding.parent!;
  const name = formatUtils.pretty(configuration, parent.name, formatUtils.Type.NAME);
  const before = parent.baselineVersions.filter(version => version !== parent.version);
  if (before.length === 0 || parent.baselineVersions.includes(parent.version))
    return `${name} ${parent.version} now depends on`;
  return `${name} ${before.join(`, `)} -> ${parent.version} adds`;
}

/** Whether a new package runs anything at install: plain-crypto-js came with a postinstall. */
function describeNewScripts(configuration: Configuration, finding: Finding) {
  if (finding.scriptsRun === null)
    return ``;
  if (finding.scripts === null)
    return `; the registry does not say which install scripts it has`;
  if (finding.scripts.length === 0)
    return `; it has no install script`;
  const listed = finding.scripts.map(({script, command}) => `${script === `install` ? `an` : `a`} ${script} script (${formatUtils.pretty(configuration, command, formatUtils.Type.CODE)})`).join(` and `);
  return `; it has ${listed}, which ${finding.scriptsRun ? `Yarn would run` : `will not run here`}`;
}

function describeOptional(finding: Finding) {
  if (!finding.optional)
    return ``;
  return finding.conditions ? `; it is optional, for ${finding.conditions}` : `; it is optional`;
}

/** A version without a publish time: exempt it, its scope (a private registry often serves none), or allow missing times. */
function missingTimeFix(configuration: Configuration, finding: Finding, {wait}: {wait: boolean}) {
  const code = (text: string) => formatUtils.pretty(configuration, text, formatUtils.Type.CODE);
  const scope = finding.name.startsWith(`@`) ? `, or its whole scope with ${code(`yarn quarantine approve --release-age '${finding.name.split(`/`)[0]}/*'`)}` : ``;
  return `${wait ? `wait, or ` : ``}if you trust it, exempt it with ${code(`yarn quarantine approve --release-age ${finding.name}@${finding.version ?? `*`}`)}${scope} (${formatUtils.pretty(configuration, `quarantineExemptPackages`, formatUtils.Type.SETTING)}); for a registry that serves no publish times, set ${code(`quarantineMissingPublishTime: allow`)}`;
}

function approveFix(configuration: Configuration, finding: Finding) {
  const scope = finding.name.startsWith(`@`) && finding.optional ? ` (or ${formatUtils.pretty(configuration, `yarn quarantine approve '${finding.name.split(`/`)[0]}/*'`, formatUtils.Type.CODE)} for the whole scope)` : ``;
  // A source outside the registry is approved as that very source: approving the name alone does not cover it.
  const pattern = finding.kind === `exotic-source` ? `'${finding.name}@${finding.range}'` : finding.name;
  return `if you trust it, run ${formatUtils.pretty(configuration, `yarn quarantine approve ${pattern}`, formatUtils.Type.CODE)}${scope}, which adds it to ${formatUtils.pretty(configuration, `quarantineApprovedDependencies`, formatUtils.Type.SETTING)}`;
}

const KIND_LABELS: Record<FindingKind, string> = {
  [`held-back`]: `held back`,
  [`quarantined`]: `quarantined`,
  [`no-eligible-version`]: `no eligible version`,
  [`missing-publish-time`]: `missing publish time`,
  [`unlisted-version`]: `no longer served`,
  [`registry-error`]: `registry error`,
  [`new-sub-dependency`]: `new sub-dependency`,
  [`exotic-source`]: `non-registry source`,
  [`source-mismatch`]: `source mismatch`,
  [`unconfirmed-tarball`]: `unconfirmed tarball URL`,
  [`archive-mismatch`]: `swapped archive`,
  [`format-downgrade`]: `older lockfile format`,
  [`dependency-mismatch`]: `dependency list not the registry's`,
  [`checksum-changed`]: `checksum changed`,
  [`install-script-changed`]: `install script added or changed`,
  [`install-scripts-omitted`]: `install scripts not described`,
};

const PLURAL_LABELS: Partial<Record<FindingKind, string>> = {
  [`missing-publish-time`]: `missing publish times`,
  [`registry-error`]: `registry errors`,
  [`new-sub-dependency`]: `new sub-dependencies`,
  [`exotic-source`]: `non-registry sources`,
  [`source-mismatch`]: `source mismatches`,
  [`unconfirmed-tarball`]: `unconfirmed tarball URLs`,
  [`archive-mismatch`]: `swapped archives`,
  [`format-downgrade`]: `older lockfile formats`,
  [`dependency-mismatch`]: `dependency lists not the registry's`,
  [`checksum-changed`]: `checksums changed`,
  [`install-script-changed`]: `install scripts added or changed`,
};

const RULE_LABELS: Record<Rule, string> = {
  [`release-age`]: `the release-age rule`,
  [`new-dependency`]: `the new sub-dependency rule`,
  [`lockfile`]: `the lockfile rule`,
  [`install-scripts`]: `the install-script rule`,
};

/** `3 violations: 2 of the release-age rule (1 quarantined, 1 no longer served), 1 of the new sub-dependency rule (...)`. */
export function formatCounts(findings: ReadonlyArray<Finding>): string {
  const byRule = new Map<Rule, Map<FindingKind, number>>();
  for (const finding of findings) {
    const counts = byRule.get(finding.rule) ?? new Map<FindingKind, number>();
    counts.set(finding.kind, (counts.get(finding.kind) ?? 0) + 1);
    byRule.set(finding.rule, counts);
  }
  const parts = [...byRule].map(([rule, counts]) => {
    const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
    return `${total} of ${RULE_LABELS[rule]} (${[...counts].map(([kind, count]) => `${count} ${count === 1 ? KIND_LABELS[kind] : PLURAL_LABELS[kind] ?? KIND_LABELS[kind]}`).join(`, `)})`;
  });
  return `${findings.length} violation${findings.length === 1 ? `` : `s`}: ${parts.join(`, `)}`;
}

export function formatPolicy(configuration: Configuration, policy: Policy): string {
  const value = (name: SettingName, text: string) => {
    const outside = policy.setOutsideProject.find(entry => entry.setting === name);
    const origin = !outside ? `` : outside.environment ? ` (set by ${outside.origins[0]})` : ` (${outside.partly ? `partly set` : `set`} by ${outside.described.join(`; `)})`;
    return `${formatUtils.pretty(configuration, name, formatUtils.Type.SETTING)} ${text}${origin}`;
  };
  const period = policy.periodMs === 0 ? `0 (release-age rule off)` : policy.periodText;
  const list = (patterns: Policy[`exemptPackages`]) => patterns.length === 0 ? `none` : patterns.map(pattern => pattern.text).join(`, `);
  return [
    value(`quarantinePeriod`, period),
    value(`quarantineLockfile`, policy.lockfile),
    value(`quarantineMissingPublishTime`, policy.missingPublishTime),
    value(`quarantineExemptPackages`, list(policy.exemptPackages)),
    value(`quarantineNewDependencies`, policy.newDependencies),
    value(`quarantineApprovedDependencies`, list(policy.approvedDependencies)),
    value(`quarantineInstallScripts`, policy.installScripts),
    value(`quarantineApprovedScripts`, list(policy.approvedScripts)),
  ].join(`, `);
}

export function formatStats(configuration: Configuration, stats: LookupStats): string {
  const count = (value: number, one: string, many: string) => `${formatUtils.pretty(configuration, value, formatUtils.Type.NUMBER)} ${value === 1 ? one : many}`;
  return `${count(stats.versionsChecked, `version`, `versions`)} checked, ${formatUtils.pretty(configuration, stats.fromCache, formatUtils.Type.NUMBER)} from the release-time cache, ${count(stats.packumentLookups, `packument lookup`, `packument lookups`)}`;
}

/** The lines every command the plugin acts in prints: one per finding, then the lookups and the policy. */
export function reportFindings(project: Project, session: Session, findings: ReadonlyArray<Finding>, report: Report, {policyLine = true}: {policyLine?: boolean} = {}) {
  const {configuration} = project;
  const {policy} = session;
  // Scripts that will not run are worth knowing about, not a line each: on Yarn 4.14+ none run by default.
  const notRun = findings.filter(finding => finding.rule === `install-scripts` && finding.severity === `info`);
  if (notRun.length > 1)
    report.reportInfo(MessageName.UNNAMED, `Quarantine: ${describeScriptsNotRun(configuration, notRun)}`);
  for (const finding of notRun.length > 1 ? findings.filter(finding => !notRun.includes(finding)) : findings) {
    const line = formatFinding(configuration, finding);
    if (finding.severity === `error`)
      report.reportError(MessageName.UNNAMED, line);
    else if (finding.severity === `warning`)
      report.reportWarning(MessageName.UNNAMED, line);
    else
      report.reportInfo(MessageName.UNNAMED, line);
  }

  if (session.baseline === null && policy.newDependencies !== `off`)
    report.reportInfo(MessageName.UNNAMED, `Quarantine: no yarn.lock before this command, so no baseline: the new sub-dependency rule cannot tell which package names are new and does not report them; non-registry sub-dependencies are still judged`);

  const {passedOver} = session.publishTimes.location;
  if (passedOver !== null)
    report.reportWarning(MessageName.UNNAMED, `Quarantine: ${passedOver}`);

  if (!policyLine) {
    report.reportInfo(MessageName.UNNAMED, `Quarantine: ${formatStats(configuration, session.publishTimes.stats)}`);
    return;
  }
  report.reportInfo(MessageName.UNNAMED, `Quarantine: ${formatStats(configuration, session.publishTimes.stats)}; policy: ${formatPolicy(configuration, policy)}`);
  for (const outside of policy.setOutsideProject)
    report.reportWarning(MessageName.UNNAMED, `Quarantine: ${describeOutsideSetting(outside)}`);
}

function describeOutsideSetting({setting, origins, described, environment, partly}: OutsideSetting) {
  if (environment)
    return `${setting} was set by an environment variable (${origins[0]}), not by .yarnrc.yml`;
  if (partly)
    return `${setting} has entries from ${described.join(`; `)}, besides its own .yarnrc.yml`;
  return `${setting} was set by ${described.join(`; `)}, not by its own .yarnrc.yml`;
}

/** The same facts as the line, as fields: what `--json` prints for each finding. */
export function findingToJson(configuration: Configuration, finding: Finding) {
  return {
    type: `finding`,
    rule: finding.rule,
    kind: finding.kind,
    severity: finding.severity,
    package: finding.name,
    protocol: finding.protocol,
    version: finding.version,
    range: finding.range,
    usedVersion: finding.usedVersion,
    locked: finding.locked,
    publishedAt: finding.publishedAt?.toISOString() ?? null,
    ...ageFields(finding.ageMs),
    period: formatDuration(finding.periodMs),
    eligibleAt: finding.eligibleAt?.toISOString() ?? null,
    parent: finding.parent,
    path: finding.path,
    optional: finding.optional,
    conditions: finding.conditions,
    bringsAlong: finding.bringsAlong,
    detail: finding.detail,
    declaredBy: finding.declaredBy,
    found: finding.found,
    expected: finding.expected,
    file: finding.file,
    scripts: finding.scripts,
    previousVersion: finding.previousVersion,
    scriptsRun: finding.scriptsRun,
    message: formatFinding(configuration, finding).replace(/\u001b\[[0-9;]*m/g, ``),
  };
}

/** Where each setting of the policy came from, so a reviewer sees one set from outside the repository. */
export function describePolicySources(project: Project) {
  return (Object.keys(settings) as Array<SettingName>).map(name => {
    const {source, origins, described, environment, partly} = settingOrigin(project, name);
    const value = project.configuration.get(name);
    return {setting: name, value: Array.isArray(value) ? value.map(String) : String(value), source, fromEnvironment: environment, outsideProject: origins, described, partly};
  });
}
