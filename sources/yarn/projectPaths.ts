import {folderUtils, type Project} from '@yarnpkg/core';
import {npath, type PortablePath, ppath} from '@yarnpkg/fslib';
import {existsSync, realpathSync} from 'fs';
import path from 'path';

/**
 * Whether a folder lies where a pull request can put files, by its path or through a symlink: inside
 * the project, the git repository around it, or a folder above it whose `.yarnrc.yml` Yarn read (in a
 * checkout without `.git`, such a file is the repository's as much as the project's own).
 */
export function isInsideProject(project: Project, folder: PortablePath) {
  const {boundaries, realBoundaries} = boundariesOf(project);
  if (boundaries.some(boundary => isWithin(boundary, folder)))
    return true;
  const real = realPortablePath(folder);
  return realBoundaries.some(boundary => isWithin(boundary, real));
}

/** The rc files Yarn records as a setting's source: one path, or several joined with ", " for a merged list (or a marker such as `<environment>`). */
export function rcFilesOf(source: string): Array<string> {
  return source.split(/, (?=[/<])/);
}

/** Where an rc file lies: in the project's own folder, in the git repository around the project, or outside both. */
export function placeOf(project: Project, file: PortablePath): `project` | `repository` | `outside` {
  if (isWithin(project.cwd, file))
    return `project`;
  return repositoryRootOf(project.cwd).some(root => isWithin(root, file)) ? `repository` : `outside`;
}

const BOUNDARIES = Symbol.for(`yarn-plugin-quarantine/boundaries`);

function boundariesOf(project: Project): {boundaries: Array<PortablePath>, realBoundaries: Array<PortablePath>} {
  const holder = project as Project & {[BOUNDARIES]?: {boundaries: Array<PortablePath>, realBoundaries: Array<PortablePath>}};
  return holder[BOUNDARIES] ??= (() => {
    const boundaries = [project.cwd, ...repositoryRootOf(project.cwd), ...rcFoldersAbove(project)];
    return {boundaries, realBoundaries: boundaries.map(realPortablePath)};
  })();
}

/** The folders above the project, below the home folder, whose rc file set a setting Yarn read. */
function rcFoldersAbove(project: Project): Array<PortablePath> {
  const home = folderUtils.getHomeFolder();
  const folders = new Set<PortablePath>();
  for (const source of project.configuration.sources.values()) {
    for (const place of rcFilesOf(source)) {
      const folder = ppath.dirname(place as PortablePath);
      if (place.startsWith(`/`) && folder !== project.cwd && isWithin(folder, project.cwd) && !isWithin(folder, home))
        folders.add(folder);
    }
  }
  return [...folders];
}

/** The root of the git repository around the project, when it lies above the project's own folder. */
function repositoryRootOf(cwd: PortablePath): Array<PortablePath> {
  const root = repositoryRoot(cwd);
  return root === null || root === cwd ? [] : [root];
}

/**
 * The nearest folder holding `.git` (a folder, or a file for worktrees and submodules), from the
 * project's own up, below the home folder: a home folder kept in git (dotfiles) is not a repository
 * a pull request writes to, and counting it would put all of Yarn's own folders inside.
 */
export function repositoryRoot(cwd: PortablePath): PortablePath | null {
  const home = folderUtils.getHomeFolder();
  for (let folder = cwd; isWithin(home, folder) ? folder !== home : true; folder = ppath.dirname(folder)) {
    if (existsSync(npath.fromPortablePath(ppath.join(folder, `.git` as PortablePath))))
      return folder;
    if (ppath.dirname(folder) === folder)
      break;
  }
  return null;
}

function isWithin(parent: PortablePath, folder: PortablePath) {
  const relative = ppath.relative(parent, folder);
  return !ppath.isAbsolute(relative) && relative !== `..` && !relative.startsWith(`../`);
}

function realPortablePath(folder: PortablePath): PortablePath {
  return npath.toPortablePath(realpathOf(npath.fromPortablePath(folder)));
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

const STATE_LOCATION = Symbol.for(`yarn-plugin-quarantine/state-location`);

export function stateLocation(project: Project): StateLocation {
  const holder = project as Project & {[STATE_LOCATION]?: StateLocation};
  return holder[STATE_LOCATION] ??= locateState(project);
}

function locateState(project: Project): StateLocation {
  const {configuration} = project;
  const outside = (folder: PortablePath) => !isInsideProject(project, folder);
  const cacheFolder = configuration.get(`cacheFolder`);
  const globalFolder = configuration.get(`globalFolder`);

  const yarnMetadataTrusted = outside(globalFolder);
  const defaultGlobalFolder = folderUtils.getDefaultGlobalFolder();
  const folder = yarnMetadataTrusted ? globalFolder : outside(defaultGlobalFolder) ? defaultGlobalFolder : null;
  const quarantineFolder = folder === null ? null : path.join(npath.fromPortablePath(folder), `quarantine`);
  const cacheOutside = outside(cacheFolder);
  const releaseTimes = cacheOutside
    ? path.join(npath.fromPortablePath(cacheFolder), `quarantine-release-times.json`)
    : quarantineFolder === null ? null : path.join(quarantineFolder, `release-times.json`);

  // A cache folder inside the project is the usual zero-install layout, with the global folder as the documented fallback.
  const passedOver = yarnMetadataTrusted ? null : [
    `globalFolder (${npath.fromPortablePath(globalFolder)}) is inside the project or its repository, where a pull request can write: Yarn's package metadata there is not used for publish times, so those the release-time cache does not hold are asked of the registry`,
    cacheOutside ? `` : releaseTimes === null ? `, and the release-time cache is not kept between commands` : `, and the release-time cache is kept in ${releaseTimes} instead`,
    `. Fix: point globalFolder (or YARN_GLOBAL_FOLDER) outside the repository`,
  ].join(``);
  return {releaseTimes, folder: quarantineFolder, yarnMetadataTrusted, passedOver};
}
