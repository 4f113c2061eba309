import {type Ident, type Locator, type Project, structUtils} from '@yarnpkg/core';
import semver from 'semver';

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
