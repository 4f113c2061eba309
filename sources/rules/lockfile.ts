import semver from 'semver';

import type {Policy} from '../policy/policy';
import {makeFinding, type Finding} from './finding';
import type {DeclaredSource, ResolvedSource} from './source';

/** A dependency as a manifest declares it, and what yarn.lock resolved it to. */
export type ResolvedEdge = {
  /** The package or workspace that declares it, as `name@reference`. */
  declaredBy: string;
  declaredName: string;
  /** The declared range as the user or the registry wrote it, without Yarn's bindings. */
  range: string;
  declared: DeclaredSource;
  child: {label: string, name: string, version: string, resolved: ResolvedSource};
};

/** An npm version locked with an archive URL of its own (`__archiveUrl`), and the registry's URL for that version. */
export type LockedArchiveUrl = {
  name: string;
  version: string;
  locked: boolean;
  archiveUrl: string;
  registry: {kind: `served`, url: string} | {kind: `unknown`, reason: string};
};

/** An archive of the project's own (committed) cache, and the manifest it holds. */
export type CachedArchive = {
  name: string;
  version: string;
  locked: boolean;
  /** Relative to the project. */
  file: string;
  /** `unchecked`: Yarn would take the archive without a checksum to compare it with, whatever it holds. */
  holds: {kind: `manifest`, name: string, version: string} | {kind: `unreadable` | `unchecked`, reason: string};
};

/** A registry package taken from the lockfile: the dependencies yarn.lock says it has, and those its registry manifest declares. */
export type LockedDependencies = {
  name: string;
  version: string;
  locked: boolean;
  /** `name@range`, normalized as Yarn records them. */
  lockfile: ReadonlyArray<string>;
  registry: ReadonlyArray<string>;
};

export type LockfileFacts = {
  edges: ReadonlyArray<ResolvedEdge>;
  /** Only the packages whose lists were found to differ need to be here; equal lists give no finding. */
  dependencies?: ReadonlyArray<LockedDependencies>;
  /** Yarn's `enableTransparentWorkspaces`: a registry range a workspace's version satisfies resolves to that workspace. */
  transparentWorkspaces: boolean;
  archiveUrls: ReadonlyArray<LockedArchiveUrl>;
  archives: ReadonlyArray<CachedArchive>;
};

/**
 * The lockfile rule: yarn.lock, a committed cache and anything else a pull request can edit is
 * believed only as far as the manifests and the registry confirm it. A declared registry range
 * resolves to a version of the package it names, inside that range, fetched from where the registry
 * serves that version; a declared source resolves to that source; a cached archive holds what its
 * entry claims. `quarantineLockfile: trust` believes the lockfile as written.
 */
