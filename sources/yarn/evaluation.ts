import {type Cache, Configuration, type Descriptor, type Ident, type LocatorHash, miscUtils, type Project, Report} from '@yarnpkg/core';

import {noteExpiredApproval} from '../rules/expiredApprovals';
import type {Finding, ScriptChange} from '../rules/finding';
import {checkChecksums, checkLockfile, checkLockfileFormat, type LockedArchiveUrl, type LockedDependencies} from '../rules/lockfile';
import {checkNewDependencies, checkNonRegistrySources, type NewDependencyFacts, workspacesDeclaredBefore} from '../rules/newDependencies';
import type {InstallScriptsFact} from '../rules/installScript';
import {checkInstallScripts, type ScriptsRun, type ScriptUpdate} from '../rules/installScripts';
import {checkReleaseAge, needsPublishTime, type ReleaseFact} from '../rules/releaseAge';
import {checkTrust, type TrustSubject, updatedFromOf} from '../rules/trust';
import {findMatchingPattern} from '../policy/pattern';
import {committedArchives} from './committedCache';
import {describeDependencies, digestOf, normalizedDependencies} from './dependencyList';
import {type DependencyGraph, type NpmPackage, type ProjectWalk, walkProject} from './graph';
import {MIGRATED_BY_LOCKFILE} from './lockfileMigration';
import {rcFilesOf} from './projectPaths';
import type {Session} from './session';
import {verifiedGraphKey} from './verifiedGraph';

/**
 * Every rule over a resolved project: what the install gate enforces and `yarn quarantine check`
 * reports. `lockedBefore` holds the locator hashes that count as locked (not new) for this command;
 * `fromLockfile` those whose data came from yarn.lock rather than from a resolver (for an install, the
 * same); `cache` is the cache the install will take archives from.
 */
export async function evaluateProject(project: Project, session: Session, lockedBefore: ReadonlySet<string>, report: Report, {cache, fromLockfile = lockedBefore}: {cache?: Cache, fromLockfile?: ReadonlySet<string>} = {}): Promise<Array<Finding>> {
  const {policy} = session;
  // The one walk of this evaluation: every rule and every finding's path read the same graph.
  const graph = walkProject(project, lockedBefore);
  const {npmPackages} = graph;
  const scriptUpdates = updatesToJudgeForScripts(session, npmPackages);
  for (const {pkg} of scriptUpdates)
    session.publishTimes.readFullDocumentOf(pkg.ident);
  const trustJudged = versionsToJudgeForTrust(session, npmPackages, lockedBefore);
  for (const {pkg, updatedFrom} of trustJudged)
    if ([pkg.version, ...updatedFrom === null ? [] : [updatedFrom]].some(version => !session.publishTimes.knowsTrustOf(pkg.ident, version)))
      session.publishTimes.readFullDocumentOf(pkg.ident);
  const releaseFacts = policy.periodMs === 0 ? [] : await gatherReleaseFacts(project, session, npmPackages, lockedBefore, report);
  const resolutionFindings = [...session.resolutionFindings.values()];
  session.resolutionFindings.clear();

  const newDependencies = newDependencyFacts(project, session, graph);
  // Read once, and only when some package's scripts are judged: it reads the project's rc file.
  let scriptsSetting: Promise<ScriptsSetting> | undefined;
  const scriptsSettingOnce = () => scriptsSetting ??= scriptsSettingOf(project);
  const scriptFacts = await gatherScriptUpdates(project, session, scriptUpdates, lockedBefore, scriptsSettingOnce);
  const trustSubjects = await gatherTrustSubjects(session, trustJudged, lockedBefore, releaseFacts);
  const newPackages = await gatherNewPackageScripts(project, session, npmPackages, scriptsSettingOnce);
  session.scriptsToConfirm = [
    ...scriptUpdates.map(({pkg}, index) => ({pkg, ...scriptFacts[index]})),
    ...newPackages.values(),
  ].flatMap(({pkg, scripts, run}) =>
    scripts.kind === `known` && run.runs ? [{name: pkg.name, version: pkg.version, locatorHashes: pkg.locatorHashes, scripts: scripts.scripts, path: pkg.path}] : []);
  const seenAtResolution = new Set(resolutionFindings.map(finding => `${finding.kind} ${finding.name}`));
  const findings = [
    ...resolutionFindings,
    ...(await lockfileFindings(project, session, graph, npmPackages, {lockedBefore, fromLockfile, cache})).filter(finding => !seenAtResolution.has(`${finding.kind} ${finding.name}`)),
    ...checkReleaseAge(releaseFacts, policy, session.now),
    ...checkNewDependencies(newDependencies, policy),
    ...checkNonRegistrySources(newDependencies, policy).filter(finding => !seenAtResolution.has(`${finding.kind} ${finding.name}`)),
    ...checkInstallScripts(scriptFacts, policy),
    ...checkTrust(trustSubjects, policy, session.now),
  ];
  describeNewPackagesScripts(newPackages, findings);
  reportUnknownOnce(findings);

  attachPaths(graph, findings);
  attachProtocols(npmPackages, findings);
  await session.publishTimes.persist();
  return findings.map(finding => noteExpiredApproval(finding, policy));
}

