import {describe, expect, it} from 'vitest';

import {agoISO, type Registry, type VersionSpec} from '../../scripts/lib/registry.mjs';
import {git} from './gitServer';
import {lockfileWrittenWithoutPlugin, projectWith, registryWith, tarballRequests, YARN_RELEASES} from './support';

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_AXIOS = {...APP, dependencies: {axios: `^1.14.0`}};
const FOLLOW_REDIRECTS = {name: `follow-redirects`, versions: {'1.15.6': {publishedAt: agoISO({days: 400}), publishedWith: `trusted-publisher`}}} as const;
/** Old enough for the release-age rule, and no new dependency: only the trust-downgrade rule can stop it. */
const FIVE_DAYS_AGO = agoISO({days: 5});
const AXIOS_1_14_0: VersionSpec = {publishedAt: agoISO({days: 9}), publishedWith: `trusted-publisher`, dependencies: {'follow-redirects': `^1.15.6`}};
const AXIOS_1_14_1: VersionSpec = {publishedAt: FIVE_DAYS_AGO, publishedWith: `token`, dependencies: {'follow-redirects': `^1.15.6`}};
const AXIOS_LINE = `without a trusted publisher or a provenance attestation, where 1.14.0 of the same release line (1.x), published ${utc(AXIOS_1_14_0.publishedAt as string)}, had a trusted publisher and a provenance attestation; a publish that drops both may come from a stolen token`;
const ONE_DOWNGRADE = `Quarantine: 1 violation: 1 of the trust-downgrade rule (1 trust downgrade)`;

function utc(iso: string) {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/** `axios@npm:1.14.1: published <UTC>, 5d ago, `: the subject, its publish time and its age, as the line begins. */
function publishedLine(subject: string, iso: string) {
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, `\\$&`);
  return new RegExp(`${escape(`${subject}: published ${utc(iso)}, `)}\\d+d(?: \\d+h)? ago, `);
}

/** axios 1.14.0 from GitHub's trusted publisher; `compromise()` publishes 1.14.1 by hand with a token, five days ago. */
async function axiosRegistry() {
  const registry = await registryWith({packages: [{name: `axios`, versions: {'1.14.0': AXIOS_1_14_0}}, FOLLOW_REDIRECTS]});
  const compromise = (spec: VersionSpec = {}) => registry.packages.addVersion(`axios`, `1.14.1`, {...AXIOS_1_14_1, ...spec});
  return {registry, compromise};
}

async function lockedOnAxios(registry: Registry, {yarn, yarnrc = {}}: {yarn?: string, yarnrc?: Record<string, unknown>} = {}) {
  const project = await projectWith({registry, manifest: USES_AXIOS, yarn, yarnrc: {quarantinePeriod: `3d`, ...yarnrc}});
  const installed = await project.install();
  expect(installed.code, installed.output).toBe(0);
  expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.0"`);
  registry.clearRequests();
  return project;
}

/** A teammate's lockfile, written without the plugin after 1.14.1 was published: CI runs it as it is. */
async function ciPinning(registry: Registry, {yarn, yarnrc = {}}: {yarn?: string, yarnrc?: Record<string, unknown>} = {}) {
  const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS);
  expect(lockfile).toContain(`axios@npm:1.14.1`);
  const project = await projectWith({registry, manifest: USES_AXIOS, yarn, yarnrc: {quarantinePeriod: `3d`, ...yarnrc}, files: {'yarn.lock': lockfile}});
  registry.clearRequests();
  return {project, lockfile};
}

function packumentRequests(registry: Registry) {
  return registry.requests.filter(request => request.kind === `packument` && request.status !== 304);
}

