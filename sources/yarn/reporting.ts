import {type Configuration, formatUtils, MessageName, type Project, type Report, structUtils} from '@yarnpkg/core';

import {ageFields, formatDuration} from '../policy/duration';
import type {Policy} from '../policy/policy';
import type {LookupStats} from '../registry/publishTimes';
import {type Finding, isBlocking} from '../rules/finding';
import {settingNames, type SettingName} from '../settings';
import {formatFinding, formatScriptsNotRun} from './messages';
import type {Session} from './session';
import {outsideWarning, policyLineOrigin, settingSource, settingSourceToJson} from './settingSource';

export {formatCounts, formatFinding, formatScriptsNotRun} from './messages';

export function formatPolicy(configuration: Configuration, policy: Policy): string {
  const value = (name: SettingName, text: string) => {
    const outside = policy.setOutsideProject.find(source => source.setting === name);
    return `${formatUtils.pretty(configuration, name, formatUtils.Type.SETTING)} ${text}${outside ? policyLineOrigin(outside) : ``}`;
  };
  const period = policy.periodMs === 0 ? `0 (release-age rule off)` : policy.periodText;
  // An entry that expires is shown with its expiry, as .yarnrc.yml spells it.
  const entryText = (pattern: Policy[`exemptPackages`][number]) => policy.expiringEntries.find(entry => entry.pattern === pattern)?.text ?? pattern.text;
  const list = (patterns: Policy[`exemptPackages`], setting: SettingName) => {
    const expired = policy.expiredEntries.filter(entry => entry.setting === setting).length;
    return `${patterns.length === 0 ? `none` : patterns.map(entryText).join(`, `)}${expired > 0 ? ` (${expired} expired)` : ``}`;
  };
  return [
    value(`quarantinePeriod`, period),
    value(`quarantineLockfile`, policy.lockfile),
    value(`quarantineMissingPublishTime`, policy.missingPublishTime),
    value(`quarantineExemptPackages`, list(policy.exemptPackages, `quarantineExemptPackages`)),
    value(`quarantineNewDependencies`, policy.newDependencies),
    value(`quarantineApprovedDependencies`, list(policy.approvedDependencies, `quarantineApprovedDependencies`)),
    value(`quarantineInstallScripts`, policy.installScripts),
    value(`quarantineApprovedScripts`, list(policy.approvedScripts, `quarantineApprovedScripts`)),
    value(`quarantineTrustPolicy`, policy.trustPolicy),
    value(`quarantineTrustExemptPackages`, list(policy.trustExemptPackages, `quarantineTrustExemptPackages`)),
  ].join(`, `);
}

export function formatStats(configuration: Configuration, stats: LookupStats): string {
  const number = (value: number) => formatUtils.pretty(configuration, value, formatUtils.Type.NUMBER);
  const count = (value: number, one: string, many: string) => `${number(value)} ${value === 1 ? one : many}`;
  return `${count(stats.versionsChecked, `version`, `versions`)} checked, ${number(stats.fromCache)} from the release-time cache, `
    + count(stats.packumentLookups, `packument lookup`, `packument lookups`);
}

/** The lines every command the plugin acts in prints: one per finding, then the lookups and the policy. */
export function reportFindings(
  project: Project, session: Session, findings: ReadonlyArray<Finding>, report: Report, {policyLine = true}: {policyLine?: boolean} = {},
) {
  const {configuration} = project;
  const {policy} = session;
  // Scripts that will not run are worth knowing about, not a line each: on Yarn 4.14+ none run by default.
  const notRun = findings.filter(finding => finding.rule === `install-scripts` && finding.severity === `info`);
  if (notRun.length > 1)
    report.reportInfo(MessageName.UNNAMED, `Quarantine: ${formatScriptsNotRun(configuration, notRun)}`);
  reportFindingLines(configuration, notRun.length > 1 ? findings.filter(finding => !notRun.includes(finding)) : findings, report);

  if (session.baseline === null && policy.newDependencies !== `off`)
    report.reportInfo(MessageName.UNNAMED, `Quarantine: no yarn.lock before this command, so no baseline: the new sub-dependency rule `
      + `cannot tell which package names are new and does not report them; non-registry sub-dependencies are still judged`);

  if (policy.trustPolicy !== `off`)
    for (const line of trustNotComparedLines(configuration, session))
      report.reportInfo(MessageName.UNNAMED, `Quarantine: ${line}`);

  const {passedOver} = session.publishTimes.location;
  if (passedOver !== null)
    report.reportWarning(MessageName.UNNAMED, `Quarantine: ${passedOver}`);

  const stats = formatStats(configuration, session.publishTimes.stats);
  if (!policyLine) {
    report.reportInfo(MessageName.UNNAMED, `Quarantine: ${stats}`);
    return;
  }
  report.reportInfo(MessageName.UNNAMED, `Quarantine: ${stats}; policy: ${formatPolicy(configuration, policy)}`);
  for (const outside of policy.setOutsideProject)
    report.reportWarning(MessageName.UNNAMED, `Quarantine: ${outsideWarning(outside)}`);
}

