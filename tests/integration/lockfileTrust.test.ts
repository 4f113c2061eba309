import {createHash} from 'node:crypto';
import {existsSync} from 'node:fs';
import {readdir, readFile, rm, unlink, writeFile} from 'node:fs/promises';
import {join} from 'node:path';
import {deserialize, serialize} from 'node:v8';
import {gunzipSync, gzipSync} from 'node:zlib';
import {afterEach, describe, expect, it} from 'vitest';

import {MALICIOUS_POSTINSTALL, MARKER_FILE} from '../../scripts/lib/axios-replay.mjs';
import {agoISO, buildTarball, type Registry} from '../../scripts/lib/registry.mjs';
import {commitAll, git, startGitServer, touchScript} from './gitServer';
import {indexJsPatch, lockfileWrittenWithoutPlugin, projectWith, registryWith} from './support';

/**
 * The lockfile, a committed cache and the install state are untrusted input: each way a pull request
 * could use them to install a 2-hour-old version or an unlisted source, with the plugin loaded, is
 * tried here against the real Yarn. Each must be stopped before anything is fetched or run, and
 * `yarn quarantine check --since` must report it.
 */

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_LIB = {...APP, dependencies: {lib: `^1.0.0`}};

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map(cleanup => cleanup()));
});

type TestProject = Awaited<ReturnType<typeof projectWith>>;

/** 1.0.0 has been out for a month; 1.0.1, published 2 hours ago, carries the payload. */
function publishYoungLib(registry: Registry, name = `lib`) {
  registry.packages.addVersion(name, `1.0.1`, {publishedAt: agoISO({hours: 2}), scripts: {postinstall: MALICIOUS_POSTINSTALL}});
}

async function libRegistry() {
  return await registryWith({packages: [{name: `lib`, versions: {'1.0.0': {publishedAt: agoISO({days: 30})}}}]});
}

/** The base branch locked on `name` 1.0.0 (lib itself, or sub under lib), then 1.0.1 published: what a pull request starts from. */
async function beforeThePullRequest(name: `lib` | `sub` = `lib`) {
  const registry = await libRegistry();
  if (name === `sub`) {
    registry.packages.addPackage({name: `sub`, versions: {'1.0.0': {publishedAt: agoISO({days: 30})}}});
    registry.packages.addVersion(`lib`, `1.0.0`, {publishedAt: agoISO({days: 30}), dependencies: {sub: `^1.0.0`}});
  }
  const project = await baseBranch(registry);
  publishYoungLib(registry, name);
  return {registry, project, honest: (await project.lockfile())!, youngUrl: `${registry.url}/${name}/-/${name}-1.0.1.tgz`};
}

/** The base branch: a project locked on lib 1.0.0, committed, as a CI runner would clone it. */
async function baseBranch(registry: Registry, options: {yarnrc?: Record<string, unknown>, keepCache?: boolean} = {}) {
  const project = await projectWith({registry, manifest: USES_LIB, yarnrc: options.yarnrc});
  const installed = await project.install();
  expect(installed.code, installed.output).toBe(0);
  if (!options.keepCache)
    await rm(join(project.dir, `.yarn`), {recursive: true, force: true});
  await rm(join(project.dir, `node_modules`), {recursive: true, force: true});
  commitAll(project.dir, `base`);
  return project;
}

/** The `checksum:` of an entry in a lockfile. */
function checksumOf(lockfile: string, resolution: string) {
  const entry = lockfile.split(`\n\n`).find(block => block.includes(`resolution: "${resolution}"`));
  const checksum = /checksum: (\S+)/.exec(entry ?? ``)?.[1];
  if (!checksum)
    throw new Error(`no checksum for ${resolution} in:\n${lockfile}`);
  return checksum;
}

async function youngChecksum(registry: Registry) {
  return checksumOf(await lockfileWrittenWithoutPlugin(registry, {...APP, dependencies: {lib: `1.0.1`}}), `lib@npm:1.0.1`);
}

/** A CI run of the pull request: nothing installed yet. */
async function expectNothingFetchedOrRun(project: TestProject, registry: Registry, lockfile: string) {
  expect(await project.lockfile()).toBe(lockfile);
  expect(registry.requests.filter(request => request.kind === `tarball`)).toEqual([]);
  expect(await project.scriptRan()).toBe(false);
  expect(project.exists(`node_modules/lib`)).toBe(false);
}

