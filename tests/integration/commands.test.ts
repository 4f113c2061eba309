import {execFileSync} from 'node:child_process';
import {mkdir} from 'node:fs/promises';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';

import type {Registry} from '../../scripts/lib/registry.mjs';
import {beforeTheAttack, lockfileWrittenWithoutPlugin, projectWith} from './support';

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_AXIOS = {...APP, dependencies: {axios: `^1.14.0`}};

async function installedProject(registry: Registry, yarnrc: Record<string, unknown> = {}) {
  const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc});
  const installed = await project.install();
  expect(installed.code, installed.output).toBe(0);
  return project;
}

const git = (cwd: string, ...args: Array<string>) => execFileSync(`git`, [`-c`, `user.name=test`, `-c`, `user.email=test@example.test`, `-c`, `init.defaultBranch=main`, ...args], {cwd, stdio: `pipe`}).toString();
const jsonLines = (output: string) => output.trim().split(`\n`).filter(line => line.startsWith(`{`)).map(line => JSON.parse(line));

describe(`yarn quarantine check`, () => {
  it(`exits 0 on a clean lockfile and says where each setting came from`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry, {quarantinePeriod: `2d`});

    const result = await project.run([`quarantine`, `check`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`Policy: quarantinePeriod 2d (${project.dir}/.yarnrc.yml)`);
    expect(result.output).toContain(`Policy: quarantineLockfile verify (default)`);
    expect(result.output).toContain(`Quarantine check: no violation`);
  });

  it.each([
    [`.yarnrc.yml`, {quarantineLockfile: `sometimes`}, {}, (dir: string) => `quarantineLockfile (from ${dir}/.yarnrc.yml): invalid value "sometimes"; expected one of verify, trust. Fix the value in .yarnrc.yml; nothing was resolved or written.`],
    [`a YARN_* variable`, {}, {YARN_QUARANTINE_PERIOD: `3 days`}, () => `quarantinePeriod (from YARN_QUARANTINE_PERIOD): invalid value "3 days"; expected a duration such as 90m, 12h, 3d or 1w (a bare number is minutes; 0 turns the rule off). Fix or unset YARN_QUARANTINE_PERIOD; nothing was resolved or written.`],
  ])(`exits 2 on a bad setting from %s, naming it, instead of judging the lockfile`, async (_, yarnrc, env, line) => {
    const {registry, compromise} = await beforeTheAttack();
    compromise();
    const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS);
    const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc, files: {'yarn.lock': lockfile}});
    registry.clearRequests();

    const result = await project.run([`quarantine`, `check`], {env});

    expect(result.code, result.output).toBe(2);
    expect(result.output).toContain(line(project.dir));
    expect(result.output).not.toContain(`in quarantine`);
    expect(result.output).not.toContain(`Quarantine check:`);
    expect(registry.requests).toEqual([]);
    expect(await project.lockfile()).toBe(lockfile);
  });

  it(`exits 1 on a lockfile pinning a quarantined version, writing nothing`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    compromise();
    const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS);
    const project = await projectWith({registry, manifest: USES_AXIOS, files: {'yarn.lock': lockfile}});
    registry.clearRequests();

    const result = await project.run([`quarantine`, `check`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.1 (locked) is in quarantine`);
    expect(result.output).toContain(`Quarantine check: 2 violations: 2 of the release-age rule (2 quarantined)`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(project.exists(`node_modules`)).toBe(false);
    expect(project.exists(`.yarn/install-state.gz`)).toBe(false);
    expect(registry.requests.filter(request => request.kind === `tarball`)).toEqual([]);
  });

  it(`judges yarn.lock itself, not the last install's state, and leaves that state untouched`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await installedProject(registry);
    expect(project.exists(`.yarn/install-state.gz`)).toBe(true);
    // A state file that holds no graph at all: the check must not need it, nor repair it.
    await project.writeFile(`.yarn/install-state.gz`, `not an install state`);
    compromise();

    const result = await project.run([`quarantine`, `check`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`2 versions checked`);
    expect(await project.readFile(`.yarn/install-state.gz`)).toBe(`not an install state`);
  });

  it(`flags, with --since, a pull request whose lockfile already brings in plain-crypto-js; --json carries the facts`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await installedProject(registry, {quarantinePeriod: `0`});
    git(project.dir, `init`, `-q`);
    git(project.dir, `add`, `package.json`, `yarn.lock`);
    git(project.dir, `commit`, `-q`, `-m`, `base`);
    compromise();
    await project.writeFile(`yarn.lock`, await lockfileWrittenWithoutPlugin(registry, USES_AXIOS));

    const plain = await project.run([`quarantine`, `check`]);
    expect(plain.code, plain.output).toBe(0);

    const since = await project.run([`quarantine`, `check`, `--since`, `HEAD`]);
    expect(since.code).toBe(1);
    expect(since.output).toContain(`Baseline: yarn.lock at HEAD`);
    expect(since.output).toContain(`plain-crypto-js@npm:4.2.1 is a new sub-dependency: axios 1.14.0 -> 1.14.1 adds plain-crypto-js@^4.2.1`);

    const json = await project.run([`quarantine`, `check`, `--since`, `HEAD`, `--json`]);
    expect(json.code).toBe(1);
    const objects = jsonLines(json.stdout);
    expect(objects[0]).toMatchObject({type: `policy`, since: `HEAD`});
    expect(objects.filter(object => object.type === `finding`)).toEqual([expect.objectContaining({
      rule: `new-dependency`,
      kind: `new-sub-dependency`,
      package: `plain-crypto-js`,
      version: `4.2.1`,
      range: `^4.2.1`,
      parent: {name: `axios`, version: `1.14.1`, baselineVersions: [`1.14.0`]},
      path: [`app@workspace:.`, `axios@npm:1.14.1`, `plain-crypto-js@npm:4.2.1`],
    })]);
    expect(objects.at(-1)).toMatchObject({type: `summary`, violations: 1});

    const approved = await project.run([`quarantine`, `approve`, `--since`, `HEAD`, `plain-crypto-js`]);
    expect(approved.code, approved.output).toBe(0);
    expect(approved.output).toContain(`Added plain-crypto-js to quarantineApprovedDependencies in .yarnrc.yml`);
    expect(approved.output).not.toContain(`quarantineExemptPackages`);
    expect((await project.run([`quarantine`, `check`, `--since`, `HEAD`])).code).toBe(0);
  });

  it(`gives the release-age facts as fields in --json`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    compromise();
    const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS);
    const project = await projectWith({registry, manifest: USES_AXIOS, files: {'yarn.lock': lockfile}});

    const result = await project.run([`quarantine`, `check`, `--json`]);

    const axios = jsonLines(result.stdout).find(object => object.type === `finding` && object.package === `axios`);
    expect(axios).toMatchObject({rule: `release-age`, kind: `quarantined`, version: `1.14.1`, locked: true, age: `2h`, period: `3d`});
    expect(Date.parse(axios.eligibleAt) - Date.parse(axios.publishedAt)).toBe(3 * 86_400_000);
  });

  it.each([
    [`a revision that does not exist`, `no-such-ref`, /--since no-such-ref: could not read yarn.lock at that revision/],
    [`a revision without a lockfile`, `HEAD`, /--since HEAD: could not read yarn.lock at that revision/],
    [`an empty revision (an unset CI variable), which git would read as the index`, ``, /--since "": no revision given \(an unset CI variable\?\), and git would read the pull request's own staged yarn\.lock/],
    [`a path in the index instead of a revision`, `:package.json`, /--since :package\.json: could not read yarn\.lock at that revision \(not a commit\)/],
  ])(`exits 2 on %s`, async (_, revision, message) => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry);
    git(project.dir, `init`, `-q`);
    git(project.dir, `add`, `package.json`);
    git(project.dir, `commit`, `-q`, `-m`, `no lockfile`);

    const result = await project.run([`quarantine`, `check`, `--since`, revision]);

    expect(result.code).toBe(2);
    expect(result.output).toMatch(message);
  });

  // `git show --output=pwned:./yarn.lock` writes a file: git must never read the value as an option.
  it.each([`check`, `why axios`])(`%s refuses a --since value that starts with "-" (exit 2) and never hands it to git`, async command => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry);
    git(project.dir, `init`, `-q`);
    git(project.dir, `add`, `package.json`, `yarn.lock`);
    git(project.dir, `commit`, `-q`, `-m`, `base`);
    await mkdir(join(project.dir, `pwned:.`));

    const result = await project.run([`quarantine`, ...command.split(` `), `--since=--output=pwned`]);

    expect(result.code, result.output).toBe(2);
    expect(result.output).toContain(`--since --output=pwned: a git revision cannot start with "-", and git would read this one as an option. Fix: pass a branch, tag or commit, e.g. --since origin/main`);
    expect(project.exists(`pwned:./yarn.lock`)).toBe(false);
  });

  it(`warns in its header when an environment variable weakened the policy`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry);

    const result = await project.run([`quarantine`, `check`], {env: {YARN_QUARANTINE_PERIOD: `0`}});

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`Policy: quarantinePeriod 0 (YARN_QUARANTINE_PERIOD): set by the environment, not by the repository`);
  });

  it(`reads a lockfile an older Yarn wrote, which the current one would refresh from the network`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    compromise();
    const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS, `4.0.2`);
    expect(lockfile).toContain(`version: 8`);
    const project = await projectWith({registry, manifest: USES_AXIOS, files: {'yarn.lock': lockfile}});
    registry.clearRequests();

    const result = await project.run([`quarantine`, `check`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.1 (locked) is in quarantine`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(registry.requests.filter(request => request.kind === `tarball`)).toEqual([]);
  });

  it(`exits 2 without a lockfile`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await projectWith({registry, manifest: USES_AXIOS});

    const result = await project.run([`quarantine`, `check`]);

    expect(result.code).toBe(2);
    expect(result.output).toContain(`there is no yarn.lock to check. Fix: run yarn install first`);
  });
});

describe(`yarn quarantine why`, () => {
  it(`explains a locked version, the newer one held back, the path and the approvals`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await installedProject(registry);
    compromise();

    const result = await project.run([`quarantine`, `why`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/axios@npm:1\.14\.0: published .* UTC, 30d ago; eligible/);
    expect(result.output).toMatch(/ {2}1\.14\.1 satisfies \^1\.14\.0: held back until \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(result.output).toContain(`  path: app@workspace:. > axios@npm:1.14.0`);
    expect(result.output).toContain(`axios is in the baseline (yarn.lock)`);
    expect(result.output).toContain(`New sub-dependency rule: listed by the project`);

    const json = jsonLines((await project.run([`quarantine`, `why`, `axios`, `--json`])).stdout);
    expect(json[0]).toMatchObject({type: `version`, package: `axios`, version: `1.14.0`, status: `eligible`, newerInRange: [{range: `^1.14.0`, version: `1.14.1`, status: `quarantined`}]});
  });

  it(`names the exemption that covers a version`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry, {quarantineExemptPackages: [`follow-redirects`]});

    const result = await project.run([`quarantine`, `why`, `follow-redirects`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`exempt by follow-redirects in quarantineExemptPackages`);
    expect(result.output).toContain(`path: app@workspace:. > axios@npm:1.14.0 > follow-redirects@npm:1.15.9`);
  });

  it(`exits 1 for a package that is not in the lockfile`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry);

    const result = await project.run([`quarantine`, `why`, `left-pad`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`left-pad is not an npm package in yarn.lock`);
  });
});

describe(`yarn quarantine approve`, () => {
  it(`approves what the last install blocked, after which the install goes through`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await installedProject(registry, {quarantinePeriod: `0`});
    compromise();
    const blocked = await project.install([`up`, `axios`]);
    expect(blocked.code).toBe(1);
    expect(blocked.output).toContain(`Fix: if you trust it, run yarn quarantine approve plain-crypto-js, which adds it to quarantineApprovedDependencies`);

    const approved = await project.run([`quarantine`, `approve`, `plain-crypto-js`]);
    expect(approved.code, approved.output).toBe(0);
    expect(approved.output).toContain(`Added plain-crypto-js to quarantineApprovedDependencies in .yarnrc.yml`);
    const yarnrc = await project.readFile(`.yarnrc.yml`);
    expect(yarnrc).toMatch(/quarantineApprovedDependencies:\n {2}- plain-crypto-js/);
    expect(yarnrc).toContain(`quarantinePeriod: 0`);

    const again = await project.run([`quarantine`, `approve`, `plain-crypto-js`]);
    expect(again.code).toBe(0);
    expect(again.output).toContain(`plain-crypto-js is already in quarantineApprovedDependencies`);
    expect(await project.readFile(`.yarnrc.yml`)).toBe(yarnrc);

    const installed = await project.install([`up`, `axios`]);
    expect(installed.code, installed.output).toBe(0);
    expect(await project.lockfile()).toContain(`resolution: "plain-crypto-js@npm:4.2.1"`);
  });

  it(`exempts from the release-age rule what a check finds quarantined`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    compromise();
    const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS);
    const project = await projectWith({registry, manifest: USES_AXIOS, files: {'yarn.lock': lockfile}});

    const approved = await project.run([`quarantine`, `approve`, `axios@1.14.1`, `plain-crypto-js`]);

    expect(approved.code, approved.output).toBe(0);
    expect(approved.output).toContain(`Added axios@1.14.1 to quarantineExemptPackages in .yarnrc.yml`);
    expect(approved.output).toContain(`Added plain-crypto-js to quarantineExemptPackages in .yarnrc.yml`);
    expect((await project.run([`quarantine`, `check`])).code).toBe(0);
  });

  it.each([
    [[`quarantine`, `approve`, `not a pattern!`], 2, /not a pattern!: not a valid pattern/],
    [[`quarantine`, `approve`, `left-pad`], 1, /left-pad matches no current finding of the lockfile or of the last blocked install\. Fix: say which list with --release-age, --new-dependency, --scripts or --trust/],
  ])(`refuses %j with exit code %i, writing nothing`, async (args, code, message) => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry);
    const before = await project.readFile(`.yarnrc.yml`);

    const result = await project.run(args);

    expect(result.code).toBe(code);
    expect(result.output).toMatch(message);
    expect(await project.readFile(`.yarnrc.yml`)).toBe(before);
  });

  it(`writes to the list a flag names`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry);

    const result = await project.run([`quarantine`, `approve`, `--new-dependency`, `@oxc-parser/*`]);

    expect(result.code, result.output).toBe(0);
    expect(await project.readFile(`.yarnrc.yml`)).toMatch(/quarantineApprovedDependencies:\n {2}- "@oxc-parser\/\*"/);
  });
});
