import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';

import {agoISO, startRegistry, type Registry} from '../../scripts/lib/registry.mjs';
import {startVerdaccio, type Verdaccio} from '../../scripts/lib/verdaccio.mjs';
import {projectWith, registryWith, tarballRequests} from './support';

// The plugin against a real private registry: Verdaccio 6 (the devDependency), started on loopback by these tests
// (scripts/lib/verdaccio.mjs says what Verdaccio does with `time`). Verdaccio stamps publish times with its own clock,
// so the tests publish real tarballs and then move the stored `time[version]`, which Verdaccio serves from the next
// request on. One Verdaccio per describe block (it starts in about a second).

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_PRIVATE_LIB = {...APP, dependencies: {'@private/lib': `^1.0.0`}};
const HELD_BACK_PRIVATE = /@private\/lib@npm:\^1\.0\.0: held back 1\.1\.0 \(published \d{4}-\d\d-\d\d \d\d:\d\d UTC, 2h ago; eligible at \d{4}-\d\d-\d\d \d\d:\d\d UTC\), using 1\.0\.0/;

/** A project whose registry is the given Verdaccio, set the way a user would: `npmRegistryServer` in .yarnrc.yml. */
function projectOn(verdaccio: Verdaccio, options: Omit<Parameters<typeof projectWith>[0], `registry`>) {
  return projectWith({...options, yarnrc: {npmRegistryServer: verdaccio.url, ...options.yarnrc}});
}

/** The lockfile a teammate without the plugin would have written against the same Verdaccio. */
async function lockfileWithoutPlugin(verdaccio: Verdaccio, manifest: Record<string, unknown>) {
  const project = await projectOn(verdaccio, {manifest, plugin: false});
  const result = await project.run([`install`, `--mode=update-lockfile`]);
  if (result.code !== 0)
    throw new Error(`could not prepare the lockfile:\n${result.output}`);
  return (await project.lockfile())!;
}

