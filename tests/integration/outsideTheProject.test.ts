import {copyFile, mkdir} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';

import {axiosReplay} from '../../scripts/lib/axios-replay.mjs';
import {agoISO, type Registry} from '../../scripts/lib/registry.mjs';
import {BUNDLE} from '../../scripts/lib/yarn-project.mjs';
import {lockfileWrittenWithoutPlugin, projectWith, registryWith, tarballRequests, withoutYarnGate} from './support';

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_AXIOS = {...APP, dependencies: {axios: `^1.14.0`}};
const LOCKED_ON_GOOD = {...APP, dependencies: {axios: `1.14.0`}};

const jsonLines = (output: string) => output.trim().split(`\n`).filter(line => line.startsWith(`{`)).map(line => JSON.parse(line));

/** A lockfile written while the compromised axios was live, in a project whose own `.yarnrc.yml` sets no quarantine setting. */
async function projectPinningTheBadVersion(options: {parentYarnrc?: Record<string, unknown>, homeYarnrc?: Record<string, unknown>, yarnrc?: Record<string, unknown>, yarn?: string}) {
  const registry = await registryWith({packages: axiosReplay()});
  const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS, options.yarn);
  expect(lockfile).toContain(`axios@npm:1.14.1`);
  const project = await projectWith({registry, manifest: USES_AXIOS, files: {'yarn.lock': lockfile}, ...options});
  return {registry, project, lockfile};
}

describe(`a setting from a .yarnrc.yml outside the project`, () => {
  it.each([`4.0.2`, `default`])(`is named on every install when a parent folder's file turns the release-age rule off (Yarn %s)`, async yarn => {
    const {project} = await projectPinningTheBadVersion({parentYarnrc: {quarantinePeriod: `0`}, yarn});
    const outside = `${project.parent}/.yarnrc.yml`;

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`quarantinePeriod 0 (release-age rule off) (set by ${outside}, outside the project)`);
    expect(result.output).toContain(`Quarantine: quarantinePeriod was set by ${outside}, outside the project, not by its own .yarnrc.yml`);
  });

  it(`is named on every install when the home folder's file turns the new sub-dependency rule off`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const project = await projectWith({registry, manifest: LOCKED_ON_GOOD, yarnrc: {quarantinePeriod: `0`}, homeYarnrc: {quarantineNewDependencies: `off`}});
    expect((await project.install()).code).toBe(0);
    await project.setManifest(USES_AXIOS);
    const outside = `${project.home}/.yarnrc.yml`;

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(await project.lockfile()).toContain(`plain-crypto-js@npm:4.2.1`);
    expect(result.output).toContain(`quarantineNewDependencies off (set by ${outside}, outside the project)`);
    expect(result.output).toContain(`Quarantine: quarantineNewDependencies was set by ${outside}, outside the project, not by its own .yarnrc.yml`);
    expect(result.output).not.toContain(`quarantinePeriod 0 (release-age rule off) (set by`);
  });

  it(`is named when it adds entries to a list the project's own file also sets`, async () => {
    const {project} = await projectPinningTheBadVersion({yarnrc: {quarantineExemptPackages: [`left-pad`]}, homeYarnrc: {quarantineExemptPackages: [`axios`, `plain-crypto-js`]}});
    const outside = `${project.home}/.yarnrc.yml`;

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`quarantineExemptPackages axios, plain-crypto-js, left-pad (partly set by ${outside}, outside the project)`);
    expect(result.output).toContain(`Quarantine: quarantineExemptPackages has entries from ${outside}, outside the project, besides its own .yarnrc.yml`);
    expect(result.output).not.toContain(`${project.dir}/.yarnrc.yml, outside the project`);
  });

  // A pull request can add such a file; it applies to whoever runs a command in that folder.
  it(`is named when it is a workspace folder's own .yarnrc.yml, which applies to commands run there`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const manifest = {...APP, workspaces: [`packages/*`]};
    const files = {'packages/a/package.json': JSON.stringify({name: `a`, version: `1.0.0`, dependencies: {axios: `1.14.0`}}), 'packages/a/.yarnrc.yml': `quarantineNewDependencies: off\n`};
    const project = await projectWith({registry, manifest, yarnrc: {quarantinePeriod: `0`}, files});
    expect((await project.install()).code).toBe(0);
    const nested = `${project.dir}/packages/a/.yarnrc.yml`;
    await project.writeFile(`packages/a/package.json`, JSON.stringify({name: `a`, version: `1.0.0`, dependencies: {axios: `^1.14.0`}}));

    const result = await project.install([`--cwd`, `packages/a`, `up`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(await project.lockfile()).toContain(`plain-crypto-js@npm:4.2.1`);
    expect(result.output).toContain(`quarantineNewDependencies off (set by ${nested}, in a folder below the project's root)`);
    expect(result.output).toContain(`Quarantine: quarantineNewDependencies was set by ${nested}, in a folder below the project's root, not by its own .yarnrc.yml`);
  });

  it(`is named by \`yarn quarantine check\`, in text and in JSON`, async () => {
    const {project} = await projectPinningTheBadVersion({parentYarnrc: {quarantinePeriod: `0`}, yarnrc: {quarantineLockfile: `verify`}});
    const outside = `${project.parent}/.yarnrc.yml`;

    const text = await project.run([`quarantine`, `check`]);

    expect(text.code, text.output).toBe(0);
    expect(text.output).toContain(`Policy: quarantinePeriod 0 (${outside}): set by ${outside}, outside the project, not by the repository's .yarnrc.yml`);
    expect(text.output).toContain(`Policy: quarantineLockfile verify (${project.dir}/.yarnrc.yml)\n`);

    const json = await project.run([`quarantine`, `check`, `--json`]);
    const policy = jsonLines(json.output).find(line => line.type === `policy`);
    expect(policy.settings).toContainEqual(expect.objectContaining({setting: `quarantinePeriod`, value: `0`, source: outside, outsideProject: [outside]}));
    expect(policy.settings).toContainEqual(expect.objectContaining({setting: `quarantineLockfile`, outsideProject: []}));
  });
});