describe(`the trust-downgrade rule on the axios pattern`, () => {
  it.each(YARN_RELEASES)(`stops yarn up on a version published without the trusted publisher its line had, before anything is fetched, on Yarn %s`, async yarn => {
    const {registry, compromise} = await axiosRegistry();
    const project = await lockedOnAxios(registry, {yarn});
    const lockfile = await project.lockfile();
    compromise();

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(publishedLine(`axios@npm:1.14.1`, FIVE_DAYS_AGO));
    expect(result.output).toContain(`${AXIOS_LINE} (via app@workspace:. > axios@npm:1.14.1). Fix: stay on 1.14.0 (yarn up axios@1.14.0), or if the maintainers say why it was published differently, run yarn quarantine approve --trust axios@1.14.1, which adds this version to quarantineTrustExemptPackages`);
    expect(result.output).toContain(ONE_DOWNGRADE);
    expect(result.output).not.toContain(`release-age rule`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it.each(YARN_RELEASES)(`stops a CI install --immutable of a lockfile that pins the freshly published downgrade, before anything is fetched, on Yarn %s`, async yarn => {
    const {registry, compromise} = await axiosRegistry();
    compromise();
    const {project, lockfile} = await ciPinning(registry, {yarn});

    const result = await project.run([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(publishedLine(`axios@npm:1.14.1 (locked)`, FIVE_DAYS_AGO));
    expect(result.output).toContain(AXIOS_LINE);
    expect(result.output).toContain(ONE_DOWNGRADE);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`stops yarn add of a package the project never had, whose newest version dropped the trusted publisher`, async () => {
    const {registry, compromise} = await axiosRegistry();
    compromise();
    const project = await projectWith({registry, manifest: APP, yarnrc: {quarantinePeriod: `3d`}});
    expect((await project.install()).code).toBe(0);
    const lockfile = await project.lockfile();
    registry.clearRequests();

    const result = await project.install([`add`, `axios`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(publishedLine(`axios@npm:1.14.1`, FIVE_DAYS_AGO));
    expect(result.output).toContain(ONE_DOWNGRADE);
    expect(await project.lockfile()).toBe(lockfile);
    expect(JSON.parse(await project.readFile(`package.json`)).dependencies).toBeUndefined();
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`stops an attestation without the trusted publisher the line had`, async () => {
    const {registry, compromise} = await axiosRegistry();
    const project = await lockedOnAxios(registry);
    compromise({publishedWith: `provenance`});

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(publishedLine(`axios@npm:1.14.1`, FIVE_DAYS_AGO));
    expect(result.output).toContain(`with a provenance attestation but no trusted publisher, where 1.14.0 of the same release line (1.x), published ${utc(AXIOS_1_14_0.publishedAt as string)}, had a trusted publisher and a provenance attestation; a publish that drops the trusted publisher may come from a stolen token`);
  });

  it(`lets an update published as its line was through, and says nothing of trust`, async () => {
    const {registry, compromise} = await axiosRegistry();
    const project = await lockedOnAxios(registry);
    compromise({publishedWith: `trusted-publisher`});

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toMatch(/trust-downgrade|trusted publisher/);
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.1"`);
  });

  it(`reports it in check --json as rule trust, with what the line had`, async () => {
    const {registry, compromise} = await axiosRegistry();
    compromise();
    const {project} = await ciPinning(registry);

    const result = await project.run([`quarantine`, `check`, `--json`]);

    expect(result.code, result.output).toBe(1);
    const objects = result.stdout.trim().split(`\n`).map(line => JSON.parse(line));
    const findings = objects.filter(object => object.type === `finding`);
    expect(findings).toEqual([expect.objectContaining({
      rule: `trust`,
      kind: `trust-downgrade`,
      severity: `error`,
      package: `axios`,
      version: `1.14.1`,
      locked: true,
      publishedAt: new Date(FIVE_DAYS_AGO).toISOString(),
      previousVersion: `1.14.0`,
      trust: {rank: 0, previousRank: 2, previousPublishedAt: new Date(AXIOS_1_14_0.publishedAt as string).toISOString(), against: `release-line`, oldLocked: false},
      message: expect.stringContaining(`without a trusted publisher or a provenance attestation`),
    })]);
    expect(objects.find(object => object.type === `summary`)).toMatchObject({violations: 1, trustNotCompared: 0, trustUnreadOffline: 0});
  });

  it(`catches the downgrade in a pull request's lockfile with check --since, whatever its age`, async () => {
    const registry = await registryWith({packages: [{name: `axios`, versions: {'1.14.0': {...AXIOS_1_14_0, publishedAt: agoISO({days: 500})}}}, FOLLOW_REDIRECTS]});
    const compromise = (spec: VersionSpec) => registry.packages.addVersion(`axios`, `1.14.1`, {...AXIOS_1_14_1, ...spec});
    const project = await lockedOnAxios(registry);
    git(project.dir, `init`, `-q`);
    git(project.dir, `add`, `package.json`, `yarn.lock`, `.yarnrc.yml`);
    git(project.dir, `commit`, `-q`, `-m`, `base`);
    compromise({publishedAt: agoISO({days: 200})});
    // The pull request's lockfile, as a machine without the rule wrote it.
    const up = await project.run([`up`, `axios`], {env: {YARN_QUARANTINE_TRUST_POLICY: `off`}});
    expect(up.code, up.output).toBe(0);

    const result = await project.run([`quarantine`, `check`, `--since`, `main`]);
    const json = await project.run([`quarantine`, `check`, `--since`, `main`, `--json`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/axios@npm:1\.14\.1: published .* UTC, 200d(?: \d+h)? ago, without a trusted publisher or a provenance attestation, where 1\.14\.0 of the same release line/);
    expect(json.stdout.trim().split(`\n`).map(line => JSON.parse(line)).filter(object => object.type === `finding`)).toEqual([
      expect.objectContaining({rule: `trust`, severity: `error`, locked: false, trust: expect.objectContaining({against: `release-line`, oldLocked: false})}),
    ]);
  });
});

describe(`approving a trust downgrade`, () => {
  it(`pins the approval to the version: the next downgrade is stopped again`, async () => {
    const {registry, compromise} = await axiosRegistry();
    const project = await lockedOnAxios(registry);
    compromise();

    const refused = await project.run([`quarantine`, `approve`, `--trust`, `axios`]);
    expect(refused.code, refused.output).toBe(2);
    expect(refused.output).toContain(`axios: trust downgrades are approved one version at a time; expected name@version (axios@1.14.1)`);

    const approved = await project.run([`quarantine`, `approve`, `--trust`, `axios@1.14.1`]);
    expect(approved.code, approved.output).toBe(0);
    expect(approved.output).toContain(`Added axios@1.14.1 to quarantineTrustExemptPackages in .yarnrc.yml`);
    const through = await project.install([`up`, `axios`]);
    expect(through.code, through.output).toBe(0);
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.1"`);

    registry.packages.addVersion(`axios`, `1.14.2`, AXIOS_1_14_1);
    const next = await project.install([`up`, `axios`]);
    expect(next.code, next.output).toBe(1);
    expect(next.output).toContain(`axios@npm:1.14.2: published`);
    expect(next.output).toContain(ONE_DOWNGRADE);
  });

  it(`chooses the trust list without a flag, from the last blocked install`, async () => {
    const {registry, compromise} = await axiosRegistry();
    const project = await lockedOnAxios(registry);
    compromise();
    expect((await project.install([`up`, `axios`])).code).toBe(1);

    const approved = await project.run([`quarantine`, `approve`, `axios@1.14.1`]);

    expect(approved.code, approved.output).toBe(0);
    expect(approved.output).toContain(`Added axios@1.14.1 to quarantineTrustExemptPackages in .yarnrc.yml`);
  });

  it.each([`warn`, `off`])(`under quarantineTrustPolicy: %s, lets it through`, async mode => {
    const {registry, compromise} = await axiosRegistry();
    const project = await lockedOnAxios(registry, {yarnrc: {quarantineTrustPolicy: mode}});
    compromise();

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.1"`);
    if (mode === `warn`)
      expect(result.output).toMatch(publishedLine(`axios@npm:1.14.1`, FIVE_DAYS_AGO));
    else
      expect(result.output).not.toContain(`without a trusted publisher`);
  });

  it(`fails closed when the registry will not give its document, even where the install-script rule only warns`, async () => {
    const {registry, compromise} = await axiosRegistry();
    const project = await lockedOnAxios(registry, {yarnrc: {quarantinePeriod: `0`, quarantineInstallScripts: `warn`}});
    const lockfile = await project.lockfile();
    compromise({scripts: {postinstall: `node -e "0"`}});
    // Yarn revalidates its own copy; only the plugin asks for the whole document without one.
    registry.addFault({match: `/axios`, kind: `status`, status: 500, withoutCachedCopy: true});

    const result = await project.install([`up`, `axios`], {YARN_ENABLE_SCRIPTS: `1`});

    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/axios@npm:1\.14\.1: could not learn how it was published \(.*500.*\), so the trust-downgrade rule fails closed/);
    expect(result.output).toContain(`Quarantine: 1 violation: 1 of the trust-downgrade rule (1 trust evidence not learnt)`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`gives yarn install --json the finding object check --json gives`, async () => {
    const {registry, compromise} = await axiosRegistry();
    compromise();
    const {project} = await ciPinning(registry);

    const result = await project.run([`install`, `--immutable`, `--json`]);

    expect(result.code, result.output).toBe(1);
    const objects = result.stdout.trim().split(`\n`).map(line => JSON.parse(line));
    expect(objects.filter(object => object.type === `finding`)).toEqual([expect.objectContaining({rule: `trust`, kind: `trust-downgrade`, package: `axios`, version: `1.14.1`, previousVersion: `1.14.0`})]);
  });

  it(`refuses a quarantineTrustExemptPackages entry that is no pattern, naming the setting`, async () => {
    const {registry} = await axiosRegistry();
    const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc: {quarantineTrustExemptPackages: [`axios@not a range`]}});

    const result = await project.install();

    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/quarantineTrustExemptPackages \(from .*\.yarnrc\.yml\): invalid value "axios@not a range"/);
    expect(await project.lockfile()).toBeNull();
  });

  it(`refuses an unknown quarantineTrustPolicy, naming the setting and what it takes`, async () => {
    const {registry} = await axiosRegistry();
    const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc: {quarantineTrustPolicy: `strict`}});

    const result = await project.install();

    expect(result.code, result.output).toBe(1);
    expect(result.output).toMatch(/quarantineTrustPolicy \(from .*\.yarnrc\.yml\): invalid value "strict"; expected one of no-downgrade, warn, off/);
    expect(await project.lockfile()).toBeNull();
  });
});

describe(`what the trust-downgrade rule lets through`, () => {
  it(`a rollback to a version from before the line adopted trusted publishing`, async () => {
    const registry = await registryWith({packages: [{name: `axios`, versions: {
      '1.13.0': {publishedAt: agoISO({days: 300}), publishedWith: `token`, dependencies: {'follow-redirects': `^1.15.6`}},
      '1.14.0': AXIOS_1_14_0,
    }}, FOLLOW_REDIRECTS]});
    const project = await lockedOnAxios(registry);

    const result = await project.install([`up`, `axios@1.13.0`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain(`trust-downgrade rule`);
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.13.0"`);
  });

  it(`stops a token publish numbered below a trusted release of its line, in a lockfile`, async () => {
    const registry = await registryWith({packages: [{name: `axios`, versions: {
      '1.13.6': {publishedAt: agoISO({days: 60}), publishedWith: `token`, dependencies: {'follow-redirects': `^1.15.6`}},
      '1.14.0': AXIOS_1_14_0,
      '1.13.7': {...AXIOS_1_14_1},
    }}, FOLLOW_REDIRECTS]});
    const manifest = {...APP, dependencies: {axios: `~1.13.6`}};
    const lockfile = await lockfileWrittenWithoutPlugin(registry, manifest);
    expect(lockfile).toContain(`axios@npm:1.13.7`);
    const project = await projectWith({registry, manifest, files: {'yarn.lock': lockfile}});
    registry.clearRequests();

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code, result.output).toBe(1);
    expect(result.output).toContain(`without a trusted publisher or a provenance attestation, where 1.14.0 of the same release line (1.x)`);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`a maintenance release of an older major published the old way, after a trusted newer major`, async () => {
    const registry = await registryWith({packages: [{name: `semver`, versions: {
      '6.3.0': {publishedAt: agoISO({days: 900}), publishedWith: `token`},
      '7.5.4': {publishedAt: agoISO({days: 800}), publishedWith: `provenance`},
    }}]});
    const project = await projectWith({registry, manifest: {...APP, dependencies: {semver: `^6.3.0`}}});
    expect((await project.install()).code).toBe(0);
    registry.packages.addVersion(`semver`, `6.3.1`, {publishedAt: agoISO({days: 790}), publishedWith: `token`});

    const result = await project.install([`up`, `semver@^6.3.0`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain(`trust-downgrade`);
    expect(await project.lockfile()).toContain(`resolution: "semver@npm:6.3.1"`);
  });

  it(`an old locked version from a pipeline that regressed once: a warning, given once, and check lists it`, async () => {
    const registry = await registryWith({packages: [{name: `radix-ui`, versions: {
      '1.6.3': {publishedAt: agoISO({days: 500}), publishedWith: `trusted-publisher`},
      '1.6.4': {publishedAt: agoISO({days: 480}), publishedWith: `token`},
    }}]});
    const manifest = {...APP, dependencies: {'radix-ui': `1.6.4`}};
    const lockfile = await lockfileWrittenWithoutPlugin(registry, manifest);
    const project = await projectWith({registry, manifest, files: {'yarn.lock': lockfile}});

    const first = await project.install([`install`, `--immutable`]);
    expect(first.code, first.output).toBe(0);
    expect(first.output).toMatch(/radix-ui@npm:1\.6\.4 \(locked\): published .* without a trusted publisher or a provenance attestation, where 1\.6\.3 of the same release line \(1\.x\)/);
    expect(first.output).toContain(`a warning, not an error: yarn.lock already had it and it is older than 30d`);

    const second = await project.install([`install`, `--immutable`]);
    expect(second.code, second.output).toBe(0);
    expect(second.output).not.toContain(`radix-ui@npm:1.6.4 (locked): published`);

    const check = await project.run([`quarantine`, `check`]);
    expect(check.code, check.output).toBe(0);
    expect(check.output).toContain(`radix-ui@npm:1.6.4 (locked): published`);
    expect(check.output).toContain(`Quarantine check: no violation`);
  });

  it(`a registry that records no publisher or attestation, saying for how many packages there was nothing to compare`, async () => {
    const registry = await registryWith({packages: [
      {name: `axios`, versions: {'1.14.0': {...AXIOS_1_14_0, publishedWith: undefined}}},
      {name: `follow-redirects`, versions: {'1.15.6': {publishedAt: agoISO({days: 400})}}},
    ]});
    const project = await lockedOnAxios(registry);
    registry.packages.addVersion(`axios`, `1.14.1`, {...AXIOS_1_14_1, publishedWith: undefined});

    const result = await project.install([`up`, `axios`]);

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`Quarantine: the trust-downgrade rule had nothing to compare for 2 packages (axios, follow-redirects): the registry records no publisher and no provenance attestation for any of their versions, so a publish with a stolen token could not be told from any other there`);
    expect(await project.lockfile()).toContain(`resolution: "axios@npm:1.14.1"`);
  });
});

describe(`what the trust-downgrade rule costs`, () => {
  it(`reads at most one document per package on a cold install with a lockfile, and none warm`, async () => {
    const {registry} = await axiosRegistry();
    const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS);
    const project = await projectWith({registry, manifest: USES_AXIOS, files: {'yarn.lock': lockfile}});
    registry.clearRequests();

    const cold = await project.install([`install`, `--immutable`]);
    expect(cold.code, cold.output).toBe(0);
    const names = packumentRequests(registry).map(request => request.name).sort();
    expect(names).toEqual([`axios`, `follow-redirects`]);

    registry.clearRequests();
    const warm = await project.install([`install`, `--immutable`]);
    expect(warm.code, warm.output).toBe(0);
    expect(packumentRequests(registry)).toEqual([]);
    expect(warm.output).toContain(`0 packument lookups`);
  });
});