/**
 * The lockfile rule over the project (nothing under `quarantineLockfile: trust`). A graph already
 * verified under the same lockfile, manifests and settings is the same graph: only the committed
 * archives, which can change under an unchanged lockfile, are looked at again.
 */
async function lockfileFindings(project: Project, session: Session, graph: DependencyGraph, npmPackages: ReadonlyArray<NpmPackage>, {lockedBefore, fromLockfile, cache}: {lockedBefore: ReadonlySet<string>, fromLockfile: ReadonlySet<string>, cache?: Cache}): Promise<Array<Finding>> {
  const {policy} = session;
  session.archivesToRemember = [];
  session.graphToRemember = null;
  if (policy.lockfile === `trust`)
    return [];

  const committed = committedArchives(project, lockedBefore, session.publishTimes.verifiedArchives, cache);
  session.archivesToRemember = committed.matching;
  const graphKey = verifiedGraphKey(project, session);
  const graphVerified = graphKey !== null && session.publishTimes.verifiedGraphs.has(graphKey);
  session.graphToRemember = graphVerified ? null : graphKey;

  return [
    ...checkLockfile({
      edges: graphVerified ? [] : graph.edges,
      transparentWorkspaces: project.configuration.get(`enableTransparentWorkspaces`),
      archiveUrls: graphVerified ? [] : await gatherArchiveUrls(session, npmPackages, lockedBefore),
      dependencies: graphVerified ? [] : await gatherDependencyLists(project, session, npmPackages, lockedBefore, fromLockfile),
      archives: committed.archives,
    }, policy),
    ...(session.onDisk !== null && session.baseline !== null ? checkChecksums({current: session.onDisk, base: session.baseline}, policy) : []),
    ...checkLockfileFormat({
      current: session.onDisk?.formatVersion ?? null,
      base: session.baseline?.formatVersion ?? null,
      // Settings this Yarn release knows and the project leaves to their default: what a migration would set.
      unset: MIGRATED_BY_LOCKFILE.filter(name => project.configuration.settings.has(name) && typeof project.configuration.sources.get(name) === `undefined`),
    }, policy),
  ];
}

async function gatherReleaseFacts(project: Project, session: Session, npmPackages: ReadonlyArray<NpmPackage>, lockedBefore: ReadonlySet<string>, report: Report): Promise<Array<ReleaseFact>> {
  const {policy} = session;
  const packages = npmPackages.filter(pkg => needsPublishTime(pkg.name, pkg.version, policy) && !(isLocked(pkg, lockedBefore) && policy.lockfile === `trust`));
  return await lookUpReleaseFacts(project, session, packages, lockedBefore, report);
}

/** What the release-age rule reads of each of these npm versions; `yarn quarantine why` reads the same of the versions it explains. */
export async function lookUpReleaseFacts(project: Project, session: Session, packages: ReadonlyArray<NpmPackage>, lockedBefore: ReadonlySet<string>, report: Report): Promise<Array<ReleaseFact>> {
  return await mapWithProgress(project.configuration, report, packages, async pkg => {
    const publishTime = await session.publishTimes.timeOf(pkg.ident, pkg.version);
    return {name: pkg.name, version: pkg.version, locked: isLocked(pkg, lockedBefore), publishTime, path: pkg.path};
  });
}

