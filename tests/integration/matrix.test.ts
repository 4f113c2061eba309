import {describe, expect, it} from 'vitest';

import {axiosReplay} from '../../scripts/lib/axios-replay.mjs';
import {lockfileWrittenWithoutPlugin, projectWith, registryWith, tarballRequests, YARN_RELEASES} from './support';

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_AXIOS = {...APP, dependencies: {axios: `^1.14.0`}};

/** axios 1.14.0 is current until `compromise()` publishes 1.14.1 and plain-crypto-js. */
async function beforeTheAttack() {
  const [axios, followRedirects, plainCrypto] = axiosReplay();
  const registry = await registryWith({packages: [{...axios, versions: {'1.14.0': axios.versions[`1.14.0`]}}, followRedirects]});
  const compromise = (dependencies?: Record<string, string>) => {
    registry.packages.addPackage(plainCrypto);
    registry.packages.addVersion(`axios`, `1.14.1`, {...axios.versions[`1.14.1`], ...(dependencies ? {dependencies} : {})});
  };
  return {registry, compromise};
}

describe.each(YARN_RELEASES)(`on Yarn %s`, yarn => {
  it(`holds the compromised version back on \`yarn up\`, and fails an exact pin naming when it becomes eligible`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    const project = await projectWith({registry, manifest: USES_AXIOS, yarn});
    expect((await project.install()).code).toBe(0);
    const lockfile = await project.lockfile();
    compromise();

    const up = await project.install([`up`, `axios`]);
    expect(up.code, up.output).toBe(0);
    expect(up.output).toMatch(/axios@npm:\^1\.14\.0: held back 1\.14\.1 \(published .* UTC, 2h ago; eligible at .* UTC\), using 1\.14\.0/);
    expect(await project.lockfile()).toBe(lockfile);

    registry.clearRequests();
    const pin = await project.install([`add`, `axios@1.14.1`]);
    expect(pin.code).toBe(1);
    expect(pin.output).toMatch(/no version satisfying 1\.14\.1 is out of quarantine \(3d\): .* the first candidate becomes eligible at \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
  });

  it(`stops a CI install of a lockfile pinning the 2-hour-old version before anything is fetched`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    compromise();
    const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS, yarn);
    const project = await projectWith({registry, manifest: USES_AXIOS, yarn, files: {'yarn.lock': lockfile}});
    registry.clearRequests();

    const result = await project.install([`install`, `--immutable`]);

    expect(result.code).toBe(1);
    expect(result.output).toContain(`axios@npm:1.14.1 (locked) is in quarantine`);
    expect(result.output).toContain(`plain-crypto-js@npm:4.2.1 (locked) is in quarantine`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
    expect(await project.scriptRan()).toBe(false);

    const check = await project.run([`quarantine`, `check`, `--json`]);
    expect(check.code).toBe(1);
    expect(check.stdout).toContain(`"type":"summary","violations":2`);
  });

  it(`rejects the new sub-dependency once the version is out of quarantine, and a new tarball sub-dependency before any request`, async () => {
    const {registry, compromise} = await beforeTheAttack();
    registry.packages.addPackage({name: `payload`, versions: {'1.0.0': {}}});
    const project = await projectWith({registry, manifest: USES_AXIOS, yarn, yarnrc: {quarantinePeriod: `0`}});
    expect((await project.install()).code).toBe(0);
    const lockfile = await project.lockfile();
    compromise();
    registry.clearRequests();

    const update = await project.install([`up`, `axios`]);
    expect(update.code).toBe(1);
    expect(update.output).toContain(`plain-crypto-js@npm:4.2.1 is a new sub-dependency: axios 1.14.0 -> 1.14.1 adds plain-crypto-js@^4.2.1`);
    expect(await project.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
    expect(await project.scriptRan()).toBe(false);

    registry.packages.addVersion(`axios`, `1.14.2`, {dependencies: {'follow-redirects': `^1.15.0`, payload: `${registry.url}/payload/-/payload-1.0.0.tgz`}});
    registry.clearRequests();
    const tarball = await project.install([`up`, `axios`]);
    expect(tarball.code).toBe(1);
    expect(tarball.output).toContain(`from a tarball URL, not locked before`);
    expect(registry.requests.filter(request => /payload/.test(request.path))).toEqual([]);
    expect(await project.lockfile()).toBe(lockfile);
  });
});