describe(`A. a locked npm entry whose tarball URL is not the registry's`, () => {
  it(`is refused by check --since and by install --immutable before any fetch`, async () => {
    const {registry, project, honest, youngUrl} = await beforeThePullRequest();
    const forged = honest
      .replace(`resolution: "lib@npm:1.0.0"`, `resolution: "lib@npm:1.0.0::__archiveUrl=${encodeURIComponent(youngUrl)}"`)
      .replace(checksumOf(honest, `lib@npm:1.0.0`), await youngChecksum(registry));
    await project.writeFile(`yarn.lock`, forged);
    registry.clearRequests();

    const check = await project.run([`quarantine`, `check`, `--since`, `HEAD`]);
    expect(check.code, check.output).toBe(1);
    expect(check.output).toContain(`lib@npm:1.0.0: yarn.lock fetches it from ${youngUrl}, but the registry serves lib 1.0.0 at ${registry.url}/lib/-/lib-1.0.0.tgz`);

    const install = await project.install([`install`, `--immutable`]);
    expect(install.code, install.output).toBe(1);
    expect(install.output).toContain(`lib@npm:1.0.0 (locked): yarn.lock fetches it from ${youngUrl}, but the registry serves lib 1.0.0 at ${registry.url}/lib/-/lib-1.0.0.tgz`);
    expect(install.output).toContain(`Fix: run yarn up -R lib`);
    await expectNothingFetchedOrRun(project, registry, forged);
  });
});

describe(`B. a lockfile that moves a declared npm range onto a tarball URL`, () => {
  it.each([
    [`a direct dependency`, `lib` as const, `app@workspace:.`],
    [`a sub-dependency`, `sub` as const, `lib@npm:1.0.0`],
  ])(`is refused for %s before any fetch: the manifest never declared that source`, async (_, name, declaredBy) => {
    const {registry, project, honest, youngUrl} = await beforeThePullRequest(name);
    const forged = honest
      .replace(`resolution: "${name}@npm:1.0.0"`, `resolution: "${name}@${youngUrl}"`)
      .replace(new RegExp(`("${name}@npm:\\^1\\.0\\.0":\\n {2}version: )1\\.0\\.0`), `$11.0.1`);
    expect(forged).toContain(`version: 1.0.1`);
    await project.writeFile(`yarn.lock`, forged);
    registry.clearRequests();

    const check = await project.run([`quarantine`, `check`, `--since`, `HEAD`]);
    expect(check.code, check.output).toBe(1);
    expect(check.output).toContain(`${declaredBy} declares ${name}@npm:^1.0.0, but yarn.lock resolves it to ${name}@${youngUrl} (a tarball URL)`);

    const install = await project.install([`install`, `--immutable`]);
    expect(install.code, install.output).toBe(1);
    expect(install.output).toContain(`${declaredBy} declares ${name}@npm:^1.0.0, but yarn.lock resolves it to ${name}@${youngUrl} (a tarball URL)`);
    expect(install.output).toContain(`Fix: re-resolve it from the manifest with yarn up -R ${name}`);
    await expectNothingFetchedOrRun(project, registry, forged);
  });
});

/** What a project that came from an older Yarn keeps in .yarnrc.yml once Yarn 4.14+ migrated it: git repositories allowed. */
const MIGRATED = {approvedGitRepositories: [`**`]};

