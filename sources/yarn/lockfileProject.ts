import {type Configuration, MessageName, Project, ReportError, ThrowReport} from '@yarnpkg/core';
import {type PortablePath, xfs} from '@yarnpkg/fslib';
import v8 from 'v8';
import {gunzipSync} from 'zlib';

import {readBaselineAt} from './baseline';
import {sessionFor, type Session} from './session';

export type LockedProject = {
  project: Project;
  session: Session;
  /** Locator hashes that count as locked: the lockfile's own, or those of the `--since` revision. */
  lockedBefore: Set<string>;
};

/**
 * The project as its lockfile describes it, resolved without the network and without writing
 * anything: what the commands evaluate. `since` takes the baseline from `yarn.lock` at a git revision.
 */
export async function openLockedProject(configuration: Configuration, cwd: PortablePath, {since}: {since?: string} = {}): Promise<LockedProject> {
  const {project} = await Project.find(configuration, cwd);
  const session = sessionFor(project);
  if (session.baseline === null)
    throw new ReportError(MessageName.UNNAMED, `there is no yarn.lock to check. Fix: run yarn install first`);
  if (typeof since !== `undefined`)
    session.useBaseline(await readBaselineAt(project, since));

  if (!await restoreMatchingInstallState(project)) {
    try {
      await project.resolveEverything({lockfileOnly: true, report: new ThrowReport()});
    } catch (error) {
      throw new ReportError(MessageName.UNNAMED, `yarn.lock does not cover the project's dependencies (${(error as Error).message}). Fix: run yarn install first`);
    }
  }

  const lockedBefore = typeof since !== `undefined` ? new Set(session.baseline!.locatorHashes) : new Set(project.originalPackages.keys());
  return {project, session, lockedBefore};
}

/**
 * The last install's state holds the graph of this very lockfile when their checksums agree:
 * restoring it is several times faster than resolving the lockfile again. Yarn's own
 * `restoreInstallState` would rewrite the state file on a mismatch, and these commands write
 * nothing, so the checksum is compared here first.
 */
async function restoreMatchingInstallState(project: Project): Promise<boolean> {
  try {
    const buffer = gunzipSync(await xfs.readFilePromise(project.configuration.get(`installStatePath`)));
    const state = v8.deserialize(buffer) as {lockFileChecksum?: string} | null;
    if (!state || state.lockFileChecksum !== project.lockFileChecksum || project.lockFileChecksum === null)
      return false;
    await project.restoreInstallState({restoreResolutions: true, restoreLinkersCustomData: false, restoreBuildState: false});
    return project.storedPackages.size > 0;
  } catch {
    return false;
  }
}
