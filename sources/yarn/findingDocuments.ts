import type {Project} from '@yarnpkg/core';
import {Filename, ppath, xfs} from '@yarnpkg/fslib';

import {version as pluginVersion} from '../../package.json';
import {lineOfFinding, parseLockfileLines} from '../formats/lockfileLines';
import type {LocatedFinding} from '../formats/locatedFinding';
import {sarifLog} from '../formats/sarif';
import {findingAnnotation, inAnnotationOrder, runAnnotation} from '../formats/workflowCommands';
import type {Finding} from '../rules/finding';
import {repositoryRoot} from './projectPaths';
import {findingToJson} from './reporting';

export type FindingDocumentInput = {
  findings: ReadonlyArray<Finding>;
  /** Warnings about the run itself: settings from outside the repository, approvals that expired or soon expire. */
  warnings: ReadonlyArray<string>;
};

/**
 * yarn.lock as code scanning and annotations name it: relative to the root of the git repository
 * (CI uploads from there), or to the project outside one.
 */
function lockfilePathOf(project: Project): string {
  const lockfile = ppath.join(project.cwd, Filename.lockfile);
  return ppath.relative(repositoryRoot(project.cwd) ?? project.cwd, lockfile);
}

/** Each finding with the text report's line and the line of its entry in yarn.lock as it stands. */
function locate(project: Project, findings: ReadonlyArray<Finding>): Array<LocatedFinding> {
  const path = ppath.join(project.cwd, Filename.lockfile);
  const lines = parseLockfileLines(xfs.existsSync(path) ? xfs.readFileSync(path, `utf8`) : ``);
  return findings.map(finding => {
    // `type` only tells the lines of check --json's stream apart.
    const {type: _type, message, ...fields} = findingToJson(project.configuration, finding);
    return {finding, message, line: lineOfFinding(lines, finding), fields};
  });
}

/** `check --format sarif`: a SARIF 2.1.0 log. */
export function sarifDocument(project: Project, {findings, warnings}: FindingDocumentInput): string {
  const log = sarifLog({toolVersion: pluginVersion, lockfilePath: lockfilePathOf(project), findings: locate(project, findings), warnings});
  // A log printed in a CI log must not hold the `##[command]` GitHub's runner obeys anywhere in a line:
  // inside a JSON string, `\u0023` is the same `#`, so the data read back is unchanged.
  return `${JSON.stringify(log, null, 2).replace(/##\[/g, `#\\u0023[`)}\n`;
}

/** `check --format github`: one workflow command per finding, after those about the run itself. */
export function workflowCommands(project: Project, {findings, warnings}: FindingDocumentInput): Array<string> {
  const lockfilePath = lockfilePathOf(project);
  return [
    ...warnings.map(warning => runAnnotation(`warning`, `quarantine policy`, warning)),
    ...inAnnotationOrder(locate(project, findings)).map(located => findingAnnotation(located, lockfilePath)),
  ];
}
