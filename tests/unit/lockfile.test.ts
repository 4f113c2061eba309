import {describe, expect, it} from 'vitest';

import {checkChecksums, checkLockfile, checkLockfileFormat, sourceMismatch, type CachedArchive, type LockedArchiveUrl, type ResolvedEdge} from '../../sources/rules/lockfile';
import type {DeclaredSource, ResolvedSource} from '../../sources/rules/source';
import {makePolicy} from './policyFixture';

const npmRange = (selector: string, name = `lib`): Extract<DeclaredSource, {kind: `registry`}> => ({kind: `registry`, protocol: `npm:`, name, selector});
const npmVersion = (version: string, name = `lib`, archiveUrl: string | null = null): Extract<ResolvedSource, {kind: `registry`}> => ({kind: `registry`, protocol: `npm:`, name, version, archiveUrl});
const tarball = (url: string): ResolvedSource => ({kind: `other`, label: `a tarball URL`, reference: url, git: null});
const git = (repository: string, commit: string | null): ResolvedSource => ({kind: `other`, label: `git`, reference: `${repository}#commit=${commit}`, git: {repository, commit}});
const declaredGit = (repository: string, commit: string | null): DeclaredSource => ({kind: `other`, label: `git`, source: repository, git: {repository, commit}});
const declaredTarball = (url: string): DeclaredSource => ({kind: `other`, label: `a tarball URL`, source: url, git: null});

