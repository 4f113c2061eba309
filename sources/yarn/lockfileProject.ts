import {type Configuration, LegacyMigrationResolver, type Locator, MessageName, Project, ReportError, semverUtils, structUtils, ThrowReport} from '@yarnpkg/core';
import {Filename, type PortablePath, ppath, xfs} from '@yarnpkg/fslib';
import {parseSyml} from '@yarnpkg/parsers';

import type {Finding} from '../rules/finding';
import {checkLockfile, type ResolvedEdge} from '../rules/lockfile';
import {readBaselineAt} from './baseline';
import {printable} from './messages';
import {importedEdge} from './packageSource';
import {sessionFor, type Session} from './session';

export type LockedProject = {
  project: Project;
  session: Session;
  /** Locator hashes that count as locked: the lockfile's own, or those of the `--since` revision. */
  lockedBefore: Set<string>;
};

/**
 * The project as its lockfile describes it, resolved from `yarn.lock` alone: without the network,
 * without writing anything, and without the install state (`.yarn/install-state.gz` is a file a
 * pull request can write as easily as the lockfile). `since` takes the baseline from `yarn.lock` at
 * a git revision.
 */
export async function openLockedProject(configuration: Configuration, cwd: PortablePath, {since}: {since?: string} = {}): Promise<LockedProject> {
  const {project} = await Project.find(configuration, cwd);
  const session = sessionFor(project);
  return {project, session, lockedBefore: await resolveFromLockfile(project, session, {since})};
}

/** Resolves an opened project from its lockfile; returns the locator hashes that count as locked. */
export async function resolveFromLockfile(project: Project, session: Session, {since}: {since?: string} = {}): Promise<Set<string>> {
  if (session.baseline === null)
    throw new ReportError(MessageName.UNNAMED, `there is no yarn.lock to check. Fix: run yarn install first`);
  if (typeof since !== `undefined`)
    session.useBaseline(await readBaselineAt(project, since));

  // A lockfile from an older Yarn is one Yarn wants to refresh from the network; as it stands, it
  // still says which packages the project has, which is all these commands read.
  project.lockfileNeedsRefresh = false;
  try {
    await project.resolveEverything({lockfileOnly: true, report: new ThrowReport()});
  } catch (error) {
    throw new ReportError(MessageName.UNNAMED, `yarn.lock does not cover the project's dependencies (${printable((error as Error).message)}). Fix: run yarn install first`);
  }

  assertWorkspaceEntriesMatch(project);
  return typeof since !== `undefined` ? new Set(session.baseline!.locatorHashes) : new Set(project.originalPackages.keys());
}

/**
 * Resolving from the lockfile alone takes each workspace's dependencies from its lockfile entry, not
 * from its package.json: an entry that lost a dependency would hide that dependency's whole subtree
 * from every rule. The manifests are what the user listed; the lockfile must match them.
 */
function assertWorkspaceEntriesMatch(project: Project) {
  const {configuration} = project;
  for (const workspace of project.workspaces) {
    const entry = project.originalPackages.get(workspace.anchoredLocator.locatorHash);
    const declared = configuration.normalizeDependencyMap(new Map([...workspace.manifest.dependencies, ...workspace.manifest.devDependencies]));
    const lockedDescriptors = [...entry?.dependencies.values() ?? []];
    const locked = new Set(lockedDescriptors.map(descriptor => descriptor.descriptorHash));
    const missing = [...declared.values()].filter(descriptor => !locked.has(descriptor.descriptorHash)).map(descriptor => structUtils.stringifyDescriptor(descriptor));
    const extra = lockedDescriptors.filter(descriptor => !declared.has(descriptor.identHash)).map(descriptor => structUtils.stringifyDescriptor(descriptor));
    if (missing.length > 0 || extra.length > 0) {
      const what = [missing.length > 0 ? `its package.json declares ${missing.join(`, `)}, which its entry does not list` : null, extra.length > 0 ? `its entry lists ${extra.join(`, `)}, which its package.json does not declare` : null].filter(Boolean).join(`; `);
      throw new ReportError(MessageName.UNNAMED, `yarn.lock does not match ${structUtils.prettyLocator(configuration, workspace.anchoredLocator)}: ${printable(what)}. Fix: run yarn install to bring yarn.lock in line with the manifests`);
    }
  }
}

/** Whether `yarn.lock` is a Yarn 1 lockfile, which only an install can turn into a graph (by migrating it). */
export function isYarnClassicLockfile(session: Session) {
  return session.onDisk !== null && session.onDisk.workspaceDeclarations === null;
}

/**
 * What Yarn's migration would make of each entry of a Yarn 1 lockfile, judged by the lockfile rule:
 * an entry whose `resolved` URL turns a declared registry range into git or a tarball is a finding,
 * before any install clones or downloads it.
 */
export async function judgeClassicLockfile(project: Project, session: Session): Promise<Array<Finding>> {
  const migration = new LegacyMigrationResolver(project.configuration.makeResolver());
  await migration.setup(project, {report: new ThrowReport()});
  // Yarn keeps the import it prepared in a private field; its shape is checked before it is read.
  const resolutions = (migration as unknown as {resolutions?: unknown}).resolutions;
  if (!(resolutions instanceof Map))
    throw new ReportError(MessageName.UNNAMED, `yarn.lock is a Yarn 1 lockfile, which this Yarn release migrates in a way the plugin cannot read. Fix: run yarn install to migrate it (the install judges each entry as Yarn migrates it)`);

  const declaredBy = new Map<string, string>();
  for (const workspace of project.workspaces)
    for (const descriptor of [...workspace.manifest.dependencies.values(), ...workspace.manifest.devDependencies.values()])
      declaredBy.set(project.configuration.normalizeDependency(descriptor).descriptorHash, structUtils.stringifyLocator(workspace.anchoredLocator));

  const document = parseSyml(await xfs.readFilePromise(ppath.join(project.cwd, Filename.lockfile), `utf8`)) as Record<string, unknown>;
  const edges: Array<ResolvedEdge> = [];
  for (const key of Object.keys(document)) {
    for (const part of key.split(/\s*,\s*/)) {
      const parsed = structUtils.tryParseDescriptor(part, false);
      if (parsed === null)
        continue;
      // The migration's own normalization: a bare semver range is an npm range.
      const descriptor = semverUtils.validRange(parsed.range) ? structUtils.makeDescriptor(parsed, `npm:${parsed.range}`) : parsed;
      const imported = (resolutions as Map<string, Locator>).get(descriptor.descriptorHash);
      if (typeof imported === `undefined`)
        continue;
      edges.push(importedEdge(descriptor, imported, declaredBy.get(descriptor.descriptorHash) ?? `a dependency`));
    }
  }
  return checkLockfile({edges, transparentWorkspaces: project.configuration.get(`enableTransparentWorkspaces`), archiveUrls: [], archives: []}, session.policy);
}
