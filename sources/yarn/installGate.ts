import {MessageName, type Project, Report, ReportError} from '@yarnpkg/core';

import {isBlocking, type Finding} from '../rules/finding';
import {checkReleaseAge, needsPublishTime, type ReleaseFact} from '../rules/releaseAge';
import {checkNewDependencies, type NewDependencyFacts} from '../rules/newDependencies';
import {collectDependencyGraph, collectNpmPackages, pathsFromWorkspaces} from './graph';
import {formatCounts, formatFinding, formatPolicy, formatStats} from './reporting';
import {toEnvironmentName} from '../settings';
import {sessionFor, type Session} from './session';

type ResolveEverything = Project[`resolveEverything`];
type ValidationReport = {reportWarning: (name: MessageName, text: string) => void, reportError: (name: MessageName, text: string) => void};

const ARMED = Symbol.for(`yarn-plugin-quarantine/install-gate`);

/**
 * The `validateProject` hook: the last point before resolution. A bad policy stops the install
 * here; otherwise the project's `resolveEverything` is wrapped so the policy is enforced between
 * resolution and fetch, where Yarn offers no hook of its own.
 */
export function validateProject(project: Project, report: ValidationReport) {
  let session: Session;
  try {
    session = sessionFor(project);
  } catch (error) {
    report.reportError(error instanceof ReportError ? error.reportCode : MessageName.INVALID_CONFIGURATION_VALUE, (error as Error).message);
    return;
  }

  const target = project as Project & {[ARMED]?: true};
  if (target[ARMED])
    return;
  target[ARMED] = true;

  // Read now, before anything can rewrite the lockfile.
  void session.baseline;

  const resolveEverything: ResolveEverything = project.resolveEverything.bind(project);
  project.resolveEverything = async opts => {
    const lockedBefore = new Set(project.originalPackages.keys());
    await resolveEverything(opts);
    await enforce(project, session, lockedBefore, opts.report);
  };
}

async function enforce(project: Project, session: Session, lockedBefore: ReadonlySet<string>, report: Report) {
  const {configuration} = project;
  const {policy} = session;

  const facts = policy.periodMs === 0 ? [] : await gatherReleaseFacts(project, session, lockedBefore, report);
  const resolutionFindings = [...session.resolutionFindings.values()];
  session.resolutionFindings.clear();

  const findings = [...resolutionFindings, ...checkReleaseAge(facts, policy, session.now), ...checkNewDependencies(newDependencyFacts(project, session), policy)];

  if (findings.some(isBlocking))
    attachPaths(project, findings);

  for (const finding of findings) {
    const line = formatFinding(configuration, finding);
    if (finding.severity === `error`)
      report.reportError(MessageName.UNNAMED, line);
    else if (finding.severity === `warning`)
      report.reportWarning(MessageName.UNNAMED, line);
    else
      report.reportInfo(MessageName.UNNAMED, line);
  }

  if (session.baseline === null && policy.newDependencies !== `off`)
    report.reportInfo(MessageName.UNNAMED, `Quarantine: no yarn.lock before this command, so no baseline: the new sub-dependency rule has nothing to compare against and stays silent`);

  await session.publishTimes.persist();
  report.reportInfo(MessageName.UNNAMED, `Quarantine: ${formatStats(configuration, session.publishTimes.stats)}; policy: ${formatPolicy(configuration, policy)}`);
  for (const name of policy.setByEnvironment)
    report.reportWarning(MessageName.UNNAMED, `Quarantine: ${name} was set by an environment variable (YARN_${toEnvironmentName(name)}), not by .yarnrc.yml`);

  const blocking = findings.filter(isBlocking);
  if (blocking.length > 0)
    throw new ReportError(MessageName.UNNAMED, `Quarantine: ${formatCounts(blocking)}; the install stopped before fetching anything, and the lockfile was not written`);
}

async function gatherReleaseFacts(project: Project, session: Session, lockedBefore: ReadonlySet<string>, report: Report): Promise<Array<ReleaseFact>> {
  const {policy} = session;
  const packages = collectNpmPackages(project)
    .map(pkg => ({pkg, locked: pkg.locatorHashes.every(hash => lockedBefore.has(hash))}))
    .filter(({pkg, locked}) => needsPublishTime(pkg.name, pkg.version, policy) && !(locked && policy.lockfile === `trust`));

  const progress = Report.progressViaCounter(packages.length);
  const reporting = report.reportProgress(progress);
  try {
    // As many lookups in flight as Yarn itself allows requests: latency, not bandwidth, bounds a cold check.
    return await mapConcurrently(packages, project.configuration.get(`networkConcurrency`) || 50, async ({pkg, locked}) => {
      const publishTime = await session.publishTimes.timeOf(pkg.ident, pkg.version);
      progress.tick();
      return {name: pkg.name, version: pkg.version, locked, publishTime, path: []};
    });
  } finally {
    reporting.stop();
  }
}

function newDependencyFacts(project: Project, session: Session): NewDependencyFacts {
  const {baseline} = session;
  const nodes = collectDependencyGraph(project);
  const baselineDeclarations = new Map<string, ReadonlySet<string> | null>();
  for (const node of nodes.values()) {
    if (!node.isWorkspace || baseline === null)
      continue;
    if (baseline.workspaceDeclarations !== null) {
      baselineDeclarations.set(node.id, baseline.workspaceDeclarations.get(node.label) ?? null);
    } else {
      // A Yarn 1 lockfile has no workspace entries: what it already locked counts as declared before.
      baselineDeclarations.set(node.id, new Set(node.dependencies.filter(edge => baseline.versionsByName.has(nodes.get(edge.to)?.name ?? ``)).map(edge => edge.declaredName)));
    }
  }
  return {baseline: baseline?.versionsByName ?? null, nodes, baselineDeclarations, listed: session.listings.names};
}

function attachPaths(project: Project, findings: Array<Finding>) {
  const paths = pathsFromWorkspaces(project);
  const byName = new Map<string, Array<string>>();
  for (const pkg of collectNpmPackages(project)) {
    const path = pkg.locatorHashes.map(hash => paths.get(hash)).find(Boolean);
    if (path)
      byName.set(`${pkg.name}@${pkg.version}`, path);
  }
  for (let index = 0; index < findings.length; index++) {
    const path = byName.get(`${findings[index].name}@${findings[index].version}`);
    if (path && findings[index].path.length === 0)
      findings[index] = {...findings[index], path};
  }
}

async function mapConcurrently<T, R>(items: ReadonlyArray<T>, limit: number, fn: (item: T) => Promise<R>): Promise<Array<R>> {
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