describe(`sourceMismatch`, () => {
  it.each<[string, DeclaredSource, ResolvedSource, string | null]>([
    [`an npm range locked to a version inside it`, npmRange(`^1.0.0`), npmVersion(`1.2.0`), null],
    [`an npm range locked to a prerelease inside it`, npmRange(`^1.0.0-beta.1`), npmVersion(`1.0.0-beta.3`), null],
    [`a dist-tag (any version can carry it)`, npmRange(`latest`), npmVersion(`0.1.0`), null],
    [`an alias locked to the package it names`, npmRange(`^1`, `axios`), npmVersion(`1.14.0`, `axios`), null],
    [`an npm range locked to a tarball URL`, npmRange(`^1.0.0`), tarball(`http://evil.test/lib-1.0.1.tgz`), `a tarball URL`],
    [`an npm range locked to git`, npmRange(`^1.0.0`), git(`git://evil.test/lib.git`, `abc`), `git`],
    [`an npm range locked to another package`, npmRange(`^1.0.0`), npmVersion(`1.0.0`, `evil`), `another package`],
    [`an npm range locked to a version outside it`, npmRange(`^1.0.0`), npmVersion(`0.0.1`), `a version outside that range`],
    [`an npm range locked to a workspace of another name`, npmRange(`^1.0.0`, `other`), {kind: `workspace`}, `a workspace`],
    [`a jsr range locked to npm`, {kind: `registry`, protocol: `jsr:`, name: `lib`, selector: `^1.0.0`}, npmVersion(`1.0.0`), `another registry protocol`],
    [`a jsr range locked to a jsr version inside it`, {kind: `registry`, protocol: `jsr:`, name: `@jsr/std__path`, selector: `^1.0.0`}, {kind: `registry`, protocol: `jsr:`, name: `@jsr/std__path`, version: `1.1.0`, archiveUrl: null}, null],
    [`a jsr range locked to another jsr package`, {kind: `registry`, protocol: `jsr:`, name: `@jsr/std__path`, selector: `^1.0.0`}, {kind: `registry`, protocol: `jsr:`, name: `@jsr/evil__path`, version: `1.1.0`, archiveUrl: null}, `another package`],
    [`an npm range locked to the jsr package of the same name`, npmRange(`^1.0.0`, `@std/path`), {kind: `registry`, protocol: `jsr:`, name: `@jsr/std__path`, version: `1.1.0`, archiveUrl: null}, `another registry protocol`],
    [`a tarball locked to that tarball`, declaredTarball(`https://a.test/x.tgz`), tarball(`https://a.test/x.tgz`), null],
    [`a tarball locked to another tarball`, declaredTarball(`https://a.test/x.tgz`), tarball(`https://evil.test/x.tgz`), `another source`],
    [`a tarball locked to the registry`, declaredTarball(`https://a.test/x.tgz`), npmVersion(`1.0.0`), `the registry`],
    [`a git branch locked to a commit of that repository`, declaredGit(`https://a.test/x.git`, null), git(`https://a.test/x.git`, `abc`), null],
    [`a git commit locked to another commit`, declaredGit(`https://a.test/x.git`, `abc`), git(`https://a.test/x.git`, `def`), `another repository or commit`],
    [`a git range locked to another repository`, declaredGit(`https://a.test/x.git`, null), git(`https://evil.test/x.git`, `abc`), `another repository or commit`],
    [`a workspace range`, {kind: `workspace`}, {kind: `workspace`}, null],
    [`a patched range locked to the same patch`, {...npmRange(`^1.0.0`), patch: `./fix.patch`}, {...npmVersion(`1.0.0`), patch: `./fix.patch`}, null],
    [`a patched range locked to another patch file`, {...npmRange(`^1.0.0`), patch: `./fix.patch`}, {...npmVersion(`1.0.0`), patch: `~/.yarn/cache/x.patch`}, `another patch`],
    [`a plain range locked to a patched version`, npmRange(`^1.0.0`), {...npmVersion(`1.0.0`), patch: `~/.yarn/cache/x.patch`}, `another patch`],
    [`a patched range locked without its patch`, {...npmRange(`^1.0.0`), patch: `./fix.patch`}, npmVersion(`1.0.0`), `no patch`],
    [`an unknown protocol, which only its plugin understands`, {kind: `other`, label: `an unknown protocol`, source: `weird:x`, git: null}, tarball(`https://a.test/x.tgz`), null],
  ])(`%s: %s`, (_, declared, resolved, expected) => {
    const version = resolved.kind === `registry` ? resolved.version : `1.0.0`;
    expect(sourceMismatch(declared, {name: `lib`, version, resolved}, {transparentWorkspaces: true})).toBe(expected);
  });

  it.each<[string, DeclaredSource, string, boolean, string | null]>([
    [`a workspace whose version satisfies the range, with transparent workspaces`, npmRange(`^30.0.0`), `30.2.0`, true, null],
    [`the same without transparent workspaces`, npmRange(`^30.0.0`), `30.2.0`, false, `a workspace`],
    [`a workspace whose version is outside the range`, npmRange(`^30.0.0`), `29.0.0`, true, `a workspace`],
    [`a dist-tag, which Yarn never maps to a workspace`, npmRange(`latest`), `30.2.0`, true, `a workspace`],
    [`a workspace of another name`, npmRange(`^30.0.0`, `evil`), `30.2.0`, true, `a workspace`],
  ])(`an npm range resolved to %s`, (_, declared, version, transparentWorkspaces, expected) => {
    expect(sourceMismatch(declared, {name: `lib`, version, resolved: {kind: `workspace`}}, {transparentWorkspaces})).toBe(expected);
  });
});

const edge = (declared: DeclaredSource, resolved: ResolvedSource, declaredBy = `app@workspace:.`): ResolvedEdge => ({
  declaredBy,
  declaredName: `lib`,
  range: `npm:^1.0.0`,
  declared,
  child: {label: `lib@http://evil.test/lib-1.0.1.tgz`, name: `lib`, version: `1.0.1`, resolved},
});
const archiveUrl = (overrides: Partial<LockedArchiveUrl> = {}): LockedArchiveUrl => ({
  name: `lib`,
  version: `1.0.0`,
  locked: true,
  archiveUrl: `https://mirror.test/lib/-/lib-1.0.0.tgz`,
  registry: {kind: `served`, url: `https://mirror.test/lib/-/lib-1.0.0.tgz`},
  ...overrides,
});
const archive = (holds: CachedArchive[`holds`]): CachedArchive => ({name: `lib`, version: `1.0.0`, locked: true, file: `.yarn/cache/lib-npm-1.0.0-0123456789.zip`, holds});
const none = {edges: [], transparentWorkspaces: true, archiveUrls: [], archives: []};