describe(`C. a lockfile an older Yarn wrote`, () => {
  /** lib depends on a git package and on a tarball URL; young@1.0.0 was published an hour ago. */
  async function withExoticSubDependencies() {
    const gitServer = await startGitServer();
    cleanups.push(() => gitServer.close());
    const registry = await libRegistry();
    const project = await projectWith({registry, manifest: {...APP, dependencies: {lib: `^1.0.0`, young: `^1.0.0`}}, yarnrc: MIGRATED});
    const prepackMarker = join(project.markerDir, `payload-prepack-ran`);
    const payload = await gitServer.addPackage(`payload`, {scripts: {prepack: touchScript(prepackMarker), postinstall: touchScript(prepackMarker)}});
    registry.packages.addPackage({name: `dl`, versions: {'1.0.0': {scripts: {postinstall: MALICIOUS_POSTINSTALL}}}});
    registry.packages.addVersion(`lib`, `1.0.0`, {publishedAt: agoISO({days: 30}), dependencies: {payload: `${payload.url}#${payload.commit}`, dl: `${registry.url}/dl/-/dl-1.0.0.tgz`}});
    registry.packages.addPackage({name: `young`, versions: {'1.0.0': {publishedAt: agoISO({hours: 1})}}});
    return {registry, project, prepackMarker};
  }

  it.each([
    [`written by Yarn 4.0.2 (lockfile version 6 or 8)`, `4.0.2`, []],
    [`written by Yarn 4.9.4 (lockfile version 8)`, `4.9.4`, []],
  ])(`%s: nothing is cloned, downloaded or run before the policy judges it`, async (_, writer, flags) => {
    const {registry, project, prepackMarker} = await withExoticSubDependencies();
    const lockfile = await lockfileWrittenWithoutPlugin(registry, JSON.parse(await project.readFile(`package.json`)), writer);
    expect(lockfile).toMatch(/__metadata:\n {2}version: [4-9]\n/);
    expect(lockfile).toContain(`payload@git://`);
    await rm(prepackMarker, {force: true});
    await project.writeFile(`yarn.lock`, lockfile);
    registry.clearRequests();

    const install = await project.install([`install`, ...flags]);

    expect(install.code, install.output).toBe(1);
    expect(install.output).toContain(`young@npm:1.0.0 (locked) is in quarantine`);
    expect(install.output).toContain(`the install stopped before fetching anything`);
    expect(existsSync(prepackMarker)).toBe(false);
    await expectNothingFetchedOrRun(project, registry, lockfile);
  });

  it.each([
    [`--refresh-lockfile`, [`--refresh-lockfile`], {}],
    [`hardened mode`, [], {YARN_ENABLE_HARDENED_MODE: `1`}],
  ])(`leaves Yarn's own check of a lockfile against its sources (%s) intact: a dependency added to a tarball entry is caught`, async (_, flags, env) => {
    const registry = await libRegistry();
    registry.packages.addPackage({name: `tb`, versions: {'1.0.0': {}}});
    registry.packages.addPackage({name: `evil`, versions: {'1.0.0': {publishedAt: agoISO({days: 30}), scripts: {postinstall: MALICIOUS_POSTINSTALL}}}});
    const tarballUrl = `${registry.url}/tb/-/tb-1.0.0.tgz`;
    const project = await projectWith({registry, manifest: {...APP, dependencies: {tb: tarballUrl}}});
    expect((await project.install()).code).toBe(0);
    await rm(join(project.dir, `node_modules`), {recursive: true, force: true});
    const evilEntry = (await lockfileWrittenWithoutPlugin(registry, {...APP, dependencies: {evil: `^1.0.0`}})).split(`\n\n`).find(block => block.startsWith(`"evil@npm:^1.0.0":`))!;
    const honest = (await project.lockfile())!;
    const forged = `${honest.replace(`resolution: "tb@${tarballUrl}"\n`, `resolution: "tb@${tarballUrl}"\n  dependencies:\n    evil: "npm:^1.0.0"\n`)}\n${evilEntry}\n`;
    expect(forged).toContain(`evil: "npm:^1.0.0"`);
    await project.writeFile(`yarn.lock`, forged);

    const install = await project.install([`install`, `--immutable`, ...flags], env);

    expect(install.code, install.output).toBe(1);
    expect(install.output).toContain(`YN0028`);
    expect(await project.scriptRan()).toBe(false);
    expect(project.exists(`node_modules/evil`)).toBe(false);
  });

  it(`an honest one still installs, refreshed to the current format`, async () => {
    const {registry, project, prepackMarker} = await withExoticSubDependencies();
    registry.packages.setTime(`young`, `1.0.0`, agoISO({days: 30}));
    const lockfile = await lockfileWrittenWithoutPlugin(registry, JSON.parse(await project.readFile(`package.json`)), `4.0.2`);
    await rm(prepackMarker, {force: true});
    await project.writeFile(`yarn.lock`, lockfile);

    const install = await project.install([`install`]);

    expect(install.code, install.output).toBe(0);
    expect(await project.lockfile()).toMatch(/__metadata:\n {2}version: 10\n/);
    expect(existsSync(prepackMarker)).toBe(true);
  });
});

