import {describe, expect, it} from 'vitest';

import type {PublishTime} from '../../sources/rules/publishTime';
import {assessNewerInRange, checkReleaseAge, type ReleaseFact} from '../../sources/rules/releaseAge';
import {DAY, HOUR, MINUTE, NOW, ago, makePolicy} from './policyFixture';

const known = (ms: number): PublishTime => ({kind: `known`, at: ago(ms)});
const fact = (name: string, version: string, publishTime: PublishTime, locked = false): ReleaseFact => ({name, version, publishTime, locked, path: []});

describe(`checkReleaseAge`, () => {
  it.each([
    [`an old version`, fact(`axios`, `1.14.0`, known(30 * DAY)), makePolicy(), []],
    [`a 2-hour-old version`, fact(`axios`, `1.14.1`, known(2 * HOUR)), makePolicy(), [`quarantined`]],
    [`a version exactly one period old`, fact(`axios`, `1.14.1`, known(3 * DAY)), makePolicy(), []],
    [`a version one millisecond short of the period`, fact(`axios`, `1.14.1`, known(3 * DAY - 1)), makePolicy(), [`quarantined`]],
    [`a version published in the future`, fact(`axios`, `1.14.1`, known(-HOUR)), makePolicy(), [`quarantined`]],
    [`a locked 2-hour-old version under verify`, fact(`axios`, `1.14.1`, known(2 * HOUR), true), makePolicy(), [`quarantined`]],
    [`a locked 2-hour-old version under trust`, fact(`axios`, `1.14.1`, known(2 * HOUR), true), makePolicy({lockfile: `trust`}), []],
    [`a new 2-hour-old version under trust`, fact(`axios`, `1.14.1`, known(2 * HOUR)), makePolicy({lockfile: `trust`}), [`quarantined`]],
    [`an exempt name`, fact(`axios`, `1.14.1`, known(2 * HOUR)), makePolicy({exempt: [`axios`]}), []],
    [`an exempt exact version`, fact(`axios`, `1.14.1`, known(2 * HOUR)), makePolicy({exempt: [`axios@1.14.1`]}), []],
    [`an exemption for another version`, fact(`axios`, `1.14.1`, known(2 * HOUR)), makePolicy({exempt: [`axios@1.14.0`]}), [`quarantined`]],
    [`an exempt scope`, fact(`@acme/lib`, `2.0.0`, known(MINUTE)), makePolicy({exempt: [`@acme/*`]}), []],
    [`the rule turned off`, fact(`axios`, `1.14.1`, known(MINUTE)), makePolicy({periodMs: 0}), []],
    [`a short period`, fact(`axios`, `1.14.1`, known(2 * HOUR)), makePolicy({periodMs: 90 * MINUTE}), []],
    [`a missing time, rejected`, fact(`pkg`, `1.0.0`, {kind: `missing`}), makePolicy(), [`missing-publish-time`]],
    [`a missing time, allowed`, fact(`pkg`, `1.0.0`, {kind: `missing`}), makePolicy({missingPublishTime: `allow`}), []],
    [`an unlisted locked version`, fact(`pkg`, `1.0.0`, {kind: `unlisted`}, true), makePolicy(), [`unlisted-version`]],
    [`an unlisted version with missing times allowed`, fact(`pkg`, `1.0.0`, {kind: `unlisted`}), makePolicy({missingPublishTime: `allow`}), [`unlisted-version`]],
    [`a registry error`, fact(`pkg`, `1.0.0`, {kind: `unavailable`, reason: `500`}), makePolicy(), [`registry-error`]],
  ])(`%s`, (_, subject, policy, kinds) => {
    expect(checkReleaseAge([subject], policy, NOW).map(finding => finding.kind)).toEqual(kinds);
  });

  it(`reports the facts of a quarantined version`, () => {
    const [finding] = checkReleaseAge([{...fact(`axios`, `1.14.1`, known(2 * HOUR), true), path: [`app@workspace:.`, `axios@npm:1.14.1`]}], makePolicy(), NOW);
    expect(finding).toMatchObject({
      rule: `release-age`,
      severity: `error`,
      name: `axios`,
      version: `1.14.1`,
      locked: true,
      ageMs: 2 * HOUR,
      periodMs: 3 * DAY,
      publishedAt: ago(2 * HOUR),
      eligibleAt: new Date(ago(2 * HOUR).getTime() + 3 * DAY),
      path: [`app@workspace:.`, `axios@npm:1.14.1`],
    });
  });

  it(`reports every violation, not the first`, () => {
    const findings = checkReleaseAge([
      fact(`a`, `1.0.0`, known(HOUR)),
      fact(`b`, `1.0.0`, known(30 * DAY)),
      fact(`c`, `1.0.0`, {kind: `unlisted`}, true),
      fact(`d`, `1.0.0`, known(MINUTE), true),
    ], makePolicy(), NOW);
    expect(findings.map(finding => finding.name)).toEqual([`a`, `c`, `d`]);
  });
});

describe(`assessNewerInRange`, () => {
  const candidates = [
    {version: `1.13.0`, publishTime: known(90 * DAY)},
    {version: `1.14.0`, publishTime: known(30 * DAY)},
    {version: `1.14.1`, publishTime: known(2 * HOUR)},
    {version: `1.15.0-beta.1`, publishTime: known(DAY)},
    {version: `1.14.2`, publishTime: known(5 * DAY)},
    {version: `2.0.0`, publishTime: known(HOUR)},
    {version: `not-semver`, publishTime: known(HOUR)},
  ];
  const shown = (newer: ReturnType<typeof assessNewerInRange>) => newer.map(({range, version, assessment}) => `${range} ${version} ${assessment.status}`);

  it(`lists the newer versions each semver range accepts, newest first, with what the rule says of each`, () => {
    expect(shown(assessNewerInRange(`axios`, `1.14.0`, [`^1.14.0`, `latest`, `~1.14.0`, `^1.14.0`], candidates, makePolicy(), NOW))).toEqual([
      `^1.14.0 1.14.2 eligible`,
      `^1.14.0 1.14.1 quarantined`,
      `~1.14.0 1.14.2 eligible`,
      `~1.14.0 1.14.1 quarantined`,
    ]);
  });

  it(`says when a held-back version becomes eligible, and names an exemption`, () => {
    const [held] = assessNewerInRange(`axios`, `1.14.1`, [`^1.14.0`], candidates, makePolicy({exempt: [`axios@1.14.2`]}), NOW);
    expect(held).toMatchObject({version: `1.14.2`, assessment: {status: `exempt`}});
    const [quarantined] = assessNewerInRange(`axios`, `1.14.0`, [`1.14.1`], candidates, makePolicy(), NOW);
    expect(quarantined.assessment).toEqual({status: `quarantined`, publishedAt: ago(2 * HOUR), ageMs: 2 * HOUR, eligibleAt: new Date(ago(2 * HOUR).getTime() + 3 * DAY)});
  });

  it(`says nothing while the rule is off, or for a dist-tag`, () => {
    expect(assessNewerInRange(`axios`, `1.14.0`, [`^1.14.0`], candidates, makePolicy({periodMs: 0}), NOW)).toEqual([]);
    expect(assessNewerInRange(`axios`, `1.14.0`, [`latest`], candidates, makePolicy(), NOW)).toEqual([]);
  });
});
