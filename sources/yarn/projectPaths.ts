import {folderUtils, type Project} from '@yarnpkg/core';
import {npath, type PortablePath, ppath} from '@yarnpkg/fslib';
import {realpathSync} from 'fs';
import path from 'path';

/** Whether a folder lies inside the project, where a pull request can put files, by its path or through a symlink. */
export function isInsideProject(project: Project, folder: PortablePath) {
  if (isWithin(project.cwd, folder))
    return true;
  const realProject = realpathOf(npath.fromPortablePath(project.cwd));
  return isWithin(npath.toPortablePath(realProject), npath.toPortablePath(realpathOf(npath.fromPortablePath(folder))));
}

function isWithin(parent: PortablePath, folder: PortablePath) {
  const relative = ppath.relative(parent, folder);
  return !ppath.isAbsolute(relative) && relative !== `..` && !relative.startsWith(`../`);
}

/** The real path of a folder that may not exist yet: that of its nearest existing ancestor, joined with the rest. */
function realpathOf(folder: string): string {
  try {
    return realpathSync.native(folder);
  } catch {
    const parent = path.dirname(folder);
    return parent === folder ? folder : path.join(realpathOf(parent), path.basename(folder));
  }
}

/**
 * Where the plugin keeps what it learnt between commands: beside Yarn's cache when that folder is
 * outside the project (CI setups usually keep only it between runs), otherwise in Yarn's global
 * folder, otherwise in the default global folder. A file inside the project could be committed by a
 * pull request, and must never vouch for publish times, whatever setting or variable put it there.
 */
export type StateLocation = {
  /** The release-time cache file; null when every candidate folder is inside the project. */
  releaseTimes: string | null;
  /** The folder for per-project notes (what the last blocked install ran into). */
  folder: string | null;
  /** Set when a folder Yarn was configured with had to be passed over: why, for one line of the report. */
  passedOver: string | null;
};

export function stateLocation(project: Project): StateLocation {
  const {configuration} = project;
  const outside = (folder: PortablePath) => !isInsideProject(project, folder);
  const cacheFolder = configuration.get(`cacheFolder`);
  const globalFolder = configuration.get(`globalFolder`);
  const defaultGlobalFolder = folderUtils.getDefaultGlobalFolder();

  const folder = [globalFolder, defaultGlobalFolder].find(outside);
  const quarantineFolder = typeof folder === `undefined` ? null : path.join(npath.fromPortablePath(folder), `quarantine`);
  const releaseTimes = outside(cacheFolder)
    ? path.join(npath.fromPortablePath(cacheFolder), `quarantine-release-times.json`)
    : quarantineFolder === null ? null : path.join(quarantineFolder, `release-times.json`);
  // A cache folder inside the project is the usual zero-install layout, with the global folder as the documented fallback.
  const passedOver = outside(cacheFolder) || outside(globalFolder) ? null : `cacheFolder and globalFolder (${npath.fromPortablePath(globalFolder)}) are both inside the project, where a pull request can write`;
  return {releaseTimes, folder: quarantineFolder, passedOver};
}