describe(`C. a lockfile rewritten in an older format`, () => {
  /** Yarn 4.18 runs no install script by default; lib's postinstall stands for any script a migration would let run. */
  async function scriptedBase() {
    const registry = await registryWith({packages: [{name: `lib`, versions: {'1.0.0': {publishedAt: agoISO({days: 30}), scripts: {postinstall: MALICIOUS_POSTINSTALL}}}}]});
    const project = await baseBranch(registry);
    // The base branch's own install ran it (the harness enables scripts); what matters is whether the next one does.
    await rm(join(project.markerDir, MARKER_FILE), {force: true});
    const honest = (await project.lockfile())!;
    expect(honest).toMatch(/__metadata:\n {2}version: 10\n/);
    return {registry, project, downgraded: honest.replace(/(__metadata:\n {2}version: )10\n/, `$18\n`)};
  }
  // The environment the harness sets would count as the project's choice: leave enableScripts to Yarn's default.
  const yarnDefaults = (project: TestProject) => ({MARKER_DIR: project.markerDir, YARN_ENABLE_SCRIPTS: undefined});

  it(`does not let Yarn turn on install scripts and every git repository for the install`, async () => {
    const {project, downgraded} = await scriptedBase();
    await project.writeFile(`yarn.lock`, downgraded);

    const check = await project.run([`quarantine`, `check`, `--since`, `HEAD`]);
    expect(check.code, check.output).toBe(1);
    expect(check.output).toContain(`yarn.lock was rewritten in an older format (version 8) than the base revision's (version 10)`);

    // `--immutable` would also stop it, later, for the lockfile Yarn wants to rewrite; a plain install would not.
    const install = await project.run([`install`], {env: yarnDefaults(project)});
    expect(install.code, install.output).toBe(1);
    expect(install.output).toContain(`Quarantine: yarn.lock says an older Yarn wrote it (lockfile version 8), so Yarn set approvedGitRepositories ["**"], enableScripts true for this install`);
    expect(await project.lockfile()).toBe(downgraded);
    expect(await project.scriptRan()).toBe(false);
    expect(project.exists(`node_modules/lib`)).toBe(false);

    // Yarn wrote its migration into .yarnrc.yml before any plugin could act; once the project keeps it, it is the project's.
    expect(await project.readFile(`.yarnrc.yml`)).toContain(`enableScripts: true`);
    const adopted = await project.run([`install`], {env: yarnDefaults(project)});
    expect(adopted.code, adopted.output).toBe(0);
  });

  it(`without the plugin, the same change runs the install script Yarn would not have run`, async () => {
    const {project, downgraded} = await scriptedBase();
    await project.setYarnrc({plugins: undefined});
    await project.run([`install`], {env: yarnDefaults(project)});
    expect(await project.scriptRan()).toBe(false);
    await rm(join(project.dir, `node_modules`), {recursive: true, force: true});
    await project.writeFile(`yarn.lock`, downgraded);

    const install = await project.run([`install`], {env: yarnDefaults(project)});

    expect(install.code, install.output).toBe(0);
    expect(await project.scriptRan()).toBe(true);
  });
});

