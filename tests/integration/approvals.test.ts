import {describe, expect, it} from 'vitest';

import type {Registry} from '../../scripts/lib/registry.mjs';
import {beforeTheAttack, lockfileWrittenWithoutPlugin, projectWith} from './support';

const USES_AXIOS = {name: `app`, version: `1.0.0`, private: true, dependencies: {axios: `^1.14.0`}};
const DAY = 24 * 60 * 60 * 1000;

/** `2026-12-08 12:00 UTC`, as list entries spell a moment. */
const entryMoment = (date: Date) => `${date.toISOString().slice(0, 16).replace(`T`, ` `)} UTC`;
const PAST = `2026-01-01 00:00 UTC`;
const inDays = (days: number) => entryMoment(new Date(Date.now() + days * DAY));
const jsonLines = (output: string) => output.trim().split(`\n`).filter(line => line.startsWith(`{`)).map(line => JSON.parse(line));

async function installedProject(registry: Registry, yarnrc: Record<string, unknown> = {}, yarn = `default`) {
  const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc, yarn});
  const installed = await project.install();
  expect(installed.code, installed.output).toBe(0);
  return project;
}

describe(`approvals that expire`, () => {
  it(`an expired approval of a new sub-dependency approves nothing, and the blocked line says it expired and when`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await installedProject(registry, {quarantinePeriod: `0`});
    compromise();
    const lockfile = await project.lockfile();
    await project.setYarnrc({quarantineApprovedDependencies: [`plain-crypto-js until ${PAST}`]});

    const blocked = await project.install([`up`, `axios`]);

    expect(blocked.code, blocked.output).toBe(1);
    expect(blocked.output).toContain(`plain-crypto-js@npm:4.2.1 is a new sub-dependency`);
    expect(blocked.output).toContain(`; plain-crypto-js until ${PAST} in quarantineApprovedDependencies would have approved it, but expired at ${PAST}. Fix: `);
    expect(await project.lockfile()).toBe(lockfile);
    expect(await project.scriptRan()).toBe(false);

    await project.setYarnrc({quarantineApprovedDependencies: [`plain-crypto-js until ${inDays(2)}`]});
    const approved = await project.install([`up`, `axios`]);
    expect(approved.code, approved.output).toBe(0);
    expect(await project.lockfile()).toContain(`resolution: "plain-crypto-js@npm:4.2.1"`);
  });

  it(`an expired release-age exemption no longer exempts a locked version: check fails with the expiry as a JSON field`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    compromise();
    const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS);
    const project = await projectWith({registry, manifest: USES_AXIOS, files: {'yarn.lock': lockfile},
      yarnrc: {quarantineExemptPackages: [`axios@1.14.1 until ${PAST}`, `plain-crypto-js until ${inDays(30)}`]}});

    const result = await project.run([`quarantine`, `check`, `--json`]);

    expect(result.code, result.output).toBe(1);
    const findings = jsonLines(result.stdout).filter(line => line.type === `finding`);
    expect(findings.map(finding => `${finding.package}@${finding.version} ${finding.kind}`)).toEqual([`axios@1.14.1 quarantined`]);
    expect(findings[0].expiredApproval).toEqual({setting: `quarantineExemptPackages`, entry: `axios@1.14.1 until ${PAST}`, expiredAt: `2026-01-01T00:00:00.000Z`});
    expect(findings[0].message).toContain(`axios@1.14.1 until ${PAST} in quarantineExemptPackages would have approved it, but expired at ${PAST}`);
  });

  it.each([`4.0.2`, `default`])(`approve --for writes one readable entry that check warns about within a week (Yarn %s)`, async yarn => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await installedProject(registry, {quarantinePeriod: `0`}, yarn);
    compromise();
    expect((await project.install([`up`, `axios`])).code).toBe(1);
    const before = Date.now();

    const approved = await project.run([`quarantine`, `approve`, `plain-crypto-js`, `--for`, `3d`]);

    expect(approved.code, approved.output).toBe(0);
    const written = /quarantineApprovedDependencies:\n {2}- (.+)\n/.exec(await project.readFile(`.yarnrc.yml`))![1];
    const match = /^"?plain-crypto-js until (\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC"?$/.exec(written);
    expect(match, written).not.toBeNull();
    const expiresAt = Date.parse(`${match![1].replace(` `, `T`)}Z`);
    expect(expiresAt).toBeGreaterThan(before + 3 * DAY - 2 * 60_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3 * DAY);
    expect(approved.output).toContain(`Added plain-crypto-js until ${match![1]} UTC to quarantineApprovedDependencies in .yarnrc.yml`);

    const check = await project.run([`quarantine`, `check`]);
    expect(check.code, check.output).toBe(0);
    expect(check.output).toMatch(new RegExp(`YN0000: quarantineApprovedDependencies: plain-crypto-js until ${match![1]} UTC expires at ${match![1]} UTC, in 2d 2[0-3]h\\. Fix: renew it with yarn quarantine approve --new-dependency plain-crypto-js --for 1w`));
    const json = await project.run([`quarantine`, `check`, `--json`]);
    expect(jsonLines(json.stdout).filter(line => line.type === `approval-expiry`)).toEqual([
      {type: `approval-expiry`, setting: `quarantineApprovedDependencies`, entry: `plain-crypto-js until ${match![1]} UTC`, pattern: `plain-crypto-js`, expiresAt: new Date(expiresAt).toISOString(), expired: false},
    ]);

    // Approving the same pattern again renews the entry in place.
    const renewed = await project.run([`quarantine`, `approve`, `--new-dependency`, `plain-crypto-js`, `--until`, `2099-01-01`]);
    expect(renewed.code, renewed.output).toBe(0);
    expect(renewed.output).toContain(`Replaced plain-crypto-js until ${match![1]} UTC with plain-crypto-js until 2099-01-01 00:00 UTC in quarantineApprovedDependencies`);
    expect(await project.readFile(`.yarnrc.yml`)).toMatch(/quarantineApprovedDependencies:\n {2}- "plain-crypto-js until 2099-01-01 00:00 UTC"\n(?! {2}-)/);
    expect((await project.run([`quarantine`, `check`])).output).not.toContain(`expires at`);
  });

  it(`check warns about an expired entry, and does not fail on it`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry, {quarantineExemptPackages: [`left-pad until ${PAST}`]});

    const result = await project.run([`quarantine`, `check`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`quarantineExemptPackages: left-pad until ${PAST} expired at ${PAST}`);
    expect(result.output).toContain(`approves nothing any more. Fix: renew it with yarn quarantine approve --release-age left-pad --for 1w if it is still needed, or remove it with yarn quarantine prune`);
  });

  it.each([
    [[`--until`, `tomorrow`], `--until tomorrow: not a moment; expected a date (2026-12-08, meaning 00:00 UTC)`],
    [[`--until`, `2026-12-08T12:00`], `--until 2026-12-08T12:00: not a moment`],
    [[`--until`, `2026-02-30`], `--until 2026-02-30: not a moment`],
    [[`--until`, `2020-01-01`], `--until 2020-01-01: that moment has already passed; expected one in the future`],
    [[`--for`, `3 days`], `--for 3 days: not a duration; expected one in the quarantinePeriod grammar, such as 90m, 12h, 3d or 1w`],
    [[`--for`, `0`], `--for 0: not a duration`],
    [[`--for`, `1w`, `--until`, `2099-01-01`], `--until and --for both say when the approval expires; give one`],
  ])(`approve %j exits 2 naming the option and the expected form, and writes nothing`, async (options, message) => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry);
    const before = await project.readFile(`.yarnrc.yml`);

    const result = await project.run([`quarantine`, `approve`, `--release-age`, `axios@1.14.0`, ...options]);

    expect(result.code, result.output).toBe(2);
    expect(result.output).toContain(message);
    expect(await project.readFile(`.yarnrc.yml`)).toBe(before);
  });

  it.each([
    [`an unparseable moment`, `axios until someday`, `after "until", a date (2026-12-08, meaning 00:00 UTC)`],
    [`a moment without a zone`, `axios until 2026-12-08T12:00`, `after "until", a date`],
    [`a malformed pattern before it`, `not a pattern! until 2026-12-08`, `a package name or glob, optionally followed by @ and a semver range`],
  ])(`an entry with %s stops the install with an error naming the setting; nothing is written`, async (_, entry, expected) => {
    const {registry} = await beforeTheAttack();
    const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc: {quarantineExemptPackages: [entry]}});

    const result = await project.install();

    expect(result.code).toBe(1);
    expect(result.output).toContain(`quarantineExemptPackages (from ${project.dir}/.yarnrc.yml): invalid value ${JSON.stringify(entry)}; expected ${expected}`);
    expect(await project.lockfile()).toBeNull();
  });
});