/** Registry lookups, concurrently, shown through Yarn's progress report as its fetch step shows its own. */
export async function mapWithProgress<T, R>(configuration: Configuration, report: Report, items: ReadonlyArray<T>, fn: (item: T) => Promise<R>): Promise<Array<R>> {
  const progress = Report.progressViaCounter(items.length);
  const reporting = report.reportProgress(progress);
  try {
    return await mapConcurrently(configuration, items, async item => {
      const result = await fn(item);
      progress.tick();
      return result;
    });
  } finally {
    reporting.stop();
  }
}

function isLocked(pkg: NpmPackage, lockedBefore: ReadonlySet<string>) {
  return pkg.locatorHashes.every(hash => lockedBefore.has(hash));
}

/**
 * Versions whose locators carry an archive URL of their own (`__archiveUrl`), with where the registry
 * serves them. The same lookups as the publish times: after them, these come from memory or the cache.
 */
async function gatherArchiveUrls(session: Session, npmPackages: ReadonlyArray<NpmPackage>, lockedBefore: ReadonlySet<string>): Promise<Array<LockedArchiveUrl>> {
  const bound = npmPackages.flatMap(pkg => pkg.archiveUrls.map(({url, locatorHash}) => ({pkg, url, locked: lockedBefore.has(locatorHash)})));
  return await mapConcurrently(session.project.configuration, bound, async ({pkg, url, locked}) => {
    const registry = await session.publishTimes.archiveOf(pkg.ident, pkg.version);
    return {name: pkg.name, version: pkg.version, locked, archiveUrl: session.publishTimes.canonicalArchiveUrl(pkg.ident, pkg.version, url), registry};
  });
}

/**
 * Registry packages whose dependency list came from yarn.lock and differs from what the registry's
 * manifest of that version declares. A digest settles most of them without the registry (the
 * release-time cache keeps one per version); a differing digest is confirmed against the registry.
 */
async function gatherDependencyLists(project: Project, session: Session, npmPackages: ReadonlyArray<NpmPackage>, lockedBefore: ReadonlySet<string>, fromLockfile: ReadonlySet<string>): Promise<Array<LockedDependencies>> {
  const {configuration} = project;
  const candidates = npmPackages.flatMap(pkg => {
    const lists = new Map<string, Array<Descriptor>>();
    let locked = false;
    for (const hash of pkg.locatorHashes) {
      const original = fromLockfile.has(hash) ? project.originalPackages.get(hash as LocatorHash) : undefined;
      if (!original)
        continue;
      const descriptors = normalizedDependencies(configuration, original.dependencies);
      lists.set(digestOf(descriptors), descriptors);
      locked ||= lockedBefore.has(hash);
    }
    return lists.size > 0 ? [{pkg, lists, locked}] : [];
  });

  const mismatches = await mapConcurrently(configuration, candidates, async ({pkg, lists, locked}) => {
    let registry = await session.publishTimes.dependenciesOf(pkg.ident, pkg.version);
    const cachedDigest = registry.kind === `declared` ? registry.digest : null;
    if ([...lists.keys()].every(digest => digest === cachedDigest))
      return [];
    if (registry.kind === `declared` && registry.list === null)
      registry = await session.publishTimes.dependenciesOf(pkg.ident, pkg.version, {fresh: true});
    // A version the registry cannot describe is the release-age rule's to report (no longer served, registry error).
    if (registry.kind !== `declared` || registry.list === null)
      return [];
    const declared = registry;
    return [...lists].filter(([digest]) => digest !== declared.digest).map(([, descriptors]) => ({name: pkg.name, version: pkg.version, locked, lockfile: describeDependencies(descriptors), registry: declared.list!}));
  });
  return mismatches.flat();
}

