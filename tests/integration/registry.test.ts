import {createHash} from 'node:crypto';
import {mkdtemp, readFile, realpath, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {gunzipSync} from 'node:zlib';
import {afterAll, afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';

import {agoISO, startRegistry, type Registry} from '../../scripts/lib/registry.mjs';
import {createProject, type Project} from '../../scripts/lib/yarn-project.mjs';

// Yarn passes its own environment on to build scripts, so the marker folder travels as MARKER_DIR.
const POSTINSTALL = `node -e "const {join} = require('path'); require('fs').writeFileSync(join(process.env.MARKER_DIR, 'dep-b.json'), JSON.stringify({initCwd: process.env.INIT_CWD}))"`;

const MANIFEST = {
  name: `app`,
  version: `1.0.0`,
  private: true,
  dependencies: {'left-pad': `^1.0.0`, 'dep-a': `1.0.0`, '@acme/lib': `^1.0.0`},
};

let registry: Registry;
let markerDir: string;
const projects: Project[] = [];

async function project(options: Parameters<typeof createProject>[0] = {}) {
  const p = await createProject({registry, plugin: false, manifest: MANIFEST, ...options});
  projects.push(p);
  return p;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async (url: string): Promise<any> => (await fetch(url)).json();

const install = (p: Project) => p.run([`install`], {env: {MARKER_DIR: markerDir}});

beforeAll(async () => {
  registry = await startRegistry({
    packages: [
      {name: `left-pad`, versions: {'1.0.0': {}, '1.1.0': {}}},
      {name: `dep-a`, versions: {'1.0.0': {dependencies: {'dep-b': `^1.0.0`}}}},
      {name: `dep-b`, versions: {'1.0.0': {scripts: {postinstall: POSTINSTALL}}}},
      {name: `@acme/lib`, versions: {'1.0.0': {files: {'lib/extra.txt': `extra`}}}},
    ],
  });
});

afterEach(async () => {
  registry.clearFaults();
  registry.clearRequests();
  await Promise.all(projects.splice(0).map(p => p.dispose()));
});

afterAll(async () => {
  await registry?.close();
});

describe(`real Yarn against the loopback registry (no plugin)`, () => {
  beforeEach(async () => {
    markerDir = await mkdtemp(join(tmpdir(), `quarantine-marker-`));
  });

  afterEach(async () => {
    await rm(markerDir, {recursive: true, force: true});
  });

  it(`installs packages, scoped packages and runs a dependency's postinstall`, async () => {
    const p = await project();
    const result = await install(p);
    expect(result.code, result.output).toBe(0);

    const lockfile = await p.lockfile();
    expect(lockfile).toContain(`resolution: "left-pad@npm:1.1.0"`);
    expect(lockfile).toContain(`resolution: "dep-a@npm:1.0.0"`);
    expect(lockfile).toContain(`resolution: "dep-b@npm:1.0.0"`);
    expect(lockfile).toContain(`resolution: "@acme/lib@npm:1.0.0"`);
    expect(p.exists(`node_modules/dep-b/package.json`)).toBe(true);
    expect(await p.readFile(`node_modules/@acme/lib/lib/extra.txt`)).toBe(`extra`);
    expect(await p.readFile(`node_modules/left-pad/index.js`)).toContain(`"version":"1.1.0"`);

    const marker = JSON.parse(await readFile(join(markerDir, `dep-b.json`), `utf8`));
    expect(await realpath(marker.initCwd)).toBe(await realpath(p.dir));

    for (const name of [`left-pad`, `dep-a`, `dep-b`, `@acme/lib`]) {
      expect(registry.packumentRequests(name).map(r => r.status)).toEqual([200]);
      expect(registry.tarballRequests(name).map(r => r.status)).toEqual([200]);
    }
    expect(registry.packumentRequests(`@acme/lib`)[0].path).toBe(`/@acme%2flib`);
    expect(registry.requests.every(r => r.authorization === null)).toBe(true);
  });

  it(`a fresh Yarn process revalidates with If-None-Match or asks nothing`, async () => {
    const p = await project();
    expect((await install(p)).code).toBe(0);

    registry.clearRequests();
    const again = await install(p);
    expect(again.code, again.output).toBe(0);
    expect(registry.requests.filter(r => r.kind === `packument` && r.status === 200)).toEqual([]);

    registry.clearRequests();
    const up = await p.run([`up`, `left-pad`]);
    expect(up.code, up.output).toBe(0);
    const [revalidation] = registry.packumentRequests(`left-pad`);
    expect(revalidation.ifNoneMatch).toMatch(/^"[0-9a-f]{40}"$/);
    expect(revalidation.status).toBe(304);
  });

  it(`exit non-zero when the registry answers 500, and recovers through Yarn's retry`, async () => {
    registry.addFault({match: `/dep-b`, kind: `status`, status: 500});
    const failing = await install(await project({yarnrc: {httpRetry: 0}}));
    expect(failing.code).not.toBe(0);
    expect(failing.output).toContain(`500`);
    expect(registry.packumentRequests(`dep-b`).map(r => r.status)).toEqual([500]);

    registry.clearFaults();
    registry.clearRequests();
    registry.addFault({match: `/dep-b`, kind: `status`, status: 503, times: 1});
    const recovered = await install(await project());
    expect(recovered.code, recovered.output).toBe(0);
    expect(registry.packumentRequests(`dep-b`).map(r => r.status)).toEqual([503, 200]);
  });

  it(`the run environment turns Yarn's built-in age gate off unless asked`, async () => {
    registry.packages.addVersion(`left-pad`, `1.2.0`, {publishedAt: agoISO({hours: 1})});
    try {
      const open = await project({manifest: {name: `app`, private: true, dependencies: {'left-pad': `^1.0.0`}}});
      expect((await open.run([`install`])).code).toBe(0);
      expect(await open.lockfile()).toContain(`resolution: "left-pad@npm:1.2.0"`);

      const gated = await project({manifest: {name: `app`, private: true, dependencies: {'left-pad': `^1.0.0`}}});
      expect((await gated.run([`install`], {env: {YARN_NPM_MINIMAL_AGE_GATE: undefined}})).code).toBe(0);
      expect(await gated.lockfile()).toContain(`resolution: "left-pad@npm:1.1.0"`);
    } finally {
      registry.packages.removeVersion(`left-pad`, `1.2.0`);
    }
  });
});

describe(`registry over plain fetch`, () => {
  it(`serves strong ETags and answers 304 to If-None-Match`, async () => {
    const first = await fetch(`${registry.url}/left-pad`);
    expect(first.status).toBe(200);
    expect(first.headers.get(`content-type`)).toBe(`application/json`);
    expect(first.headers.get(`last-modified`)).toBeTruthy();
    const etag = first.headers.get(`etag`)!;
    expect(etag).toMatch(/^"[0-9a-f]{40}"$/);
    const doc: any = await first.json();
    expect(Object.keys(doc.versions)).toEqual([`1.0.0`, `1.1.0`]);
    expect(doc[`dist-tags`]).toEqual({latest: `1.1.0`});
    expect(doc.time).toMatchObject({'1.0.0': expect.any(String), '1.1.0': expect.any(String), created: expect.any(String), modified: expect.any(String)});

    const cached = await fetch(`${registry.url}/left-pad`, {headers: {'if-none-match': etag}});
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe(``);
    expect(registry.requestsFor(`left-pad`).map(r => [r.status, r.bytes])).toEqual([[200, Buffer.byteLength(JSON.stringify(doc))], [304, 0]]);

    registry.packages.setDistTag(`left-pad`, `beta`, `1.0.0`);
    const changed = await fetch(`${registry.url}/left-pad`, {headers: {'if-none-match': etag}});
    expect(changed.status).toBe(200);
    expect(changed.headers.get(`etag`)).not.toBe(etag);
  });

  it(`serves scoped packuments under both spellings and tarballs matching dist`, async () => {
    const encoded = await json(`${registry.url}/@acme%2flib`);
    const plain = await json(`${registry.url}/@acme/lib`);
    expect(plain).toEqual(encoded);
    const {dist} = encoded.versions[`1.0.0`];
    expect(dist.tarball).toBe(`${registry.url}/@acme/lib/-/lib-1.0.0.tgz`);

    const tarball = Buffer.from(await (await fetch(dist.tarball)).arrayBuffer());
    expect(createHash(`sha1`).update(tarball).digest(`hex`)).toBe(dist.shasum);
    expect(registry.requests.at(-1)).toMatchObject({kind: `tarball`, status: 200, bytes: tarball.length});
    expect(`sha512-${createHash(`sha512`).update(tarball).digest(`base64`)}`).toBe(dist.integrity);

    expect((await fetch(`${registry.url}/nope`)).status).toBe(404);
    expect(await json(`${registry.url}/left-pad/-/left-pad-9.9.9.tgz`)).toEqual({error: `Not found`});
  });

  it(`records how each version was published as the public registry spells it, in the full document only`, async () => {
    registry.packages.addPackage({name: `published`, versions: {
      '1.0.0': {publishedWith: `trusted-publisher`},
      '1.0.1': {publishedWith: `provenance`},
      '1.0.2': {publishedWith: `token`},
      '1.0.3': {},
    }});
    const {versions} = await json(`${registry.url}/published`);
    const attestation = (version: string) => ({url: `${registry.url}/-/npm/v1/attestations/published@${version}`, provenance: {predicateType: `https://slsa.dev/provenance/v1`}});
    expect(versions[`1.0.0`]._npmUser).toEqual({name: `GitHub Actions`, email: `npm-oidc-no-reply@github.com`, trustedPublisher: {id: `github`, oidcConfigId: expect.stringMatching(/^oidc:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)}});
    expect(versions[`1.0.0`].dist.attestations).toEqual(attestation(`1.0.0`));
    expect(versions[`1.0.1`]._npmUser).toEqual({name: `maintainer`, email: `maintainer@example.com`});
    expect(versions[`1.0.1`].dist.attestations).toEqual(attestation(`1.0.1`));
    expect(versions[`1.0.2`]._npmUser).toEqual({name: `maintainer`, email: `maintainer@example.com`});
    expect(versions[`1.0.2`].dist).not.toHaveProperty(`attestations`);
    expect(versions[`1.0.3`]).not.toHaveProperty(`_npmUser`);
    expect(versions[`1.0.3`].dist).not.toHaveProperty(`attestations`);
    for (const version of Object.values(versions) as Array<Record<string, unknown>>)
      expect(version).not.toHaveProperty(`publishedWith`);

    const tarball = gunzipSync(Buffer.from(await (await fetch(versions[`1.0.0`].dist.tarball)).arrayBuffer())).toString(`latin1`);
    expect(tarball).toContain(`"name": "published"`);
    expect(tarball).not.toMatch(/_npmUser|publishedWith|attestations/);
  });

  it(`removeVersion unpublishes, setTime(null) drops the time entry`, async () => {
    registry.packages.addVersion(`left-pad`, `1.3.0`, {publishedAt: agoISO({days: 2})});
    registry.packages.setTime(`left-pad`, `1.1.0`, null);
    let doc = await json(`${registry.url}/left-pad`);
    expect(doc[`dist-tags`].latest).toBe(`1.3.0`);
    expect(Object.keys(doc.time)).not.toContain(`1.1.0`);

    registry.packages.removeVersion(`left-pad`, `1.3.0`);
    registry.packages.setTime(`left-pad`, `1.1.0`, `2020-01-01T00:00:00.000Z`);
    doc = await json(`${registry.url}/left-pad`);
    expect(Object.keys(doc.versions)).toEqual([`1.0.0`, `1.1.0`]);
    expect(Object.keys(doc.time)).not.toContain(`1.3.0`);
    expect((await fetch(`${registry.url}/left-pad/-/left-pad-1.3.0.tgz`)).status).toBe(404);
  });

  it(`injects faults`, async () => {
    const url = `${registry.url}/left-pad`;
    registry.addFault({match: `/left-pad`, kind: `no-time`, times: 1});
    expect((await json(url)).time).toBeUndefined();

    registry.addFault({match: /left-pad$/, kind: `partial-time`, times: 1});
    const partial = (await json(url)).time;
    expect(Object.keys(partial).sort()).toEqual([`1.0.0`, `created`, `modified`]);

    registry.addFault({match: `/left-pad`, kind: `malformed`, times: 1});
    await expect((await fetch(url)).json()).rejects.toThrow();

    registry.addFault({match: `/left-pad`, kind: `not-modified`, times: 1});
    expect((await fetch(url)).status).toBe(304);

    registry.addFault({match: `/left-pad`, kind: `reset`, times: 1});
    await expect(fetch(url)).rejects.toThrow();

    registry.addFault({match: `/left-pad`, kind: `hang`, times: 1});
    await expect(fetch(url, {signal: AbortSignal.timeout(200)})).rejects.toThrow();

    expect((await fetch(url)).status).toBe(200);
    expect(registry.requestsFor(`left-pad`).map(r => r.fault)).toEqual([`no-time`, `partial-time`, `malformed`, `not-modified`, `reset`, `hang`, null]);
  });

  it(`answers the abbreviated form only when enabled and asked for, and can omit time`, async () => {
    const other = await startRegistry({abbreviated: true, omitTime: true, packages: [{name: `x`, versions: {'1.0.0': {scripts: {install: `true`}}}}]});
    try {
      const corgi = await fetch(`${other.url}/x`, {headers: {accept: `application/vnd.npm.install-v1+json; q=1.0, */*`}});
      expect(corgi.headers.get(`content-type`)).toBe(`application/vnd.npm.install-v1+json`);
      const short: any = await corgi.json();
      expect(short.modified).toEqual(expect.any(String));
      expect(short.versions[`1.0.0`]).toMatchObject({hasInstallScript: true});
      expect(short.time).toBeUndefined();

      const full = await json(`${other.url}/x`);
      expect(full.versions[`1.0.0`].scripts).toEqual({install: `true`});
      expect(full.time).toBeUndefined();
    } finally {
      await other.close();
    }
  });

  it(`requires the bearer token when configured, and closes with a hanging request`, async () => {
    const locked = await startRegistry({token: `s3cret`, delayMs: 20, packages: [{name: `x`, versions: {'1.0.0': {}}}]});
    expect((await fetch(`${locked.url}/x`)).status).toBe(401);
    expect((await fetch(`${locked.url}/x`, {headers: {authorization: `Bearer s3cret`}})).status).toBe(200);
    locked.addFault({match: `/x`, kind: `hang`});
    const hanging = fetch(`${locked.url}/x`).catch(error => error);
    await new Promise(resolve => setTimeout(resolve, 100));
    await locked.close();
    expect(await hanging).toBeInstanceOf(Error);
  });
});

// The trust evidence the public registry records for each version (`_npmUser`, `dist.attestations`), spelt as it does,
// in the full document only: neither the abbreviated document nor the tarball's package.json carries it.
describe(`how versions were published (publishedWith)`, () => {
  type Version = {_npmUser?: unknown, dist: Record<string, unknown>, [field: string]: unknown};
  const PUBLISHED = {name: `signed`, versions: {
    '1.0.0': {publishedWith: `trusted-publisher`, scripts: {postinstall: `node setup.js`}},
    '1.0.1': {publishedWith: `provenance`},
    '1.0.2': {publishedWith: `token`},
    '1.0.3': {},
  }} as const;
  const GITHUB_ACTIONS = (oidcConfigId: unknown) => ({name: `GitHub Actions`, email: `npm-oidc-no-reply@github.com`, trustedPublisher: {id: `github`, oidcConfigId}});
  const MAINTAINER = {name: `maintainer`, email: `maintainer@example.com`};
  const UUID = /^oidc:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  let signed: Registry;
  beforeEach(async () => {
    signed = await startRegistry({abbreviated: true, packages: [PUBLISHED, {name: `@acme/signed`, versions: {'2.0.0': {publishedWith: `trusted-publisher`}, '2.0.1': {publishedWith: `trusted-publisher`}}}]});
  });
  afterEach(async () => {
    await signed?.close();
  });

  const full = async (name: string): Promise<Record<string, Version>> => (await json(`${signed.url}/${name}`)).versions;
  const attestation = (spec: string) => ({url: `${signed.url}/-/npm/v1/attestations/${spec}`, provenance: {predicateType: `https://slsa.dev/provenance/v1`}});

  it(`spells each mode exactly as the public registry does, in the full document`, async () => {
    const versions = await full(`signed`);

    expect(versions[`1.0.0`]._npmUser).toStrictEqual(GITHUB_ACTIONS(expect.stringMatching(UUID)));
    expect(versions[`1.0.0`].dist.attestations).toStrictEqual(attestation(`signed@1.0.0`));
    expect(versions[`1.0.1`]._npmUser).toStrictEqual(MAINTAINER);
    expect(versions[`1.0.1`].dist.attestations).toStrictEqual(attestation(`signed@1.0.1`));
    expect(versions[`1.0.2`]._npmUser).toStrictEqual(MAINTAINER);
    expect(Object.keys(versions[`1.0.2`].dist).sort()).toEqual([`integrity`, `shasum`, `tarball`]);
    expect(versions[`1.0.3`]).not.toHaveProperty(`_npmUser`);
    expect(Object.keys(versions[`1.0.3`].dist).sort()).toEqual([`integrity`, `shasum`, `tarball`]);
    for (const version of Object.values(versions)) {
      expect(version).not.toHaveProperty(`publishedWith`);
      expect(version.dist.tarball).toBe(`${signed.url}/signed/-/signed-${version.version}.tgz`);
    }
  });

  it(`derives the trusted publisher's oidcConfigId from the package name, the same for all its versions`, async () => {
    const own = (await full(`signed`))[`1.0.0`]._npmUser as {trustedPublisher: {oidcConfigId: string}};
    const scoped = await full(`@acme/signed`);
    const scopedIds = [`2.0.0`, `2.0.1`].map(v => (scoped[v]._npmUser as {trustedPublisher: {oidcConfigId: string}}).trustedPublisher.oidcConfigId);

    expect(scopedIds[0]).toMatch(UUID);
    expect(scopedIds[1]).toBe(scopedIds[0]);
    expect(own.trustedPublisher.oidcConfigId).not.toBe(scopedIds[0]);
    expect(scoped[`2.0.0`].dist.attestations).toStrictEqual(attestation(`@acme/signed@2.0.0`));
  });

  it(`keeps the same record when the full document leaves scripts out`, async () => {
    const withScripts = await full(`signed`);
    signed.omitScripts(true);
    const withoutScripts = await full(`signed`);

    expect(withoutScripts[`1.0.0`]).not.toHaveProperty(`scripts`);
    expect(withoutScripts[`1.0.0`].hasInstallScript).toBe(true);
    for (const version of Object.keys(PUBLISHED.versions)) {
      expect(withoutScripts[version]._npmUser).toStrictEqual(withScripts[version]._npmUser);
      expect(withoutScripts[version].dist).toStrictEqual(withScripts[version].dist);
      expect(withoutScripts[version]).not.toHaveProperty(`publishedWith`);
    }
    expect(withoutScripts[`1.0.0`]._npmUser).toMatchObject({trustedPublisher: {id: `github`}});
    expect(withoutScripts[`1.0.2`]).toHaveProperty(`_npmUser`);
    expect(withoutScripts[`1.0.3`]).not.toHaveProperty(`_npmUser`);
  });

  it(`leaves _npmUser and dist.attestations out of the abbreviated document`, async () => {
    const response = await fetch(`${signed.url}/signed`, {headers: {accept: `application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*`}});
    expect(response.headers.get(`content-type`)).toBe(`application/vnd.npm.install-v1+json`);
    const {versions} = await response.json() as {versions: Record<string, Version>};

    expect(Object.keys(versions)).toEqual(Object.keys(PUBLISHED.versions));
    for (const version of Object.values(versions)) {
      expect(version).not.toHaveProperty(`_npmUser`);
      expect(version).not.toHaveProperty(`publishedWith`);
      expect(Object.keys(version.dist).sort()).toEqual([`integrity`, `shasum`, `tarball`]);
    }
    expect(JSON.stringify(versions)).not.toMatch(/_npmUser|trustedPublisher|attestations|publishedWith/);
  });

  it(`leaves them out of every tarball's package.json`, async () => {
    const versions = await full(`signed`);
    for (const [version, {dist}] of Object.entries(versions)) {
      const tar = gunzipSync(Buffer.from(await (await fetch(dist.tarball as string)).arrayBuffer()));
      const tarball = tar.toString(`latin1`);
      // package/package.json is the archive's first entry: a 512-byte header (size in octal at 124), then the file.
      expect(tar.subarray(0, 20).toString(), version).toBe(`package/package.json`);
      const manifest = JSON.parse(tar.subarray(512, 512 + parseInt(tar.subarray(124, 135).toString(), 8)).toString());
      expect(manifest, version).toEqual({name: `signed`, version, ...(version === `1.0.0` ? {scripts: {postinstall: `node setup.js`}} : {})});
      expect(tarball, version).not.toMatch(/_npmUser|trustedPublisher|attestations|publishedWith|npm-oidc/);
    }
  });

  it(`refuses a publishedWith it does not know`, async () => {
    expect(() => signed.packages.addVersion(`signed`, `1.0.4`, {publishedWith: `oidc` as never})).toThrow(/publishedWith must be one of trusted-publisher, provenance, token/);
    expect(signed.packages.packument(`signed`).versions).not.toHaveProperty(`1.0.4`);
  });
});
