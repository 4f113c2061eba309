import {describe, expect, it} from 'vitest';

import {agoISO, type Registry} from '../../scripts/lib/registry.mjs';
import {projectWith, registryWith} from './support';

const APP = {name: `app`, version: `1.0.0`, private: true};
const PERIOD_MS = 3 * 86_400_000;
const OLD = {publishedAt: agoISO({days: 30})};

type JsonObject = Record<string, unknown> & {type: string};
const jsonLines = (stdout: string): Array<JsonObject> => stdout.trim().split(`\n`).filter(line => line.startsWith(`{`)).map(line => JSON.parse(line));
/** `2026-04-03 00:21 UTC`, as the plugin prints a time. */
const utc = (iso: string) => `${iso.slice(0, 16).replace(`T`, ` `)} UTC`;
const eligibleAt = (publishedAt: string) => new Date(Date.parse(publishedAt) + PERIOD_MS).toISOString();

/**
 * lib (a workspace range, with dep under it) and other have newer versions in quarantine, published
 * at different times; pinned is an exact pin and exempt is exempt, so neither is pending.
 */
async function projectWithPendingUpdates(yarn = `default`) {
  const registry = await registryWith({packages: [
    {name: `lib`, versions: {'1.0.0': OLD, '1.0.1': {...OLD, dependencies: {dep: `^1.0.0`}}}},
    {name: `dep`, versions: {'1.0.0': OLD}},
    {name: `other`, versions: {'2.0.0': OLD}},
    {name: `pinned`, versions: {'1.0.0': OLD}},
    {name: `exempt`, versions: {'1.0.0': OLD}},
  ]});
  const project = await projectWith({
    registry,
    yarn,
    manifest: {...APP, dependencies: {lib: `^1.0.0`, other: `^2.0.0`, pinned: `1.0.0`, exempt: `^1.0.0`}},
    yarnrc: {quarantineExemptPackages: [`exempt`]},
  });
  const installed = await project.install();
  expect(installed.code, installed.output).toBe(0);

  const published = {
    other: agoISO({days: 2}),
    lib110: agoISO({hours: 5}),
    dep: agoISO({hours: 3}),
    lib120: agoISO({hours: 1}),
  };
  registry.packages.addVersion(`other`, `2.1.0`, {publishedAt: published.other});
  registry.packages.addVersion(`lib`, `1.1.0`, {publishedAt: published.lib110, dependencies: {dep: `^1.0.0`}});
  registry.packages.addVersion(`dep`, `1.1.0`, {publishedAt: published.dep});
  registry.packages.addVersion(`lib`, `1.2.0`, {publishedAt: published.lib120, dependencies: {dep: `^1.0.0`}});
  registry.packages.addVersion(`pinned`, `1.0.1`, {publishedAt: agoISO({hours: 1})});
  registry.packages.addVersion(`exempt`, `1.0.1`, {publishedAt: agoISO({hours: 1})});
  registry.clearRequests();
  return {registry, project, published};
}

const packumentRequests = (registry: Registry, name: string) => registry.requests.filter(request => request.kind === `packument` && request.name === name);