function updatesToJudgeForScripts(session: Session, npmPackages: ReadonlyArray<NpmPackage>) {
  const {policy, baseline} = session;
  if (policy.installScripts === `off` || baseline === null)
    return [];
  return npmPackages.flatMap(pkg => {
    const before = baseline.versionsByName.get(pkg.name);
    if (!before || before.includes(pkg.version) || findMatchingPattern(policy.approvedScripts, pkg.name, pkg.version) !== null)
      return [];
    return [{pkg, before}];
  });
}

/**
 * Versions that replaced every baseline version of their name, with the install scripts of each and
 * of the baseline's versions, from the one document their publish times came from.
 */
async function gatherScriptUpdates(project: Project, session: Session, updates: ReadonlyArray<{pkg: NpmPackage, before: ReadonlyArray<string>}>, lockedBefore: ReadonlySet<string>, scriptsSetting: () => Promise<ScriptsSetting>): Promise<Array<ScriptUpdate>> {
  if (updates.length === 0)
    return [];
  const setting = await scriptsSetting();
  return await mapConcurrently(project.configuration, updates, async ({pkg, before}) => ({
    name: pkg.name,
    version: pkg.version,
    scripts: await session.publishTimes.installScriptsOf(pkg.ident, pkg.version),
    baseline: await Promise.all(before.map(async version => ({version, scripts: await session.publishTimes.installScriptsOf(pkg.ident, version)}))),
    run: scriptsRunOf(project, setting, pkg.ident, pkg.version),
    locked: isLocked(pkg, lockedBefore),
  }));
}

/**
 * Whether scripts run on this machine, and in the project as its own `.yarnrc.yml` and the Yarn
 * release have it: a variable or an rc file outside the project's root changes this machine only,
 * and the lockfile this command writes goes to every machine.
 */
type ScriptsSetting = {here: boolean, inProject: boolean, setHereBy: string | null};

async function scriptsSettingOf(project: Project): Promise<ScriptsSetting> {
  const {configuration} = project;
  const here = configuration.get(`enableScripts`);
  const rootRc = (await Configuration.findRcFiles(project.cwd)).find(rc => rc.cwd === project.cwd);
  const rootValue = (rootRc?.data as Record<string, unknown> | undefined)?.enableScripts;
  const releaseDefault = (configuration.settings.get(`enableScripts`) as {default?: unknown} | undefined)?.default === true;
  const inProject = typeof rootValue === `undefined` ? releaseDefault : enablesScripts(rootValue);
  const source = configuration.sources.get(`enableScripts`) ?? null;
  const setHereBy = source === null ? null : source.includes(`<environment>`) ? `YARN_ENABLE_SCRIPTS` : rcFilesOf(source).join(`, `);
  return {here, inProject, setHereBy};
}

/**
 * The project's own value as Yarn reads it (`true`, `1`, `"true"`...). One that names an environment
 * variable (`${SCRIPTS:-true}`) is on wherever that variable says so, and one Yarn would refuse says
 * nothing: both count as on.
 */
function enablesScripts(value: unknown) {
  if (typeof value === `string` && value.includes(`\${`))
    return true;
  try {
    return miscUtils.parseBoolean(value);
  } catch {
    return true;
  }
}

/** As Yarn's link step decides: `built: false` keeps a package from building, `built: true` lets it build without `enableScripts`. */
function scriptsRunOf(project: Project, setting: ScriptsSetting, ident: Ident, version: string): ScriptsRun {
  const {built} = project.getDependencyMeta(ident, version);
  if (built === false)
    return {runs: false, because: `built`};
  if (built === true || setting.here)
    return {runs: true};
  return setting.inProject ? {runs: true, offHereBy: setting.setHereBy ?? `enableScripts`} : {runs: false, because: `enableScripts`};
}

type NewPackageScripts = {pkg: NpmPackage, scripts: InstallScriptsFact, run: ScriptsRun};

/**
 * What each package the baseline never had runs at install, from the document its publish time came
 * from: its new sub-dependency line says so, and its archive is held to it after the fetch (approved
 * or declared ones pass the new sub-dependency rule). Keyed by `name@version`.
 */
