import type {Policy} from '../policy/policy';
import {makeFinding, type Finding} from './finding';
import {isAllowed} from './newDependencies';

const SOURCES: ReadonlyArray<[RegExp, string]> = [
  [/^(?:git\+|git:|git@|ssh:|github:|gitlab:|bitbucket:)/, `git`],
  [/^https?:\/\/[^#]*\.git(?:#.*)?$/, `git`],
  [/^https?:/, `a tarball URL`],
  [/^file:|^\.{0,2}\//, `file:`],
  [/^exec:/, `exec:`],
  [/^link:/, `link:`],
  [/^portal:/, `portal:`],
  [/^[\w.-]+\/[\w.-]+(?:#.*)?$/, `git`],
];

const PATCH_SOURCE = /^patch:((?:@[^/@]+\/)?[^@]+)@([^#]*)/;

/** Which non-registry source a range points at, looking through `patch:` wrappers; null for registry ranges. */
export function exoticSourceOf(range: string): string | null {
  const patched = PATCH_SOURCE.exec(range);
  if (patched)
    return exoticSourceOf(decodeURIComponent(patched[2]));
  return SOURCES.find(([pattern]) => pattern.test(range))?.[1] ?? null;
}

export type SubDependencyEdge = {
  name: string;
  range: string;
  parent: {name: string, version: string};
  /** Already resolved in the lockfile before the command. */
  locked: boolean;
};

/**
 * Git, tarball and `exec:` resolvers fetch or run code while Yarn is still resolving, so a new
 * sub-dependency from such a source has to be judged edge by edge, before it is resolved.
 */
export function checkExoticSource(edge: SubDependencyEdge, facts: {listed: ReadonlySet<string>, hasBaseline: boolean}, policy: Policy): Array<Finding> {
  if (!facts.hasBaseline || policy.newDependencies === `off` || edge.locked)
    return [];
  const source = exoticSourceOf(edge.range);
  if (source === null || isAllowed({name: edge.name, version: `0.0.0`}, facts, policy))
    return [];
  return [makeFinding({
    rule: `new-dependency`,
    kind: `exotic-source`,
    severity: policy.newDependencies === `warn` ? `warning` : `error`,
    name: edge.name,
    range: edge.range,
    detail: source,
    parent: {...edge.parent, baselineVersions: []},
  })];
}