export function checkLockfile(facts: LockfileFacts, policy: Policy): Array<Finding> {
  if (policy.lockfile === `trust`)
    return [];

  const findings = new Map<string, Finding>();
  const ranges = new Map<string, semver.Range | null>();
  const versions = new Map<string, semver.SemVer | null>();
  for (const edge of facts.edges) {
    const mismatch = sourceMismatch(edge.declared, edge.child, {transparentWorkspaces: facts.transparentWorkspaces, ranges, versions});
    const key = `${edge.declaredName}@${edge.range} ${edge.child.label}`;
    if (mismatch === null || findings.has(key))
      continue;
    findings.set(key, makeFinding({
      rule: `lockfile`,
      kind: `source-mismatch`,
      severity: `error`,
      name: edge.declaredName,
      version: edge.child.resolved.kind === `registry` ? edge.child.resolved.version : null,
      range: edge.range,
      locked: true,
      detail: mismatch,
      declaredBy: edge.declaredBy,
      found: edge.child.label,
      expected: `${edge.declaredName}@${edge.range}`,
    }));
  }

  for (const locked of facts.archiveUrls) {
    if (locked.registry.kind === `served` && locked.registry.url === locked.archiveUrl)
      continue;
    findings.set(`archive-url ${locked.name}@${locked.version} ${locked.archiveUrl}`, makeFinding({
      rule: `lockfile`,
      kind: `unconfirmed-tarball`,
      severity: `error`,
      name: locked.name,
      version: locked.version,
      locked: locked.locked,
      found: locked.archiveUrl,
      expected: locked.registry.kind === `served` ? locked.registry.url : null,
      detail: locked.registry.kind === `unknown` ? locked.registry.reason : null,
    }));
  }

  // What a lockfile adds or changes is what can bring code in; a dependency it leaves out only breaks the install.
  for (const entry of facts.dependencies ?? []) {
    const registry = new Set(entry.registry);
    const added = entry.lockfile.filter(dependency => !registry.has(dependency));
    if (added.length === 0)
      continue;
    const addedNames = new Set(added.map(nameOf));
    const replaced = entry.registry.filter(dependency => addedNames.has(nameOf(dependency)));
    findings.set(`dependencies ${entry.name}@${entry.version} ${entry.lockfile.join(` `)}`, makeFinding({
      rule: `lockfile`,
      kind: `dependency-mismatch`,
      severity: `error`,
      name: entry.name,
      version: entry.version,
      locked: entry.locked,
      found: added.join(`, `),
      expected: replaced.length > 0 ? replaced.join(`, `) : null,
    }));
  }

  for (const archive of facts.archives) {
    const {holds} = archive;
    if (holdsWhatItClaims(archive))
      continue;
    findings.set(`archive ${archive.file}`, makeFinding({
      rule: `lockfile`,
      kind: `archive-mismatch`,
      severity: `error`,
      name: archive.name,
      version: archive.version,
      locked: archive.locked,
      found: holds.kind === `manifest` ? `${holds.name}@${holds.version}` : null,
      expected: holds.kind === `unchecked` ? null : `${archive.name}@${archive.version}`,
      detail: holds.kind === `manifest` ? null : holds.reason,
      file: archive.file,
    }));
  }

  return [...findings.values()];
}

/**
 * Entries the base revision locked that a pull request's lockfile keeps under the same locator with
 * another checksum: the same source (a tarball URL, a git commit, a registry version) now claims to
 * hold other bytes. Yarn checks an archive against the lockfile's checksum, so only the base revision
 * can say the checksum itself was changed. Lockfiles with different cache keys are not compared.
 */
export function checkChecksums({current, base}: {current: {cacheKey: string | null, checksums: ReadonlyMap<string, string>}, base: {cacheKey: string | null, checksums: ReadonlyMap<string, string>}}, policy: Policy): Array<Finding> {
  if (policy.lockfile === `trust` || current === base || current.cacheKey !== base.cacheKey)
    return [];
  const findings: Array<Finding> = [];
  for (const [locator, checksum] of current.checksums) {
    const before = base.checksums.get(locator);
    if (typeof before === `undefined` || before === checksum)
      continue;
    findings.push(makeFinding({
      rule: `lockfile`,
      kind: `checksum-changed`,
      severity: `error`,
      name: nameOf(locator),
      locked: true,
      found: locator,
      detail: `${before.slice(0, 10)}… -> ${checksum.slice(0, 10)}…`,
    }));
  }
  return findings;
}

/**
 * A lockfile rewritten in an older format than the base revision's: Yarn 4.14 and later read that as
 * a project migrated from an older Yarn, and turn on install scripts, every git repository and (4.18)
 * no age gate of its own, writing them into `.yarnrc.yml`, for whichever of those settings the
 * project leaves unset (`unset`). `null` is a Yarn 1 lockfile.
 */
