import {describe, expect, it} from 'vitest';

import {axiosReplay} from '../../scripts/lib/axios-replay.mjs';
import {agoISO} from '../../scripts/lib/registry.mjs';
import {lockfileWrittenWithoutPlugin, projectWith, registryWith, tarballRequests} from './support';

const APP = {name: `app`, version: `1.0.0`, private: true};
const USES_AXIOS = {...APP, dependencies: {axios: `^1.14.0`}};

describe.each([`pnp`, `node-modules`, `pnpm`])(`with the %s linker`, nodeLinker => {
  it(`installs what is eligible and stops a lockfile pinning a quarantined version before the fetch step`, async () => {
    const registry = await registryWith({packages: axiosReplay()});
    const good = await projectWith({registry, manifest: USES_AXIOS, yarnrc: {nodeLinker}});
    const installed = await good.install();
    expect(installed.code, installed.output).toBe(0);
    expect(installed.output).toContain(`axios@npm:^1.14.0: held back 1.14.1`);
    expect(good.exists(nodeLinker === `pnp` ? `.pnp.cjs` : `node_modules/axios/package.json`)).toBe(true);

    const lockfile = await lockfileWrittenWithoutPlugin(registry, USES_AXIOS);
    const ci = await projectWith({registry, manifest: USES_AXIOS, yarnrc: {nodeLinker}, files: {'yarn.lock': lockfile}});
    registry.clearRequests();
    const blocked = await ci.install([`install`, `--immutable`]);
    expect(blocked.code).toBe(1);
    expect(blocked.output).toContain(`axios@npm:1.14.1 (locked) is in quarantine`);
    expect(await ci.lockfile()).toBe(lockfile);
    expect(tarballRequests(registry)).toEqual([]);
    expect(ci.exists(`.pnp.cjs`) || ci.exists(`node_modules`)).toBe(false);
  });
});

describe(`a monorepo of six workspaces`, () => {
  const workspace = (name: string, dependencies: Record<string, string>) => JSON.stringify({name, version: `1.0.0`, dependencies});
  const files = {
    'packages/api/package.json': workspace(`api`, {axios: `^1.14.0`}),
    'packages/web/package.json': workspace(`web`, {axios: `^1.14.0`, 'left-pad': `^1.0.0`}),
    'packages/crypto/package.json': workspace(`crypto`, {'plain-crypto-js': `^4.2.1`}),
    'packages/cli/package.json': workspace(`cli`, {'left-pad': `^1.0.0`}),
    'packages/shared/package.json': workspace(`shared`, {}),
    'packages/docs/package.json': workspace(`docs`, {api: `workspace:^`}),
  };

  it(`checks every workspace's graph and allows a package another workspace already declares`, async () => {
    const [axios, followRedirects, plainCrypto] = axiosReplay();
    const registry = await registryWith({packages: [{...axios, versions: {'1.14.0': axios.versions[`1.14.0`]}}, followRedirects, plainCrypto, {name: `left-pad`, versions: {'1.0.0': {}}}]});
    const project = await projectWith({registry, manifest: {...APP, workspaces: [`packages/*`]}, files, yarnrc: {quarantinePeriod: `0`}});
    expect((await project.install()).code).toBe(0);
    registry.packages.addVersion(`axios`, `1.14.1`, axios.versions[`1.14.1`]);
    registry.packages.addVersion(`left-pad`, `1.1.0`, {dependencies: {'pad-helper': `^1.0.0`}});
    registry.packages.addPackage({name: `pad-helper`, versions: {'1.0.0': {}}});

    const result = await project.install([`up`, `axios`, `left-pad`]);

    expect(result.code).toBe(1);
    expect(result.output).not.toContain(`plain-crypto-js@npm:4.2.1 is a new sub-dependency`);
    expect(result.output).toMatch(/pad-helper@npm:1\.0\.0 is a new sub-dependency: left-pad 1\.0\.0 -> 1\.1\.0 adds pad-helper@\^1\.0\.0, a package this project never had; its registry document lists no install script \(via (cli|web)@workspace:packages\/(cli|web) > left-pad@npm:1\.1\.0 > pad-helper@npm:1\.0\.0\)/);
    expect(result.output).toContain(`1 violation: 1 of the new sub-dependency rule`);
  });
});

