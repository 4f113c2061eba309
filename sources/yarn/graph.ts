import {type Ident, type Package, type Project, structUtils} from '@yarnpkg/core';

import type {ResolvedEdge} from '../rules/lockfile';
import {type DependencyEdge, type GraphNode, shortestPaths} from '../rules/newDependencies';
import {type RegistryProtocol, type ResolvedSource, withoutBindings} from '../rules/source';
import {declaredSourceOf, displayRange, npmVersionOf, resolvedLabelOf, resolvedSourceOf} from './packageSource';

export type NpmPackage = {
  ident: Ident;
  /** The npm package: for a `jsr:` one, the `@jsr/` package Yarn fetches for it. */
  name: string;
  version: string;
  /** `jsr:` when the project reaches it through the `jsr:` protocol: findings show it as the user declared it. */
  protocol: RegistryProtocol;
  /** Every stored package (virtual instances and patch wrappers included) that is this version. */
  locatorHashes: Array<string>;
  /** The `__archiveUrl`s its locators carry: where yarn.lock says its tarball is, when not at the conventional URL. */
  archiveUrls: Array<{url: string, locatorHash: string}>;
  /** The registry ranges (`^1.14.0`, `latest`) of the dependencies that resolve to it, read through aliases and patches. */
  declaredRanges: Array<string>;
  /** The shortest path from a workspace to it; empty when no workspace reaches it. */
  path: ReadonlyArray<string>;
};

export type DependencyGraph = {
  /** One node per package, peer edges left out: what the new sub-dependency rule reads. */
  nodes: Map<string, GraphNode>;
  /** Every regular and optional dependency edge, as declared and as resolved: what the lockfile rule reads. */
  edges: Array<ResolvedEdge>;
};

/** The resolved project as every rule and command reads it, from one walk of its graph. */
export type ProjectWalk = DependencyGraph & {
  /**
   * Every npm version in the graph, once per name and version. A `jsr:` package is the `@jsr/` npm
   * version Yarn fetches for it: the same version as the `@jsr/` entry Yarn locks beside it (to keep
   * its checksum) when the two agree, and checked on its own when a lockfile makes them differ.
   */
  npmPackages: Array<NpmPackage>;
  /** The shortest path from a workspace to each node, as node labels, over regular and optional edges. */
  paths: ReadonlyMap<string, ReadonlyArray<string>>;
};

/**
 * One walk of the resolved graph: its packages, edges and npm versions, and one shortest path from
 * a workspace to each package, which every finding and command shows. `lockedBefore` holds the
 * locator hashes that count as locked (not new) for this command.
 */
export function walkProject(project: Project, lockedBefore: ReadonlySet<string>): ProjectWalk {
  const nodes = new Map<string, GraphNode & {dependencies: Array<DependencyEdge>}>();
  const resolvedSources = new Map<string, ResolvedSource>();
  const edges = new Map<string, ResolvedEdge>();
  const npmPackages = new Map<string, NpmPackage>();
  const npmPackageOf = new Map<string, NpmPackage>();
  const registryRanges: Array<{to: string, selector: string}> = [];
  const nodeOf = (pkg: Package) => {
    const locator = structUtils.ensureDevirtualizedLocator(pkg);
    let node = nodes.get(locator.locatorHash);
    if (!node) {
      const resolved = resolvedSourceOf(locator);
      resolvedSources.set(locator.locatorHash, resolved);
      const workspace = project.tryWorkspaceByLocator(locator);
      node = {
        id: locator.locatorHash,
        // As paths show it: bindings (`::__archiveUrl=...`, which every `jsr:` package carries) are Yarn's bookkeeping.
        label: withoutBindings(structUtils.stringifyLocator(locator)),
        name: resolved.kind === `registry` ? resolved.name : structUtils.stringifyIdent(locator),
        // A lockfile records workspaces as `0.0.0-use.local`; their manifest has the version ranges are matched against.
        version: workspace?.manifest.version ?? pkg.version ?? `0.0.0`,
        isWorkspace: workspace !== null,
        conditions: pkg.conditions ?? null,
        source: resolvedLabelOf(resolved),
        locked: lockedBefore.has(locator.locatorHash),
        dependencies: [],
      };
      nodes.set(locator.locatorHash, node);
    }
    return node;
  };

  for (const pkg of project.storedPackages.values()) {
    const node = nodeOf(pkg);
    if (!structUtils.isVirtualLocator(pkg))
      addNpmPackage(npmPackages, npmPackageOf, pkg);

    for (const [identHash, descriptor] of pkg.dependencies) {
      const resolution = project.storedResolutions.get(descriptor.descriptorHash);
      const child = resolution ? project.storedPackages.get(resolution) : undefined;
      if (!child)
        continue;
      // A peer is provided by the parent's parent, and may legitimately fall outside its range (a warning, in Yarn).
      if (pkg.peerDependencies.has(identHash))
        continue;
      const childNode = nodeOf(child);
      const declaredName = structUtils.stringifyIdent(descriptor);
      const range = withoutBindings(structUtils.ensureDevirtualizedDescriptor(descriptor).range);
      const edgeKey = `${node.id} ${declaredName}@${range}`;
      if (!edges.has(edgeKey)) {
        const declared = declaredSourceOf(declaredName, range);
        edges.set(edgeKey, {declaredBy: node.label, declaredName, range, declared, child: {label: childNode.label, name: childNode.name, version: childNode.version, resolved: resolvedSources.get(childNode.id)!}});
        if (declared.kind === `registry`)
          registryRanges.push({to: childNode.id, selector: declared.selector});
      }

      if (node.dependencies.some(edge => edge.to === childNode.id))
        continue;
      node.dependencies.push({
        to: childNode.id,
        declaredName,
        range: displayRange(range),
        optional: pkg.dependenciesMeta.get(declaredName)?.get(null)?.optional === true,
      });
    }
  }

  for (const {to, selector} of registryRanges) {
    const npm = npmPackageOf.get(to);
    if (npm && !npm.declaredRanges.includes(selector))
      npm.declaredRanges.push(selector);
  }

  const paths = shortestPaths(nodes, project.workspaces.map(workspace => workspace.anchoredLocator.locatorHash));
  for (const npm of npmPackages.values())
    npm.path = npm.locatorHashes.map(hash => paths.get(hash)).find(Boolean) ?? [];
  return {nodes, edges: [...edges.values()], npmPackages: [...npmPackages.values()], paths};
}

function addNpmPackage(byKey: Map<string, NpmPackage>, byLocatorHash: Map<string, NpmPackage>, pkg: Package) {
  const npm = npmVersionOf(pkg);
  if (npm === null)
    return;
  const key = `${npm.name}@${npm.version}`;
  let entry = byKey.get(key);
  if (!entry) {
    entry = {ident: structUtils.parseIdent(npm.name), name: npm.name, version: npm.version, protocol: npm.protocol, locatorHashes: [], archiveUrls: [], declaredRanges: [], path: []};
    byKey.set(key, entry);
  }
  if (npm.protocol === `jsr:`)
    entry.protocol = `jsr:`;
  entry.locatorHashes.push(pkg.locatorHash);
  byLocatorHash.set(pkg.locatorHash, entry);
  if (npm.archiveUrl !== null)
    entry.archiveUrls.push({url: npm.archiveUrl, locatorHash: pkg.locatorHash});
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
    // An alias (`npm:other@^1`) lists the package it names; `"@std/path": "jsr:^1"` the one Yarn fetches for it.
    const declared = declaredSourceOf(name, range);
    if (declared.kind === `registry` && typeof declared.patch === `undefined`)
      listings.names.add(declared.name);
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
