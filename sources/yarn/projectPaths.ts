import {folderUtils, type Project} from '@yarnpkg/core';
import {npath, type PortablePath, ppath} from '@yarnpkg/fslib';
import {existsSync, realpathSync} from 'fs';
import path from 'path';

/**
 * Whether a folder lies inside the project or the git repository around it, where a pull request can
 * put files, by its path or through a symlink.
 */
export function isInsideProject(project: Project, folder: PortablePath) {
  const boundaries = [project.cwd, ...repositoryRootOf(project.cwd)];
  if (boundaries.some(boundary => isWithin(boundary, folder)))
    return true;
  const real = npath.toPortablePath(realpathOf(npath.fromPortablePath(folder)));
  return boundaries.some(boundary => isWithin(npath.toPortablePath(realpathOf(npath.fromPortablePath(boundary))), real));
}

const repositoryRoots = new Map<PortablePath, Array<PortablePath>>();

/** The nearest folder above the project holding `.git` (a folder, or a file for worktrees and submodules). */
function repositoryRootOf(cwd: PortablePath): Array<PortablePath> {
  let root = repositoryRoots.get(cwd);
  if (typeof root === `undefined`) {
    root = [];
    for (let folder = cwd; ; folder = ppath.dirname(folder)) {
      if (existsSync(npath.fromPortablePath(ppath.join(folder, `.git` as PortablePath)))) {
        root = folder === cwd ? [] : [folder];
        break;
      }
      if (ppath.dirname(folder) === folder)
        break;
    }
    repositoryRoots.set(cwd, root);
  }
  return root;
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
 * pull request, and must never vouch for publish times, whatever setting or variable put it there:
 * nor may Yarn's own package metadata, kept in the global folder.
 */
export type StateLocation = {
  /** The release-time cache file; null when every candidate folder is inside the project. */
  releaseTimes: string | null;
  /** The folder for per-project notes (what the last blocked install ran into). */
  folder: string | null;
  /** Whether Yarn's package metadata (in its global folder) may be read for publish times. */
  yarnMetadataTrusted: boolean;
  /** Set when a folder Yarn was configured with had to be passed over: what was done instead, for one line of the report. */
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
  const cacheOutside = outside(cacheFolder);
  const releaseTimes = cacheOutside
    ? path.join(npath.fromPortablePath(cacheFolder), `quarantine-release-times.json`)
    : quarantineFolder === null ? null : path.join(quarantineFolder, `release-times.json`);

  const yarnMetadataTrusted = outside(globalFolder);
  // A cache folder inside the project is the usual zero-install layout, with the global folder as the documented fallback.
  const passedOver = yarnMetadataTrusted ? null : [
    `globalFolder (${npath.fromPortablePath(globalFolder)}) is inside the project or its repository, where a pull request can write: Yarn's package metadata there is not used for publish times, so each command asks the registry`,
    cacheOutside ? `` : releaseTimes === null ? `, and the release-time cache is not kept between commands` : `, and the release-time cache is kept in ${releaseTimes} instead`,
    `. Fix: point globalFolder (or YARN_GLOBAL_FOLDER) outside the repository`,
  ].join(``);
  return {releaseTimes, folder: quarantineFolder, yarnMetadataTrusted, passedOver};
}
