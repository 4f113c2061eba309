import type {Finding, Rule, Severity} from '../rules/finding';
import {declaredName, type LocatedFinding} from './locatedFinding';

/**
 * GitHub Actions reads a line of a step's output that starts with `::` as a workflow command. The
 * escaping is the Actions toolkit's: a message can hold no line break (no second line, so no second
 * command, whatever a registry or a lockfile put in it), and a property value no `:` or `,`.
 */
export function escapeData(text: string): string {
  return text.replace(/%/g, `%25`).replace(/\r/g, `%0D`).replace(/\n/g, `%0A`);
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, `%3A`).replace(/,/g, `%2C`);
}

const COMMANDS: Record<Severity, string> = {error: `error`, warning: `warning`, info: `notice`};

/** `::error file=yarn.lock,line=12,title=release-age: axios::<the text report's line>`. */
export function findingAnnotation({finding, message, line}: LocatedFinding, lockfilePath: string): string {
  // Each part of the title is escaped; the `: ` between them cannot make the `::` that ends the properties.
  const title = `${escapeProperty(finding.rule)}: ${escapeProperty(declaredName(finding))}`;
  return `::${COMMANDS[finding.severity]} file=${escapeProperty(lockfilePath)},line=${line},title=${title}::${escapeData(message)}`;
}

/** An annotation on no file, for what the run itself has to say (a setting from outside the repository). */
export function runAnnotation(severity: Severity, title: string, message: string): string {
  return `::${COMMANDS[severity]} title=${escapeProperty(title)}::${escapeData(message)}`;
}

/** What a reviewer must see first: a package or a script the project never had, a publisher that changed, then a fresh version, then the lockfile's own. */
const RULE_ORDER: Record<Rule, number> = {[`new-dependency`]: 0, [`install-scripts`]: 1, [`trust`]: 2, [`release-age`]: 3, [`lockfile`]: 4};
const SEVERITY_ORDER: Record<Severity, number> = {error: 0, warning: 1, info: 2};

/**
 * GitHub shows only the first few annotations of each level per step (10 at the time of writing):
 * ordered so that a pull request cannot push the finding that matters most out of view with many
 * lesser ones (a lockfile rewritten throughout).
 */
export function inAnnotationOrder<T extends {finding: Finding}>(located: ReadonlyArray<T>): Array<T> {
  return [...located].sort((a, b) => SEVERITY_ORDER[a.finding.severity] - SEVERITY_ORDER[b.finding.severity] || RULE_ORDER[a.finding.rule] - RULE_ORDER[b.finding.rule]);
}
