import {type Ident, type Locator, type Package, type Project, structUtils} from '@yarnpkg/core';
import semver from 'semver';

import {exoticSourceOf} from '../rules/exoticSources';
import type {DependencyEdge, GraphNode} from '../rules/newDependencies';

export type NpmPackage = {
  ident: Ident;
  name: string;
  version: string;
  /** Every stored package (virtual instances and patch wrappers included) that is this version. */
  locatorHashes: Array<string>;
};

const MAX_WRAPPING = 8;

/**
 * The npm version a locator stands for: `npm:` references directly, aliases already carry the real
 * name, and `patch:` references wrap their source, possibly several times.
 */
export function npmVersionOf(locator: Locator): {ident: Ident, version: string} | null {
  let current = structUtils.ensureDevirtualizedLocator(locator);
  for (let depth = 0; depth < MAX_WRAPPING; depth++) {
    const range = structUtils.tryParseRange(current.reference);
    if (range === null)
      return null;
    if (range.protocol === `npm:`)
      return semver.valid(range.selector) ? {ident: current, version: range.selector} : null;
    if (range.protocol !== `patch:` || range.source === null)
      return null;
    const source = structUtils.tryParseLocator(range.source, true) ?? structUtils.tryParseLocator(decodeURIComponent(range.source), true);
    if (source === null)
      return null;
    current = structUtils.ensureDevirtualizedLocator(source);
  }
  return null;
}

/** Every npm version in the resolved graph, once per name and version. */
export function collectNpmPackages(project: Project): Array<NpmPackage> {
  const byKey = new Map<string, NpmPackage>();
  for (const pkg of project.storedPackages.values()) {
    if (structUtils.isVirtualLocator(pkg))
      continue;
    const npm = npmVersionOf(pkg);
    if (npm === null)
      continue;
    const name = structUtils.stringifyIdent(npm.ident);
    const key = `${name}@${npm.version}`;
    const entry = byKey.get(key);
    if (entry)
      entry.locatorHashes.push(pkg.locatorHash);
    else
      byKey.set(key, {ident: npm.ident, name, version: npm.version, locatorHashes: [pkg.locatorHash]});
  }
  return [...byKey.values()];
}

/** Shortest dependency path from a workspace to each package, as `name@reference` steps. */
export function pathsFromWorkspaces(project: Project): Map<string, Array<string>> {
  const paths = new Map<string, Array<string>>();
  const queue: Array<[Locator, Array<string>]> = project.workspaces.map(workspace => [workspace.anchoredLocator, [structUtils.stringifyLocator(workspace.anchoredLocator)]]);
  const seen = new Set<string>(queue.map(([locator]) => locator.locatorHash));

  for (let index = 0; index < queue.length; index++) {
    const [locator, path] = queue[index];
    const devirtualized = structUtils.ensureDevirtualizedLocator(locator);
    if (!paths.has(devirtualized.locatorHash))
      paths.set(devirtualized.locatorHash, path);

    const pkg = project.storedPackages.get(locator.locatorHash);
    if (!pkg)
      continue;
    for (const dependency of pkg.dependencies.values()) {
      const resolution = project.storedResolutions.get(dependency.descriptorHash);
      const child = resolution ? project.storedPackages.get(resolution) : undefined;
      if (!child || seen.has(child.locatorHash))
        continue;
      seen.add(child.locatorHash);
      queue.push([child, [...path, structUtils.stringifyLocator(structUtils.ensureDevirtualizedLocator(child))]]);
    }
  }
  return paths;
}

/** The resolved graph as the new sub-dependency rule sees it: one node per package, peer edges left out. */
export function collectDependencyGraph(project: Project, lockedBefore: ReadonlySet<string>): Map<string, GraphNode> {
  const nodes = new Map<string, GraphNode & {dependencies: Array<DependencyEdge>}>();
  const nodeOf = (pkg: Package) => {
    const locator = structUtils.ensureDevirtualizedLocator(pkg);
    let node = nodes.get(locator.locatorHash);
    if (!node) {
      node = {
        id: locator.locatorHash,
        label: structUtils.stringifyLocator(locator),
        name: structUtils.stringifyIdent(locator),
        version: pkg.version ?? `0.0.0`,
        isWorkspace: project.tryWorkspaceByLocator(locator) !== null,
        conditions: pkg.conditions ?? null,
        source: exoticSourceOf(locator.reference),
        locked: lockedBefore.has(locator.locatorHash),
        dependencies: [],
      };
      nodes.set(locator.locatorHash, node);
    }
    return node;
  };

  for (const pkg of project.storedPackages.values()) {
    const node = nodeOf(pkg);
    for (const [identHash, descriptor] of pkg.dependencies) {
      if (pkg.peerDependencies.has(identHash))
        continue;
      const resolution = project.storedResolutions.get(descriptor.descriptorHash);
      const child = resolution ? project.storedPackages.get(resolution) : undefined;
      if (!child)
        continue;
      const to = structUtils.ensureDevirtualizedLocator(child).locatorHash;
      if (node.dependencies.some(edge => edge.to === to))
        continue;
      const declaredName = structUtils.stringifyIdent(descriptor);
      node.dependencies.push({
        to,
        declaredName,
        range: displayRange(structUtils.ensureDevirtualizedDescriptor(descriptor).range),
        optional: pkg.dependenciesMeta.get(declaredName)?.get(null)?.optional === true,
      });
      nodeOf(child);
    }
  }
  return nodes;
}

export type UserListings = {
  /** Names the user listed: any dependency field of any workspace, root `resolutions`, `packageExtensions`. */
  names: Set<string>;
  /** The same listings as `name@range`, for sources that only a listing of that very source approves. */
  sources: Set<string>;
};

export function listingsByUser(project: Project): UserListings {
  const listings: UserListings = {names: new Set(), sources: new Set()};
  const add = (name: string, range: string) => {
    listings.names.add(name);
    listings.sources.add(`${name}@${range}`);
    const alias = /^npm:((?:@[^/]+\/)?[^@]+)@/.exec(range);
    if (alias)
      listings.names.add(alias[1]);
  };

  for (const workspace of project.workspaces) {
    const {manifest} = workspace;
    for (const field of [manifest.dependencies, manifest.devDependencies, manifest.peerDependencies])
      for (const descriptor of field.values())
        add(structUtils.stringifyIdent(descriptor), descriptor.range);
  }

  for (const {pattern, reference} of project.topLevelWorkspace.manifest.resolutions)
    add(pattern.descriptor.fullName, reference);

  const extensions = project.configuration.get(`packageExtensions`) as Map<string, Map<string, unknown>>;
  for (const extension of extensions.values())
    for (const field of [`dependencies`, `peerDependencies`])
      for (const [name, range] of (extension.get(field) as Map<string, string> | undefined) ?? [])
        add(name, String(range));

  return listings;
}

/**
 * `npm:^4.2.1` and `npm:plain-crypto-js@^4.2.1` both read `^4.2.1` (the package name is shown beside
 * it); other ranges lose the `::locator=...` binding Yarn adds, so they compare equal to what the user wrote.
 */
function displayRange(range: string) {
  if (range.startsWith(`npm:`))
    return range.slice(`npm:`.length).replace(/^(?:@[^/]+\/)?[^@]+@/, ``);
  return range.replace(/::.*$/, ``);
}
