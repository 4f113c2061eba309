import {mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';

import {axiosReplay, MALICIOUS_POSTINSTALL, MARKER_FILE} from '../../scripts/lib/axios-replay.mjs';
import type {PackageSpec, Registry} from '../../scripts/lib/registry.mjs';
import {git} from './gitServer';
import {lockfileWrittenWithoutPlugin, projectWith, registryWith, tarballRequests} from './support';

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_AXIOS = {...APP, dependencies: {axios: `^1.14.0`}};
/** Only this rule acts: the release-age rule is off. */
const ONLY_THIS_RULE = {quarantinePeriod: `0`};

/** A registry where axios 1.14.0 is current; `compromise()` then publishes 1.14.1 as the attacker did. */
async function beforeTheAttack(extra: Array<PackageSpec> = []) {
  const [axios, followRedirects, plainCrypto] = axiosReplay();
  const registry = await registryWith({packages: [{...axios, versions: {'1.14.0': axios.versions[`1.14.0`]}}, followRedirects, ...extra]});
  const compromise = (dependencies: Record<string, string> = axios.versions[`1.14.1`].dependencies as Record<string, string>) => {
    if (!registry.packages.has(`plain-crypto-js`))
      registry.packages.addPackage(plainCrypto);
    registry.packages.addVersion(`axios`, `1.14.1`, {...axios.versions[`1.14.1`], dependencies});
  };
  return {registry, compromise};
}

async function lockedProject(registry: Registry, options: {manifest?: Record<string, unknown>, yarnrc?: Record<string, unknown>, files?: Record<string, string>, yarn?: string} = {}) {
  const project = await projectWith({registry, manifest: USES_AXIOS, ...options, yarnrc: {...ONLY_THIS_RULE, ...options.yarnrc}});
  const installed = await project.install();
  expect(installed.code, installed.output).toBe(0);
  expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.0"`);
  registry.clearRequests();
  return project;
}

/** `yarn up axios` went through: axios 1.14.1 is locked with plain-crypto-js under it, and no line called it new. */
function expectEnteredTheLockfile(result: {code: number | null, output: string}, lockfile: string | null) {
  expect(result.code, result.output).toBe(0);
  expect(result.output).not.toContain(`new sub-dependency`);
  expect(result.output).toMatch(/Quarantine: \d+ versions? checked/);
  expect(lockfile).toContain(`resolution: "axios@npm:1.14.1"`);
  expect(lockfile).not.toContain(`resolution: "axios@npm:1.14.0"`);
  expect(lockfile).toMatch(/resolution: "axios@npm:1\.14\.1"\n(?:  .*\n)*?  dependencies:\n(?:    .*\n)*?    plain-crypto-js: "npm:\^4\.2\.1"\n/);
  expect(lockfile).toContain(`resolution: "plain-crypto-js@npm:4.2.1"`);
}

describe(`the new sub-dependency rule`, () => {
  it(`rejects axios 1.14.1 bringing in plain-crypto-js: lockfile untouched, nothing fetched, no script run`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await lockedProject(registry);
    const lockfile = await project.lockfile();
    compromise();

    const result = await project.install([`up`, `axios`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`plain-crypto-js@npm:4.2.1 is a new sub-dependency: axios 1.14.0 -> 1.14.1 adds plain-crypto-js@^4.2.1, a package this project never had; it has a postinstall script (${MALICIOUS_POSTINSTALL}), which Yarn would run (via app@workspace:. > axios@npm:1.14.1 > plain-crypto-js@npm:4.2.1). Fix: if you trust it, run yarn quarantine approve plain-crypto-js, which adds it to quarantineApprovedDependencies`);
    expect(result.output).toContain(`Quarantine: 1 violation: 1 of the new sub-dependency rule (1 new sub-dependency)`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
    expect(await project.scriptRan()).toBe(false);
    expect(JSON.parse(await project.readFile(`package.json`)).dependencies).toEqual({axios: `^1.14.0`});
  });

  it(`lets an approved new sub-dependency in`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await lockedProject(registry, {yarnrc: {quarantineApprovedDependencies: [`plain-crypto-js@^4.0.0`]}});
    compromise();

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(await project.lockfile()).toContain(`resolution: "plain-crypto-js@npm:4.2.1"`);
  });

  it(`only warns under quarantineNewDependencies: warn`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await lockedProject(registry, {yarnrc: {quarantineNewDependencies: `warn`}});
    compromise();

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/YN0000: │ plain-crypto-js@npm:4\.2\.1 is a new sub-dependency/);
    expect(result.output).not.toContain(`violation`);
    expect(await project.lockfile()).toContain(`resolution: "plain-crypto-js@npm:4.2.1"`);
  });

  it(`accepts \`yarn add\` of a new direct dependency with a subtree of its own`, async () => {
    const {registry} = await beforeTheAttack([
      {name: `express`, versions: {'5.0.0': {dependencies: {'body-parser': `^2.0.0`}}}},
      {name: `body-parser`, versions: {'2.0.0': {dependencies: {bytes: `^3.0.0`}}}},
      {name: `bytes`, versions: {'3.1.2': {}}},
    ]);
    const project = await lockedProject(registry);

    const result = await project.install([`add`, `express`]);

    expect(result.code, result.output).toBe(0);
    expect(await project.lockfile()).toContain(`resolution: "bytes@npm:3.1.2"`);
  });

  it(`says that a new platform binding is optional, and for which platform`, async () => {
    const {registry} = await beforeTheAttack([{name: `tool`, versions: {'1.0.0': {}}}]);
    const project = await lockedProject(registry, {manifest: {...USES_AXIOS, dependencies: {...USES_AXIOS.dependencies, tool: `^1.0.0`}}});
    const lockfile = await project.lockfile();
    registry.packages.addPackage({name: `@tool/linux-x64`, versions: {'1.1.0': {os: [`linux`], cpu: [`x64`]}}});
    registry.packages.addPackage({name: `@tool/darwin-arm64`, versions: {'1.1.0': {os: [`darwin`], cpu: [`arm64`]}}});
    registry.packages.addVersion(`tool`, `1.1.0`, {optionalDependencies: {'@tool/linux-x64': `1.1.0`, '@tool/darwin-arm64': `1.1.0`}});

    const result = await project.install([`up`, `tool`]);

    expect(result.code, result.output).toBe(1);
    for (const [binding, platform] of [[`@tool/linux-x64`, `os=linux & cpu=x64`], [`@tool/darwin-arm64`, `os=darwin & cpu=arm64`]])
      expect(result.output).toContain(`${binding}@npm:1.1.0 is a new sub-dependency: tool 1.0.0 -> 1.1.0 adds ${binding}@1.1.0, a package this project never had; its registry document lists no install script; it is optional, for ${platform} (via app@workspace:. > tool@npm:1.1.0 > ${binding}@npm:1.1.0). Fix: if you trust it, run yarn quarantine approve ${binding} (or yarn quarantine approve '@tool/*' for the whole scope), which adds it to quarantineApprovedDependencies`);
    expect(result.output).toContain(`Quarantine: 2 violations: 2 of the new sub-dependency rule (2 new sub-dependencies)`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`names the real package behind an alias`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await lockedProject(registry);
    compromise({'follow-redirects': `^1.15.0`, lodash: `npm:plain-crypto-js@^4.2.1`});

    const result = await project.install([`up`, `axios`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`plain-crypto-js@npm:4.2.1 is a new sub-dependency: axios 1.14.0 -> 1.14.1 adds plain-crypto-js@^4.2.1 (declared as lodash), a package this project never had`);
  });

  it(`ignores a new peer dependency: peers bring nothing in`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await lockedProject(registry);
    compromise({'follow-redirects': `^1.15.0`});
    registry.packages.addVersion(`axios`, `1.14.2`, {dependencies: {'follow-redirects': `^1.15.0`}, peerDependencies: {'plain-crypto-js': `^4.2.1`}});

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.2"`);
    expect(await project.lockfile()).not.toContain(`resolution: "plain-crypto-js`);
  });

  it(`counts a root resolution as a listing`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await lockedProject(registry, {manifest: {...USES_AXIOS, resolutions: {'plain-crypto-js': `4.2.1`}}});
    expect(await project.lockfile()).not.toContain(`plain-crypto-js`);
    compromise();

    const result = await project.install([`up`, `axios`]);

    expectEnteredTheLockfile(result, await project.lockfile());
    expect(await project.lockfile()).toContain(`"plain-crypto-js@npm:4.2.1":`);
  });

  it(`counts packageExtensions as a listing`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await lockedProject(registry, {yarnrc: {packageExtensions: {'axios@1.14.1': {dependencies: {'plain-crypto-js': `^4.2.1`}}}}});
    expect(await project.lockfile()).not.toContain(`plain-crypto-js`);
    compromise();

    const result = await project.install([`up`, `axios`]);

    expectEnteredTheLockfile(result, await project.lockfile());
  });

  it(`allows a package another workspace of the monorepo already has`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    registry.packages.addPackage(axiosReplay()[2]);
    const project = await lockedProject(registry, {
      manifest: {...APP, workspaces: [`packages/*`]},
      files: {
        'packages/web/package.json': JSON.stringify({name: `web`, version: `1.0.0`, dependencies: {axios: `^1.14.0`}}),
        'packages/crypto/package.json': JSON.stringify({name: `crypto`, version: `1.0.0`, dependencies: {'plain-crypto-js': `^4.2.1`}}),
      },
    });
    expect(await project.lockfile()).toContain(`resolution: "plain-crypto-js@npm:4.2.1"`);
    compromise();

    const result = await project.install([`up`, `axios`]);

    expectEnteredTheLockfile(result, await project.lockfile());
  });

  it(`says in one line that there is no baseline without a lockfile`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    compromise();
    const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc: ONLY_THIS_RULE});

    const result = await project.install();

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`Quarantine: no yarn.lock before this command, so no baseline: the new sub-dependency rule cannot tell which package names are new and does not report them; non-registry sub-dependencies are still judged`);
  });
});

