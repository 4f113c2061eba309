import {type Cache, InstallMode, MessageName, type Project, Report, ReportError, structUtils} from '@yarnpkg/core';

import {type Finding, isBlocking} from '../rules/finding';
import {rememberBlocked} from './blockedFindings';
import {evaluateProject} from './evaluation';
import {holdArchivesToTheirDocuments} from './fetchedScripts';
import {describeMigration, settingsMigratedByLockfile} from './lockfileMigration';
import {resolvedSourceOf} from './packageSource';
import {formatCounts, reportFindingObjects, reportFindings, reportSummaryObject} from './reporting';
import {sessionFor, type Session} from './session';

type ResolveEverything = Project[`resolveEverything`];
type FetchEverything = Project[`fetchEverything`];
type ValidationReport = {reportWarning: (name: MessageName, text: string) => void, reportError: (name: MessageName, text: string) => void};

const ARMED = Symbol.for(`yarn-plugin-quarantine/install-gate`);

/**
 * The `validateProject` hook: the last point before resolution. A bad policy stops the install
 * here; otherwise the project's `resolveEverything` is wrapped so the policy is enforced between
 * resolution and fetch, and its `fetchEverything` so that the fetched archives of updates are held
 * to the registry's document before the lockfile is written and the link step runs scripts: Yarn
 * offers no hook at either point.
 */
export function validateProject(project: Project, report: ValidationReport) {
  let session: Session;
  try {
    session = sessionFor(project);
  } catch (error) {
    report.reportError(error instanceof ReportError ? error.reportCode : MessageName.INVALID_CONFIGURATION_VALUE, (error as Error).message);
    return;
  }

  const migrated = settingsMigratedByLockfile(project);
  if (migrated.length > 0 && session.policy.lockfile === `verify`) {
    report.reportError(MessageName.UNNAMED, describeMigration(project, migrated, session.onDisk?.formatVersion ?? null));
    return;
  }

  const target = project as Project & {[ARMED]?: true};
  if (target[ARMED])
    return;
  target[ARMED] = true;

  // Read now, before anything can rewrite the lockfile.
  void session.baseline;

  const fetchEverything: FetchEverything = project.fetchEverything.bind(project);
  project.fetchEverything = async opts => {
    // Yarn ends its fetch step by deleting the archives the new graph no longer uses (the baseline's,
    // in a project's own cache): the archives are held to their documents first, so an install that
    // is stopped keeps what its lockfile names, and one that goes on gets Yarn's own cleanup and summary.
    let held = false;
    const hold = async () => {
      if (!held) {
        held = true;
        await holdArchivesToTheirDocuments(project, session, opts);
      }
    };
    if (session.scriptsToConfirm.length === 0) {
      await fetchEverything(opts);
      return;
    }
    const cacheCleanup = project.cacheCleanup;
    project.cacheCleanup = async cleanupOpts => {
      await hold();
      return await cacheCleanup.call(project, cleanupOpts);
    };
    try {
      await fetchEverything(opts);
    } finally {
      project.cacheCleanup = cacheCleanup;
    }
    await hold();
  };

  const resolveEverything: ResolveEverything = project.resolveEverything.bind(project);
  project.resolveEverything = async opts => {
    const lockedBefore = new Set(project.originalPackages.keys());
    session.resolutionStop = null;
    session.resolving = true;
    try {
      await resolveEverything(opts);
    } catch (error) {
      reportResolutionStop(session, opts.report);
      // So that `yarn quarantine approve <what the line names>` knows which list it belongs to.
      if (session.resolutionStop !== null)
        await rememberBlocked(project, [session.resolutionStop]);
      throw error;
    } finally {
      session.resolving = false;
    }
    await enforce(project, session, lockedBefore, opts.report, `cache` in opts ? opts.cache : undefined);
  };
}

