import {type Configuration, MessageName, Project, ReportError} from '@yarnpkg/core';
import {type PortablePath} from '@yarnpkg/fslib';

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

  // These commands write nothing: Yarn would rewrite the install state when it no longer matches.
  project.persistInstallStateFile = async () => {};
  // A lockfile from an older Yarn is one Yarn wants to refresh from the network; as it stands, it
  // still says which packages the project has, which is all these commands read.
  project.lockfileNeedsRefresh = false;
  try {
    await project.restoreInstallState({restoreResolutions: true, restoreLinkersCustomData: false, restoreBuildState: false});
  } catch (error) {
    throw new ReportError(MessageName.UNNAMED, `yarn.lock does not cover the project's dependencies (${(error as Error).message}). Fix: run yarn install first`);
  }

  const lockedBefore = typeof since !== `undefined` ? new Set(session.baseline!.locatorHashes) : new Set(project.originalPackages.keys());
  return {project, session, lockedBefore};
}

