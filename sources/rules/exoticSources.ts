import type {Policy} from '../policy/policy';
import {approvesSource} from '../policy/pattern';
import {makeFinding, type Finding} from './finding';
import type {SourceLabel} from './source';

export type SubDependencyEdge = {
  name: string;
  /** The range as the parent declares it, without Yarn's bindings. */
  range: string;
  /** Null for a registry or workspace range. */
  source: SourceLabel | null;
  parent: {name: string, version: string};
  /** Already resolved in the lockfile before the command. */
  locked: boolean;
};

/**
 * Git, tarball and `exec:` resolvers fetch or run code while Yarn is still resolving, so a new
 * sub-dependency from such a source has to be judged edge by edge, before it is resolved. Only an
 * approval of that very source, or the user listing it, lets one through: a workspace declaring
 * `react` does not vouch for a `react` fetched from someone's git repository, nor does approving
 * the name `react`. Without a lockfile nothing is locked, so every such edge is judged.
 */
export function checkExoticSource(edge: SubDependencyEdge, facts: {listedSources: ReadonlySet<string>}, policy: Policy): Array<Finding> {
  if (policy.newDependencies === `off` || edge.locked || edge.source === null)
    return [];
  if (facts.listedSources.has(`${edge.name}@${edge.range}`) || approvesSource(policy.approvedDependencies, edge.name, edge.range))
    return [];
  return [makeFinding({
    rule: `new-dependency`,
    kind: `exotic-source`,
    severity: policy.newDependencies === `warn` ? `warning` : `error`,
    name: edge.name,
    range: edge.range,
    detail: edge.source,
    parent: {...edge.parent, baselineVersions: []},
  })];
}