describe(`registries`, () => {
  it(`asks a scope's own registry (npmScopes) for the publish times of its packages`, async () => {
    const publicRegistry = await registryWith({packages: axiosReplay()});
    const scopeRegistry = await registryWith({packages: [{name: `@acme/lib`, versions: {'2.0.0': {publishedAt: agoISO({days: 10})}, '2.1.0': {publishedAt: agoISO({minutes: 30})}}}]});
    const project = await projectWith({
      registry: publicRegistry,
      manifest: {...APP, dependencies: {'@acme/lib': `^2.0.0`, axios: `^1.14.0`}},
      yarnrc: {npmScopes: {acme: {npmRegistryServer: scopeRegistry.url, npmMinimalAgeGate: `0`}}},
    });

    const result = await project.install();

    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`@acme/lib@npm:^2.0.0: held back 2.1.0`);
    expect(result.output).toContain(`axios@npm:^1.14.0: held back 1.14.1`);
    expect(scopeRegistry.requests.some(request => request.kind === `packument`)).toBe(true);
    expect(publicRegistry.requests.filter(request => request.path.includes(`acme`))).toEqual([]);
  });

  it(`authenticates its own lookups like Yarn does (npmAuthToken), and fails closed without the token`, async () => {
    const registry = await registryWith({packages: axiosReplay(), token: `s3cret`});
    const lockfile = await lockfileWrittenWithoutPlugin(registry, {...APP, dependencies: {axios: `1.14.0`}}).catch(() => null);
    expect(lockfile).toBeNull();

    const authenticated = {npmAuthToken: `s3cret`, npmAlwaysAuth: `true`};
    const project = await projectWith({registry, manifest: USES_AXIOS, yarnrc: authenticated});
    registry.clearRequests();
    const result = await project.install();
    expect(result.code, result.output).toBe(0);
    expect(result.output).toContain(`axios@npm:^1.14.0: held back 1.14.1`);
    expect(registry.requests.every(request => request.authorization === `Bearer s3cret`)).toBe(true);
    const locked = (await project.lockfile())!;

    // A locked install on a cold machine: Yarn needs no packument (it fetches the locked tarballs), so every
    // packument request is the plugin's own lookup of a publish time.
    const ci = await projectWith({registry, manifest: USES_AXIOS, files: {'yarn.lock': locked}, yarnrc: authenticated});
    registry.clearRequests();
    const checked = await ci.install([`install`, `--immutable`]);
    expect(checked.code, checked.output).toBe(0);
    expect(checked.output).toContain(`2 versions checked, 0 from the release-time cache, 2 packument lookups`);
    const lookups = registry.requests.filter(request => request.kind === `packument`);
    expect(lookups.map(request => request.name).sort()).toEqual([`axios`, `follow-redirects`]);
    expect(lookups.map(request => [request.authorization, request.status])).toEqual([[`Bearer s3cret`, 200], [`Bearer s3cret`, 200]]);
    expect(tarballRequests(registry).map(request => request.authorization)).toEqual([`Bearer s3cret`, `Bearer s3cret`]);

    const anonymous = await projectWith({registry, manifest: USES_AXIOS, files: {'yarn.lock': locked}, yarnrc: {httpRetry: `0`}});
    registry.clearRequests();
    const refused = await anonymous.install([`install`, `--immutable`]);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/axios@npm:1\.14\.0 \(locked\): could not learn its publish time \(.+\), so the release-age rule fails closed/);
    expect(tarballRequests(registry)).toEqual([]);
  });

  describe(`a registry that serves no \`time\` at all (as GitHub Packages does)`, () => {
    const privatePackages = [{name: `@corp/ui`, versions: {'1.0.0': {}, '1.1.0': {}}}];
    const manifest = {...APP, dependencies: {'@corp/ui': `^1.0.0`}};

    it(`rejects by default, naming the package and the two ways out`, async () => {
      const registry = await registryWith({packages: privatePackages, omitTime: true});
      const project = await projectWith({registry, manifest});

      const result = await project.install();

      expect(result.code, result.output).toBe(1);
      expect(result.output).toContain(`@corp/ui@npm:^1.0.0: no version satisfying ^1.0.0 is out of quarantine (3d): the youngest candidate, 1.1.0, was published at an unknown time (2 candidates have no publish time, and quarantineMissingPublishTime is reject). Fix: if you trust it, exempt it with yarn quarantine approve --release-age @corp/ui@1.1.0, or its whole scope with yarn quarantine approve --release-age '@corp/*' (quarantineExemptPackages); for a registry that serves no publish times, set quarantineMissingPublishTime: allow`);
      expect(await project.lockfile()).toBeNull();
    });

    it.each([
      [`an exemption for the scope`, {quarantineExemptPackages: [`@corp/*`]}],
      [`quarantineMissingPublishTime: allow`, {quarantineMissingPublishTime: `allow`}],
    ])(`installs with %s`, async (_, yarnrc) => {
      const registry = await registryWith({packages: privatePackages, omitTime: true});
      const project = await projectWith({registry, manifest, yarnrc});

      const result = await project.install();

      expect(result.code, result.output).toBe(0);
      expect(await project.lockfile()).toContain(`resolution: "@corp/ui@npm:1.1.0"`);
    });
  });
});
