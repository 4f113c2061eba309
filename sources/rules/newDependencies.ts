import type {Policy} from '../policy/policy';
import {approvesSource, findMatchingPattern} from '../policy/pattern';
import {makeFinding, type Finding} from './finding';
import type {SourceLabel} from './source';

export type DependencyEdge = {
  to: string;
  /** The name the parent declares it under: an alias name for `npm:other@range` dependencies. */
  declaredName: string;
  range: string;
  optional: boolean;
};

export type GraphNode = {
  id: string;
  /** How the node is named in paths: `app@workspace:.`, `axios@npm:1.14.1`. */
  label: string;
  /** The resolved package name, never an alias name. */
  name: string;
  version: string;
  isWorkspace: boolean;
  conditions: string | null;
  /** Set for packages from git, tarball URLs, `file:`, ...: the source's label. */
  source: SourceLabel | null;
  /** Locked before the command (in the baseline lockfile). */
  locked: boolean;
  /** Regular and optional dependencies only: peer dependencies bring nothing in. */
  dependencies: ReadonlyArray<DependencyEdge>;
};

/** A workspace's entry in the baseline lockfile: `name@workspace:path` and the names it declared. */
export type BaselineWorkspace = {
  name: string;
  /** Relative to the project root, as Yarn writes it: `.` for the root, `packages/a`. */
  path: string;
  /** The names it declared dependencies under, and the packages its aliases named. */
  declared: ReadonlySet<string>;
};

export type NewDependencyFacts = {
  /** Package names in yarn.lock before the command, with their locked versions; null without a lockfile. */
  baseline: ReadonlyMap<string, ReadonlyArray<string>> | null;
  nodes: ReadonlyMap<string, GraphNode>;
  /** Per workspace node id, the names it declared before (`workspaceDeclaredBefore`; null: a new workspace). */
  baselineDeclarations: ReadonlyMap<string, ReadonlySet<string> | null>;
  /** Names the user listed: declared by a workspace, root `resolutions`, `packageExtensions`. */
  listed: ReadonlySet<string>;
  /** The same listings as `name@range`. */
  listedSources: ReadonlySet<string>;
  /** The shortest path from a workspace to each node (as node labels): the one every finding shows. */
  paths: ReadonlyMap<string, ReadonlyArray<string>>;
};

/**
 * New sub-dependencies: a package whose name is not in the baseline, entering the graph under a
 * package whose name is, itself reached from a workspace without passing through a dependency the
 * user just declared (that subtree is the user's own choice).
 */
export function checkNewDependencies(facts: NewDependencyFacts, policy: Policy): Array<Finding> {
  const {baseline, nodes} = facts;
  if (baseline === null || policy.newDependencies === `off`)
    return [];

  const findings = new Map<string, Finding>();

  for (const parentId of reachedThroughDeclaredBefore(facts)) {
    const parent = nodes.get(parentId)!;
    if (parent.isWorkspace || !baseline.has(parent.name))
      continue;

    for (const edge of parent.dependencies) {
      const child = nodes.get(edge.to);
      if (!child || child.isWorkspace || baseline.has(child.name) || findings.has(child.id) || isAllowed(child, facts, policy) || (child.source !== null && approvesSource(policy.approvedDependencies, edge.declaredName, edge.range)))
        continue;

      findings.set(child.id, makeFinding({
        rule: `new-dependency`,
        kind: `new-sub-dependency`,
        severity: policy.newDependencies === `warn` ? `warning` : `error`,
        name: child.name,
        version: child.version,
        range: edge.range,
        detail: edge.declaredName === child.name ? null : `declared as ${edge.declaredName}`,
        parent: {name: parent.name, version: parent.version, baselineVersions: baseline.get(parent.name) ?? []},
        optional: edge.optional,
        conditions: child.conditions,
        path: [...facts.paths.get(parentId) ?? [parent.label], child.label],
      }));
    }
  }

  return [...findings].map(([id, finding]) => ({...finding, bringsAlong: countNewBelow(id, findings, facts)}));
}

/**
 * What a workspace declared before: its baseline entries at the same path and under the same name,
 * together, so that renaming or moving a workspace (even onto a removed one's path or name) does not
 * turn every dependency it already had into a newly declared one. Null only for a workspace found
 * under neither: a new workspace, whose dependencies are all newly declared.
 */
export function workspaceDeclaredBefore(workspace: {name: string, path: string}, baseline: ReadonlyArray<BaselineWorkspace>): ReadonlySet<string> | null {
  return declaredBy(matchingEntries(workspace, baseline));
}

/**
 * `workspaceDeclaredBefore` for every workspace of the project, by id. When exactly one workspace is
 * found under neither its path nor its name and exactly one baseline workspace is matched by none,
 * they are the same workspace, renamed and moved in one change (or an unnamed one, whose name Yarn
 * derives from its path, moved): it keeps what that one declared. Any other new workspace is new.
 */
