import {Cache, type Project, structUtils} from '@yarnpkg/core';
import {npath, type PortablePath, ppath, xfs} from '@yarnpkg/fslib';

import type {CachedArchive} from '../rules/lockfile';
import {isInsideProject} from './projectPaths';
import {readArchivedManifest} from './zipManifest';

const CONCURRENT_READS = 16;

/**
 * The archives Yarn would take from a cache inside the project (zero-installs: committed, so a pull
 * request can replace one together with its checksum), with the manifest each one holds. A cache
 * outside the project is Yarn's own and trusted like Yarn trusts it.
 */
export async function committedArchives(project: Project, lockedBefore: ReadonlySet<string>, cache?: Cache): Promise<Array<CachedArchive>> {
  const {configuration} = project;
  const cacheFolder = cache?.cwd ?? configuration.get(`cacheFolder`);
  if (!isInsideProject(project, cacheFolder))
    return [];
  const archiveCache = cache ?? new Cache(cacheFolder, {configuration});

  const candidates: Array<{name: string, version: string, locked: boolean, path: PortablePath, entry: string}> = [];
  for (const pkg of project.storedPackages.values()) {
    if (structUtils.isVirtualLocator(pkg) || project.tryWorkspaceByLocator(pkg) !== null || project.disabledLocators?.has(pkg.locatorHash))
      continue;
    const checksum = project.storedChecksums.get(pkg.locatorHash) ?? null;
    // Without a usable checksum Yarn does not take the archive from the cache, it fetches it again.
    if (checksum === null || (typeof archiveCache.isChecksumCompatible === `function` && !archiveCache.isChecksumCompatible(checksum)))
      continue;
    const path = archiveCache.getLocatorPath(pkg, checksum);
    if (!xfs.existsSync(path))
      continue;
    candidates.push({
      name: structUtils.stringifyIdent(pkg),
      version: pkg.version ?? `0.0.0`,
      locked: lockedBefore.has(pkg.locatorHash),
      path,
      entry: `${structUtils.getIdentVendorPath(pkg)}/package.json`,
    });
  }

  const archives: Array<CachedArchive> = new Array(candidates.length);
  let next = 0;
  const worker = async () => {
    while (next < candidates.length) {
      const index = next++;
      const {name, version, locked, path, entry} = candidates[index];
      archives[index] = {name, version, locked, file: ppath.relative(project.cwd, path), holds: await readArchivedManifest(npath.fromPortablePath(path), entry)};
    }
  };
  await Promise.all(Array.from({length: Math.min(CONCURRENT_READS, candidates.length)}, worker));
  return archives;
}