describe(`yarn quarantine pending`, () => {
  it.each([`4.0.2`, `default`])(`lists every held-back newer version within the declared ranges, soonest eligible first, without the exact pin or the exempt package (Yarn %s)`, async yarn => {
    const {registry, project, published} = await projectWithPendingUpdates(yarn);
    const lockfile = await project.lockfile();

    const result = await project.run([`quarantine`, `pending`]);

    expect(result.code, result.output).toBe(0);
    expect(result.stdout.trim().split(`\n`)).toEqual([
      `➤ YN0000: other@npm:2.1.0 would replace 2.0.0 under ^2.0.0: published ${utc(published.other)}, 2d ago; eligible at ${utc(eligibleAt(published.other))} (via app@workspace:. > other@npm:2.0.0)`,
      `➤ YN0000: lib@npm:1.1.0 would replace 1.0.1 under ^1.0.0: published ${utc(published.lib110)}, 5h ago; eligible at ${utc(eligibleAt(published.lib110))} (via app@workspace:. > lib@npm:1.0.1)`,
      `➤ YN0000: dep@npm:1.1.0 would replace 1.0.0 under ^1.0.0: published ${utc(published.dep)}, 3h ago; eligible at ${utc(eligibleAt(published.dep))} (via app@workspace:. > lib@npm:1.0.1 > dep@npm:1.0.0)`,
      `➤ YN0000: lib@npm:1.2.0 would replace 1.0.1 under ^1.0.0: published ${utc(published.lib120)}, 1h ago; eligible at ${utc(eligibleAt(published.lib120))} (via app@workspace:. > lib@npm:1.0.1)`,
      `➤ YN0000: Pending: 4 versions held back across 3 packages; the next becomes eligible at ${utc(eligibleAt(published.other))} (4 packages with ranges that accept newer versions looked up)`,
    ]);
    // An exact pin accepts nothing newer: its versions are not asked for.
    expect(packumentRequests(registry, `pinned`)).toEqual([]);
    expect(packumentRequests(registry, `lib`).length).toBeGreaterThan(0);
    expect(await project.lockfile()).toBe(lockfile);
  });

  it(`gives, with --json, one object per pending version with check --json's field names and eligibleAt exactly publication + period, then a summary`, async () => {
    const {project, published} = await projectWithPendingUpdates();
    // A period longer than the locked versions' age makes check report them: its field names, from a real run.
    const check = jsonLines((await project.run([`quarantine`, `check`, `--json`], {env: {YARN_QUARANTINE_PERIOD: `1000w`}})).stdout);
    const checkFields = new Set(Object.keys(check.find(object => object.type === `finding`)!));

    const result = await project.run([`quarantine`, `pending`, `--json`]);

    expect(result.code, result.output).toBe(0);
    const objects = jsonLines(result.stdout);
    expect(objects.map(object => object.type)).toEqual([`pending`, `pending`, `pending`, `pending`, `summary`]);
    const pending = objects.filter(object => object.type === `pending`);
    for (const object of pending)
      expect(Object.keys(object).filter(field => !checkFields.has(field))).toEqual([]);
    expect(pending.map(object => [object.package, object.version, object.range, object.usedVersion, object.publishedAt, object.eligibleAt])).toEqual([
      [`other`, `2.1.0`, `^2.0.0`, `2.0.0`, published.other, eligibleAt(published.other)],
      [`lib`, `1.1.0`, `^1.0.0`, `1.0.1`, published.lib110, eligibleAt(published.lib110)],
      [`dep`, `1.1.0`, `^1.0.0`, `1.0.0`, published.dep, eligibleAt(published.dep)],
      [`lib`, `1.2.0`, `^1.0.0`, `1.0.1`, published.lib120, eligibleAt(published.lib120)],
    ]);
    expect(pending[2]).toMatchObject({protocol: `npm:`, age: `3h`, publishedInFuture: false, period: `3d`, path: [`app@workspace:.`, `lib@npm:1.0.1`, `dep@npm:1.0.0`]});
    expect(objects.at(-1)).toMatchObject({type: `summary`, heldBack: 4, packages: 3, nextEligibleAt: eligibleAt(published.other), period: `3d`});
  });

  it(`says when nothing is held back, and when the release-age rule is off (without asking the registry)`, async () => {
    const registry = await registryWith({packages: [{name: `lib`, versions: {'1.0.0': OLD}}]});
    const project = await projectWith({registry, manifest: {...APP, dependencies: {lib: `^1.0.0`}}});
    expect((await project.install()).code).toBe(0);
    registry.packages.addVersion(`lib`, `1.1.0`, {publishedAt: agoISO({days: 4})});

    const nothing = await project.run([`quarantine`, `pending`]);
    expect(nothing.code, nothing.output).toBe(0);
    expect(nothing.stdout).toBe(`➤ YN0000: Pending: nothing held back (quarantinePeriod 3d; 1 package with ranges that accept newer versions looked up)\n`);

    registry.packages.addVersion(`lib`, `1.2.0`, {publishedAt: agoISO({hours: 1})});
    registry.clearRequests();
    const off = await project.run([`quarantine`, `pending`], {env: {YARN_QUARANTINE_PERIOD: `0`}});
    expect(off.code, off.output).toBe(0);
    expect(off.stdout).toBe(`➤ YN0000: Pending: the release-age rule is off (quarantinePeriod 0), so nothing is held back\n`);
    expect(registry.requests).toEqual([]);
    const offJson = jsonLines((await project.run([`quarantine`, `pending`, `--json`], {env: {YARN_QUARANTINE_PERIOD: `0`}})).stdout);
    expect(offJson).toEqual([expect.objectContaining({type: `summary`, heldBack: 0, period: null})]);
  });

  it(`exits 2 without a lockfile, and when the registry does not give a package's versions`, async () => {
    const registry = await registryWith({packages: [{name: `lib`, versions: {'1.0.0': OLD}}, {name: `other`, versions: {'2.0.0': OLD}}]});
    const project = await projectWith({registry, manifest: {...APP, dependencies: {lib: `^1.0.0`, other: `^2.0.0`}}});

    const noLockfile = await project.run([`quarantine`, `pending`]);
    expect(noLockfile.code).toBe(2);
    expect(noLockfile.output).toContain(`there is no yarn.lock to check. Fix: run yarn install first`);
    expect(await project.lockfile()).toBeNull();

    expect((await project.install()).code).toBe(0);
    registry.packages.addVersion(`lib`, `1.1.0`, {publishedAt: agoISO({hours: 5})});
    registry.addFault({match: /^\/other$/, kind: `status`, status: 404});
    const unreachable = await project.run([`quarantine`, `pending`]);
    expect(unreachable.code).toBe(2);
    expect(unreachable.output).toContain(`other: the registry did not give its versions (`);
    expect(unreachable.output).toContain(`lib@npm:1.1.0 would replace 1.0.0 under ^1.0.0`);
  });
});