const MONOREPO = {...APP, workspaces: [`packages/*`]};
const workspaceManifest = (name: string, dependencies: Record<string, string> = {'lib-a': `^1.0.0`}) => JSON.stringify({name, version: `1.0.0`, dependencies});
/** Workspace `a` at packages/a renamed to `a2`, or moved to libs/a (the root's `workspaces` changed with it). */
const WORKSPACE_CHANGES = {
  rename: {name: `a2`, path: `packages/a`, workspaces: [`packages/*`]},
  move: {name: `a`, path: `libs/a`, workspaces: [`libs/*`]},
  'rename and move': {name: `a2`, path: `libs/a2`, workspaces: [`libs/*`]},
};
type WorkspaceChange = typeof WORKSPACE_CHANGES[keyof typeof WORKSPACE_CHANGES];

/** A monorepo whose workspace `a` (packages/a) has lib-a 1.0.0 locked; `bump()` publishes lib-a 1.1.0, which brings evil, a package the project never had. */
async function monorepoBeforeTheBump(yarn: string, files: Record<string, string> = {'packages/a/package.json': workspaceManifest(`a`)}) {
  const registry = await registryWith({packages: [{name: `lib-a`, versions: {'1.0.0': {}}}]});
  const project = await projectWith({registry, yarn, manifest: MONOREPO, yarnrc: ONLY_THIS_RULE, files});
  const installed = await project.install();
  expect(installed.code, installed.output).toBe(0);
  expect(await project.lockfile()).toContain(`resolution: "lib-a@npm:1.0.0"`);
  const bump = () => {
    registry.packages.addPackage({name: `evil`, versions: {'1.0.0': {}}});
    registry.packages.addVersion(`lib-a`, `1.1.0`, {dependencies: {evil: `^1.0.0`}});
    registry.clearRequests();
  };
  return {registry, project, bump};
}