/**
 * Silence from the trust-downgrade rule is no pass when it had nothing to compare: a registry that
 * records no publisher or provenance (a mirror, many private ones), or offline mode, which leaves the
 * registry's document unread. A line says for how many, and why.
 */
function trustNotComparedLines(configuration: Configuration, session: Session): Array<string> {
  const {noEvidence, unreadOffline} = session.trustNotCompared;
  const counted = (names: ReadonlySet<string>) => {
    const sorted = [...names].sort();
    const shown = sorted.slice(0, 3).map(name => structUtils.prettyIdent(configuration, structUtils.parseIdent(name))).join(`, `) + (sorted.length > 3 ? `, ...` : ``);
    return `${formatUtils.pretty(configuration, names.size, formatUtils.Type.NUMBER)} package${names.size === 1 ? `` : `s`} (${shown})`;
  };
  return [
    ...noEvidence.size === 0 ? [] : [`the trust-downgrade rule had nothing to compare for ${counted(noEvidence)}: the registry records no publisher and no provenance attestation for any of their versions, so a publish with a stolen token could not be told from any other there`],
    ...unreadOffline.size === 0 ? [] : [`the trust-downgrade rule did not judge ${counted(unreadOffline)}: offline, Yarn's copy of their documents does not say how versions were published, and the release-time cache has not learnt it`],
  ];
}

/** One line per finding, as an error, a warning or an info line by its severity. */
export function reportFindingLines(configuration: Configuration, findings: ReadonlyArray<Finding>, report: Report) {
  for (const finding of findings) {
    const line = formatFinding(configuration, finding);
    if (finding.severity === `error`)
      report.reportError(MessageName.UNNAMED, line);
    else if (finding.severity === `warning`)
      report.reportWarning(MessageName.UNNAMED, line);
    else
      report.reportInfo(MessageName.UNNAMED, line);
  }
}

/**
 * A line as a file or a machine reads it: without the colours and the hyperlinks (a setting's name
 * links to its documentation) that Yarn's pretty-printers add on a terminal.
 */
export function withoutColors(line: string): string {
  return line.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, ``);
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
    // Only the release-age rule has a period; "<1m" would read as one that is almost nothing.
    period: finding.periodMs > 0 ? formatDuration(finding.periodMs) : null,
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
    unreadableBaseline: finding.unreadableBaseline,
    expiredApproval: finding.expiredApproval && {...finding.expiredApproval, expiredAt: finding.expiredApproval.expiredAt.toISOString()},
    trust: finding.trust && {...finding.trust, previousPublishedAt: finding.trust.previousPublishedAt?.toISOString() ?? null},
    message: withoutColors(formatFinding(configuration, finding)),
  };
}

/** The object `--json` ends the findings with, in `check` and in every command the plugin acts in. */
function summaryToJson(findings: ReadonlyArray<Finding>, stats: LookupStats, {noEvidence, unreadOffline}: Session[`trustNotCompared`]) {
  return {type: `summary`, violations: findings.filter(isBlocking).length, warnings: findings.filter(finding => finding.severity === `warning`).length, ...stats, trustNotCompared: noEvidence.size, trustUnreadOffline: unreadOffline.size};
}

/**
 * `--json` in the commands the plugin acts in (`yarn install`, `add`, `dedupe`): `check --json`'s
 * finding objects, through the report Yarn passes, which ignores them in text mode.
 */
export function reportFindingObjects(session: Session, findings: ReadonlyArray<Finding>, report: Report) {
  for (const finding of findings)
    report.reportJson(findingToJson(session.project.configuration, finding));
  session.reportedFindings.push(...findings);
}

/** Once per command, where the plugin's part of it ends: the summary of every finding it reported. */
export function reportSummaryObject(session: Session, report: Report) {
  report.reportJson(summaryToJson(session.reportedFindings, session.publishTimes.stats, session.trustNotCompared));
}

/** Each setting of the policy with where it came from, so a reviewer sees one set from outside the repository. */
export function policySources(project: Project) {
  return settingNames().map(name => {
    const value = project.configuration.get(name);
    return {source: settingSource(project, name), value: Array.isArray(value) ? value.map(String) : String(value)};
  });
}

/** The same, as `check --json`'s policy object lists them. */
export function describePolicySources(project: Project) {
  return policySources(project).map(({source, value}) => settingSourceToJson(source, value));
}
