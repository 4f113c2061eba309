import {existsSync} from 'node:fs';
import {cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';

import {axiosReplay} from '../../scripts/lib/axios-replay.mjs';
import {agoISO} from '../../scripts/lib/registry.mjs';
import {BUNDLE} from '../../scripts/lib/yarn-project.mjs';
import {indexJsPatch, lockfileWrittenWithoutPlugin, projectWith, registryWith, tarballRequests} from './support';

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_AXIOS = {...APP, dependencies: {axios: `^1.14.0`}};
const PINS_BAD_AXIOS = {...APP, dependencies: {axios: `1.14.1`}};
const LOCKED_ON_GOOD = {...APP, dependencies: {axios: `1.14.0`}};

/** A lockfile written while the compromised version was live, then checked in by a teammate. */
async function ciProjectPinningTheBadVersion(yarnrc: Record<string, unknown> = {}) {
  const registry = await registryWith({packages: axiosReplay()});
  const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS);
  expect(lockfile).toContain(`axios@npm:1.14.1`);
  const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc, files: {'yarn.lock': lockfile}});
  registry.clearRequests();
  return {registry, project, lockfile};
}

describe(`the axios replay`, () => {
  it(`holds 1.14.1 back on \`yarn up axios\` and says until when`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: LOCKED_ON_GOOD});
    expect((await project.install()).code).toBe(0);
    await project.setManifest(USES_AXIOS);

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/axios@npm:\^1\.14\.0: held back 1\.14\.1 \(published \d{4}-\d\d-\d\d \d\d:\d\d UTC, 2h ago; eligible at \d{4}-\d\d-\d\d \d\d:\d\d UTC\), using 1\.14\.0/);
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.0"`);
    expect(await project.lockfile()).not.toContain(`plain-crypto-js`);
    expect(registry.requests.filter(request => request.name === `plain-crypto-js`)).toEqual([]);
    expect(await project.scriptRan()).toBe(false);
  });

  it(`fails an exact pin on the compromised version, naming when it becomes eligible`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: LOCKED_ON_GOOD});
    expect((await project.install()).code).toBe(0);
    const lockfile = await project.lockfile();
    registry.clearRequests();

    const result = await project.install([`add`, `axios@1.14.1`]);

    expect(result.code).toBe(1);
    expect(result.output).toMatch(/axios@npm:1\.14\.1: no version satisfying 1\.14\.1 is out of quarantine \(3d\): the youngest candidate, 1\.14\.1, was published .* UTC, 2h ago; the first candidate becomes eligible at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(result.output).toContain(`Fix: wait, or exempt it with yarn quarantine approve --release-age axios@1.14.1 (quarantineExemptPackages)`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(JSON.parse(await project.readFile(`package.json`)).dependencies).toEqual({axios: `1.14.0`});
    expect(tarballRequests(registry)).toEqual([]);
    expect(await project.scriptRan()).toBe(false);
  });

  it(`stops a CI run whose lockfile already pins the 2-hour-old version before anything is fetched`, async () => {
    const {registry, project, lockfile} = await ciProjectPinningTheBadVersion();

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code).toBe(1);
    expect(result.output).toMatch(/axios@npm:1\.14\.1 \(locked\) is in quarantine: published .* UTC, 2h ago, less than 3d; eligible at .* UTC \(via app@workspace:\. > axios@npm:1\.14\.1\)\. Fix: run yarn up -R axios to move to an eligible version/);
    expect(result.output).toMatch(/plain-crypto-js@npm:4\.2\.1 \(locked\) is in quarantine: .* \(via app@workspace:\. > axios@npm:1\.14\.1 > plain-crypto-js@npm:4\.2\.1\)/);
    expect(result.output).toContain(`Quarantine: 2 violations: 2 of the release-age rule (2 quarantined); the install stopped before fetching anything, and the lockfile was not written`);
    expect(result.output).not.toContain(`Fetch step`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
    expect(project.exists(`node_modules`)).toBe(false);
    expect(project.exists(`.yarn/install-state.gz`)).toBe(false);
    expect(await project.scriptRan()).toBe(false);
  });

  it(`lets the same CI run through, malicious postinstall and all, without the plugin (what the plugin prevents)`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS);
    const project = await projectWith({registry, manifest: USES_AXIOS, plugin: false, yarnrc: {npmMinimalAgeGate: `1d`}, files: {'yarn.lock': lockfile}});

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(0);
    expect(await project.scriptRan()).toBe(true);
  });

  it(`accepts the pinned versions once they are exempted`, async () => {
    const {project} = await ciProjectPinningTheBadVersion({quarantineExemptPackages: [`axios@1.14.1`, `plain-crypto-js`]});

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`quarantineExemptPackages axios@1.14.1, plain-crypto-js`);
  });

  it(`trusts locked versions under quarantineLockfile: trust`, async () => {
    const {project} = await ciProjectPinningTheBadVersion({quarantineLockfile: `trust`});

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`0 versions checked`);
  });

  it(`reports a locked version the registry no longer serves`, async () => {
    const {registry, project, lockfile} = await ciProjectPinningTheBadVersion({quarantineExemptPackages: [`plain-crypto-js`]});
    registry.packages.removeVersion(`axios`, `1.14.1`);

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.1 (locked): the registry no longer serves this version; it may have been pulled for being malicious`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`notices a pulled version even when Yarn's own metadata cache still lists it`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: LOCKED_ON_GOOD});
    expect((await project.install()).code).toBe(0);
    registry.packages.removeVersion(`axios`, `1.14.0`);
    await rm(join(project.globalFolder, `quarantine`), {recursive: true, force: true});

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.0 (locked): the registry no longer serves this version`);
  });

  it(`stops at once on a range with no eligible version, before resolving its dependencies`, async () => {
    const registry = await registryWith({packages: [{name: `payload`, versions: {'1.0.0': {}}}]});
    registry.packages.addPackage({name: `fresh-evil`, versions: {'1.0.0': {publishedAt: agoISO({minutes: 5}), dependencies: {payload: `${registry.url}/payload/-/payload-1.0.0.tgz`}}}});
    const project = await projectWith({registry, manifest: {...APP, dependencies: {'fresh-evil': `^1.0.0`}}});

    const result = await project.install();

    expect(result.code).toBe(1);
    expect(result.output).toContain(`fresh-evil@npm:^1.0.0: no version satisfying ^1.0.0 is out of quarantine`);
    expect(registry.requests.filter(request => /payload/.test(request.path))).toEqual([]);
    expect(await project.lockfile()).toBeNull();
  });

  it(`reports a locked package the registry answers 403 for`, async () => {
    const {registry, project} = await ciProjectPinningTheBadVersion({quarantineExemptPackages: [`axios`]});
    registry.addFault({match: /^\/plain-crypto-js$/, kind: `status`, status: 403});

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`plain-crypto-js@npm:4.2.1 (locked): the registry no longer serves this version (it answers 403 for the package: pulled for being malicious, or the credentials lack access) (via app@workspace:. > axios@npm:1.14.1 > plain-crypto-js@npm:4.2.1). Fix: check the registry credentials; if they are right, run yarn up -R plain-crypto-js to move to a served version, and check the machines that installed it`);
    expect(result.output).toContain(`1 violation: 1 of the release-age rule (1 no longer served)`);
  });
});

describe(`new resolutions`, () => {
  it(`falls back below a quarantined dist-tag`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: APP});

    const result = await project.install([`add`, `axios@latest`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`axios@npm:latest: held back 1.14.1`);
    expect(result.output).toContain(`using 1.14.0`);
    expect(JSON.parse(await project.readFile(`package.json`)).dependencies).toEqual({axios: `^1.14.0`});
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.0"`);
  });

  it(`holds back through an alias and reports the real package name`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: {...APP, dependencies: {'http-client': `npm:axios@^1.14.0`}}});

    const result = await project.install();

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`axios@npm:^1.14.0: held back 1.14.1`);
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.0"`);
  });

  it(`stops a locked alias to a quarantined version, naming the real package`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const manifest = {...APP, dependencies: {'http-client': `npm:axios@1.14.1`}};
    const lockfile = await lockfileWrittenWithoutPlugin(registry, manifest);
    const project = await projectWith({registry, manifest, yarnrc: {quarantineExemptPackages: [`plain-crypto-js`]}, files: {'yarn.lock': lockfile}});

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.1 (locked) is in quarantine`);
    expect(await project.lockfile()).toBe(lockfile);
  });

  it(`sees through a patch: wrapper of a quarantined npm version`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const patch = indexJsPatch(`axios`, `1.14.1`, `module.exports.patched = true;`);
    const manifest = {...APP, dependencies: {axios: `patch:axios@npm%3A1.14.1#./axios.patch`}};
    const project = await projectWith({registry, manifest, yarnrc: {quarantineExemptPackages: [`plain-crypto-js`]}, files: {'axios.patch': patch}});

    const result = await project.install();

    expect(result.code).toBe(1);
    expect(result.output).toMatch(/axios@npm:1\.14\.1.*(no version satisfying|is in quarantine)/);
    expect(await project.lockfile()).toBeNull();
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`treats a scoped package like any other`, async () => {
    const registry = await registryWith({packages: [{name: `@acme/lib`, versions: {'2.0.0': {publishedAt: agoISO({days: 10})}, '2.1.0': {publishedAt: agoISO({minutes: 30})}}}]});
    const project = await projectWith({registry, manifest: {...APP, dependencies: {'@acme/lib': `^2.0.0`}}});

    const result = await project.install();

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`@acme/lib@npm:^2.0.0: held back 2.1.0 (published`);
    expect(result.output).toContain(`30m ago`);
    expect(await project.lockfile()).toContain(`resolution: "@acme/lib@npm:2.0.0"`);
  });

  it(`keeps the version Yarn's own stricter gate fell back to for a dist-tag`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: APP, yarnrc: {npmMinimalAgeGate: `1d`, quarantinePeriod: `90m`, quarantineNewDependencies: `off`}});

    const result = await project.install([`add`, `axios@latest`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain(`held back`);
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.0"`);
  });

  // 4.10-4.12 drop every candidate without a word, 4.13+ throw "are quarantined": the plugin's line must not depend on either.
  it.each([`4.10.3`, `4.14.1`, `default`])(`explains with its own facts when Yarn's own npmMinimalAgeGate also quarantines everything, on Yarn %s`, async yarn => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: APP, yarn, yarnrc: {npmMinimalAgeGate: 1440}});

    const result = await project.install([`add`, `axios@1.14.1`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/axios@npm:1\.14\.1: no version satisfying 1\.14\.1 is out of quarantine \(3d\): the youngest candidate, 1\.14\.1, was published .+, 2h ago; the first candidate becomes eligible at/);
    expect(await project.lockfile()).toBeNull();
  });
});

