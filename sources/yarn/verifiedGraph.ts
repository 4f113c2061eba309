import {type Project} from '@yarnpkg/core';
import {createHash} from 'crypto';

import type {Session} from './session';

/** Bumped whenever what the lockfile rule checks changes: a graph verified by other rules is verified again. */
const LOCKFILE_RULE = `lockfile-rule@2`;
/** The settings the lockfile rule's verdict on an edge or an entry depends on. */
const SETTINGS = [`npmRegistryServer`, `npmScopes`, `npmRegistries`, `enableTransparentWorkspaces`, `packageExtensions`, `defaultProtocol`];

/**
 * What decides the lockfile rule's verdict on a project's edges, archive URLs and dependency lists:
 * the lockfile's bytes, every workspace manifest (as the command left it: `yarn add` edits it in
 * memory) and the settings that shape resolution. A graph
 * verified under the same key by an install that succeeded needs no second verification: resolving
 * the same lockfile for the same manifests and settings yields the same graph, and what the registry
 * says of a published version never changes. Null when there is no lockfile.
 */
export function verifiedGraphKey(project: Project, session: Session): string | null {
  const lockfile = session.onDisk;
  if (lockfile === null)
    return null;
  const hash = createHash(`sha256`).update(`${LOCKFILE_RULE}\n${lockfile.contentHash}\n`);
  for (const workspace of [...project.workspaces].sort((a, b) => a.cwd < b.cwd ? -1 : 1))
    hash.update(`${workspace.relativeCwd}\n${stable(workspace.manifest.exportTo({}))}\n`);
  for (const name of SETTINGS)
    hash.update(`${name}=${project.configuration.settings.has(name) ? stable(project.configuration.get(name as never)) : ``}\n`);
  return hash.digest(`hex`);
}

/** JSON with sorted keys, Maps and Sets included: the same value always gives the same text. */
function stable(value: unknown): string {
  if (value instanceof Map)
    return stable(Object.fromEntries(value));
  if (value instanceof Set)
    return stable([...value]);
  if (Array.isArray(value))
    return `[${value.map(stable).join(`,`)}]`;
  if (typeof value === `object` && value !== null)
    return `{${Object.keys(value).sort().map(key => `${JSON.stringify(key)}:${stable((value as Record<string, unknown>)[key])}`).join(`,`)}}`;
  return JSON.stringify(value) ?? `null`;
}