async function changeWorkspace(project: Awaited<ReturnType<typeof projectWith>>, {name, path, workspaces}: WorkspaceChange, range = `^1.0.0`) {
  if (path !== `packages/a`)
    await rm(join(project.dir, `packages/a`), {recursive: true, force: true});
  await project.writeFile(`${path}/package.json`, workspaceManifest(name, {'lib-a': range}));
  await project.setManifest({workspaces});
}

const evilFinding = (label: string) => `evil@npm:1.0.0 is a new sub-dependency: lib-a 1.0.0 -> 1.1.0 adds evil@^1.0.0, a package this project never had; its registry document lists no install script (via ${label} > lib-a@npm:1.1.0 > evil@npm:1.0.0)`;

describe.each([`4.0.2`, `default`])(`a renamed or moved workspace, on Yarn %s`, yarn => {
  it.each([
    [`rename`, `yarn up lib-a`, [`up`, `lib-a`], `^1.0.0`],
    [`rename`, `yarn install after a range bump`, [`install`], `^1.1.0`],
    [`move`, `yarn up lib-a`, [`up`, `lib-a`], `^1.0.0`],
    [`move`, `yarn install after a range bump`, [`install`], `^1.1.0`],
    [`rename and move`, `yarn up lib-a`, [`up`, `lib-a`], `^1.0.0`],
    [`rename and move`, `yarn install after a range bump`, [`install`], `^1.1.0`],
  ] as const)(`keeps its baseline declarations after a %s: %s is stopped on the new sub-dependency, nothing locked or fetched`, async (kind, _, command, range) => {
    const {registry, project, bump} = await monorepoBeforeTheBump(yarn);
    const lockfile = await project.lockfile();
    await changeWorkspace(project, WORKSPACE_CHANGES[kind], range);
    bump();

    const result = await project.install([...command]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(evilFinding(`${WORKSPACE_CHANGES[kind].name}@workspace:${WORKSPACE_CHANGES[kind].path}`));
    expect(result.output).toContain(`Quarantine: 1 violation: 1 of the new sub-dependency rule (1 new sub-dependency)`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it.each([`rename`, `move`, `rename and move`] as const)(`is matched to its entry in the --since baseline after a %s: check --since reports the new sub-dependency`, async kind => {
    const {name, path, workspaces} = WORKSPACE_CHANGES[kind];
    const {registry, project, bump} = await monorepoBeforeTheBump(yarn);
    git(project.dir, `init`, `-q`);
    git(project.dir, `add`, `package.json`, `packages/a/package.json`, `yarn.lock`);
    git(project.dir, `commit`, `-q`, `-m`, `base`);
    await changeWorkspace(project, WORKSPACE_CHANGES[kind]);
    bump();
    const pullRequestLockfile = await lockfileWrittenWithoutPlugin(registry, {...MONOREPO, workspaces}, yarn, {}, {[`${path}/package.json`]: workspaceManifest(name)});
    expect(pullRequestLockfile).toContain(`resolution: "evil@npm:1.0.0"`);
    await project.writeFile(`yarn.lock`, pullRequestLockfile);

    const result = await project.run([`quarantine`, `check`, `--since`, `HEAD`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(evilFinding(`${name}@workspace:${path}`));
    expect(result.output).toContain(`Quarantine check: 1 violation: 1 of the new sub-dependency rule (1 new sub-dependency)`);
  });

  it(`still treats a workspace found under neither its path nor its name as new: what it declares is the user's choice`, async () => {
    const {project, bump} = await monorepoBeforeTheBump(yarn);
    bump();
    await project.writeFile(`packages/b/package.json`, workspaceManifest(`b`, {'lib-a': `^1.1.0`}));

    const result = await project.install();

    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain(`new sub-dependency`);
    expect(await project.lockfile()).toContain(`resolution: "evil@npm:1.0.0"`);
  });

  it(`sees through an alias: a dependency redeclared as "lib-a-next": "npm:lib-a@^1.1.0" is still the one declared before`, async () => {
    const {registry, project, bump} = await monorepoBeforeTheBump(yarn);
    const lockfile = await project.lockfile();
    bump();
    await project.writeFile(`packages/a/package.json`, workspaceManifest(`a`, {'lib-a-next': `npm:lib-a@^1.1.0`}));

    const result = await project.install();

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`evil@npm:1.0.0 is a new sub-dependency: lib-a 1.0.0 -> 1.1.0 adds evil@^1.0.0, a package this project never had`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`keeps a workspace's own declarations when it moves onto the path of a removed workspace`, async () => {
    const {registry, project, bump} = await monorepoBeforeTheBump(yarn, {
      'packages/a/package.json': workspaceManifest(`a`),
      'packages/b/package.json': workspaceManifest(`b`, {}),
    });
    const lockfile = await project.lockfile();
    await rm(join(project.dir, `packages/a`), {recursive: true, force: true});
    await project.writeFile(`packages/b/package.json`, workspaceManifest(`a`));
    bump();

    const result = await project.install([`up`, `lib-a`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(evilFinding(`a@workspace:packages/b`));
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });
});

describe(`non-registry sub-dependencies`, () => {
  it.each([
    [`a tarball URL`, (url: string) => `${url}/payload/-/payload-1.0.0.tgz`, /payload/],
    [`git`, (url: string) => `git+${url}/payload.git`, /payload/],
  ])(`rejects a new %s sub-dependency before any request for it`, async (source, range, requested) => {
    const {registry, compromise} = await beforeTheAttack();
    registry.packages.addPackage({name: `payload`, versions: {'1.0.0': {}}});
    const project = await lockedProject(registry);
    const lockfile = await project.lockfile();
    compromise({'follow-redirects': `^1.15.0`, payload: range(registry.url)});

    const result = await project.install([`up`, `axios`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`a sub-dependency of axios@1.14.1 from ${source}, not locked before`);
    expect(result.output).toContain(`so it was stopped before any request`);
    expect(registry.requests.filter(request => requested.test(request.path))).toEqual([]);
    expect(await project.lockfile()).toBe(lockfile);
  });

  // Each would have a payload run or read: the generator in axios's own tarball (exec:), the postinstall of a folder (file:),
  // a folder linked into node_modules (link:). Yarn 4.14+ refuses exec: under a package by itself; before, only the plugin does.
  it.each([
    [`exec:`, `4.10.3`, () => `exec:./generate.js`],
    [`file:`, `default`, (payload: string) => `file:${payload}`],
    [`link:`, `default`, (payload: string) => `link:${payload}`],
  ])(`rejects a new %s sub-dependency before Yarn (%s) fetches or runs anything for it`, async (source, yarn, range) => {
    const {registry} = await beforeTheAttack();
    const payload = await mkdtemp(join(tmpdir(), `quarantine-payload-`));
    const dropMarker = `require('fs').writeFileSync(require('path').join(process.env.MARKER_DIR, ${JSON.stringify(MARKER_FILE)}), 'ran')`;
    await writeFile(join(payload, `package.json`), JSON.stringify({name: `payload`, version: `1.0.0`, scripts: {postinstall: `node -e "${dropMarker}"`}}));
    const project = await lockedProject(registry, {yarn});
    const lockfile = await project.lockfile();
    const declared = range(payload);
    registry.packages.addVersion(`axios`, `1.14.1`, {
      dependencies: {'follow-redirects': `^1.15.0`, payload: declared},
      files: {'generate.js': `${dropMarker};\nrequire('fs').writeFileSync(require('path').join(execEnv.buildDir, 'package.json'), '{"name":"payload","version":"1.0.0"}');\n`},
    });

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`payload@${declared}: a sub-dependency of axios@1.14.1 from ${source}, not locked before; Yarn would fetch${source === `exec:` ? ` and run` : ``} it during resolution, so it was stopped before any request. Fix: if you trust it, run yarn quarantine approve 'payload@${declared}', which adds it to quarantineApprovedDependencies`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
    expect(await project.scriptRan()).toBe(false);
    expect(project.exists(`node_modules/payload`)).toBe(false);
    await rm(payload, {recursive: true, force: true});
  });

  it(`sees through an npm: alias to a tarball URL`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    registry.packages.addPackage({name: `payload`, versions: {'1.0.0': {}}});
    const project = await lockedProject(registry);
    compromise({'follow-redirects': `npm:follow-redirects@${registry.url}/payload/-/payload-1.0.0.tgz`});

    const result = await project.install([`up`, `axios`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`a sub-dependency of axios@1.14.1 from a tarball URL, not locked before`);
    expect(registry.requests.filter(request => /payload/.test(request.path))).toEqual([]);
  });

  it(`does not take a workspace's registry dependency of the same name as approval of a tarball`, async () => {
    const {registry, compromise} = await beforeTheAttack([{name: `react`, versions: {'18.0.0': {}}}]);
    registry.packages.addPackage({name: `payload`, versions: {'1.0.0': {}}});
    const project = await lockedProject(registry, {manifest: {...USES_AXIOS, dependencies: {...USES_AXIOS.dependencies, react: `^18.0.0`}}});
    compromise({'follow-redirects': `^1.15.0`, react: `${registry.url}/payload/-/payload-1.0.0.tgz`});

    const result = await project.install([`up`, `axios`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`from a tarball URL, not locked before`);
    expect(registry.requests.filter(request => /payload/.test(request.path))).toEqual([]);
  });

  it(`lets through a portal: sub-dependency the user listed with that very source in packageExtensions`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const helper = await mkdtemp(join(tmpdir(), `quarantine-helper-`));
    await writeFile(join(helper, `package.json`), JSON.stringify({name: `helper`, version: `1.0.0`}));
    const project = await lockedProject(registry, {yarnrc: {packageExtensions: {'axios@1.14.1': {dependencies: {helper: `portal:${helper}`}}}}});
    compromise({'follow-redirects': `^1.15.0`});

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(await project.lockfile()).toContain(`helper@portal:${helper}`);
    await rm(helper, {recursive: true, force: true});
  });

  it(`lets a tarball sub-dependency through when that very source is approved (by the fix's approve command, as printed), not on its name alone`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    registry.packages.addPackage({name: `payload`, versions: {'1.0.0': {}}});
    const url = `${registry.url}/payload/-/payload-1.0.0.tgz`;
    const project = await lockedProject(registry, {yarnrc: {quarantineApprovedDependencies: [`payload`]}});
    compromise({'follow-redirects': `^1.15.0`, payload: url});

    const byName = await project.install([`up`, `axios`]);
    expect(byName.code).toBe(1);
    expect(byName.output).toContain(`Fix: if you trust it, run yarn quarantine approve 'payload@${url}'`);
    expect(registry.requests.some(request => request.path === `/payload/-/payload-1.0.0.tgz`)).toBe(false);

    // The fix's command works as printed: the stop was remembered, so approve knows the list.
    const approved = await project.run([`quarantine`, `approve`, `payload@${url}`]);
    expect(approved.code, approved.output).toBe(0);
    expect(approved.output).toContain(`Added payload@${url} to quarantineApprovedDependencies in .yarnrc.yml`);
    const bySource = await project.install([`up`, `axios`]);
    expect(bySource.code, bySource.output).toBe(0);
    expect(registry.requests.some(request => request.path === `/payload/-/payload-1.0.0.tgz`)).toBe(true);
  });
});