describe(`publish times`, () => {
  const untimed = [{name: `untimed`, versions: {'1.0.0': {publishedAt: null}}}];

  it(`rejects a version the registry gives no publish time for`, async () => {
    const registry = await registryWith({packages: untimed});
    const project = await projectWith({registry, manifest: {...APP, dependencies: {untimed: `1.0.0`}}});

    const result = await project.install();

    expect(result.code).toBe(1);
    expect(result.output).toContain(`no version satisfying 1.0.0 is out of quarantine`);
    expect(result.output).toContain(`was published at an unknown time`);
    expect(await project.lockfile()).toBeNull();
  });

  it(`rejects a locked version without a publish time, and allows it under quarantineMissingPublishTime: allow`, async () => {
    const registry = await registryWith({packages: untimed});
    const manifest = {...APP, dependencies: {untimed: `1.0.0`}};
    const lockfile = await lockfileWrittenWithoutPlugin(registry, manifest);

    const strict = await projectWith({registry, manifest, files: {'yarn.lock': lockfile}});
    const rejected = await strict.install();
    expect(rejected.code).toBe(1);
    expect(rejected.output).toContain(`untimed@npm:1.0.0 (locked): the registry reports no publish time for this version, and quarantineMissingPublishTime is reject`);

    const lenient = await projectWith({registry, manifest, yarnrc: {quarantineMissingPublishTime: `allow`}, files: {'yarn.lock': lockfile}});
    const allowed = await lenient.install();
    expect(allowed.code, allowed.output).toBe(0);
  });

  it(`fails closed when the registry answers 500 for a locked package`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const lockfile = await lockfileWrittenWithoutPlugin(registry, LOCKED_ON_GOOD);
    const project = await projectWith({registry, manifest: LOCKED_ON_GOOD, yarnrc: {httpRetry: `0`}, files: {'yarn.lock': lockfile}});
    registry.clearRequests();
    registry.addFault({match: /^\/axios$/, kind: `status`, status: 500});

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code).toBe(1);
    expect(result.output).toMatch(/axios@npm:1\.14\.0 \(locked\): could not learn its publish time \(.*\), so the release-age rule fails closed/);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it.each([
    [`malformed JSON`, {kind: `malformed`}, {}],
    [`a hung connection`, {kind: `hang`}, {httpTimeout: `1500`}],
    [`a reset connection`, {kind: `reset`}, {}],
  ] as const)(`fails closed on %s for a locked package`, async (_, fault, yarnrc) => {
    const registry = await registryWith({packages: axiosReplay()});
    const lockfile = await lockfileWrittenWithoutPlugin(registry, LOCKED_ON_GOOD);
    const project = await projectWith({registry, manifest: LOCKED_ON_GOOD, yarnrc: {httpRetry: `0`, ...yarnrc}, files: {'yarn.lock': lockfile}});
    registry.clearRequests();
    registry.addFault({match: /^\/axios$/, ...fault});

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code).toBe(1);
    expect(result.output).toMatch(/axios@npm:1\.14\.0 \(locked\): could not learn its publish time \(.+\), so the release-age rule fails closed/);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`keeps publish times in a shared cache folder, so a fresh CI machine restoring only that folder asks nothing`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const sharedCache = await mkdtemp(join(tmpdir(), `quarantine-shared-cache-`));
    const yarnrc = {enableGlobalCache: `false`, cacheFolder: sharedCache};
    const first = await projectWith({registry, manifest: LOCKED_ON_GOOD, yarnrc});
    expect((await first.install()).code).toBe(0);
    expect(existsSync(join(sharedCache, `quarantine-release-times.json`))).toBe(true);

    const ci = await projectWith({registry, manifest: LOCKED_ON_GOOD, yarnrc, files: {'yarn.lock': (await first.lockfile())!}});
    registry.clearRequests();
    const result = await ci.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`2 versions checked, 2 from the release-time cache, 0 packument lookups`);
    expect(registry.requests).toEqual([]);
    await rm(sharedCache, {recursive: true, force: true});
  });

  it(`keeps publish times in Yarn's global cache, which CI setups restore with \`yarn config get cacheFolder\``, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const first = await projectWith({registry, manifest: LOCKED_ON_GOOD, yarnrc: {enableGlobalCache: `true`}});
    expect((await first.install()).code).toBe(0);
    const cacheFolder = (await first.run([`config`, `get`, `cacheFolder`])).stdout.trim();
    expect(existsSync(join(cacheFolder, `quarantine-release-times.json`))).toBe(true);

    const ci = await projectWith({registry, manifest: LOCKED_ON_GOOD, yarnrc: {enableGlobalCache: `true`}, files: {'yarn.lock': (await first.lockfile())!}});
    await cp(cacheFolder, join(ci.globalFolder, `cache`), {recursive: true});
    registry.clearRequests();
    const result = await ci.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`2 from the release-time cache, 0 packument lookups`);
    expect(registry.requests).toEqual([]);
  });

  it(`never keeps publish times in a cache folder inside the project, which a pull request could edit`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: LOCKED_ON_GOOD, yarnrc: {enableGlobalCache: `false`}});
    expect((await project.install()).code).toBe(0);
    expect(project.exists(`.yarn/cache/quarantine-release-times.json`)).toBe(false);
    expect(existsSync(join(project.globalFolder, `quarantine`, `release-times.json`))).toBe(true);
  });

  it(`a version another project's shorter period cached is asked about again while it is young for this one, so its removal is noticed`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const lenient = await projectWith({registry, manifest: PINS_BAD_AXIOS, yarnrc: {quarantinePeriod: `90m`, quarantineNewDependencies: `off`}});
    const env = {YARN_GLOBAL_FOLDER: lenient.globalFolder};
    const first = await lenient.install([`install`], env);
    expect(first.code, first.output).toBe(0);
    registry.packages.removeVersion(`axios`, `1.14.1`);
    const strict = await projectWith({registry, manifest: PINS_BAD_AXIOS, yarnrc: {quarantinePeriod: `3d`}, files: {'yarn.lock': (await lenient.lockfile())!}});
    registry.clearRequests();

    const result = await strict.install([`install`, `--immutable`], env);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.1 (locked): the registry no longer serves this version; it may have been pulled for being malicious`);
    // Only follow-redirects, old for both periods, comes from the cache.
    expect(result.output).toContain(`3 versions checked, 1 from the release-time cache`);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it.each([
    [`YARN_GLOBAL_FOLDER`, {}, (dir: string) => ({YARN_GLOBAL_FOLDER: join(dir, `.yarn`, `global`)})],
    [`globalFolder in .yarnrc.yml`, {globalFolder: `./.yarn/global`}, () => ({YARN_GLOBAL_FOLDER: undefined})],
  ] as const)(`never reads or writes the release-time cache inside the project, even when %s points there`, async (_, yarnrc, environment) => {
    const registry = await registryWith({packages: axiosReplay()});
    const lockfile = await lockfileWrittenWithoutPlugin(registry, PINS_BAD_AXIOS);
    const forged = JSON.stringify({format: `yarn-plugin-quarantine/release-times@3`, entries: {
      [`${registry.url} axios@1.14.1`]: [Date.parse(`2020-01-01T00:00:00Z`)],
      [`${registry.url} plain-crypto-js@4.2.1`]: [Date.parse(`2020-01-01T00:00:00Z`)],
    }});
    const files = {'yarn.lock': lockfile, '.yarn/global/quarantine/release-times.json': forged, '.yarn/cache/quarantine-release-times.json': forged};
    const project = await projectWith({registry, manifest: PINS_BAD_AXIOS, yarnrc, files});
    registry.clearRequests();

    const result = await project.install([`install`, `--immutable`], environment(project.dir) as Record<string, string>);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.1 (locked) is in quarantine`);
    expect(result.output).toContain(`0 from the release-time cache`);
    expect(result.output).toMatch(/Quarantine: globalFolder \(.*\.yarn\/global\) is inside the project or its repository, where a pull request can write: Yarn's package metadata there is not used for publish times, so those the release-time cache does not hold are asked of the registry, and the release-time cache is kept in .*\/home\/\.yarn\/berry\/quarantine\/release-times\.json instead\. Fix: point globalFolder \(or YARN_GLOBAL_FOLDER\) outside the repository/);
    expect(await project.readFile(`.yarn/global/quarantine/release-times.json`)).toBe(forged);
    expect(await project.readFile(`.yarn/cache/quarantine-release-times.json`)).toBe(forged);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`counts the git repository around a project in a subfolder as inside: a cache folder there never vouches for publish times`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const lockfile = await lockfileWrittenWithoutPlugin(registry, PINS_BAD_AXIOS);
    const project = await projectWith({registry, manifest: PINS_BAD_AXIOS, parentYarnrc: {}, files: {'yarn.lock': lockfile}});
    const forged = JSON.stringify({format: `yarn-plugin-quarantine/release-times@3`, entries: {
      [`${registry.url} axios@1.14.1`]: [Date.parse(`2020-01-01T00:00:00Z`)],
      [`${registry.url} plain-crypto-js@4.2.1`]: [Date.parse(`2020-01-01T00:00:00Z`)],
    }});
    const repository = project.parent!;
    await mkdir(join(repository, `.git`));
    await mkdir(join(repository, `.yarn-cache`));
    await writeFile(join(repository, `.yarn-cache`, `quarantine-release-times.json`), forged);
    registry.clearRequests();

    const result = await project.install([`install`, `--immutable`], {YARN_CACHE_FOLDER: join(repository, `.yarn-cache`)});

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.1 (locked) is in quarantine`);
    expect(result.output).toContain(`0 from the release-time cache`);
    expect(await readFile(join(repository, `.yarn-cache`, `quarantine-release-times.json`), `utf8`)).toBe(forged);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`counts a folder above the project whose .yarnrc.yml Yarn read as inside, in a checkout without .git: a cache folder it sets there never vouches for publish times`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const lockfile = await lockfileWrittenWithoutPlugin(registry, PINS_BAD_AXIOS);
    const project = await projectWith({registry, manifest: PINS_BAD_AXIOS, parentYarnrc: {cacheFolder: `./shared-cache`}, files: {'yarn.lock': lockfile}});
    const repository = project.parent!;
    const forged = JSON.stringify({format: `yarn-plugin-quarantine/release-times@3`, entries: {
      [`${registry.url} axios@1.14.1`]: [Date.parse(`2020-01-01T00:00:00Z`)],
      [`${registry.url} plain-crypto-js@4.2.1`]: [Date.parse(`2020-01-01T00:00:00Z`)],
    }});
    await mkdir(join(repository, `shared-cache`));
    await writeFile(join(repository, `shared-cache`, `quarantine-release-times.json`), forged);
    registry.clearRequests();

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.1 (locked) is in quarantine`);
    expect(result.output).toContain(`0 from the release-time cache`);
    expect(await readFile(join(repository, `shared-cache`, `quarantine-release-times.json`), `utf8`)).toBe(forged);
    expect(tarballRequests(registry)).toEqual([]);
  });

  // Yarn revalidates its metadata copy by ETag: a committed copy with the registry's current ETag gets a 304 and is believed.
  it.each([`4.0.2`, `default`])(`never takes publish times from Yarn's package metadata in a global folder inside the project (Yarn %s)`, async yarn => {
    const registry = await registryWith({packages: axiosReplay()});
    const attacker = await projectWith({registry, manifest: PINS_BAD_AXIOS, plugin: false, yarn});
    expect((await attacker.run([`install`, `--mode=update-lockfile`])).code).toBe(0);
    const files: Record<string, string> = {'yarn.lock': (await attacker.lockfile())!};
    const metadataFolder = join(attacker.globalFolder, `metadata`);
    const metadataFiles = (await readdir(metadataFolder, {recursive: true, withFileTypes: true})).filter(entry => entry.isFile() && entry.name.endsWith(`.json`));
    expect(metadataFiles.length).toBeGreaterThanOrEqual(3);
    for (const entry of metadataFiles) {
      const file = join(entry.parentPath ?? (entry as unknown as {path: string}).path, entry.name);
      const cached = JSON.parse(await readFile(file, `utf8`));
      cached.metadata.time = Object.fromEntries(Object.keys(cached.metadata.versions).map(version => [version, `2020-01-01T00:00:00.000Z`]));
      files[join(`.yarn`, `global`, file.slice(attacker.globalFolder.length))] = JSON.stringify(cached);
    }
    const project = await projectWith({registry, manifest: PINS_BAD_AXIOS, files, yarn});
    registry.clearRequests();

    const result = await project.install([`install`, `--immutable`], {YARN_GLOBAL_FOLDER: join(project.dir, `.yarn`, `global`)});

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.1 (locked) is in quarantine`);
    expect(result.output).toContain(`plain-crypto-js@npm:4.2.1 (locked) is in quarantine`);
    expect(result.output).toContain(`Yarn's package metadata there is not used for publish times`);
    expect(tarballRequests(registry)).toEqual([]);
    expect(await project.scriptRan()).toBe(false);
  });

  it(`asks the registry nothing on a warm install`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: LOCKED_ON_GOOD});
    const cold = await project.install();
    expect(cold.code, cold.output).toBe(0);
    registry.clearRequests();

    const warm = await project.install();

    expect(warm.code, warm.output).toBe(0);
    expect(warm.output).toContain(`2 versions checked, 2 from the release-time cache, 0 packument lookups`);
    expect(registry.requests).toEqual([]);
  });
});

