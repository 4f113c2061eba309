import {describe, expect, it} from 'vitest';

import {acceptsNewer, type LockedVersionOutlook, pendingVersions, summarizePending} from '../../sources/rules/pending';
import type {PublishTime} from '../../sources/rules/publishTime';
import {assessNewerInRange} from '../../sources/rules/releaseAge';
import {DAY, HOUR, NOW, ago, makePolicy} from './policyFixture';

const known = (ms: number): PublishTime => ({kind: `known`, at: ago(ms)});

/** A locked version and the registry's versions of its package, judged as `yarn quarantine pending` judges them. */
function outlook(name: string, version: string, ranges: Array<string>, registry: Record<string, PublishTime>, policy = makePolicy()): LockedVersionOutlook {
  const candidates = Object.entries(registry).map(([candidate, publishTime]) => ({version: candidate, publishTime}));
  return {name, protocol: `npm:`, version, path: [`app@workspace:.`, `${name}@npm:${version}`], newer: assessNewerInRange(name, version, ranges, candidates, policy, NOW)};
}

describe(`acceptsNewer`, () => {
  it.each([
    [`a caret range`, `1.14.0`, [`^1.14.0`], true],
    [`a tilde range with patches to come`, `1.2.9`, [`~1.2.3`], true],
    [`anything`, `1.2.3`, [`*`], true],
    [`a prerelease range`, `1.0.0-beta.1`, [`^1.0.0-beta.1`], true],
    [`an exact pin`, `1.2.3`, [`1.2.3`], false],
    [`an exact pin with =`, `1.2.3`, [`=1.2.3`], false],
    [`an upper bound at the locked version`, `1.2.3`, [`<=1.2.3`], false],
    [`an exact pin beside a range that accepts more`, `1.2.3`, [`1.2.3`, `^1.2.0`], true],
    [`a union reaching a later major`, `1.2.3`, [`1.2.3 || ^2.0.0`], true],
    [`a range below the locked version`, `2.0.0`, [`^1.0.0`], false],
    [`no range at all (a dist-tag only)`, `1.2.3`, [], false],
  ])(`%s: %s under %j -> %s`, (_, locked, ranges, expected) => {
    expect(acceptsNewer(locked, ranges)).toBe(expected);
  });
});

describe(`pendingVersions`, () => {
  const registry = {
    '1.0.0': known(60 * DAY),
    '1.1.0': known(30 * DAY),
    '1.2.0': known(2 * DAY),
    '1.3.0': known(2 * HOUR),
    '2.0.0': known(HOUR),
  };

  it.each([
    [`the quarantined newer versions within the range, soonest eligible first`, [outlook(`lib`, `1.1.0`, [`^1.0.0`], registry)], [`lib@1.2.0 ^1.0.0 1.1.0`, `lib@1.3.0 ^1.0.0 1.1.0`]],
    [`nothing newer than the locked version`, [outlook(`lib`, `1.3.0`, [`^1.0.0`], registry)], []],
    [`nothing beyond the range`, [outlook(`lib`, `1.1.0`, [`~1.1.0`], registry)], []],
    [`nothing for an exact pin`, [outlook(`lib`, `1.1.0`, [`1.1.0`], registry)], []],
    [`nothing eligible (a version older than the period)`, [outlook(`lib`, `1.0.0`, [`>=1.0.0 <1.2.0`], registry)], []],
    [`nothing exempt`, [outlook(`lib`, `1.1.0`, [`^1.0.0`], registry, makePolicy({exempt: [`lib`]}))], []],
    [`only what an exemption leaves out`, [outlook(`lib`, `1.1.0`, [`^1.0.0`], registry, makePolicy({exempt: [`lib@1.2.0`]}))], [`lib@1.3.0 ^1.0.0 1.1.0`]],
    [`nothing while the rule is off`, [outlook(`lib`, `1.1.0`, [`^1.0.0`], registry, makePolicy({periodMs: 0}))], []],
    [`nothing without a publish time (no eligible-at to give)`, [outlook(`lib`, `1.1.0`, [`^1.0.0`], {'1.2.0': {kind: `missing`}})], []],
    [`a version once per range that accepts it`, [outlook(`lib`, `1.2.0`, [`^1.0.0`, `^1.2.0`], registry)], [`lib@1.3.0 ^1.0.0 1.2.0`, `lib@1.3.0 ^1.2.0 1.2.0`]],
    [`each locked version of a package`, [outlook(`lib`, `1.1.0`, [`~1.1.0`, `^1.1.0`], registry), outlook(`lib`, `2.0.0-rc.1`, [`^2.0.0-rc.1`], registry)], [`lib@1.2.0 ^1.1.0 1.1.0`, `lib@1.3.0 ^1.1.0 1.1.0`, `lib@2.0.0 ^2.0.0-rc.1 2.0.0-rc.1`]],
    [`packages by eligible-at, then by name`, [
      outlook(`zeta`, `1.0.0`, [`^1.0.0`], {'1.0.1': known(5 * HOUR)}),
      outlook(`alpha`, `1.0.0`, [`^1.0.0`], {'1.0.1': known(5 * HOUR), '1.0.2': known(HOUR)}),
      outlook(`mid`, `1.0.0`, [`^1.0.0`], {'1.0.1': known(2 * DAY)}),
    ], [`mid@1.0.1 ^1.0.0 1.0.0`, `alpha@1.0.1 ^1.0.0 1.0.0`, `zeta@1.0.1 ^1.0.0 1.0.0`, `alpha@1.0.2 ^1.0.0 1.0.0`]],
  ])(`lists %s`, (_, outlooks, expected) => {
    expect(pendingVersions(outlooks).map(entry => `${entry.name}@${entry.version} ${entry.range} ${entry.usedVersion}`)).toEqual(expected);
  });

  it(`gives each its publish time, age, path and an eligible-at exactly one period after publication`, () => {
    const [first] = pendingVersions([outlook(`lib`, `1.1.0`, [`^1.0.0`], registry)]);
    expect(first).toEqual({
      name: `lib`,
      protocol: `npm:`,
      version: `1.2.0`,
      range: `^1.0.0`,
      usedVersion: `1.1.0`,
      publishedAt: ago(2 * DAY),
      ageMs: 2 * DAY,
      eligibleAt: new Date(ago(2 * DAY).getTime() + 3 * DAY),
      path: [`app@workspace:.`, `lib@npm:1.1.0`],
    });
  });
});

describe(`summarizePending`, () => {
  it.each([
    [`nothing pending`, [], {versions: 0, packages: 0, nextEligibleAt: null}],
    [`one version accepted by two ranges, and another package`, [
      outlook(`lib`, `1.2.0`, [`^1.0.0`, `^1.2.0`], {'1.3.0': known(2 * HOUR)}),
      outlook(`other`, `1.0.0`, [`^1.0.0`], {'1.0.1': known(HOUR), '1.0.2': known(30 * 60_000)}),
    ], {versions: 3, packages: 2, nextEligibleAt: new Date(ago(2 * HOUR).getTime() + 3 * DAY)}],
  ])(`counts %s`, (_, outlooks, expected) => {
    expect(summarizePending(pendingVersions(outlooks))).toEqual(expected);
  });
});