/**
 * The `afterAllInstalled` hook: the install succeeded, so Yarn's fetch step hashed every cached
 * archive against its checksum and the gate found nothing. The archives found holding what they
 * claim, and the graph the lockfile rule verified, can now be remembered; remembering them before
 * would trust an archive Yarn then refused, or a graph another rule stopped.
 */
export async function afterAllInstalled(project: Project, options: {mode?: InstallMode}) {
  const session = sessionFor(project);
  if (options.mode === InstallMode.UpdateLockfile || (session.archivesToRemember.length === 0 && session.graphToRemember === null))
    return;
  for (const {locatorHash, checksum} of session.archivesToRemember)
    session.publishTimes.verifiedArchives.add(locatorHash, checksum);
  if (session.graphToRemember !== null)
    session.publishTimes.verifiedGraphs.add(session.graphToRemember);
  await session.publishTimes.persist();
}

async function enforce(project: Project, session: Session, lockedBefore: ReadonlySet<string>, report: Report, cache: Cache | undefined) {
  const findings = await evaluateProject(project, session, lockedBefore, report, {cache});
  reportFindings(project, session, await toldOnce(session, findings), report);
  reportFindingObjects(session, findings, report);

  const blocking = findings.filter(isBlocking);
  // The plugin's part ends here, unless archives are still to be held to their documents after the fetch.
  if (blocking.length > 0 || session.scriptsToConfirm.length === 0)
    reportSummaryObject(session, report);
  await rememberBlocked(project, blocking);
  if (blocking.length > 0)
    throw new ReportError(MessageName.UNNAMED, `Quarantine: ${formatCounts(blocking)}; ${describeStop(project, lockedBefore)}, and the lockfile was not written`);
}

/**
 * An old locked trust downgrade is a warning line an install gives once per project and machine: it is what a
 * publishing pipeline that regressed leaves behind, and repeated on every install it would teach
 * people to ignore the plugin's warnings. `--json` and `yarn quarantine check` list it every time.
 */
async function toldOnce(session: Session, findings: ReadonlyArray<Finding>): Promise<Array<Finding>> {
  const {warnedDowngrades} = session.publishTimes;
  const isOldDowngrade = (finding: Finding) => finding.trust?.oldLocked === true && finding.severity === `warning`;
  const shown = findings.filter(finding => !(isOldDowngrade(finding) && warnedDowngrades.has(finding.name, finding.version!)));
  const told = shown.filter(isOldDowngrade);
  for (const finding of told)
    warnedDowngrades.add(finding.name, finding.version!);
  if (told.length > 0)
    await session.publishTimes.persist();
  return shown;
}

/**
 * A range with no eligible version, or a non-registry sub-dependency, stops resolution where it is
 * met, with Yarn's error line: `--json` gets its object, those of the versions held back before it,
 * and the summary. A failure of Yarn's own is no part of the plugin's.
 */
function reportResolutionStop(session: Session, report: Report) {
  if (session.resolutionStop === null)
    return;
  reportFindingObjects(session, [...session.resolutionFindings.values(), session.resolutionStop], report);
  reportSummaryObject(session, report);
}

/**
 * Git, tarball and `exec:` packages that were not locked are fetched while Yarn resolves them (the
 * ones the project itself lists or approves; others are stopped as their edge is seen): the line says so.
 */
function describeStop(project: Project, lockedBefore: ReadonlySet<string>) {
  const fetched = new Set<string>();
  for (const pkg of project.storedPackages.values()) {
    if (lockedBefore.has(pkg.locatorHash) || structUtils.isVirtualLocator(pkg))
      continue;
    const resolved = resolvedSourceOf(pkg);
    if (resolved.kind === `other` && (resolved.label === `git` || resolved.label === `a tarball URL` || resolved.label === `exec:`))
      fetched.add(structUtils.prettyLocator(project.configuration, pkg));
  }
  if (fetched.size === 0)
    return `the install stopped before fetching anything`;
  return `the install stopped before the fetch step; only ${[...fetched].join(`, `)}, which the project lists or approves, ${fetched.size === 1 ? `was` : `were`} fetched while resolving`;
}