async function gatherNewPackageScripts(project: Project, session: Session, npmPackages: ReadonlyArray<NpmPackage>, scriptsSetting: () => Promise<ScriptsSetting>): Promise<Map<string, NewPackageScripts>> {
  const {baseline, policy} = session;
  if (baseline === null || policy.installScripts === `off`)
    return new Map();
  const newPackages = npmPackages.filter(pkg => !baseline.versionsByName.has(pkg.name));
  if (newPackages.length === 0)
    return new Map();
  const setting = await scriptsSetting();
  const facts = await mapConcurrently(project.configuration, newPackages, async pkg => ({
    pkg,
    scripts: await session.publishTimes.installScriptsOf(pkg.ident, pkg.version, {fullDocument: false}),
    run: scriptsRunOf(project, setting, pkg.ident, pkg.version),
  }));
  return new Map(facts.map(fact => [`${fact.pkg.name}@${fact.pkg.version}`, fact]));
}

/** A new sub-dependency's line says what it would run at install: plain-crypto-js came with a postinstall. */
function describeNewPackagesScripts(newPackages: ReadonlyMap<string, NewPackageScripts>, findings: Array<Finding>) {
  for (let index = 0; index < findings.length; index++) {
    const finding = findings[index];
    const fact = finding.kind === `new-sub-dependency` ? newPackages.get(`${finding.name}@${finding.version}`) : undefined;
    if (!fact || fact.scripts.kind === `unknown`)
      continue;
    const scripts = fact.scripts.kind === `known`
      ? Object.entries(fact.scripts.scripts).map(([script, command]) => ({script, command, previous: null}) as ScriptChange)
      : null;
    findings[index] = {...finding, scripts, scriptsRun: fact.run.runs};
  }
}

/**
 * A version the registry cannot describe is reported once: by the release-age rule when it judged it,
 * else by the install-script rule, as long as that finding stops the command as surely (a warning
 * must not stand in for an error).
 */
function reportUnknownOnce(findings: Array<Finding>) {
  const keyOf = (finding: Finding) => `${finding.name}@${finding.version}`;
  const byReleaseAge = new Set(findings.filter(finding => finding.rule === `release-age`).map(keyOf));
  const byScripts = new Map(findings.filter(finding => finding.kind === `install-scripts-unknown`).map(finding => [keyOf(finding), finding.severity]));
  for (let index = findings.length - 1; index >= 0; index--) {
    const {kind, severity} = findings[index];
    const key = keyOf(findings[index]);
    const toldByScripts = byScripts.has(key) && (byScripts.get(key) === `error` || severity !== `error`);
    if ((kind === `install-scripts-unknown` && byReleaseAge.has(key)) || (kind === `trust-unknown` && (byReleaseAge.has(key) || toldByScripts)))
      findings.splice(index, 1);
  }
}

/**
 * Every npm version of the graph, locked ones too under `quarantineLockfile: verify`, as the release-age
 * rule judges them, with the baseline version each replaced. Exempt versions are left out here already,
 * so that no document is read for them.
 */
function versionsToJudgeForTrust(session: Session, npmPackages: ReadonlyArray<NpmPackage>, lockedBefore: ReadonlySet<string>) {
  const {policy} = session;
  if (policy.trustPolicy === `off`)
    return [];
  const inGraph = new Map<string, Set<string>>();
  for (const pkg of npmPackages)
    miscUtils.getSetWithDefault(inGraph, pkg.name).add(pkg.version);
  return npmPackages.filter(pkg => !(isLocked(pkg, lockedBefore) && policy.lockfile === `trust`)
    && findMatchingPattern(policy.trustExemptPackages, pkg.name, pkg.version) === null).map(pkg => {
    const before = session.baseline?.versionsByName.get(pkg.name);
    return {pkg, updatedFrom: before && !before.includes(pkg.version) ? updatedFromOf(pkg.version, before, inGraph.get(pkg.name)!) : null};
  });
}

/**
 * How each version was published, against its line and against the baseline version it replaced,
 * from the one document its publish time came from. A package whose registry records no evidence,
 * or that offline mode leaves without the document, is counted for the summary instead.
 */
