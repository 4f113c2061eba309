import type {Policy} from '../policy/policy';
import {makeFinding, type Finding} from './finding';

const SOURCE_LABELS: ReadonlyArray<[RegExp, string]> = [
  [/^(?:git\+|git:|git@|ssh:|github:|gitlab:|bitbucket:)/, `git`],
  [/^https?:\/\/[^#]*\.git(?:#.*)?$/, `git`],
  [/^https?:/, `a tarball URL`],
  [/^file:|^\.{0,2}\//, `file:`],
  [/^exec:/, `exec:`],
  [/^link:/, `link:`],
  [/^portal:/, `portal:`],
  [/^[\w.-]+\/[\w.-]+(?:#.*)?$/, `git`],
];

const PATCH_SOURCE = /^patch:(?:@[^/@]+\/)?[^@]+@([^#]*)/;
const NPM_ALIAS = /^npm:(?:@[^/@]+\/)?[^@/]+@(.*)$/;
/** A semver range or a dist-tag: what the npm resolvers accept after `npm:`. */
const REGISTRY_SELECTOR = /^[\w.^~<>=|*+\- ]*$/;

/**
 * Which non-registry source a range points at, or null for a registry range. Registry ranges are
 * recognised positively (`npm:` with a semver range or tag, through aliases and `patch:` wrappers),
 * so a protocol this list does not know is treated as non-registry rather than waved through.
 */
export function exoticSourceOf(range: string): string | null {
  const patched = PATCH_SOURCE.exec(range);
  if (patched)
    return exoticSourceOf(decodeURIComponent(patched[1]));
  const alias = NPM_ALIAS.exec(range);
  if (alias)
    return exoticSourceOf(alias[1].startsWith(`npm:`) ? alias[1] : `npm:${alias[1]}`);
  if (REGISTRY_SELECTOR.test(range.startsWith(`npm:`) ? range.slice(`npm:`.length) : range))
    return null;
  if (range.startsWith(`workspace:`) || range.startsWith(`jsr:`))
    return null;
  const inner = range.startsWith(`npm:`) ? range.slice(`npm:`.length) : range;
  return SOURCE_LABELS.find(([pattern]) => pattern.test(inner))?.[1] ?? `an unknown protocol`;
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
 * sub-dependency from such a source has to be judged edge by edge, before it is resolved. Only an
 * explicit approval, or the user listing that very source, lets one through: a workspace declaring
 * `react` does not vouch for a `react` fetched from someone's git repository.
 */
export function checkExoticSource(edge: SubDependencyEdge, facts: {listedSources: ReadonlySet<string>, hasBaseline: boolean}, policy: Policy): Array<Finding> {
  if (!facts.hasBaseline || policy.newDependencies === `off` || edge.locked)
    return [];
  const source = exoticSourceOf(edge.range);
  if (source === null || facts.listedSources.has(`${edge.name}@${edge.range}`) || policy.approvedDependencies.some(pattern => pattern.name.test(edge.name) && pattern.range === null))
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