describe(`settings`, () => {
  it.each([
    [`quarantinePeriod`, `3 days`, `expected a duration such as 90m, 12h, 3d or 1w`],
    [`quarantineLockfile`, `sometimes`, `expected one of verify, trust`],
    [`quarantineMissingPublishTime`, `maybe`, `expected one of reject, allow`],
    [`quarantineExemptPackages`, [`axios@not-a-range!`], `expected a package name or glob`],
    [`quarantineNewDependencies`, `sometimes`, `expected one of reject, warn, off`],
    [`quarantineApprovedDependencies`, [`@/nope`], `expected a package name or glob`],
    [`quarantinePeriod`, `-1d`, `expected a duration such as 90m, 12h, 3d or 1w`],
  ])(`stops on a bad %s before resolving anything`, async (setting, value, expected) => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc: {[setting]: value}});

    const result = await project.install();

    expect(result.code).toBe(1);
    expect(result.output).toContain(`${setting} (from ${project.dir}/.yarnrc.yml): invalid value`);
    expect(result.output).toContain(expected);
    expect(await project.lockfile()).toBeNull();
    expect(registry.requests).toEqual([]);
  });

  it.each([
    [`quarantinePeriod`, `YARN_QUARANTINE_PERIOD`, `3 days`, `expected a duration such as 90m, 12h, 3d or 1w`],
    [`quarantineNewDependencies`, `YARN_QUARANTINE_NEW_DEPENDENCIES`, `sometimes`, `expected one of reject, warn, off`],
  ])(`stops on a bad %s from %s before resolving anything, naming the variable as its source and the fix`, async (setting, variable, value, expected) => {
    const {registry, project, lockfile} = await ciProjectPinningTheBadVersion();

    const result = await project.install([`install`, `--immutable`], {[variable]: value});

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`${setting} (from ${variable}): invalid value "${value}"; ${expected}`);
    expect(result.output).toContain(`Fix or unset ${variable}; nothing was resolved or written.`);
    expect(result.output).not.toContain(`Resolution step`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(registry.requests).toEqual([]);
    expect(await project.scriptRan()).toBe(false);
  });

  it(`turns the rule off with quarantinePeriod: 0 and says an environment variable did it`, async () => {
    const {project} = await ciProjectPinningTheBadVersion();

    const result = await project.install([`install`, `--immutable`], {YARN_QUARANTINE_PERIOD: `0`});

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`quarantinePeriod 0 (release-age rule off) (set by YARN_QUARANTINE_PERIOD)`);
    expect(result.output).toContain(`Quarantine: quarantinePeriod was set by an environment variable (YARN_QUARANTINE_PERIOD), not by .yarnrc.yml`);
  });

  it(`applies a shorter period`, async () => {
    const {registry, project, lockfile} = await ciProjectPinningTheBadVersion({quarantinePeriod: `90m`});

    // axios 1.14.1 (2h old) and plain-crypto-js 4.2.1 (2h 40m old) are out of a 90m quarantine, though not of the default 3d.
    const result = await project.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`Quarantine: 3 versions checked`);
    expect(result.output).toContain(`policy: quarantinePeriod 90m,`);
    expect(result.output).not.toContain(`in quarantine`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(registry.tarballRequests(`axios`).map(request => request.path)).toEqual([`/axios/-/axios-1.14.1.tgz`]);

    // Still a quarantine: a version younger than 90m is refused.
    registry.packages.setTime(`axios`, `1.14.1`, agoISO({minutes: 60}));
    const younger = await projectWith({registry, manifest: USES_AXIOS, yarnrc: {quarantinePeriod: `90m`}, files: {'yarn.lock': lockfile}});
    const refused = await younger.install([`install`, `--immutable`]);

    expect(refused.code, refused.output).toBe(1);
    expect(refused.output).toMatch(/axios@npm:1\.14\.1 \(locked\) is in quarantine: published \d{4}-\d\d-\d\d \d\d:\d\d UTC, 1h ago, less than 1h 30m;/);
    expect(refused.output).not.toContain(`plain-crypto-js@npm:4.2.1 (locked) is in quarantine`);
    expect(await younger.lockfile()).toBe(lockfile);
  });

  it(`loads through \`yarn plugin import\``, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: LOCKED_ON_GOOD, plugin: false});

    const imported = await project.run([`plugin`, `import`, BUNDLE]);
    expect(imported.code, imported.output).toBe(0);
    const importedYarnrc = await project.readFile(`.yarnrc.yml`);
    expect(importedYarnrc).toContain(`.yarn/plugins/@yarnpkg/plugin-quarantine.cjs`);
    await project.writeFile(`.yarnrc.yml`, `${importedYarnrc}quarantinePeriod: 1w\n`);

    const result = await project.install();
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`quarantinePeriod 1w`);
  });
});
