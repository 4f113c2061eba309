import type {Project} from '@yarnpkg/core';
import {createHash} from 'crypto';
import {promises as fs} from 'fs';
import path from 'path';

import {isApprovable} from '../policy/policy';
import type {Finding, Rule} from '../rules/finding';
import {stateLocation} from './projectPaths';

export type BlockedFinding = {rule: Rule, name: string, version: string | null};

/**
 * What the last blocked install of a project ran into. The lockfile is never written when an
 * install is blocked, so `yarn quarantine approve` needs this to know which list a package belongs to.
 */
function fileFor(project: Project) {
  const key = createHash(`sha256`).update(project.cwd).digest(`hex`).slice(0, 16);
  const {folder} = stateLocation(project);
  return folder === null ? null : path.join(folder, `blocked`, `${key}.json`);
}

export async function rememberBlocked(project: Project, findings: ReadonlyArray<Finding>) {
  const file = fileFor(project);
  if (file === null)
    return;
  try {
    if (findings.length === 0) {
      await fs.rm(file, {force: true});
    } else {
      await fs.mkdir(path.dirname(file), {recursive: true});
      await fs.writeFile(file, JSON.stringify(findings.map(({rule, name, version}): BlockedFinding => ({rule, name, version}))));
    }
  } catch {
    // Only a convenience for `approve`; the install's outcome does not depend on it.
  }
}

export async function recallBlocked(project: Project): Promise<Array<BlockedFinding>> {
  const file = fileFor(project);
  if (file === null)
    return [];
  try {
    const entries = JSON.parse(await fs.readFile(file, `utf8`));
    return Array.isArray(entries) ? entries.filter(entry => typeof entry?.name === `string` && isApprovable(entry.rule)) : [];
  } catch {
    return [];
  }
}
