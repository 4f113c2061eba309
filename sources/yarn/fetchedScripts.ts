import {Cache, InstallMode, type LocatorHash, Manifest, MessageName, type Project, type Report, ReportError, structUtils} from '@yarnpkg/core';
import {Filename, npath, type PortablePath, ppath, xfs} from '@yarnpkg/fslib';
import {ZipFS} from '@yarnpkg/libzip';

import {noteExpiredApproval} from '../rules/expiredApprovals';
import {isBlocking} from '../rules/finding';
import {INSTALL_SCRIPT_NAMES, type InstallScripts} from '../rules/installScript';
import {type ArchivedScriptsFact, checkFetchedScripts, type FetchedUpdate} from '../rules/installScripts';
import {rememberBlocked} from './blockedFindings';
import {fetchedLocatorOf} from './packageSource';
import {isInsideProject} from './projectPaths';
import {formatCounts, reportFindingLines, reportFindingObjects, reportSummaryObject} from './reporting';
import type {Session} from './session';

export type FetchOptions = {cache?: Cache, report: Report, mode?: InstallMode};

/**
 * After Yarn's fetch step, before the lockfile is written and anything linked: the updates the
 * install-script rule judged from the registry's document are held to their fetched archives, whose
 * scripts are what Yarn's link step runs. Only those few archives are read; a plain install reads none.
 */
export async function holdArchivesToTheirDocuments(project: Project, session: Session, {cache, report, mode}: FetchOptions) {
  if (session.scriptsToConfirm.length === 0)
    return;
  const archiveCache = cache ?? new Cache(project.configuration.get(`cacheFolder`), {configuration: project.configuration});
  const updates = session.scriptsToConfirm.flatMap(({name, version, locatorHashes, scripts, path}) =>
    fetchedArchivesOf(project, archiveCache, locatorHashes).flatMap(({file, archive}): Array<FetchedUpdate> => {
      // Without a link step Yarn fetches only what has no checksum yet; what it did not fetch it does not run either.
      if (archive === null && mode === InstallMode.UpdateLockfile)
        return [];
      return [{name, version, path, file: displayPath(project, file), registry: scripts, archive: archive ?? {kind: `unreadable`, reason: `it is not in the cache after the fetch step`}}];
    }));

  const findings = checkFetchedScripts(updates, session.policy).map(finding => noteExpiredApproval(finding, session.policy));
  reportFindingLines(project.configuration, findings, report);
  reportFindingObjects(session, findings, report);
  // The last of the plugin's part of an install: the gate left the summary to it.
  reportSummaryObject(session, report);
  const blocking = findings.filter(isBlocking);
  if (blocking.length === 0)
    return;
  await rememberBlocked(project, blocking);
  const archives = [...new Set(blocking.map(finding => finding.file))];
  // In a project's own cache the archive is one `git add` away from being committed.
  const inProject = archives.filter((file): file is string => file !== null && !ppath.isAbsolute(npath.toPortablePath(file)));
  const removeThem = inProject.length === 0 ? `` : `; remove ${inProject.join(`, `)} from the project's cache before committing`;
  throw new ReportError(MessageName.UNNAMED, `Quarantine: ${formatCounts(blocking)}; the install stopped after the fetch step: `
    + `${archives.length === 1 ? `the archive was` : `the archives were`} fetched into the cache, but nothing was linked or run, and the lockfile was not written${removeThem}`);
}

/**
 * The archive of every locator of the version Yarn fetched (virtual instances are the same archive;
 * packages for other platforms are not fetched, built or linked), where Yarn's cache put it.
 */
function fetchedArchivesOf(project: Project, cache: Cache, locatorHashes: ReadonlyArray<string>) {
  const files = new Map<string, {file: string, archive: ArchivedScriptsFact | null}>();
  for (const locatorHash of locatorHashes) {
    const pkg = project.storedPackages.get(locatorHash as LocatorHash);
    if (!pkg || structUtils.isVirtualLocator(pkg) || project.disabledLocators?.has(pkg.locatorHash) || isProjectPatch(pkg))
      continue;
    const fetched = fetchedLocatorOf(pkg);
    const file = cache.getLocatorPath(fetched, project.storedChecksums.get(fetched.locatorHash) ?? null);
    if (!files.has(file))
      files.set(file, {file: npath.fromPortablePath(file), archive: readAsYarnWould(file, structUtils.getIdentVendorPath(fetched))});
  }
  return [...files.values()];
}

/**
 * A patch the project itself applies is its own choice, scripts included: the archive held to the
 * registry's document is the one it patches (the same version's npm locator), not the patched one.
 * Yarn's built-in patches (`builtin<compat/...>`) change no script.
 */
function isProjectPatch(pkg: {reference: string}) {
  return pkg.reference.startsWith(`patch:`) && !pkg.reference.includes(`builtin<`);
}

/**
 * An archive's install scripts and `binding.gyp` as Yarn's link step reads them: through Yarn's own
 * `ZipFS` (which follows a symlinked package.json, and names entries as libzip does) and `Manifest`
 * (a BOM stripped, string scripts kept, empty ones too). Null when there is no archive at that path.
 */
function readAsYarnWould(file: PortablePath, packageFolder: PortablePath): ArchivedScriptsFact | null {
  if (!xfs.existsSync(file))
    return null;
  let zipFs: ZipFS | null = null;
  try {
    zipFs = new ZipFS(file, {readOnly: true});
    const manifest = Manifest.fromText(zipFs.readFileSync(ppath.join(packageFolder, Filename.manifest), `utf8`));
    const scripts: InstallScripts = {};
    for (const name of INSTALL_SCRIPT_NAMES) {
      const command = manifest.scripts.get(name);
      if (typeof command === `string`)
        scripts[name] = command;
    }
    return {kind: `read`, scripts, bindingGyp: zipFs.existsSync(ppath.join(packageFolder, `binding.gyp` as Filename))};
  } catch (error) {
    return {kind: `unreadable`, reason: (error as Error).message};
  } finally {
    zipFs?.discardAndClose();
  }
}

function displayPath(project: Project, file: string) {
  const portable = npath.toPortablePath(file);
  return isInsideProject(project, ppath.dirname(portable)) ? ppath.relative(project.cwd, portable) : file;
}