describe(`D. a swapped archive in a committed cache (zero-installs)`, () => {
  /**
   * The attacker's archive: lib 1.0.1 as Yarn caches it, committed under the 1.0.0 entry. The entry's
   * checksum is changed to match it (`checksum: 'match'`), kept (`'keep'`: only the archive changes), or
   * removed (`'drop'`: Yarn then takes the archive named after its cache key); `versionField` also
   * rewrites the entry's `version:`. The committed install state goes too, as on a fresh CI clone.
   */
  async function swapArchive(registry: Registry, project: TestProject, {checksum = `match`, versionField = false}: {checksum?: `match` | `keep` | `drop`, versionField?: boolean} = {}) {
    const cacheDir = join(project.dir, `.yarn`, `cache`);
    const [oldZip] = (await readdir(cacheDir)).filter(file => file.startsWith(`lib-npm-1.0.0-`));
    expect(oldZip).toBeDefined();
    const donor = await projectWith({registry, manifest: {...APP, dependencies: {lib: `1.0.1`}}, plugin: false, yarnrc: {enableScripts: false}});
    expect((await donor.run([`install`])).code).toBe(0);
    const donorCache = join(donor.dir, `.yarn`, `cache`);
    const [youngZip] = (await readdir(donorCache)).filter(file => file.startsWith(`lib-npm-1.0.1-`));
    const youngChecksumValue = checksumOf((await donor.lockfile())!, `lib@npm:1.0.1`);
    const honest = (await project.lockfile())!;
    const oldChecksum = checksumOf(honest, `lib@npm:1.0.0`);
    let forged = checksum === `match` ? honest.replace(oldChecksum, youngChecksumValue) : checksum === `drop` ? honest.replace(`  checksum: ${oldChecksum}\n`, ``) : honest;
    if (versionField)
      forged = forged.replace(/("lib@npm:\^1\.0\.0":\n {2}version: )1\.0\.0/, `$11.0.1`);
    await unlink(join(cacheDir, oldZip));
    // Yarn names a cache archive after its locator and the first characters of its checksum, or its cache key without one.
    const name = checksum === `keep` ? oldZip : oldZip.replace(/-[0-9a-f]{10}\.zip$/, checksum === `drop` ? `-${youngChecksumValue.split(`/`)[0]}.zip` : `-${youngChecksumValue.split(`/`)[1].slice(0, 10)}.zip`);
    await writeFile(join(cacheDir, name), await readFile(join(donorCache, youngZip)));
    await rm(join(project.dir, `.yarn`, `install-state.gz`), {force: true});
    await project.writeFile(`yarn.lock`, forged);
    registry.clearRequests();
    return forged;
  }

  it.each([
    [`with its checksum changed to match`, {}, {}],
    [`with its entry's version field rewritten too`, {versionField: true}, {}],
    [`with its checksum removed, where Yarn takes it unverified (enableMirror: false)`, {checksum: `drop` as const}, {enableMirror: false}],
  ])(`an archive swapped %s is refused before anything is linked or run`, async (_, swap, yarnrc) => {
    const registry = await libRegistry();
    const project = await baseBranch(registry, {keepCache: true, yarnrc});
    publishYoungLib(registry);
    const forged = await swapArchive(registry, project, swap);

    const check = await project.run([`quarantine`, `check`, `--since`, `HEAD`]);
    expect(check.code, check.output).toBe(1);
    expect(check.output).toMatch(/lib@npm:1\.0\.0 \(locked\): its archive in the project's cache, \.yarn\/cache\/lib-npm-1\.0\.0-[\w-]+\.zip, holds lib 1\.0\.1, not 1\.0\.0/);

    const install = await project.install([`install`, `--immutable`, `--immutable-cache`]);
    expect(install.code, install.output).toBe(1);
    expect(install.output).toMatch(/its archive in the project's cache, .* holds lib 1\.0\.1, not 1\.0\.0/);
    await expectNothingFetchedOrRun(project, registry, forged);
  });

  it.each([
    [`with the checksum changed to match it: read again, and refused`, `match` as const, /holds lib 1\.0\.1, not 1\.0\.0/],
    [`under the checksum already read: Yarn's own hash check refuses it before linking`, `keep` as const, /YN0018: .*lib@npm:1\.0\.0: The remote archive doesn't match the expected checksum/],
  ])(`an archive swapped after this machine read it, %s`, async (_, checksum, message) => {
    const registry = await libRegistry();
    const project = await baseBranch(registry, {keepCache: true});
    const strict = {YARN_CHECKSUM_BEHAVIOR: `throw`};
    const first = await project.install([`install`, `--immutable`, `--immutable-cache`], strict);
    expect(first.code, first.output).toBe(0);
    await rm(join(project.dir, `node_modules`), {recursive: true, force: true});
    publishYoungLib(registry);
    const forged = await swapArchive(registry, project, {checksum});

    const install = await project.install([`install`, `--immutable`, `--immutable-cache`], strict);

    expect(install.code, install.output).toBe(1);
    expect(install.output).toMatch(message);
    await expectNothingFetchedOrRun(project, registry, forged);
  });

  it(`an honest zero-install project installs from its committed cache`, async () => {
    const registry = await libRegistry();
    const project = await baseBranch(registry, {keepCache: true});
    registry.clearRequests();

    const install = await project.install([`install`, `--immutable`, `--immutable-cache`]);

    expect(install.code, install.output).toBe(0);
    expect(registry.requests.filter(request => request.kind === `tarball`)).toEqual([]);
  });
});

describe(`E. a forged install state`, () => {
  it(`does not make yarn quarantine check report a young locked version as clean`, async () => {
    const registry = await libRegistry();
    const project = await projectWith({registry, manifest: USES_LIB});
    expect((await project.install()).code).toBe(0);
    publishYoungLib(registry);
    // The pull request: a lockfile pinning the 2-hour-old version, and the old state relabelled to match it.
    const forged = await lockfileWrittenWithoutPlugin(registry, USES_LIB);
    expect(forged).toContain(`resolution: "lib@npm:1.0.1"`);
    const statePath = join(project.dir, `.yarn`, `install-state.gz`);
    const state = deserialize(gunzipSync(await readFile(statePath)));
    state.lockFileChecksum = createHash(`sha512`).update(`3${forged}`).digest(`hex`);
    await writeFile(statePath, gzipSync(serialize(state)));
    await project.writeFile(`yarn.lock`, forged);

    const check = await project.run([`quarantine`, `check`]);

    expect(check.code, check.output).toBe(1);
    expect(check.output).toContain(`lib@npm:1.0.1 (locked) is in quarantine`);
  });
});

describe(`E. a lockfile whose workspace entry no longer matches its package.json`, () => {
  it(`makes check refuse to evaluate, instead of evaluating a smaller graph`, async () => {
    const registry = await libRegistry();
    const project = await baseBranch(registry);
    publishYoungLib(registry);
    const pinned = await lockfileWrittenWithoutPlugin(registry, USES_LIB);
    expect(pinned).toContain(`resolution: "lib@npm:1.0.1"`);
    // The workspace's entry loses its dependency list: resolved from the lockfile alone, lib would be unreachable.
    const forged = pinned.replace(/("app@workspace:\.":\n {2}version: [^\n]+\n {2}resolution: "app@workspace:\."\n) {2}dependencies:\n {4}lib: "npm:\^1\.0\.0"\n/, `$1`);
    expect(forged).not.toBe(pinned);
    await project.writeFile(`yarn.lock`, forged);

    for (const args of [[`quarantine`, `check`], [`quarantine`, `check`, `--since`, `HEAD`]]) {
      const check = await project.run(args);
      expect(check.code, check.output).toBe(2);
      expect(check.output).toContain(`yarn.lock does not match app@workspace:.: its package.json declares lib@npm:^1.0.0, which its entry does not list. Fix: run yarn install`);
    }
  });
});

describe(`F. a Yarn 1 lockfile that maps a declared npm range to git`, () => {
  it(`is refused before Yarn's migration clones it`, async () => {
    const gitServer = await startGitServer();
    cleanups.push(() => gitServer.close());
    const registry = await libRegistry();
    const project = await projectWith({registry, manifest: USES_LIB, yarnrc: MIGRATED});
    const marker = join(project.markerDir, `lib-from-git-ran`);
    const repo = await gitServer.addPackage(`lib`, {scripts: {prepack: touchScript(marker), postinstall: touchScript(marker)}});
    const lockfile = [
      `# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.`,
      `# yarn lockfile v1`,
      ``,
      ``,
      `lib@^1.0.0:`,
      `  version "1.0.0"`,
      `  resolved "${repo.url}#${repo.commit}"`,
      ``,
    ].join(`\n`);
    await project.writeFile(`yarn.lock`, lockfile);

    const check = await project.run([`quarantine`, `check`]);
    expect(check.code, check.output).toBe(1);
    expect(check.output).toContain(`app@workspace:. declares lib@npm:^1.0.0, but yarn.lock resolves it to lib@${repo.url}#commit=${repo.commit} (git)`);

    const install = await project.install([`install`]);
    expect(install.code, install.output).toBe(1);
    expect(install.output).toContain(`declares lib@npm:^1.0.0, but yarn.lock resolves it to lib@${repo.url}#commit=${repo.commit} (git)`);
    expect(existsSync(marker)).toBe(false);
    expect(await project.lockfile()).toBe(lockfile);
    expect(project.exists(`node_modules/lib`)).toBe(false);
  });
});

describe(`G. a project without a lockfile`, () => {
  async function tarballUnderLib() {
    const registry = await libRegistry();
    registry.packages.addPackage({name: `dl`, versions: {'1.0.0': {scripts: {postinstall: MALICIOUS_POSTINSTALL}}}});
    registry.packages.addVersion(`lib`, `1.0.0`, {publishedAt: agoISO({days: 30}), dependencies: {dl: `${registry.url}/dl/-/dl-1.0.0.tgz`}});
    return registry;
  }

  it(`judges every non-registry sub-dependency as new, before any request for it`, async () => {
    const registry = await tarballUnderLib();
    const project = await projectWith({registry, manifest: USES_LIB});

    const install = await project.install();

    expect(install.code, install.output).toBe(1);
    expect(install.output).toContain(`dl@${registry.url}/dl/-/dl-1.0.0.tgz: a sub-dependency of lib@1.0.0 from a tarball URL, not locked before; Yarn would fetch it during resolution, so it was stopped before any request. Fix: if you trust it, run yarn quarantine approve 'dl@${registry.url}/dl/-/dl-1.0.0.tgz'`);
    expect(registry.requests.filter(request => request.path.startsWith(`/dl/`))).toEqual([]);
    expect(await project.scriptRan()).toBe(false);
    expect(await project.lockfile()).toBeNull();
  });

  it(`lets it in when that very source is approved, but not on the strength of its name alone`, async () => {
    const registry = await tarballUnderLib();
    const byName = await projectWith({registry, manifest: USES_LIB, yarnrc: {quarantineApprovedDependencies: [`dl`], enableScripts: false}});
    expect((await byName.install()).code).toBe(1);

    const bySource = await projectWith({registry, manifest: USES_LIB, yarnrc: {quarantineApprovedDependencies: [`dl@${registry.url}/dl/-/dl-1.0.0.tgz`], enableScripts: false}});
    const install = await bySource.install();
    expect(install.code, install.output).toBe(0);
  });
});

describe(`H. a lockfile that changes what a registry package depends on`, () => {
  /** The base branch: lib 1.0.0 depends on sub ^1.0.0; both a month old. */
  async function baseWithSub() {
    const registry = await libRegistry();
    registry.packages.addPackage({name: `sub`, versions: {'1.0.0': {publishedAt: agoISO({days: 30})}}});
    registry.packages.addPackage({name: `evil`, versions: {'1.0.0': {publishedAt: agoISO({days: 30}), scripts: {postinstall: MALICIOUS_POSTINSTALL}}}});
    registry.packages.addVersion(`lib`, `1.0.0`, {publishedAt: agoISO({days: 30}), dependencies: {sub: `^1.0.0`}});
    const project = await baseBranch(registry);
    return {registry, project, honest: (await project.lockfile())!};
  }

  /** The lockfile entry a Yarn without the plugin writes for `name@range`. */
  async function entryFor(registry: Registry, name: string, range: string) {
    const lockfile = await lockfileWrittenWithoutPlugin(registry, {...APP, dependencies: {[name]: range}});
    return lockfile.split(`\n\n`).find(block => block.startsWith(`"${name}@`))!;
  }

  it.each([
    // Yarn keeps no patch: resolution from a lockfile, so the edge guard judges that one as it is resolved.
    [`a dependency added to the entry`, `evil`, `lib@npm:1.0.0 (locked): yarn.lock says it depends on evil@npm:^1.0.0, but the registry's manifest of lib 1.0.0 declares no such dependency: a lockfile cannot change what a package depends on, so nothing of it was fetched (via app@workspace:. > lib@npm:1.0.0). Fix: run yarn up -R lib to take its dependencies from the registry again`],
    [`a dependency moved onto a patch file the pull request commits`, `patch`, `sub@patch:sub@npm%3A^1.0.0#~/.yarn/cache/x.patch: a sub-dependency of lib@1.0.0 from a patch, not locked before; Yarn would fetch it during resolution, so it was stopped before any request`],
  ])(`%s: refused by install and check before anything is fetched`, async (_, change, refusal) => {
    const {registry, project, honest} = await baseWithSub();
    const patch = indexJsPatch(`sub`, `1.0.0`, `require('child_process').execSync('echo pwned');`);
    let forged: string;
    if (change === `evil`) {
      const evil = await entryFor(registry, `evil`, `^1.0.0`);
      forged = `${honest.replace(`resolution: "lib@npm:1.0.0"\n  dependencies:\n    sub: "npm:^1.0.0"\n`, `resolution: "lib@npm:1.0.0"\n  dependencies:\n    evil: "npm:^1.0.0"\n    sub: "npm:^1.0.0"\n`)}\n${evil}\n`;
    } else {
      // The lockfile a Yarn without the plugin writes when lib 1.0.0 declares that patch; the registry then says otherwise.
      await project.writeFile(`.yarn/cache/x.patch`, patch);
      registry.packages.addVersion(`lib`, `1.0.0`, {publishedAt: agoISO({days: 30}), dependencies: {sub: `patch:sub@npm%3A^1.0.0#~/.yarn/cache/x.patch`}});
      forged = await lockfileWrittenWithoutPlugin(registry, USES_LIB, `default`, {}, {'.yarn/cache/x.patch': patch});
      registry.packages.addVersion(`lib`, `1.0.0`, {publishedAt: agoISO({days: 30}), dependencies: {sub: `^1.0.0`}});
      expect(forged).toContain(`sub: "patch:sub@npm%3A^1.0.0#~/.yarn/cache/x.patch"`);
    }
    expect(forged).not.toBe(honest);
    await project.writeFile(`yarn.lock`, forged);
    registry.clearRequests();

    const check = await project.run([`quarantine`, `check`, `--since`, `HEAD`]);
    expect(check.code, check.output).toBe(1);
    expect(check.output).toMatch(/lib@npm:1\.0\.0 \(locked\): yarn\.lock says it depends on .*, but the registry's manifest of lib 1\.0\.0/);
    const plain = await project.run([`quarantine`, `check`]);
    expect(plain.code, plain.output).toBe(1);

    const install = await project.install([`install`, `--immutable`]);
    expect(install.code, install.output).toBe(1);
    expect(install.output).toContain(refusal);
    expect(registry.requests.filter(request => request.kind === `tarball`)).toEqual([]);
    expect(await project.scriptRan()).toBe(false);
    expect(project.exists(`node_modules/sub`)).toBe(false);
  });

  it(`without a lockfile, a registry package's dependency on a patch bound to a git repository is stopped before Yarn clones it`, async () => {
    const gitServer = await startGitServer();
    cleanups.push(() => gitServer.close());
    const registry = await libRegistry();
    const project = await projectWith({registry, manifest: USES_LIB, yarnrc: MIGRATED});
    const marker = join(project.markerDir, `payload-prepack-ran`);
    const payload = await gitServer.addPackage(`payload`, {scripts: {prepack: touchScript(marker)}}, {'x.patch': ``});
    registry.packages.addPackage({name: `sub`, versions: {'1.0.0': {publishedAt: agoISO({days: 30})}}});
    const binding = new URLSearchParams({locator: `payload@${payload.url}#commit=${payload.commit}`}).toString();
    registry.packages.addVersion(`lib`, `1.0.0`, {publishedAt: agoISO({days: 30}), dependencies: {sub: `patch:sub@npm%3A^1.0.0#./x.patch::${binding}`}});

    const install = await project.install();

    expect(install.code, install.output).toBe(1);
    expect(install.output).toContain(`a sub-dependency of lib@1.0.0 from a patch, not locked before; Yarn would fetch it during resolution, so it was stopped before any request`);
    expect(existsSync(marker)).toBe(false);
    expect(await project.lockfile()).toBeNull();
  });
});

describe(`I. a locked tarball URL whose bytes changed`, () => {
  it(`is reported by check --since as a changed checksum; the install alone cannot tell, the host serving the new bytes`, async () => {
    const registry = await libRegistry();
    registry.packages.addPackage({name: `tb`, versions: {'1.0.0': {}}});
    const tarballUrl = `${registry.url}/tb/-/tb-1.0.0.tgz`;
    const manifest = {...APP, dependencies: {tb: tarballUrl}};
    const project = await projectWith({registry, manifest});
    expect((await project.install()).code).toBe(0);
    await rm(join(project.dir, `node_modules`), {recursive: true, force: true});
    await rm(join(project.dir, `.yarn`), {recursive: true, force: true});
    commitAll(project.dir, `base`);
    // The host now serves other bytes at the same URL, and the pull request updates the checksum to match.
    registry.packages.addVersion(`tb`, `1.0.0`, {scripts: {postinstall: MALICIOUS_POSTINSTALL}});
    const forged = await lockfileWrittenWithoutPlugin(registry, manifest);
    expect(checksumOf(forged, `tb@${tarballUrl}`)).not.toBe(checksumOf((await project.lockfile())!, `tb@${tarballUrl}`));
    await project.writeFile(`yarn.lock`, forged);

    const check = await project.run([`quarantine`, `check`, `--since`, `HEAD`]);
    expect(check.code, check.output).toBe(1);
    expect(check.output).toContain(`tb@${tarballUrl}: yarn.lock keeps this entry of the base revision with another checksum`);

    const install = await project.install([`install`, `--immutable`]);
    expect(install.code, install.output).toBe(0);
  });
});

describe(`honest lockfiles`, () => {
  it(`of every kind of source install twice, zero-install style, and check clean`, async () => {
    const gitServer = await startGitServer();
    cleanups.push(() => gitServer.close());
    const registry = await libRegistry();
    registry.packages.addPackage({name: `tb`, versions: {'1.0.0': {}}});
    registry.packages.addPackage({name: `axios`, versions: {'1.14.0': {publishedAt: agoISO({days: 30})}}});
    const repo = await gitServer.addPackage(`fromgit`, {});
    const patch = indexJsPatch(`axios`, `1.14.0`, `module.exports.patched = true;`);
    const generator = `require('fs').writeFileSync(require('path').join(execEnv.buildDir, 'package.json'), JSON.stringify({name: 'gen', version: '1.0.0'}));\n`;
    const manifest = {
      ...APP,
      workspaces: [`packages/*`],
      dependencies: {
        lib: `^1.0.0`,
        'http-client': `npm:axios@^1.14.0`,
        axios: `patch:axios@npm%3A^1.14.0#./axios.patch`,
        tb: `${registry.url}/tb/-/tb-1.0.0.tgz`,
        fromgit: `${repo.url}#${repo.commit}`,
        vendored: `file:./vendored`,
        packed: `file:./packed.tgz`,
        linked: `link:./linked`,
        portaled: `portal:./portaled`,
        gen: `exec:./gen.js`,
        inner: `^2.0.0`,
      },
      resolutions: {lib: `1.0.0`},
    };
    const project = await projectWith({registry, manifest, yarnrc: MIGRATED, files: {
      'axios.patch': patch,
      'gen.js': generator,
      'vendored/package.json': JSON.stringify({name: `vendored`, version: `1.0.0`}),
      'linked/package.json': JSON.stringify({name: `linked`, version: `1.0.0`}),
      'portaled/package.json': JSON.stringify({name: `portaled`, version: `1.0.0`}),
      'packages/inner/package.json': JSON.stringify({name: `inner`, version: `2.1.0`}),
    }});
    await writeFile(join(project.dir, `packed.tgz`), buildTarball({'package/package.json': JSON.stringify({name: `packed`, version: `1.0.0`})}));

    const first = await project.install();
    expect(first.code, first.output).toBe(0);
    const lockfile = (await project.lockfile())!;
    // What a registry range resolved to a workspace looks like: Yarn's transparent workspaces.
    expect(lockfile).toMatch(/"inner@npm:\^2\.0\.0, inner@workspace:packages\/inner"/);
    const second = await project.install([`install`, `--immutable`, `--immutable-cache`]);
    expect(second.code, second.output).toBe(0);
    const check = await project.run([`quarantine`, `check`]);
    expect(check.code, check.output).toBe(0);
    expect(check.output).toContain(`Quarantine check: no violation`);
  });

  it(`install --immutable and check --since pass on an unmodified base branch`, async () => {
    const registry = await libRegistry();
    const project = await baseBranch(registry);
    const lockfile = (await project.lockfile())!;
    git(project.dir, `status`);

    expect((await project.run([`quarantine`, `check`, `--since`, `HEAD`])).code).toBe(0);
    const install = await project.install([`install`, `--immutable`]);
    expect(install.code, install.output).toBe(0);
    expect(await project.lockfile()).toBe(lockfile);
  });
});
