import {type Descriptor, type Locator, semverUtils, structUtils, TAG_REGEXP} from '@yarnpkg/core';
import {gitUtils} from '@yarnpkg/plugin-git';
import semver from 'semver';

import type {ResolvedEdge} from '../rules/lockfile';
import {jsrPackageName} from '../rules/jsr';
import {type DeclaredSource, type GitSource, type RegistryProtocol, type ResolvedSource, type SourceLabel, withoutBindings} from '../rules/source';

/**
 * The one parser of ranges and references: what a dependency declares, and where a resolved
 * package comes from, through `npm:` aliases, `patch:` wrappers and virtual instances.
 */

const MAX_WRAPPING = 8;
const NPM_PROTOCOL = `npm:`;
const JSR_PROTOCOL = `jsr:`;

const SOURCE_LABELS: ReadonlyArray<[RegExp, SourceLabel]> = [
  [/^https?:/, `a tarball URL`],
  [/^file:|^\.{0,2}\//, `file:`],
  [/^exec:/, `exec:`],
  [/^link:/, `link:`],
  [/^portal:/, `portal:`],
];

function labelOf(text: string): SourceLabel {
  if (gitUtils.isGitUrl(text))
    return `git`;
  return SOURCE_LABELS.find(([pattern]) => pattern.test(text))?.[1] ?? `an unknown protocol`;
}

function gitSourceOf(text: string): GitSource | null {
  if (!gitUtils.isGitUrl(text))
    return null;
  try {
    const {repo, treeish} = gitUtils.splitRepoUrl(text);
    return {repository: repo, commit: treeish.protocol === `commit` ? treeish.request : null};
  } catch {
    return null;
  }
}

/**
 * A non-registry range or reference as one string: `file:`, `exec:` and the like come back from
 * their resolvers as `file:./lib.tgz#./lib.tgz`, the path repeated as source and selector.
 */
function identityOf(text: string) {
  const parsed = structUtils.tryParseRange(text);
  if (parsed === null || parsed.protocol === null || parsed.source === null || parsed.source !== parsed.selector)
    return text;
  return `${parsed.protocol}${parsed.selector}`;
}

function other(text: string): DeclaredSource & {kind: `other`} {
  return {kind: `other`, label: labelOf(text), source: identityOf(text), git: gitSourceOf(text)};
}

function isRegistrySelector(selector: string) {
  return semverUtils.validRange(selector) !== null || TAG_REGEXP.test(selector);
}

/** Parsing ranges and references is most of what reading a graph of thousands of edges costs: each is parsed once. */
const declaredSources = new Map<string, DeclaredSource>();
const resolvedSources = new Map<string, ResolvedSource>();

/** What `name@range` asks for; `name` is the name the parent declares it under. */
export function declaredSourceOf(name: string, range: string): DeclaredSource {
  const key = `${name}\u0000${range}`;
  let declared = declaredSources.get(key);
  if (typeof declared === `undefined`)
    declaredSources.set(key, declared = parseDeclared(name, range, 0));
  return declared;
}

function parseDeclared(name: string, range: string, depth: number): DeclaredSource {
  const unbound = withoutBindings(range);
  const parsed = structUtils.tryParseRange(unbound);
  if (parsed === null || depth > MAX_WRAPPING)
    return other(unbound);

  switch (parsed.protocol) {
    case `npm:`: {
      const selector = unbound.slice(`npm:`.length);
      const alias = structUtils.tryParseDescriptor(selector, true);
      if (alias !== null) {
        const inner = structUtils.tryParseRange(alias.range)?.protocol ? alias.range : `npm:${alias.range}`;
        return parseDeclared(structUtils.stringifyIdent(alias), inner, depth + 1);
      }
      return isRegistrySelector(selector) ? {kind: `registry`, protocol: `npm:`, name, selector} : other(selector);
    }
    case `jsr:`: {
      // As Yarn's jsr resolver reads it: a range, else `jsr:@std/path@^1` under another name (an alias).
      const selector = unbound.slice(`jsr:`.length);
      const alias = semverUtils.validRange(selector) === null ? structUtils.tryParseDescriptor(selector, true) : null;
      return alias !== null
        ? {kind: `registry`, protocol: `jsr:`, name: jsrPackageName(structUtils.stringifyIdent(alias)), selector: alias.range}
        : {kind: `registry`, protocol: `jsr:`, name: jsrPackageName(name), selector};
    }
    case `patch:`: {
      const source = parsed.source !== null ? structUtils.tryParseDescriptor(parsed.source, true) : null;
      if (source === null)
        return other(unbound);
      const inner = parseDeclared(structUtils.stringifyIdent(source), source.range, depth + 1);
      return inner.kind === `workspace` ? inner : withPatch(inner, parsed.selector);
    }
    case `workspace:`:
      return {kind: `workspace`};
    case null:
      return isRegistrySelector(unbound) ? {kind: `registry`, protocol: `npm:`, name, selector: unbound} : other(unbound);
    default:
      return other(unbound);
  }
}

/** Where the package a locator names comes from. */
export function resolvedSourceOf(locator: Locator): ResolvedSource {
  let resolved = resolvedSources.get(locator.locatorHash);
  if (typeof resolved === `undefined`)
    resolvedSources.set(locator.locatorHash, resolved = parseResolved(locator, 0));
  return resolved;
}

function parseResolved(locator: Locator, depth: number): ResolvedSource {
  const current = structUtils.ensureDevirtualizedLocator(locator);
  const name = structUtils.stringifyIdent(current);
  const parsed = structUtils.tryParseRange(current.reference);
  const unbound = withoutBindings(current.reference);
  const otherSource = (): ResolvedSource => ({kind: `other`, label: labelOf(unbound), reference: identityOf(unbound), git: gitSourceOf(unbound)});
  if (parsed === null || depth > MAX_WRAPPING)
    return otherSource();

  switch (parsed.protocol) {
    case `npm:`:
    case `jsr:`: {
      if (semver.valid(parsed.selector) === null)
        return otherSource();
      const archiveUrl = parsed.params?.__archiveUrl;
      return {kind: `registry`, protocol: parsed.protocol, name: parsed.protocol === `jsr:` ? jsrPackageName(name) : name, version: parsed.selector, archiveUrl: typeof archiveUrl === `string` ? archiveUrl : null};
    }
    case `patch:`: {
      const source = parsed.source === null ? null : structUtils.tryParseLocator(parsed.source, true) ?? structUtils.tryParseLocator(decodeURIComponent(parsed.source), true);
      if (source === null)
        return otherSource();
      const inner = parseResolved(source, depth + 1);
      return inner.kind === `workspace` ? inner : withPatch(inner, parsed.selector);
    }
    case `workspace:`:
      return {kind: `workspace`};
    default:
      return otherSource();
  }
}

/** Yarn's own patches (`builtin<compat/typescript>`) are part of Yarn; any other patch file changes a package's code. */
function isBuiltinPatch(selector: string) {
  return selector.split(`&`).every(path => /(?:^|!)builtin</.test(path));
}

function withPatch<T extends DeclaredSource | ResolvedSource>(source: T, selector: string): T {
  return isBuiltinPatch(selector) ? source : {...source, patch: selector};
}

/** The edge a Yarn 1 lockfile entry makes of a declared range: the locator Yarn's migration imports for it. */
export function importedEdge(descriptor: Descriptor, imported: Locator, declaredBy: string): ResolvedEdge {
  const name = structUtils.stringifyIdent(descriptor);
  const range = withoutBindings(descriptor.range);
  return {
    declaredBy,
    declaredName: name,
    range,
    declared: declaredSourceOf(name, range),
    child: {label: structUtils.stringifyLocator(imported), name: structUtils.stringifyIdent(imported), version: ``, resolved: resolvedSourceOf(imported)},
  };
}

/** The package a dependency names: an alias's target, a `jsr:` range's `@jsr/` package; otherwise the name it is declared under. */
export function declaredPackageName(name: string, range: string): string {
  const declared = declaredSourceOf(name, range);
  return declared.kind === `registry` ? declared.name : name;
}

/** What Yarn's npm resolvers read from a range they resolve: `npm:^1.2.0` is `^1.2.0`, `npm:latest` is `latest`. */
export function npmSelectorOf(range: string): string {
  return range.startsWith(NPM_PROTOCOL) ? range.slice(NPM_PROTOCOL.length) : range;
}

/** The label of a non-registry range (a registry range wrapped in a patch of the project's counts as one), or null. */
export function sourceLabelOf(name: string, range: string): SourceLabel | null {
  const declared = declaredSourceOf(name, range);
  if (declared.kind === `other`)
    return declared.label;
  return declared.kind === `registry` && typeof declared.patch !== `undefined` ? `a patch` : null;
}

/** The same for where a resolved package comes from. */
export function resolvedLabelOf(resolved: ResolvedSource): SourceLabel | null {
  if (resolved.kind === `other`)
    return resolved.label;
  return resolved.kind === `registry` && typeof resolved.patch !== `undefined` ? `a patch` : null;
}

/**
 * The npm version a locator stands for (aliases carry the real name; `patch:` wraps its source; a
 * `jsr:` package is the `@jsr/` npm package Yarn fetches for it).
 */
export function npmVersionOf(locator: Locator): {name: string, version: string, archiveUrl: string | null, protocol: RegistryProtocol} | null {
  const resolved = resolvedSourceOf(locator);
  return resolved.kind === `registry` ? {name: resolved.name, version: resolved.version, archiveUrl: resolved.archiveUrl, protocol: resolved.protocol} : null;
}

/**
 * The locator Yarn fetches a package as, and locks its checksum under: a `jsr:` package's `@jsr/` npm
 * locator (its bindings kept), any other package itself.
 */
export function fetchedLocatorOf(locator: Locator): Locator {
  if (!locator.reference.startsWith(JSR_PROTOCOL))
    return locator;
  const npm = npmVersionOf(locator);
  return npm === null ? locator : structUtils.makeLocator(structUtils.parseIdent(npm.name), `${NPM_PROTOCOL}${locator.reference.slice(JSR_PROTOCOL.length)}`);
}

const MENTIONS_JSR = /jsr(?::|%3A)/i;

/** The package name rules judge a locator by: the real package behind an alias, the `@jsr/` package behind a `jsr:` one. */
export function packageNameOf(locator: Locator): string {
  if (MENTIONS_JSR.test(locator.reference)) {
    const resolved = resolvedSourceOf(locator);
    if (resolved.kind === `registry`)
      return resolved.name;
  }
  return structUtils.stringifyIdent(locator);
}

/**
 * How a finding shows a declared range: `npm:^4.2.1` and `npm:plain-crypto-js@^4.2.1` both read
 * `^4.2.1` (the package name is shown beside it), and so do `jsr:` ones; other ranges lose Yarn's
 * bindings, so they compare equal to what the user wrote.
 */
export function displayRange(range: string) {
  const unbound = withoutBindings(range);
  const registry = /^(?:npm|jsr):/.exec(unbound);
  if (registry)
    return unbound.slice(registry[0].length).replace(/^(?:@[^/]+\/)?[^@]+@/, ``);
  return unbound;
}
