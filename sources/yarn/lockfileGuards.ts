import {type Descriptor, LegacyMigrationResolver, type Locator, LOCKFILE_VERSION, LockfileResolver, type MinimalResolveOptions, type Package, type Project, type ResolveOptions, type Resolver, structUtils} from '@yarnpkg/core';

import {checkLockfile} from '../rules/lockfile';
import {importedEdge, resolvedSourceOf} from './packageSource';
import {sessionFor} from './session';

const WRAPPED = Symbol.for(`yarn-plugin-quarantine/lockfile-guards`);

/**
 * Resolvers that fetch a locked package to learn its manifest, while Yarn is still resolving. (`exec:`,
 * `file:`, `link:` and `portal:` entries are never kept from the lockfile: Yarn resolves them afresh on
 * every install, so the edge guard judges them every time.)
 */
const FETCHED_TO_RESOLVE = new Set([`git`, `a tarball URL`, `an unknown protocol`]);

type SupportsLocator = (locator: Locator, opts: MinimalResolveOptions) => boolean;
type GetCandidates = (descriptor: Descriptor, dependencies: Record<string, Package>, opts: ResolveOptions) => Promise<Array<Locator>>;

/**
 * Yarn resolves a lockfile an older Yarn wrote again through the real resolvers, and a Yarn 1
 * lockfile through its migration: git and tarball entries would be cloned or downloaded before the
 * install gate could judge anything. These guards keep that from happening; the plugin factory may
 * run twice, hence the marker.
 */
export function installLockfileGuards() {
  const lockfile = LockfileResolver.prototype as {supportsLocator: SupportsLocator & {[WRAPPED]?: true}};
  if (!lockfile.supportsLocator[WRAPPED]) {
    const original = lockfile.supportsLocator;
    const wrapped: SupportsLocator & {[WRAPPED]?: true} = function (this: unknown, locator, opts) {
      return original.call(this, locator, opts) || servedFromLockfile(opts.project, locator);
    };
    wrapped[WRAPPED] = true;
    lockfile.supportsLocator = wrapped;
  }

  const legacy = LegacyMigrationResolver.prototype as {getCandidates: GetCandidates & {[WRAPPED]?: true}};
  if (!legacy.getCandidates[WRAPPED]) {
    const original = legacy.getCandidates;
    const wrapped: GetCandidates & {[WRAPPED]?: true} = async function (this: LegacyResolverState, descriptor, dependencies, opts) {
      return await judgeLegacyImport(this, original, descriptor, dependencies, opts);
    };
    wrapped[WRAPPED] = true;
    legacy.getCandidates = wrapped;
  }
}

/**
 * A locked git or tarball entry keeps the manifest its lockfile recorded while a lockfile of an older
 * format is refreshed, as it does with a current one: it is fetched in the fetch step, after the
 * policy has judged the whole graph, or not at all. A refresh that was asked for (`--refresh-lockfile`
 * on a current lockfile, or hardened mode) is how Yarn checks a lockfile against its sources: there
 * the entries are fetched again, as Yarn intends.
 */
function servedFromLockfile(project: Project, locator: Locator) {
  if (!project.lockfileNeedsRefresh || !project.originalPackages.has(locator.locatorHash))
    return false;
  const format = sessionFor(project).onDisk?.formatVersion ?? null;
  if (format === null || format >= LOCKFILE_VERSION || project.configuration.get(`enableHardenedMode`))
    return false;
  const resolved = resolvedSourceOf(locator);
  return resolved.kind === `other` && FETCHED_TO_RESOLVE.has(resolved.label);
}

/** The internals of Yarn's LegacyMigrationResolver that the guard reads: the import it prepared, and the real resolver. */
type LegacyResolverState = {resolutions?: unknown, resolver?: Resolver};

/**
 * A Yarn 1 lockfile is migrated by mapping each declared range to the locator its `resolved` URL
 * implies. When that locator is not what the range declares (an npm range locked to git), the
 * import is refused before Yarn fetches it: the declared range is resolved instead, and the finding
 * stops the install with the others at the end of resolution.
 */
async function judgeLegacyImport(self: LegacyResolverState, original: GetCandidates, descriptor: Descriptor, dependencies: Record<string, Package>, opts: ResolveOptions) {
  const imported = self.resolutions instanceof Map ? self.resolutions.get(descriptor.descriptorHash) as Locator | undefined : undefined;
  if (typeof imported === `undefined` || typeof self.resolver === `undefined`)
    return await original.call(self, descriptor, dependencies, opts);

  const session = sessionFor(opts.project);
  const declaredBy = session.declaredBy.get(structUtils.stringifyDescriptor(descriptor));
  const findings = checkLockfile({
    edges: [importedEdge(descriptor, imported, declaredBy ? structUtils.stringifyLocator(declaredBy) : `a dependency`)],
    transparentWorkspaces: opts.project.configuration.get(`enableTransparentWorkspaces`),
    archiveUrls: [],
    archives: [],
  }, session.policy);
  if (findings.length === 0)
    return await original.call(self, descriptor, dependencies, opts);

  for (const finding of findings)
    session.record(finding);
  return await self.resolver.getCandidates(descriptor, dependencies, opts);
}