describe(`checkLockfile`, () => {
  it(`reports a declared npm range that yarn.lock moved to a tarball, naming who declares it`, () => {
    expect(checkLockfile({...none, edges: [edge(npmRange(`^1.0.0`), tarball(`http://evil.test/lib-1.0.1.tgz`))]}, makePolicy())).toEqual([expect.objectContaining({
      rule: `lockfile`,
      kind: `source-mismatch`,
      severity: `error`,
      name: `lib`,
      range: `npm:^1.0.0`,
      detail: `a tarball URL`,
      declaredBy: `app@workspace:.`,
      found: `lib@http://evil.test/lib-1.0.1.tgz`,
    })]);
  });

  it(`reports the same mismatch once, however many packages declare it`, () => {
    const mismatch = edge(npmRange(`^1.0.0`), tarball(`http://evil.test/lib-1.0.1.tgz`));
    expect(checkLockfile({...none, edges: [mismatch, mismatch, {...mismatch, declaredBy: `web@workspace:web`}]}, makePolicy())).toHaveLength(1);
  });

  it.each<[string, LockedArchiveUrl, Array<string>]>([
    [`the registry's own URL`, archiveUrl(), []],
    [`another version's tarball`, archiveUrl({archiveUrl: `https://mirror.test/lib/-/lib-1.0.1.tgz`}), [`unconfirmed-tarball`]],
    [`another host`, archiveUrl({archiveUrl: `https://evil.test/lib/-/lib-1.0.0.tgz`}), [`unconfirmed-tarball`]],
    [`a version the registry cannot confirm`, archiveUrl({registry: {kind: `unknown`, reason: `the registry does not list this version`}}), [`unconfirmed-tarball`]],
  ])(`an archive URL in yarn.lock that is %s`, (_, locked, kinds) => {
    expect(checkLockfile({...none, archiveUrls: [locked]}, makePolicy()).map(finding => finding.kind)).toEqual(kinds);
  });

  it.each<[string, CachedArchive[`holds`], Array<string>]>([
    [`the claimed package and version`, {kind: `manifest`, name: `lib`, version: `1.0.0`}, []],
    [`another version`, {kind: `manifest`, name: `lib`, version: `1.0.1`}, [`lib@1.0.1`]],
    [`another package`, {kind: `manifest`, name: `evil`, version: `1.0.0`}, [`evil@1.0.0`]],
    [`nothing readable`, {kind: `unreadable`, reason: `not a zip archive`}, [`null:not a zip archive`]],
  ])(`a committed cache archive holding %s`, (_, holds, expected) => {
    expect(checkLockfile({...none, archives: [archive(holds)]}, makePolicy()).map(finding => finding.found ?? `null:${finding.detail}`)).toEqual(expected);
  });

  it(`believes the lockfile as written under quarantineLockfile: trust`, () => {
    const everything = {
      ...none,
      edges: [edge(npmRange(`^1.0.0`), tarball(`http://evil.test/lib-1.0.1.tgz`))],
      archiveUrls: [archiveUrl({archiveUrl: `https://evil.test/x.tgz`})],
      archives: [archive({kind: `manifest`, name: `lib`, version: `1.0.1`})],
    };
    expect(checkLockfile(everything, makePolicy({lockfile: `trust`}))).toEqual([]);
    expect(checkLockfile(everything, makePolicy()).map(finding => finding.kind)).toEqual([`source-mismatch`, `unconfirmed-tarball`, `archive-mismatch`]);
  });
});

