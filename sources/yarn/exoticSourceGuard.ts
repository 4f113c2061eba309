import {type Descriptor, type Locator, MessageName, type Project, ReportError, type Resolver, type ResolveOptions, structUtils} from '@yarnpkg/core';

import {checkExoticSource} from '../rules/exoticSources';
import {displayRange, npmVersionOf, sourceLabelOf} from './packageSource';
import {formatFinding} from './reporting';
import {sessionFor} from './session';

/**
 * The `reduceDependency` hook sees every dependency edge before it is resolved: the only point at
 * which a git, tarball or `exec:` sub-dependency can be stopped before Yarn fetches or runs it.
 */
export async function reduceDependency(dependency: Descriptor, project: Project, locator: Locator, _initial: Descriptor, {resolver, resolveOptions}: {resolver: Resolver, resolveOptions: ResolveOptions}) {
  // Resolving from the lockfile alone (the commands) fetches nothing: there is nothing to stop.
  if (typeof resolveOptions.fetchOptions === `undefined`)
    return dependency;
  const session = sessionFor(project);
  const parent = structUtils.ensureDevirtualizedLocator(locator);
  // Only the migration of a Yarn 1 lockfile asks who declared a range (to name it in a finding).
  if (session.onDisk?.workspaceDeclarations === null)
    session.declaredBy.set(structUtils.stringifyDescriptor(dependency), parent);
  const name = structUtils.stringifyIdent(dependency);
  const source = sourceLabelOf(name, dependency.range);
  // Most edges are registry ranges, which no resolver fetches while resolving.
  if (source === null || project.tryWorkspaceByLocator(parent) !== null)
    return dependency;

  const bound = resolver.bindDescriptor(dependency, locator, resolveOptions);
  const locked = project.storedResolutions.has(dependency.descriptorHash) || project.storedResolutions.has(bound.descriptorHash);

  const findings = checkExoticSource({
    name,
    range: displayRange(dependency.range),
    source,
    parent: {name: structUtils.stringifyIdent(parent), version: npmVersionOf(parent)?.version ?? parent.reference},
    locked,
  }, {listedSources: session.listings.sources}, session.policy);

  for (const finding of findings) {
    if (finding.severity === `error`)
      throw new ReportError(MessageName.UNNAMED, formatFinding(project.configuration, session.stopResolution(finding)));
    session.record(finding);
  }
  return dependency;
}