describe(`yarn quarantine prune`, () => {
  it.each([`4.0.2`, `default`])(`removes expired entries and entries matching nothing in yarn.lock, and only those (Yarn %s)`, async yarn => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry, {
      quarantineExemptPackages: [`axios@^1.14.0`, `left-pad`, `follow-redirects until ${PAST}`, `follow-redirects@1.15.9 until ${inDays(30)}`],
      quarantineApprovedDependencies: [`plain-crypto-js`, `payload@https://example.test/payload-1.0.0.tgz`],
      quarantineApprovedScripts: [`axios@1.14.0`, `axios@1.13.6`],
    }, yarn);
    const before = await project.readFile(`.yarnrc.yml`);

    const dryRun = await project.run([`quarantine`, `prune`, `--dry-run`]);

    expect(dryRun.code, dryRun.output).toBe(0);
    expect(dryRun.output).toContain(`Would remove left-pad from quarantineExemptPackages: matches nothing in yarn.lock`);
    expect(dryRun.output).toContain(`Would remove follow-redirects until ${PAST} from quarantineExemptPackages: expired at ${PAST}`);
    expect(dryRun.output).toContain(`Would remove 5 entries (1 expired, 4 matching nothing in yarn.lock); nothing was written`);
    expect(await project.readFile(`.yarnrc.yml`)).toBe(before);

    const pruned = await project.run([`quarantine`, `prune`]);

    expect(pruned.code, pruned.output).toBe(0);
    for (const line of [
      `Removed left-pad from quarantineExemptPackages: matches nothing in yarn.lock`,
      `Removed follow-redirects until ${PAST} from quarantineExemptPackages: expired at ${PAST}`,
      `Removed plain-crypto-js from quarantineApprovedDependencies: matches nothing in yarn.lock`,
      `Removed payload@https://example.test/payload-1.0.0.tgz from quarantineApprovedDependencies: matches nothing in yarn.lock`,
      `Removed axios@1.13.6 from quarantineApprovedScripts: matches nothing in yarn.lock`,
      `Removed 5 entries (1 expired, 4 matching nothing in yarn.lock) from .yarnrc.yml`,
    ])
      expect(pruned.output).toContain(line);
    const yarnrc = await project.readFile(`.yarnrc.yml`);
    expect(yarnrc).toMatch(/quarantineExemptPackages:\n {2}- "?axios@\^1\.14\.0"?\n {2}- "follow-redirects@1\.15\.9 until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC"\n(?! {2}-)/);
    expect(yarnrc).toMatch(/quarantineApprovedScripts:\n {2}- axios@1\.14\.0\n(?! {2}-)/);
    expect(yarnrc).not.toContain(`quarantineApprovedDependencies`);
    expect(yarnrc).toContain(`npmRegistryServer: "${registry.url}"`);

    const again = await project.run([`quarantine`, `prune`]);
    expect(again.code, again.output).toBe(0);
    expect(again.output).toContain(`Nothing to prune: every entry is current and matches something in yarn.lock`);
    expect(await project.readFile(`.yarnrc.yml`)).toBe(yarnrc);
    expect((await project.install()).code).toBe(0);
  });

  it(`keeps an approved source that yarn.lock holds, and leaves entries from the environment alone`, async () => {
    const {registry} = await beforeTheAttack();
    const tarball = `${registry.url}/follow-redirects/-/follow-redirects-1.15.9.tgz`;
    const project = await projectWith({registry, manifest: {...USES_AXIOS, dependencies: {...USES_AXIOS.dependencies, 'follow-redirects': tarball}},
      yarnrc: {quarantineApprovedDependencies: [`follow-redirects@${tarball}`, `follow-redirects@${registry.url}/elsewhere.tgz`]}});
    expect((await project.install()).code).toBe(0);

    const result = await project.run([`quarantine`, `prune`, `--json`], {env: {YARN_QUARANTINE_EXEMPT_PACKAGES: `left-pad`}});

    expect(result.code, result.output).toBe(0);
    expect(jsonLines(result.stdout)).toEqual([
      {type: `pruned`, setting: `quarantineApprovedDependencies`, entry: `follow-redirects@${registry.url}/elsewhere.tgz`, reason: `unmatched`, expiresAt: null, dryRun: false},
      {type: `summary`, removed: 1, wouldRemove: 0, expired: 0, unmatched: 1},
    ]);
    expect(await project.readFile(`.yarnrc.yml`)).toMatch(new RegExp(`quarantineApprovedDependencies:\n {2}- "?follow-redirects@${tarball.replace(/[.*+?^${}()|[\]\\/]/g, `\\$&`)}"?\n(?! {2}-)`));
  });

  it(`exits 2 without a lockfile, and writes nothing`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc: {quarantineExemptPackages: [`left-pad until ${PAST}`]}});
    const before = await project.readFile(`.yarnrc.yml`);

    const result = await project.run([`quarantine`, `prune`]);

    expect(result.code, result.output).toBe(2);
    expect(result.output).toContain(`there is no yarn.lock to prune against`);
    expect(await project.readFile(`.yarnrc.yml`)).toBe(before);
  });
});