describe(`checkLockfileFormat`, () => {
  const unset = [`approvedGitRepositories`, `enableScripts`];

  it.each<[string, number | null, number | null, Array<string>, boolean]>([
    [`the same format as the base`, 10, 10, unset, false],
    [`a newer format than the base`, 10, 8, unset, false],
    [`an older format than the base`, 8, 10, unset, true],
    [`a Yarn 1 lockfile where the base had a Berry one`, null, 10, unset, true],
    [`no base to compare with`, 8, null, unset, false],
    [`an older format, but every setting a migration would change is set by the project`, 8, 10, [], false],
  ])(`%s`, (_, current, base, unsetSettings, reported) => {
    expect(checkLockfileFormat({current, base, unset: unsetSettings}, makePolicy()).length).toBe(reported ? 1 : 0);
  });

  it(`names the settings Yarn would set, and is off under quarantineLockfile: trust`, () => {
    expect(checkLockfileFormat({current: 8, base: 10, unset}, makePolicy())[0]).toMatchObject({rule: `lockfile`, kind: `format-downgrade`, found: `8`, expected: `10`, detail: `approvedGitRepositories, enableScripts`});
    expect(checkLockfileFormat({current: 8, base: 10, unset}, makePolicy({lockfile: `trust`}))).toEqual([]);
  });
});

describe(`dependency lists`, () => {
  const entry = (lockfile: Array<string>, registry: Array<string>) => ({name: `lib`, version: `1.0.0`, locked: true, lockfile, registry});

  it.each<[string, Array<string>, Array<string>, Array<{found: string | null, expected: string | null}>]>([
    [`the same list`, [`sub@npm:^1.0.0`], [`sub@npm:^1.0.0`], []],
    [`a dependency the registry's manifest does not declare`, [`evil@npm:^1.0.0`, `sub@npm:^1.0.0`], [`sub@npm:^1.0.0`], [{found: `evil@npm:^1.0.0`, expected: null}]],
    [`a dependency moved onto a patch`, [`sub@patch:sub@npm%3A^1.0.0#~/.yarn/cache/x.patch`], [`sub@npm:^1.0.0`], [{found: `sub@patch:sub@npm%3A^1.0.0#~/.yarn/cache/x.patch`, expected: `sub@npm:^1.0.0`}]],
    [`a scoped dependency's range changed`, [`@acme/sub@npm:^2.0.0`], [`@acme/sub@npm:^1.0.0`], [{found: `@acme/sub@npm:^2.0.0`, expected: `@acme/sub@npm:^1.0.0`}]],
    [`a dependency left out (breaks the install, brings nothing in)`, [], [`sub@npm:^1.0.0`], []],
  ])(`%s`, (_, lockfile, registry, expected) => {
    expect(checkLockfile({...none, dependencies: [entry(lockfile, registry)]}, makePolicy()).map(({kind, found, expected}) => ({kind, found, expected}))).toEqual(expected.map(fields => ({kind: `dependency-mismatch`, ...fields})));
  });
});

describe(`checkChecksums`, () => {
  const lockfile = (cacheKey: string, checksums: Record<string, string>) => ({cacheKey, checksums: new Map(Object.entries(checksums))});
  const base = lockfile(`10c0`, {'payload@https://host.test/payload.tgz': `aaaa`, 'lib@npm:1.0.0': `bbbb`});

  it.each<[string, ReturnType<typeof lockfile>, Array<string>]>([
    [`the same checksums`, lockfile(`10c0`, {'payload@https://host.test/payload.tgz': `aaaa`, 'lib@npm:1.0.0': `bbbb`}), []],
    [`a tarball URL whose checksum changed`, lockfile(`10c0`, {'payload@https://host.test/payload.tgz': `cccc`, 'lib@npm:1.0.0': `bbbb`}), [`payload@https://host.test/payload.tgz`]],
    [`an entry the base never had`, lockfile(`10c0`, {'other@npm:1.0.0': `dddd`}), []],
    [`another cache key (the whole cache was rebuilt)`, lockfile(`10c8`, {'payload@https://host.test/payload.tgz': `cccc`}), []],
  ])(`%s`, (_, current, found) => {
    expect(checkChecksums({current, base}, makePolicy()).map(finding => finding.found)).toEqual(found);
  });

  it(`is off under quarantineLockfile: trust`, () => {
    expect(checkChecksums({current: lockfile(`10c0`, {'lib@npm:1.0.0': `eeee`}), base}, makePolicy({lockfile: `trust`}))).toEqual([]);
  });
});