const HELLO = {
  name: `hello-cli`,
  versions: {
    '1.0.0': {publishedAt: agoISO({days: 30}), bin: {'hello-cli': `cli.js`}, files: {'cli.js': `#!/usr/bin/env node\nconsole.log("hello-cli 1.0.0 ran");\n`}},
    '1.1.0': {publishedAt: agoISO({minutes: 30}), bin: {'hello-cli': `cli.js`}, files: {'cli.js': `#!/usr/bin/env node\nconsole.log("hello-cli 1.1.0 ran");\n`}},
  },
};

/** A folder outside any project, on a machine whose home `.yarnrc.yml` points Yarn at the test registry. */
async function folderOutsideAnyProject(registry: Registry, homeYarnrc: Record<string, unknown> = {}) {
  return projectWith({
    registry,
    noProject: true,
    homeYarnrc: {npmRegistryServer: registry.url, unsafeHttpWhitelist: [`127.0.0.1`], ...withoutYarnGate(), ...homeYarnrc},
  });
}

const youngTarball = (registry: Registry) => tarballRequests(registry).filter(request => request.path.includes(`hello-cli-1.1.0`));

describe(`yarn dlx`, () => {
  it(`runs with no policy outside any project when the plugin is not loaded machine-wide (a known limitation)`, async () => {
    const registry = await registryWith({packages: [HELLO]});
    const folder = await folderOutsideAnyProject(registry);

    const result = await folder.run([`dlx`, `hello-cli`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`hello-cli 1.1.0 ran`);
    expect(result.output).not.toContain(`Quarantine:`);
    expect(youngTarball(registry)).toHaveLength(1);
  });

  it.each([
    [`a plugins entry in the home folder's .yarnrc.yml`, {plugins: [{path: `.yarn/plugins/plugin-quarantine.cjs`}]}, {}],
    [`YARN_PLUGINS`, {}, {YARN_PLUGINS: BUNDLE}],
  ])(`applies the policy outside any project when the plugin is loaded machine-wide with %s`, async (_, homeYarnrc, env) => {
    const registry = await registryWith({packages: [HELLO]});
    const folder = await folderOutsideAnyProject(registry, homeYarnrc);
    if (`plugins` in homeYarnrc) {
      // What the README tells users to do: a copy of the bundle in the home folder, named in its .yarnrc.yml.
      await mkdir(join(folder.home, `.yarn`, `plugins`), {recursive: true});
      await copyFile(BUNDLE, join(folder.home, `.yarn`, `plugins`, `plugin-quarantine.cjs`));
    }

    const heldBack = await folder.run([`dlx`, `hello-cli`], {env});

    expect(heldBack.code, heldBack.output).toBe(0);
    expect(heldBack.output).toMatch(/hello-cli@npm:\^1\.0\.0: held back 1\.1\.0 \(published .* UTC, 3\d+m ago; eligible at .* UTC\), using 1\.0\.0/);
    expect(heldBack.output).toContain(`hello-cli 1.0.0 ran`);
    expect(youngTarball(registry)).toEqual([]);

    const pinned = await folder.run([`dlx`, `hello-cli@1.1.0`], {env});

    expect(pinned.code).toBe(1);
    expect(pinned.output).toMatch(/hello-cli@npm:1\.1\.0: no version satisfying 1\.1\.0 is out of quarantine \(3d\)/);
    expect(pinned.output).not.toMatch(/hello-cli 1\.\d\.0 ran/);
    expect(youngTarball(registry)).toEqual([]);
  });

  it(`applies the project's policy inside a project that loads the plugin`, async () => {
    const registry = await registryWith({packages: [HELLO]});
    const project = await projectWith({registry, manifest: APP, yarnrc: {quarantinePeriod: `1w`}});

    const result = await project.run([`dlx`, `hello-cli`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/hello-cli@npm:\^1\.0\.0: held back 1\.1\.0 \(published .* UTC, 3\d+m ago; eligible at .* UTC\), using 1\.0\.0/);
    expect(result.output).toContain(`quarantinePeriod 1w`);
    expect(result.output).toContain(`hello-cli 1.0.0 ran`);
    expect(youngTarball(registry)).toEqual([]);
  });
});