export function checkLockfileFormat({current, base, unset}: {current: number | null, base: number | null, unset: ReadonlyArray<string>}, policy: Policy): Array<Finding> {
  if (policy.lockfile === `trust` || base === null || (current !== null && current >= base) || unset.length === 0)
    return [];
  return [makeFinding({
    rule: `lockfile`,
    kind: `format-downgrade`,
    severity: `error`,
    name: `yarn.lock`,
    locked: true,
    found: current === null ? `Yarn 1` : String(current),
    expected: String(base),
    detail: unset.join(`, `),
  })];
}

/** `name` of a `name@range` or `name@reference` string, scoped names included. */
function nameOf(dependency: string) {
  return dependency.slice(0, dependency.indexOf(`@`, 1));
}

/** Whether a cached archive's manifest is the package and version its lockfile entry claims. */
export function holdsWhatItClaims({holds, name, version}: CachedArchive) {
  return holds.kind === `manifest` && holds.name === name && sameVersion(holds.version, version);
}

/**
 * Why a resolution does not follow its declaration, or null when it does. Yarn's own resolvers
 * always produce a consistent pair; only an edited lockfile (or a foreign one) can break it.
 */
export function sourceMismatch(declared: DeclaredSource, child: {name: string, version: string, resolved: ResolvedSource}, {transparentWorkspaces, ranges = new Map(), versions = new Map()}: {transparentWorkspaces: boolean, ranges?: Map<string, semver.Range | null>, versions?: Map<string, semver.SemVer | null>}): string | null {
  const {resolved} = child;
  const declaredPatch = declared.kind === `workspace` ? undefined : declared.patch;
  const resolvedPatch = resolved.kind === `workspace` ? undefined : resolved.patch;
  if (declaredPatch !== resolvedPatch && declared.kind !== `workspace` && !(declared.kind === `other` && declared.label === `an unknown protocol`))
    return typeof resolvedPatch === `undefined` ? `no patch` : `another patch`;
  // Thousands of edges share a few hundred ranges and versions: each is parsed once.
  const rangeOf = (selector: string) => {
    if (!ranges.has(selector))
      ranges.set(selector, parseRange(selector));
    return ranges.get(selector)!;
  };
  const satisfies = (version: string, selector: string) => {
    if (!versions.has(version))
      versions.set(version, semver.parse(version));
    const range = rangeOf(selector);
    const parsed = versions.get(version)!;
    return range === null || (parsed !== null && range.test(parsed));
  };
  switch (declared.kind) {
    case `workspace`:
      return null;
    case `registry`: {
      // Yarn's transparent workspaces: the project's own package stands in for a registry range its version satisfies.
      if (resolved.kind === `workspace`)
        return transparentWorkspaces && child.name === declared.name && declared.protocol === `npm:` && rangeOf(declared.selector) !== null && satisfies(child.version, declared.selector) ? null : `a workspace`;
      if (resolved.kind !== `registry` || resolved.protocol !== declared.protocol)
        return resolved.kind === `other` ? resolved.label : `another registry protocol`;
      if (resolved.name !== declared.name)
        return `another package`;
      if (!satisfies(resolved.version, declared.selector))
        return `a version outside that range`;
      return null;
    }
    case `other`: {
      if (declared.label === `an unknown protocol`)
        return null;
      if (resolved.kind !== `other`)
        return resolved.kind === `registry` ? `the registry` : `a workspace`;
      if (declared.git !== null && resolved.git !== null)
        return declared.git.repository === resolved.git.repository && (declared.git.commit === null || declared.git.commit === resolved.git.commit) ? null : `another repository or commit`;
      return declared.source === resolved.reference ? null : `another source`;
    }
  }
}

/** A semver range as the resolvers read it (prereleases included), or null for a dist-tag. */
function parseRange(selector: string): semver.Range | null {
  try {
    return new semver.Range(selector, {includePrerelease: true});
  } catch {
    return null;
  }
}

function sameVersion(a: string, b: string) {
  return a === b || (semver.valid(a) !== null && semver.valid(b) !== null && semver.eq(a, b));
}