export function workspacesDeclaredBefore(workspaces: ReadonlyArray<{id: string, name: string, path: string}>, baseline: ReadonlyArray<BaselineWorkspace>): Map<string, ReadonlySet<string> | null> {
  const entries = new Map(workspaces.map(workspace => [workspace.id, matchingEntries(workspace, baseline)]));
  const matched = new Set([...entries.values()].flat());
  const leftover = baseline.filter(entry => !matched.has(entry));
  const unmatched = [...entries].filter(([, found]) => found.length === 0);
  if (unmatched.length === 1 && leftover.length === 1)
    entries.set(unmatched[0][0], leftover);
  return new Map([...entries].map(([id, found]) => [id, declaredBy(found)]));
}

function matchingEntries(workspace: {name: string, path: string}, baseline: ReadonlyArray<BaselineWorkspace>) {
  return baseline.filter(entry => entry.path === workspace.path || entry.name === workspace.name);
}

function declaredBy(entries: ReadonlyArray<BaselineWorkspace>): ReadonlySet<string> | null {
  return entries.length === 0 ? null : new Set(entries.flatMap(entry => [...entry.declared]));
}

export function isAllowed(node: Pick<GraphNode, `name` | `version`>, facts: Pick<NewDependencyFacts, `listed`>, policy: Policy): boolean {
  return facts.listed.has(node.name) || findMatchingPattern(policy.approvedDependencies, node.name, node.version) !== null;
}

/** Breadth first from the workspaces, in the order given: the first path found to a node, as node labels, is a shortest one. */
export function shortestPaths(nodes: ReadonlyMap<string, GraphNode>, workspaces: Iterable<string>): Map<string, ReadonlyArray<string>> {
  const paths = new Map<string, ReadonlyArray<string>>();
  const queue: Array<GraphNode> = [];
  for (const id of workspaces) {
    const node = nodes.get(id);
    if (node && !paths.has(id)) {
      paths.set(id, [node.label]);
      queue.push(node);
    }
  }
  for (let index = 0; index < queue.length; index++) {
    const path = paths.get(queue[index].id)!;
    for (const edge of queue[index].dependencies) {
      const child = nodes.get(edge.to);
      if (!child || paths.has(child.id))
        continue;
      paths.set(child.id, [...path, child.label]);
      queue.push(child);
    }
  }
  return paths;
}

/**
 * The nodes a workspace reaches through what it declared before, in breadth-first order: a newly
 * declared dependency's subtree is the user's choice, so its packages are not parents of findings.
 */
function reachedThroughDeclaredBefore({nodes, baselineDeclarations}: NewDependencyFacts): Array<string> {
  const reached = new Set<string>();
  const queue: Array<string> = [];
  for (const node of nodes.values()) {
    if (node.isWorkspace) {
      reached.add(node.id);
      queue.push(node.id);
    }
  }

  for (let index = 0; index < queue.length; index++) {
    const node = nodes.get(queue[index])!;
    const declaredBefore = node.isWorkspace ? baselineDeclarations.get(node.id) ?? null : null;
    for (const edge of node.dependencies) {
      // Declared before under its key or, through an alias (`"lib-next": "npm:lib@^2"`), as the package it names.
      if (node.isWorkspace && !declaredBefore?.has(edge.declaredName) && !declaredBefore?.has(nodes.get(edge.to)?.name ?? edge.declaredName))
        continue;
      if (reached.has(edge.to) || !nodes.has(edge.to))
        continue;
      reached.add(edge.to);
      queue.push(edge.to);
    }
  }
  return queue;
}

/** New packages reachable from a finding that are not findings of their own. */
function countNewBelow(start: string, findings: ReadonlyMap<string, Finding>, {nodes, baseline}: NewDependencyFacts): number {
  const seen = new Set([start]);
  const queue = [start];
  let count = 0;
  for (let index = 0; index < queue.length; index++) {
    for (const edge of nodes.get(queue[index])!.dependencies) {
      const child = nodes.get(edge.to);
      if (!child || seen.has(child.id) || baseline!.has(child.name) || child.isWorkspace)
        continue;
      seen.add(child.id);
      queue.push(child.id);
      if (!findings.has(child.id))
        count += 1;
    }
  }
  return count;
}

/**
 * A package from a non-registry source that was not locked before, entering under a package rather
 * than a workspace: caught edge by edge during an install, and here again over the whole graph
 * (for `yarn quarantine check --since`, and as a backstop). Without a lockfile nothing was locked.
 */
export function checkNonRegistrySources(facts: NewDependencyFacts, policy: Policy): Array<Finding> {
  if (policy.newDependencies === `off`)
    return [];
  const findings = new Map<string, Finding>();
  for (const parent of facts.nodes.values()) {
    if (parent.isWorkspace)
      continue;
    for (const edge of parent.dependencies) {
      const child = facts.nodes.get(edge.to);
      if (!child || child.source === null || child.locked || child.isWorkspace || findings.has(child.id))
        continue;
      if (facts.listedSources.has(`${edge.declaredName}@${edge.range}`) || approvesSource(policy.approvedDependencies, edge.declaredName, edge.range))
        continue;
      findings.set(child.id, makeFinding({
        rule: `new-dependency`,
        kind: `exotic-source`,
        severity: policy.newDependencies === `warn` ? `warning` : `error`,
        name: child.name,
        version: child.version,
        range: edge.range,
        detail: child.source,
        parent: {name: parent.name, version: parent.version, baselineVersions: facts.baseline?.get(parent.name) ?? []},
      }));
    }
  }
  return [...findings.values()];
}
