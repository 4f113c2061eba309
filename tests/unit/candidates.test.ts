import {describe, expect, it} from 'vitest';

import {chooseCandidates, chooseTagFallback, type Candidate} from '../../sources/rules/candidates';
import {DAY, HOUR, NOW, ago, makePolicy} from './policyFixture';

const at = (version: string, ms: number): Candidate => ({version, publishTime: {kind: `known`, at: ago(ms)}});
const untimed = (version: string): Candidate => ({version, publishTime: {kind: `missing`}});

describe(`chooseCandidates`, () => {
  it.each([
    [`keeps an eligible best candidate`, [at(`1.14.0`, 30 * DAY), at(`1.13.0`, 60 * DAY)], makePolicy(), [`1.14.0`, `1.13.0`], []],
    [`skips a quarantined best candidate`, [at(`1.14.1`, 2 * HOUR), at(`1.14.0`, 30 * DAY)], makePolicy(), [`1.14.0`], [`1.14.1`]],
    [`skips every quarantined candidate above the chosen one`, [at(`1.15.0`, HOUR), at(`1.14.1`, 2 * HOUR), at(`1.14.0`, 30 * DAY), at(`1.13.9`, DAY)], makePolicy(), [`1.14.0`], [`1.15.0`, `1.14.1`]],
    [`keeps an exempt candidate`, [at(`1.14.1`, 2 * HOUR), at(`1.14.0`, 30 * DAY)], makePolicy({exempt: [`axios@1.14.1`]}), [`1.14.1`, `1.14.0`], []],
    [`skips a candidate without a time`, [untimed(`1.14.1`), at(`1.14.0`, 30 * DAY)], makePolicy(), [`1.14.0`], [`1.14.1`]],
    [`keeps a candidate without a time when allowed`, [untimed(`1.14.1`), at(`1.14.0`, 30 * DAY)], makePolicy({missingPublishTime: `allow`}), [`1.14.1`, `1.14.0`], []],
    [`keeps everything when the rule is off`, [at(`1.14.1`, 2 * HOUR)], makePolicy({periodMs: 0}), [`1.14.1`], []],
  ])(`%s`, (_, candidates, policy, eligible, heldBack) => {
    const choice = chooseCandidates(`axios`, `^1.14.0`, candidates, policy, NOW);
    expect(choice.eligible).toEqual(eligible);
    expect(choice.heldBack.map(finding => finding.version)).toEqual(heldBack);
    expect(choice.heldBack.every(finding => finding.usedVersion === eligible[0] && finding.severity === `info`)).toBe(true);
    expect(choice.failure).toBeNull();
  });

  it(`says when a held-back version becomes eligible`, () => {
    const [finding] = chooseCandidates(`axios`, `^1.14.0`, [at(`1.14.1`, 2 * HOUR), at(`1.14.0`, 30 * DAY)], makePolicy(), NOW).heldBack;
    expect(finding).toMatchObject({kind: `held-back`, range: `^1.14.0`, version: `1.14.1`, usedVersion: `1.14.0`, eligibleAt: new Date(ago(2 * HOUR).getTime() + 3 * DAY)});
  });

  it(`fails an exact pin on a quarantined version, naming the youngest candidate and the first eligible-at`, () => {
    const choice = chooseCandidates(`axios`, `1.14.1`, [at(`1.14.1`, 2 * HOUR)], makePolicy(), NOW);
    expect(choice.eligible).toEqual([]);
    expect(choice.failure).toMatchObject({kind: `no-eligible-version`, severity: `error`, range: `1.14.1`, version: `1.14.1`, ageMs: 2 * HOUR, eligibleAt: new Date(ago(2 * HOUR).getTime() + 3 * DAY)});
  });

  it(`names the youngest candidate by publish time and the earliest eligible-at among several`, () => {
    const choice = chooseCandidates(`pkg`, `^2.0.0`, [at(`2.1.0`, 2 * DAY), at(`2.0.1`, HOUR)], makePolicy(), NOW);
    expect(choice.failure).toMatchObject({version: `2.0.1`, ageMs: HOUR, eligibleAt: new Date(ago(2 * DAY).getTime() + 3 * DAY)});
  });

  it(`has nothing to say about an empty candidate list`, () => {
    expect(chooseCandidates(`pkg`, `^9.0.0`, [], makePolicy(), NOW)).toEqual({eligible: [], heldBack: [], failure: null});
  });
});

describe(`chooseTagFallback`, () => {
  const versions = [at(`1.13.0`, 60 * DAY), at(`1.14.0`, 30 * DAY), at(`1.15.0-beta.1`, 10 * DAY), at(`1.14.1`, 2 * HOUR), at(`2.0.0-rc.1`, HOUR)];

  it.each([
    [`latest on a quarantined version falls back to the newest eligible stable below it`, `1.14.1`, [`1.14.0`, `1.13.0`], [`1.14.1`]],
    [`latest on an eligible version keeps it`, `1.14.0`, [`1.14.0`, `1.13.0`], []],
    [`a prerelease tag may fall back to a prerelease`, `2.0.0-rc.1`, [`1.15.0-beta.1`, `1.14.0`, `1.13.0`], [`2.0.0-rc.1`]],
  ])(`%s`, (_, tagged, eligible, heldBack) => {
    const choice = chooseTagFallback(`axios`, `latest`, tagged, versions, makePolicy(), NOW);
    expect(choice.eligible).toEqual(eligible);
    expect(choice.heldBack.map(finding => finding.version)).toEqual(heldBack);
  });

  it(`fails when nothing at or below the tag is eligible`, () => {
    const choice = chooseTagFallback(`fresh`, `latest`, `1.0.0`, [at(`1.0.0`, HOUR)], makePolicy(), NOW);
    expect(choice.failure).toMatchObject({kind: `no-eligible-version`, range: `latest`, version: `1.0.0`});
  });
});

describe(`chooseCandidates with versions the resolver withheld`, () => {
  it(`reports a withheld version this policy quarantines too, and never returns it`, () => {
    const choice = chooseCandidates(`axios`, `^1.14.0`, [at(`1.14.0`, 30 * DAY)], makePolicy(), NOW, [at(`1.14.1`, 2 * HOUR)]);
    expect(choice.eligible).toEqual([`1.14.0`]);
    expect(choice.heldBack.map(finding => [finding.version, finding.usedVersion])).toEqual([[`1.14.1`, `1.14.0`]]);
  });

  it(`stays silent about a version only a stricter gate withheld`, () => {
    const choice = chooseCandidates(`axios`, `^1.14.0`, [at(`1.14.0`, 30 * DAY)], makePolicy(), NOW, [at(`1.14.1`, 5 * DAY)]);
    expect(choice.eligible).toEqual([`1.14.0`]);
    expect(choice.heldBack).toEqual([]);
  });
});