describe(`a private Verdaccio serving a scoped package`, () => {
  let verdaccio: Verdaccio;

  beforeAll(async () => {
    verdaccio = await startVerdaccio({
      packages: [
        {name: `@private/lib`, versions: {'1.0.0': {publishedAt: agoISO({days: 30})}, '1.1.0': {}}},
        {name: `@private/telemetry`, versions: {'1.0.0': {publishedAt: agoISO({days: 30})}}},
        {name: `@private/sdk`, versions: {
          '1.0.0': {publishedAt: agoISO({days: 30})},
          '1.1.0': {publishedAt: agoISO({days: 10}), dependencies: {'@private/telemetry': `^1.0.0`}},
        }},
      ],
    });
    // 1.1.0 was stamped "now" by Verdaccio; make it 2 hours old, as if published this morning.
    await verdaccio.setPublishTime(`@private/lib`, `1.1.0`, agoISO({hours: 2}));
  });
  afterAll(async () => {
    await verdaccio?.close();
  });
  beforeEach(() => {
    verdaccio.clearRequests();
  });

  it(`serves the controlled publish times, in the full packument Yarn reads and in the abbreviated one`, async () => {
    const stored = await verdaccio.stored(`@private/lib`);
    for (const accept of [`application/json`, `application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*`]) {
      const served = await (await fetch(`${verdaccio.url}/@private%2flib`, {headers: {accept}})).json() as {time: Record<string, string>};
      expect(served.time, accept).toEqual(stored.time);
      expect(Date.now() - Date.parse(served.time[`1.0.0`])).toBeGreaterThan(29 * 86_400_000);
      expect(Date.now() - Date.parse(served.time[`1.1.0`])).toBeGreaterThan(2 * 3_600_000 - 60_000);
      expect(Date.now() - Date.parse(served.time[`1.1.0`])).toBeLessThan(3 * 3_600_000);
    }
  });

  it(`holds the 2-hour-old private version back on a new resolution and fetches only the old one`, async () => {
    const project = await projectOn(verdaccio, {manifest: USES_PRIVATE_LIB});

    const result = await project.install();

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(HELD_BACK_PRIVATE);
    const lockfile = await project.lockfile();
    expect(lockfile).toContain(`resolution: "@private/lib@npm:1.0.0"`);
    expect(lockfile).not.toContain(`1.1.0`);
    expect((await verdaccio.tarballRequests()).map(request => request.file)).toEqual([`lib-1.0.0.tgz`]);
    expect(JSON.parse(await project.readFile(`node_modules/@private/lib/package.json`)).version).toBe(`1.0.0`);
  });

  it(`stops a CI run whose lockfile pins the 2-hour-old private version before anything is fetched`, async () => {
    const lockfile = await lockfileWithoutPlugin(verdaccio, USES_PRIVATE_LIB);
    expect(lockfile).toContain(`resolution: "@private/lib@npm:1.1.0"`);
    const project = await projectOn(verdaccio, {manifest: USES_PRIVATE_LIB, files: {'yarn.lock': lockfile}});
    verdaccio.clearRequests();

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code).toBe(1);
    expect(result.output).toMatch(/@private\/lib@npm:1\.1\.0 \(locked\) is in quarantine: published \d{4}-\d\d-\d\d \d\d:\d\d UTC, 2h ago, less than 3d; eligible at \d{4}-\d\d-\d\d \d\d:\d\d UTC \(via app@workspace:\. > @private\/lib@npm:1\.1\.0\)\. Fix: run yarn up -R @private\/lib to move to an eligible version/);
    expect(result.output).toContain(`Quarantine: 1 violation: 1 of the release-age rule (1 quarantined); the install stopped before fetching anything, and the lockfile was not written`);
    expect(result.output).not.toContain(`Fetch step`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(await verdaccio.tarballRequests()).toEqual([]);
    expect(verdaccio.requests.filter(request => request.name === `@private/lib`).length).toBeGreaterThan(0);
    expect(project.exists(`node_modules`)).toBe(false);
    expect(project.exists(`.yarn/install-state.gz`)).toBe(false);
  });

  it(`lets the fresh private version through with quarantineExemptPackages: ['@private/*']`, async () => {
    const project = await projectOn(verdaccio, {manifest: USES_PRIVATE_LIB, yarnrc: {quarantineExemptPackages: [`@private/*`]}});

    const result = await project.install();

    expect(result.code, result.output).toBe(0);
    expect(result.output).not.toContain(`held back`);
    expect(result.output).toContain(`quarantineExemptPackages @private/*`);
    expect(await project.lockfile()).toContain(`resolution: "@private/lib@npm:1.1.0"`);
    expect((await verdaccio.tarballRequests()).map(request => request.file)).toEqual([`lib-1.1.0.tgz`]);
    expect(JSON.parse(await project.readFile(`node_modules/@private/lib/package.json`)).version).toBe(`1.1.0`);
  });

  it(`stops an update of a private package that brings in a private package the project never had`, async () => {
    const project = await projectOn(verdaccio, {manifest: {...APP, dependencies: {'@private/sdk': `1.0.0`}}});
    expect((await project.install()).code).toBe(0);
    const lockfile = await project.lockfile();
    verdaccio.clearRequests();

    const result = await project.install([`up`, `@private/sdk`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`@private/telemetry@npm:1.0.0 is a new sub-dependency: @private/sdk 1.0.0 -> 1.1.0 adds @private/telemetry@^1.0.0, a package this project never had; its registry document lists no install script (via app@workspace:. > @private/sdk@npm:1.1.0 > @private/telemetry@npm:1.0.0). Fix: if you trust it, run yarn quarantine approve @private/telemetry, which adds it to quarantineApprovedDependencies`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(await verdaccio.tarballRequests()).toEqual([]);
  });
});

describe(`a Verdaccio proxying public packages from an upstream registry`, () => {
  let upstream: Registry;
  let verdaccio: Verdaccio;

  beforeAll(async () => {
    // Not registryWith, which closes the registry after each test: this one lives as long as the describe block.
    upstream = await startRegistry({
      packages: [{name: `public-lib`, versions: {'1.0.0': {publishedAt: agoISO({days: 30})}, '1.1.0': {publishedAt: agoISO({hours: 2})}}}],
    });
    verdaccio = await startVerdaccio({uplink: upstream.url});
  });
  afterAll(async () => {
    await verdaccio?.close();
    await upstream?.close();
  });
  beforeEach(() => {
    verdaccio.clearRequests();
    upstream.clearRequests();
  });

  it(`passes the upstream time map through unchanged`, async () => {
    const served = await (await fetch(`${verdaccio.url}/public-lib`, {headers: {accept: `application/vnd.npm.install-v1+json`}})).json() as {time: Record<string, string>};

    // Verdaccio asks the uplink for the full packument and merges `time` as {...its copy, ...the uplink's}: every
    // upstream value comes through as it is (it only keeps keys, and versions, the uplink has dropped since).
    expect(served.time).toEqual(upstream.packages.packument(`public-lib`).time);
    expect(upstream.packumentRequests(`public-lib`).length).toBeGreaterThan(0);
  });

  it(`holds a 2-hour-old public version back through the uplink and fetches only the old one`, async () => {
    const project = await projectOn(verdaccio, {manifest: {...APP, dependencies: {'public-lib': `^1.0.0`}}});

    const result = await project.install();

    expect(result.code, result.output).toBe(0);
    expect(result.output).toMatch(/public-lib@npm:\^1\.0\.0: held back 1\.1\.0 \(published \d{4}-\d\d-\d\d \d\d:\d\d UTC, 2h ago; eligible at \d{4}-\d\d-\d\d \d\d:\d\d UTC\), using 1\.0\.0/);
    expect(await project.lockfile()).toContain(`resolution: "public-lib@npm:1.0.0"`);
    expect((await verdaccio.tarballRequests()).map(request => request.file)).toEqual([`public-lib-1.0.0.tgz`]);
    expect(tarballRequests(upstream).map(request => request.path)).toEqual([`/public-lib/-/public-lib-1.0.0.tgz`]);
    expect(JSON.parse(await project.readFile(`node_modules/public-lib/package.json`)).version).toBe(`1.0.0`);
  });
});

// A version pulled upstream (how npm removes malware) behind a caching proxy: Verdaccio keeps serving what it cached
// (it merges versions in, never out), so the plugin cannot say "no longer served" there. The cached publish time comes
// along, so while the version is young the release-age rule still stops it; once out of quarantine it would install.
describe(`a Verdaccio that cached a version the upstream registry pulled`, () => {
  it(`still reports its publish time, so a quarantined copy stays quarantined`, async () => {
    const upstream = await registryWith({
      packages: [{name: `pulled-lib`, versions: {'1.0.0': {publishedAt: agoISO({days: 30})}, '1.1.0': {publishedAt: agoISO({hours: 2})}}}],
    });
    const verdaccio = await startVerdaccio({uplink: upstream.url});
    try {
      const manifest = {...APP, dependencies: {'pulled-lib': `1.1.0`}};
      const lockfile = await lockfileWithoutPlugin(verdaccio, manifest);
      upstream.packages.removeVersion(`pulled-lib`, `1.1.0`);
      const served = await (await fetch(`${verdaccio.url}/pulled-lib`)).json() as {versions: Record<string, unknown>, time: Record<string, string>};
      expect(Object.keys(served.versions)).toEqual([`1.0.0`, `1.1.0`]);
      // Upstream no longer lists 1.1.0, Verdaccio still does, with the publish time it had learnt.
      expect(Object.keys(upstream.packages.packument(`pulled-lib`).versions as object)).toEqual([`1.0.0`]);
      expect(Date.now() - Date.parse(served.time[`1.1.0`])).toBeLessThan(3 * 3_600_000);
      const project = await projectOn(verdaccio, {manifest, files: {'yarn.lock': lockfile}});
      verdaccio.clearRequests();
      upstream.clearRequests();

      const result = await project.install([`install`, `--immutable`]);

      expect(result.code).toBe(1);
      expect(result.output).toContain(`pulled-lib@npm:1.1.0 (locked) is in quarantine`);
      expect(await project.lockfile()).toBe(lockfile);
      expect(await verdaccio.tarballRequests()).toEqual([]);
      expect(tarballRequests(upstream)).toEqual([]);
    } finally {
      await verdaccio.close();
    }
  });
});

// Trust evidence through a caching proxy: Verdaccio keeps each version's manifest as the uplink served it, `_npmUser`
// and `dist.attestations` included (it rewrites only `dist.tarball`), so the trust-downgrade rule sees what the
// public registry says.
describe(`a Verdaccio proxying how versions were published`, () => {
  const TRUSTED = {publishedAt: agoISO({days: 9}), publishedWith: `trusted-publisher`} as const;
  const BY_TOKEN = {publishedAt: agoISO({days: 5}), publishedWith: `token`} as const;

  it(`stops an update published without the trusted publisher its line had, before anything is fetched`, async () => {
    const upstream = await registryWith({packages: [{name: `public-lib`, versions: {'1.0.0': TRUSTED}}]});
    const verdaccio = await startVerdaccio({uplink: upstream.url});
    try {
      const project = await projectOn(verdaccio, {manifest: {...APP, dependencies: {'public-lib': `^1.0.0`}}});
      expect((await project.install()).code).toBe(0);
      const lockfile = await project.lockfile();
      upstream.packages.addVersion(`public-lib`, `1.0.1`, BY_TOKEN);
      verdaccio.clearRequests();

      const result = await project.install([`up`, `public-lib`]);

      expect(result.code, result.output).toBe(1);
      expect(result.output).toMatch(/public-lib@npm:1\.0\.1: published .* UTC, \d+d(?: \d+h)? ago, without a trusted publisher or a provenance attestation, where 1\.0\.0 of the same release line \(1\.x\), published .* UTC, had a trusted publisher and a provenance attestation/);
      expect(result.output).toContain(`Quarantine: 1 violation: 1 of the trust-downgrade rule (1 trust downgrade)`);
      expect(await project.lockfile()).toBe(lockfile);
      expect(await verdaccio.tarballRequests()).toEqual([]);
    } finally {
      await verdaccio.close();
    }
  });
  it(`still stops the downgrade from its stored copy once the uplink is down`, async () => {
    const upstream = await registryWith({packages: [{name: `public-lib`, versions: {'1.0.0': TRUSTED}}]});
    const verdaccio = await startVerdaccio({uplink: upstream.url});
    try {
      const project = await projectOn(verdaccio, {manifest: {...APP, dependencies: {'public-lib': `^1.0.0`}}, yarnrc: {httpRetry: 0}});
      expect((await project.install()).code).toBe(0);
      upstream.packages.addVersion(`public-lib`, `1.0.1`, BY_TOKEN);
      // Verdaccio stores the document with 1.0.1 as it syncs, then loses its uplink.
      expect(Object.keys((await (await fetch(`${verdaccio.url}/public-lib`)).json() as {versions: object}).versions)).toContain(`1.0.1`);
      await upstream.close();
      verdaccio.clearRequests();

      const result = await project.install([`up`, `public-lib`]);

      expect(result.code, result.output).toBe(1);
      expect(result.output).toContain(`Quarantine: 1 violation: 1 of the trust-downgrade rule (1 trust downgrade)`);
      expect(await verdaccio.tarballRequests()).toEqual([]);
    } finally {
      await verdaccio.close();
    }
  });
});

// The trust evidence of a proxied package, field by field, as Verdaccio 6.8 serves it (checked, not assumed): in the
// full document (what Yarn reads) each version's `_npmUser`, `trustedPublisher` included, and `dist.attestations` are
// the uplink's, byte for byte, and a version the uplink served without them gets none. Verdaccio rewrites
// `dist.tarball` to itself but not `dist.attestations.url`, which still names the uplink (Verdaccio has no
// /-/npm/v1/attestations route: 404). It keeps both fields in its stored copy, and serves them from that copy when
// the uplink is down. Its abbreviated document drops `_npmUser` but keeps `dist` whole, attestations included.
describe(`a Verdaccio proxying each way a version can be published`, () => {
  const SIGNED = {name: `signed-lib`, versions: {
    '1.0.0': {publishedAt: agoISO({days: 30}), publishedWith: `trusted-publisher`},
    '1.0.1': {publishedAt: agoISO({days: 20}), publishedWith: `provenance`},
    '1.0.2': {publishedAt: agoISO({days: 10}), publishedWith: `token`},
    '1.0.3': {publishedAt: agoISO({days: 5})},
  }} as const;
  const VERSIONS = Object.keys(SIGNED.versions);
  type Version = {_npmUser?: Record<string, unknown>, dist: {tarball: string, attestations?: {url: string}}, [field: string]: unknown};
  type Packument = {versions: Record<string, Version>};
  let upstream: Registry;
  let verdaccio: Verdaccio;

  beforeAll(async () => {
    upstream = await startRegistry({abbreviated: true, packages: [SIGNED]});
    verdaccio = await startVerdaccio({uplink: upstream.url});
  });
  afterAll(async () => {
    await verdaccio?.close();
    await upstream?.close();
  });
  beforeEach(() => {
    verdaccio.clearRequests();
    upstream.clearRequests();
  });

  /** What the uplink serves Verdaccio: the full document (Verdaccio asks for application/json). */
  const fromUplink = async () => await (await fetch(`${upstream.url}/signed-lib`, {headers: {accept: `application/json`}})).json() as Packument;
  /** What Yarn reads from Verdaccio: the full document, asked for without an Accept header. */
  const fromVerdaccio = async () => await (await fetch(`${verdaccio.url}/signed-lib`)).json() as Packument;

  it(`serves _npmUser and dist.attestations of every version exactly as the uplink did, in the full document`, async () => {
    const uplink = await fromUplink();
    const served = await fromVerdaccio();

    expect(upstream.packumentRequests(`signed-lib`).some(request => request.accept?.startsWith(`application/json`))).toBe(true);
    expect(Object.keys(served.versions)).toEqual(VERSIONS);
    for (const version of VERSIONS) {
      expect(served.versions[version]._npmUser, version).toStrictEqual(uplink.versions[version]._npmUser);
      expect(served.versions[version].dist.attestations, version).toStrictEqual(uplink.versions[version].dist.attestations);
    }
    expect(served.versions[`1.0.0`]._npmUser).toStrictEqual({
      name: `GitHub Actions`, email: `npm-oidc-no-reply@github.com`,
      trustedPublisher: {id: `github`, oidcConfigId: expect.stringMatching(/^oidc:[0-9a-f-]{36}$/)},
    });
    for (const version of [`1.0.0`, `1.0.1`])
      expect(served.versions[version].dist.attestations, version).toStrictEqual({url: `${upstream.url}/-/npm/v1/attestations/signed-lib@${version}`, provenance: {predicateType: `https://slsa.dev/provenance/v1`}});
    expect(served.versions[`1.0.1`]._npmUser).toStrictEqual({name: `maintainer`, email: `maintainer@example.com`});
    expect(served.versions[`1.0.2`]._npmUser).toStrictEqual({name: `maintainer`, email: `maintainer@example.com`});
    expect(served.versions[`1.0.2`].dist).not.toHaveProperty(`attestations`);
    // No publisher invented for a version the uplink recorded none for.
    expect(served.versions[`1.0.3`]).not.toHaveProperty(`_npmUser`);
    expect(served.versions[`1.0.3`].dist).not.toHaveProperty(`attestations`);
  });

  it(`rewrites dist.tarball to itself, not the attestation URL, which still names the uplink`, async () => {
    const served = await fromVerdaccio();

    for (const version of VERSIONS)
      expect(served.versions[version].dist.tarball).toBe(`${verdaccio.url}/signed-lib/-/signed-lib-${version}.tgz`);
    expect(served.versions[`1.0.0`].dist.attestations?.url).toBe(`${upstream.url}/-/npm/v1/attestations/signed-lib@1.0.0`);
    expect((await fetch(`${verdaccio.url}/-/npm/v1/attestations/signed-lib@1.0.0`)).status).toBe(404);
  });

  it(`keeps both fields in its stored copy`, async () => {
    const uplink = await fromUplink();
    await fromVerdaccio();
    const stored = await verdaccio.stored(`signed-lib`) as Packument;

    for (const version of VERSIONS) {
      expect(stored.versions[version]._npmUser, version).toStrictEqual(uplink.versions[version]._npmUser);
      expect(stored.versions[version].dist.attestations, version).toStrictEqual(uplink.versions[version].dist.attestations);
      // The stored copy keeps the uplink's tarball URL; Verdaccio rewrites it when serving.
      expect(stored.versions[version].dist.tarball, version).toBe(uplink.versions[version].dist.tarball);
    }
  });

  it(`drops _npmUser from its abbreviated document but keeps dist.attestations`, async () => {
    const uplink = await fromUplink();
    const response = await fetch(`${verdaccio.url}/signed-lib`, {headers: {accept: `application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*`}});
    expect(response.headers.get(`content-type`)).toMatch(/^application\/vnd\.npm\.install-v1\+json/);
    const short = await response.json() as Packument;

    for (const version of VERSIONS) {
      expect(short.versions[version], version).not.toHaveProperty(`_npmUser`);
      expect(short.versions[version].dist.attestations, version).toStrictEqual(uplink.versions[version].dist.attestations);
    }
    expect(short.versions[`1.0.0`].dist.attestations).toBeDefined();
    expect(short.versions[`1.0.2`].dist).not.toHaveProperty(`attestations`);
  });

  // Last in the block: it closes the uplink.
});