describe(`approvals: more bad input`, () => {
  it(`refuses an expiry past the year 9999 with exit 2, writing nothing`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry);
    const before = await project.readFile(`.yarnrc.yml`);

    for (const forDuration of [`500000w`, `14800000w`]) {
      const result = await project.run([`quarantine`, `approve`, `--release-age`, `axios@1.14.0`, `--for`, forDuration]);
      expect(result.code, result.output).toBe(2);
      expect(result.output).toContain(`--for ${forDuration}: that is after the year 9999; expected a moment before it`);
    }
    expect(await project.readFile(`.yarnrc.yml`)).toBe(before);
  });

  it(`renews every entry of the pattern, so no permanent duplicate outlives the expiry`, async () => {
    const {registry} = await beforeTheAttack();
    const project = await installedProject(registry, {quarantineExemptPackages: [`axios`, `follow-redirects`, `axios until 2099-01-01`]});

    const result = await project.run([`quarantine`, `approve`, `--release-age`, `axios`, `--until`, `2098-01-01`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`Replaced axios, axios until 2099-01-01 with axios until 2098-01-01 00:00 UTC in quarantineExemptPackages`);
    expect(await project.readFile(`.yarnrc.yml`)).toMatch(/quarantineExemptPackages:\n {2}- "axios until 2098-01-01 00:00 UTC"\n {2}- "?follow-redirects"?\n(?! {2}-)/);
  });

  it(`prune refuses a Yarn 1 lockfile, whose packages Yarn reads only once migrated, and writes nothing`, async () => {
    const {registry} = await beforeTheAttack();
    const classic = `# yarn lockfile v1\n\n\naxios@^1.14.0:\n  version "1.14.0"\n  resolved "${registry.url}/axios/-/axios-1.14.0.tgz"\n  dependencies:\n    follow-redirects "^1.15.0"\n\nfollow-redirects@^1.15.0:\n  version "1.15.9"\n  resolved "${registry.url}/follow-redirects/-/follow-redirects-1.15.9.tgz"\n`;
    const project = await projectWith({registry, manifest: USES_AXIOS, files: {'yarn.lock': classic}, yarnrc: {quarantineExemptPackages: [`axios`]}});
    const before = await project.readFile(`.yarnrc.yml`);

    const result = await project.run([`quarantine`, `prune`]);

    expect(result.code, result.output).toBe(2);
    expect(result.output).toContain(`yarn.lock is a Yarn 1 lockfile`);
    expect(await project.readFile(`.yarnrc.yml`)).toBe(before);
  });
});
