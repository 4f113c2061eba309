import {describe, expect, it} from 'vitest';

import {git} from './gitServer';
import {beforeTheAttack, lockfileWrittenWithoutPlugin, projectWith} from './support';

const USES_AXIOS = {name: `app`, version: `1.0.0`, private: true, dependencies: {axios: `^1.14.0`}};
const BUMPED = {...USES_AXIOS, dependencies: {axios: `^1.14.1`}};
const jsonLines = (stdout: string) => stdout.trim().split(`\n`).filter(line => line.startsWith(`{`)).map(line => JSON.parse(line));

/** The 1-based line of the entry whose key names `name@`, as a reviewer finds it in the diff. */
function entryLine(lockfile: string, name: string) {
  const index = lockfile.split(`\n`).findIndex(line => new RegExp(`^"?${name}@`).test(line));
  expect(index, `${name} in yarn.lock`).toBeGreaterThanOrEqual(0);
  return index + 1;
}

describe(`a bot pull request beside the plugin`, () => {
  it(`that brings a new package: the bot's lockfile update fails with the finding as JSON, CI annotates the lockfile line, and a reviewer's expiring approval lets it through`, async () => {
    // The bot's age gate (Renovate's minimumReleaseAge, Dependabot's cooldown) and quarantinePeriod agree
    // on 1h; axios 1.14.1 is 2h old, so both let it through: the new package is what is left to judge.
    const {registry, compromise} = await beforeTheAttack();
    const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc: {quarantinePeriod: `1h`}});
    expect((await project.install()).code).toBe(0);
    git(project.dir, `init`, `-q`);
    git(project.dir, `add`, `package.json`, `yarn.lock`, `.yarnrc.yml`);
    git(project.dir, `commit`, `-q`, `-m`, `base`);
    git(project.dir, `checkout`, `-q`, `-b`, `bot/axios-1.14.1`);
    compromise();
    const lockfileBefore = await project.lockfile();

    // What the bot does: edit the range, then update the lockfile with the project's own Yarn and plugins.
    await project.setManifest({dependencies: BUMPED.dependencies});
    const botUpdate = await project.install([`install`, `--mode=update-lockfile`, `--json`]);

    expect(botUpdate.code, botUpdate.output).toBe(1);
    const findings = jsonLines(botUpdate.stdout).filter(object => object.type === `finding`);
    expect(findings.map(finding => `${finding.rule} ${finding.package}@${finding.version}`)).toEqual([`new-dependency plain-crypto-js@4.2.1`]);
    expect(findings[0].message).toContain(`Fix: if you trust it, run yarn quarantine approve plain-crypto-js`);
    expect(await project.lockfile()).toBe(lockfileBefore);

    // A bot that does not load the repository's plugins writes the lockfile anyway: CI's check, which runs
    // before the install (a lockfile that already holds the package is its own baseline), catches it.
    const botLockfile = await lockfileWrittenWithoutPlugin(registry, BUMPED);
    await project.writeFile(`yarn.lock`, botLockfile);
    git(project.dir, `commit`, `-q`, `-am`, `Update axios to 1.14.1`);

    const ci = await project.run([`quarantine`, `check`, `--since`, `main`, `--format`, `github`]);

    expect(ci.code, ci.output).toBe(1);
    const annotations = ci.stdout.split(`\n`).filter(line => line.startsWith(`::`));
    expect(annotations).toHaveLength(1);
    expect(annotations[0]).toMatch(new RegExp(`^::error file=yarn\\.lock,line=${entryLine(botLockfile, `plain-crypto-js`)},title=new-dependency: plain-crypto-js::plain-crypto-js@npm:4\\.2\\.1 is a new sub-dependency: axios 1\\.14\\.0 -> 1\\.14\\.1 adds plain-crypto-js@\\^4\\.2\\.1`));

    // The reviewer approves it in the same pull request, for as long as the pull request needs.
    const approved = await project.run([`quarantine`, `approve`, `--since`, `main`, `plain-crypto-js`, `--for`, `1w`]);
    expect(approved.code, approved.output).toBe(0);
    expect(approved.output).toMatch(/Added plain-crypto-js until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC to quarantineApprovedDependencies in \.yarnrc\.yml/);

    const rerun = await project.run([`quarantine`, `check`, `--since`, `main`, `--format`, `github`]);
    expect(rerun.code, rerun.output).toBe(0);
    expect(rerun.stdout).not.toMatch(/^::error/m);
    // The approval shows in the pull request's checks until it lapses: approvals do not pile up unseen.
    expect(rerun.stdout).toMatch(/^::warning title=quarantine policy::quarantineApprovedDependencies: plain-crypto-js until (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC expires at \1 UTC, in 6d 2[0-3]h\. Fix: renew it with yarn quarantine approve --new-dependency plain-crypto-js --for 1w/m);
    const installed = await project.install([`install`, `--immutable`]);
    expect(installed.code, installed.output).toBe(0);
  });

  it(`that brings a security fix younger than the period (Dependabot opens those at once): held back until a reviewer exempts that version for a while`, async () => {
    const {registry, compromise} = await beforeTheAttack({hoursAgo: 5});
    const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc: {quarantinePeriod: `1d`}});
    expect((await project.install()).code).toBe(0);
    compromise({'follow-redirects': `^1.15.0`});
    await project.setManifest({dependencies: BUMPED.dependencies});

    const held = await project.install([`install`, `--mode=update-lockfile`, `--json`]);

    expect(held.code, held.output).toBe(1);
    const finding = jsonLines(held.stdout).find(object => object.type === `finding`);
    expect(finding).toMatchObject({rule: `release-age`, kind: `no-eligible-version`, package: `axios`, range: `^1.14.1`});
    expect(finding.message).toContain(`yarn quarantine approve --release-age axios@1.14.1`);

    const approved = await project.run([`quarantine`, `approve`, `--release-age`, `axios@1.14.1`, `--for`, `1d`]);
    expect(approved.code, approved.output).toBe(0);
    const updated = await project.install([`install`, `--mode=update-lockfile`]);
    expect(updated.code, updated.output).toBe(0);
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.1"`);
  });
});