async function gatherTrustSubjects(session: Session, packages: ReadonlyArray<{pkg: NpmPackage, updatedFrom: string | null}>, lockedBefore: ReadonlySet<string>, releaseFacts: ReadonlyArray<ReleaseFact>): Promise<Array<TrustSubject>> {
  const {publishTimes} = session;
  const offline = session.project.configuration.get(`enableOfflineMode`);
  const times = new Map(releaseFacts.map(fact => [`${fact.name}@${fact.version}`, fact.publishTime]));
  const {noEvidence, unreadOffline} = session.trustNotCompared;
  noEvidence.clear();
  unreadOffline.clear();
  const subjects = await mapConcurrently(session.project.configuration, packages, async ({pkg, updatedFrom: from}) => {
    const fact = await publishTimes.trustFactOf(pkg.ident, pkg.version);
    if (fact.kind === `no-evidence` || (fact.kind === `unknown` && offline)) {
      (fact.kind === `no-evidence` ? noEvidence : unreadOffline).add(pkg.name);
      return [];
    }
    const time = times.get(`${pkg.name}@${pkg.version}`) ?? await publishTimes.timeOf(pkg.ident, pkg.version);
    return [{
      name: pkg.name,
      version: pkg.version,
      locked: isLocked(pkg, lockedBefore),
      publishedAt: time.kind === `known` ? time.at : null,
      fact,
      updatedFrom: from === null ? null : {version: from, fact: await publishTimes.trustFactOf(pkg.ident, from)},
    }];
  });
  return subjects.flat();
}

function newDependencyFacts(project: Project, session: Session, {nodes, paths}: ProjectWalk): NewDependencyFacts {
  const {baseline} = session;
  const workspaces = project.workspaces.flatMap(workspace => {
    const node = nodes.get(workspace.anchoredLocator.locatorHash);
    return node ? [{id: node.id, name: node.name, path: workspace.relativeCwd, node}] : [];
  });
  const baselineDeclarations: Map<string, ReadonlySet<string> | null> = baseline === null
    ? new Map()
    : baseline.workspaceDeclarations !== null
      ? workspacesDeclaredBefore(workspaces, baseline.workspaceDeclarations)
      // A Yarn 1 lockfile has no workspace entries: what it already locked counts as declared before.
      : new Map(workspaces.map(({id, node}) => [id, new Set(node.dependencies.filter(edge => baseline.versionsByName.has(nodes.get(edge.to)?.name ?? ``)).map(edge => edge.declaredName))]));
  const {names, sources} = session.listings;
  return {baseline: baseline?.versionsByName ?? null, nodes, baselineDeclarations, listed: names, listedSources: sources, paths};
}

function attachPaths({npmPackages}: ProjectWalk, findings: Array<Finding>) {
  const byName = new Map(npmPackages.filter(pkg => pkg.path.length > 0).map(pkg => [`${pkg.name}@${pkg.version}`, pkg.path]));
  for (let index = 0; index < findings.length; index++) {
    const path = byName.get(`${findings[index].name}@${findings[index].version}`);
    if (path && findings[index].path.length === 0)
      findings[index] = {...findings[index], path};
  }
}

/** Findings on a package the project reaches through `jsr:` name it as declared, not by its `@jsr/` npm name. */
function attachProtocols(npmPackages: ReadonlyArray<NpmPackage>, findings: Array<Finding>) {
  const viaJsr = new Set(npmPackages.filter(pkg => pkg.protocol === `jsr:`).map(pkg => `${pkg.name}@${pkg.version}`));
  if (viaJsr.size === 0)
    return;
  for (let index = 0; index < findings.length; index++) {
    if (viaJsr.has(`${findings[index].name}@${findings[index].version}`))
      findings[index] = {...findings[index], protocol: `jsr:`};
  }
}

/** As many lookups in flight as Yarn itself allows requests: latency, not bandwidth, bounds a cold check. */
async function mapConcurrently<T, R>(configuration: Configuration, items: ReadonlyArray<T>, fn: (item: T) => Promise<R>): Promise<Array<R>> {
  const limit = configuration.get(`networkConcurrency`) || 50;
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker));
  return results;
}
