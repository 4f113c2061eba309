import {Cache, type Project, structUtils} from '@yarnpkg/core';
import {npath, ppath, xfs} from '@yarnpkg/fslib';

import {holdsWhatItClaims, type CachedArchive} from '../rules/lockfile';
import {fetchedLocatorOf, npmVersionOf} from './packageSource';
import {isInsideProject} from './projectPaths';
import {readArchivedManifest} from './zipManifest';

/** What this machine remembers of archives it already read, keyed by locator and checksum. */
export type VerifiedArchives = {has(locatorHash: string, checksum: string): boolean};

export type CommittedArchives = {
  archives: Array<CachedArchive>;
  /** Archives found to hold what they claim, to remember once Yarn has hashed them against their checksums (a successful install). */
  matching: Array<{locatorHash: string, checksum: string}>;
};

/**
 * The archives of npm (and `jsr:`) packages Yarn would take from a cache inside the project (zero-installs:
 * committed, so a pull request can replace one together with its checksum), with the manifest each
 * one holds. A cache outside the project is Yarn's own and trusted like Yarn trusts it.
 *
 * An archive already read under the same checksum, by an install that then succeeded, is not read
 * again when Yarn itself refuses an archive whose hash differs from its checksum (`checksumBehavior:
 * throw`, the default; Yarn skips that hash for platform-conditional packages, which are read every
 * time): then it cannot have changed without the install stopping before anything of it is linked.
 */
export function committedArchives(project: Project, lockedBefore: ReadonlySet<string>, verified: VerifiedArchives, cache?: Cache): CommittedArchives {
  const {configuration} = project;
  const cacheFolder = cache?.cwd ?? configuration.get(`cacheFolder`);
  const archives: Array<CachedArchive> = [];
  const matching: CommittedArchives[`matching`] = [];
  if (!isInsideProject(project, cacheFolder))
    return {archives, matching};
  const archiveCache = cache ?? new Cache(cacheFolder, {configuration});
  const remember = configuration.get(`checksumBehavior`) === `throw`;
  // One listing of the folder instead of one failed open per archive not there yet (a cold install).
  const present = new Set(xfs.existsSync(cacheFolder) ? xfs.readdirSync(cacheFolder) : []);

  for (const pkg of project.storedPackages.values()) {
    if (structUtils.isVirtualLocator(pkg) || project.disabledLocators?.has(pkg.locatorHash))
      continue;
    // Only the registry says what an archive should hold; a git or tarball archive holds whatever its source does.
    const npm = npmVersionOf(pkg);
    if (npm === null)
      continue;
    // Yarn fetches a `jsr:` package as its `@jsr/` npm locator, checked against that locator's checksum.
    const fetched = fetchedLocatorOf(pkg);
    const checksum = project.storedChecksums.get(fetched.locatorHash) ?? null;
    // An incompatible checksum makes Yarn fetch the archive again; without one, Yarn takes whatever the cache holds.
    if (checksum !== null && typeof archiveCache.isChecksumCompatible === `function` && !archiveCache.isChecksumCompatible(checksum))
      continue;
    // Yarn does not hash the archives of packages installed only on some platforms: those are read every time.
    const rememberable = remember && checksum !== null && !project.conditionalLocators?.has(pkg.locatorHash);
    if (rememberable && verified.has(pkg.locatorHash, checksum!))
      continue;
    const path = archiveCache.getLocatorPath(fetched, checksum);
    if (!present.has(ppath.basename(path)))
      continue;
    if (fetched !== pkg && checksum === null) {
      archives.push({name: npm.name, version: npm.version, locked: lockedBefore.has(pkg.locatorHash), file: ppath.relative(project.cwd, path), holds: {kind: `unchecked`, reason: `yarn.lock has no checksum for ${structUtils.stringifyLocator(fetched)}, the @jsr/ entry Yarn checks a jsr: archive against (the jsr: entry no longer matches it)`}});
      continue;
    }
    // A `jsr:` package's archive is its `@jsr/` npm package's: laid out, and named in its manifest, as that one.
    const holds = readArchivedManifest(npath.fromPortablePath(path), `${structUtils.getIdentVendorPath(structUtils.parseIdent(npm.name))}/package.json`);
    // No archive: Yarn fetches it from its source, which the other rules judge.
    if (holds === null)
      continue;
    const archive: CachedArchive = {name: npm.name, version: npm.version, locked: lockedBefore.has(pkg.locatorHash), file: ppath.relative(project.cwd, path), holds};
    if (rememberable && holdsWhatItClaims(archive))
      matching.push({locatorHash: pkg.locatorHash, checksum: checksum!});
    archives.push(archive);
  }
  return {archives, matching};
}
