import type {Configuration} from '@yarnpkg/core';

import {formatUtc} from '../../policy/duration';
import type {Finding, FindingKind, Rule} from '../../rules/finding';
import {installScriptMessages} from './installScripts';
import type {KindMessage, LineOptions} from './kindMessage';
import {lockfileMessages} from './lockfile';
import {newDependencyMessages} from './newDependencies';
import {phrasesOf} from './phrases';
import {printable} from './printable';
import {releaseAgeMessages} from './releaseAge';
import {trustMessages} from './trust';

export {formatScriptsNotRun} from './installScripts';
export {printable} from './printable';

// A finding kind without its line and labels does not compile.
const MESSAGES: Record<FindingKind, KindMessage> = {
  ...releaseAgeMessages,
  ...newDependencyMessages,
  ...lockfileMessages,
  ...installScriptMessages,
  ...trustMessages,
};

const RULE_LABELS: Record<Rule, string> = {
  [`release-age`]: `the release-age rule`,
  [`new-dependency`]: `the new sub-dependency rule`,
  [`lockfile`]: `the lockfile rule`,
  [`install-scripts`]: `the install-script rule`,
  [`trust`]: `the trust-downgrade rule`,
};

/** One line per finding: the package, the rule, the facts, the path from a workspace and the fix. */
export function formatFinding(configuration: Configuration, finding: Finding, {withSubject = true}: Partial<LineOptions> = {}): string {
  const shown = printableFinding(finding);
  const say = phrasesOf(configuration, shown);
  const line = MESSAGES[finding.kind].line(shown, say, {withSubject});
  if (finding.expiredApproval === null)
    return line;
  const {setting, entry, expiredAt} = finding.expiredApproval;
  const note = `; ${say.code(entry)} in ${say.setting(setting)} would have approved it, but expired at ${formatUtc(expiredAt)}`;
  // Before the fix, which ends every line; the last one, since a printed script command may contain the words.
  const fixAt = line.lastIndexOf(`. Fix: `);
  return fixAt === -1 ? `${line}${note}` : `${line.slice(0, fixAt)}${note}${line.slice(fixAt)}`;
}

/** The finding with every text a lockfile, a manifest or a registry supplies made printable. */
function printableFinding(finding: Finding): Finding {
  const text = <T extends string | null>(value: T): T => (value === null ? value : printable(value)) as T;
  return {
    ...finding,
    name: text(finding.name),
    version: text(finding.version),
    range: text(finding.range),
    usedVersion: text(finding.usedVersion),
    path: finding.path.map(text),
    detail: text(finding.detail),
    parent: finding.parent && {...finding.parent, name: text(finding.parent.name), version: text(finding.parent.version), baselineVersions: finding.parent.baselineVersions.map(text)},
    conditions: text(finding.conditions),
    declaredBy: text(finding.declaredBy),
    found: text(finding.found),
    expected: text(finding.expected),
    file: text(finding.file),
    scripts: finding.scripts && finding.scripts.map(change => ({...change, command: text(change.command), previous: text(change.previous)})),
    previousVersion: text(finding.previousVersion),
    unreadableBaseline: finding.unreadableBaseline.map(text),
  };
}

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
    const kinds = [...counts].map(([kind, count]) => `${count} ${count === 1 ? MESSAGES[kind].one : MESSAGES[kind].many}`);
    return `${total} of ${RULE_LABELS[rule]} (${kinds.join(`, `)})`;
  });
  return `${findings.length} violation${findings.length === 1 ? `` : `s`}: ${parts.join(`, `)}`;
}
