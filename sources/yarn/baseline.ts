import {execUtils, MessageName, type Project, ReportError, structUtils} from '@yarnpkg/core';
import {Filename, ppath, xfs} from '@yarnpkg/fslib';
import {parseSyml} from '@yarnpkg/parsers';
import {createHash} from 'crypto';

import type {BaselineWorkspace} from '../rules/newDependencies';
import {declaredPackageName, packageNameOf} from './packageSource';

export type Baseline = {
  /** Package names in the lockfile, with their locked versions. */
  versionsByName: Map<string, Array<string>>;
  /** Locator hashes of the resolutions in the lockfile (Berry lockfiles only). */
  locatorHashes: Set<string>;
  /** Each workspace entry's name, path and declared names; null for lockfiles without workspace entries (Yarn 1). */
  workspaceDeclarations: Array<BaselineWorkspace> | null;
  /** `__metadata.version`; null for a Yarn 1 lockfile. */
  formatVersion: number | null;
  /** `__metadata.cacheKey`: checksums of lockfiles with different cache keys cannot be compared. */
  cacheKey: string | null;
  /** Each locked entry's checksum (the hash, without the cache key), by locator: `name@reference`. */
  checksums: Map<string, string>;
  /** A hash of the file's bytes. */
  contentHash: string;
};

/** The baseline as the lockfile on disk has it before the command: `yarn up` forgets entries in memory first. */
export function readProjectBaseline(project: Project): Baseline | null {
  const path = ppath.join(project.cwd, Filename.lockfile);
  return xfs.existsSync(path) ? readBaseline(xfs.readFileSync(path, `utf8`)) : null;
}

/** `yarn.lock` as a git revision has it, for pull-request checks: `yarn quarantine check --since origin/main`. */
export async function readBaselineAt(project: Project, revision: string): Promise<Baseline> {
  // git would read such a value as one of its options (`--output=<file>` writes a file).
  if (revision.startsWith(`-`))
    throw new ReportError(MessageName.UNNAMED, `--since ${revision}: a git revision cannot start with "-", and git would read this one as an option. Fix: pass a branch, tag or commit, e.g. --since origin/main`);
  // An empty value (a CI variable that was not set) would name the index, which holds the pull request's own lockfile.
  if (revision.trim() === ``)
    throw new ReportError(MessageName.UNNAMED, `--since "${revision}": no revision given (an unset CI variable?), and git would read the pull request's own staged yarn.lock. Fix: pass a branch, tag or commit, e.g. --since origin/main`);
  const git = (args: Array<string>) => execUtils.execvp(`git`, args, {cwd: project.cwd, strict: false})
    .catch((error: Error) => ({code: -1, stdout: ``, stderr: error.message}));
  // Resolved to a commit first, so no other revision syntax (a path in the index, a tree) can stand in for one.
  const commit = await git([`rev-parse`, `--verify`, `--quiet`, `${revision}^{commit}`]);
  const show = commit.code === 0
    ? await git([`show`, `${commit.stdout.trim()}:./${Filename.lockfile}`])
    : await whyNotACommit(git, revision);
  if (show.code !== 0) {
    const reason = show.stderr.trim().split(`\n`)[0] || `git exited with code ${show.code}`;
    throw new ReportError(MessageName.UNNAMED, `--since ${revision}: could not read ${Filename.lockfile} at that revision (${reason}). Fix: pass a revision that exists and has a ${Filename.lockfile}, e.g. origin/main after a fetch`);
  }
  return readBaseline(show.stdout);
}

/** Git's own reason (an unknown revision, or one that is no commit), with a hint for shallow CI clones. */
async function whyNotACommit(git: (args: Array<string>) => Promise<{code: number | null, stdout: string, stderr: string}>, revision: string) {
  const object = await git([`rev-parse`, `--verify`, revision]);
  const shallow = (await git([`rev-parse`, `--is-shallow-repository`])).stdout.trim() === `true`;
  const reason = object.code === 0 ? `not a commit` : `${object.stderr.trim().split(`\n`)[0] || `unknown revision`}${shallow ? `; this clone is shallow: fetch that revision first, e.g. git fetch --depth=1 origin ${revision}` : ``}`;
  return {code: 1, stdout: ``, stderr: reason};
}

/** Reads any lockfile Yarn 4 reads: current ones, old ones it wants to refresh, and Yarn 1's. */
export function readBaseline(text: string): Baseline {
  const document = parseSyml(text) as Record<string, Record<string, unknown>>;
  const versionsByName = new Map<string, Array<string>>();
  const workspaceDeclarations: Array<BaselineWorkspace> = [];
  const locatorHashes = new Set<string>();
  const checksums = new Map<string, string>();
  const berry = typeof document.__metadata === `object`;

  for (const [key, entry] of Object.entries(document)) {
    if (key === `__metadata` || typeof entry !== `object` || entry === null)
      continue;

    const locator = typeof entry.resolution === `string` ? structUtils.tryParseLocator(entry.resolution, true) : null;
    if (locator)
      locatorHashes.add(locator.locatorHash);
    if (locator && typeof entry.checksum === `string`)
      checksums.set(structUtils.stringifyLocator(locator), entry.checksum.slice(entry.checksum.indexOf(`/`) + 1));
    const names = locator ? [packageNameOf(locator)] : namesFromKey(key);
    const version = typeof entry.version === `string` ? entry.version : `unknown`;
    for (const name of names) {
      const versions = versionsByName.get(name) ?? [];
      if (!versions.includes(version))
        versions.push(version);
      versionsByName.set(name, versions);
    }

    if (locator && locator.reference.startsWith(`workspace:`)) {
      const dependencies = [entry.dependencies, entry.peerDependencies].flatMap(field => typeof field === `object` && field !== null ? Object.entries(field) : [])
        .flatMap(([name, range]) => typeof range === `string` ? [name, declaredPackageName(name, range)] : [name]);
      workspaceDeclarations.push({name: structUtils.stringifyIdent(locator), path: locator.reference.slice(`workspace:`.length), declared: new Set(dependencies)});
    }
  }

  const metadata = berry ? document.__metadata as Record<string, unknown> : null;
  const formatVersion = metadata !== null ? Number(metadata.version) : null;
  return {
    versionsByName,
    locatorHashes,
    workspaceDeclarations: berry ? workspaceDeclarations : null,
    formatVersion: formatVersion !== null && Number.isFinite(formatVersion) ? formatVersion : null,
    cacheKey: metadata !== null && metadata.cacheKey !== undefined ? String(metadata.cacheKey) : null,
    checksums,
    contentHash: createHash(`sha256`).update(text).digest(`hex`),
  };
}

/** Yarn 1 keys: `"axios@^1.2.0, axios@^1.4.0"`, aliases as `"lodash@npm:plain-crypto-js@^4"`. */
function namesFromKey(key: string): Array<string> {
  return key.split(/\s*,\s*/).flatMap(part => {
    const descriptor = structUtils.tryParseDescriptor(part.replace(/^"|"$/g, ``), false);
    if (!descriptor)
      return [];
    return [declaredPackageName(structUtils.stringifyIdent(descriptor), descriptor.range)];
  });
}
