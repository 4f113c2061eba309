import {describe, expect, it} from 'vitest';

import {formatListEntry, parseListEntry, parseMoment} from '../../sources/policy/listEntry';
import type {ListSetting} from '../../sources/policy/listEntry';
import {entryCovers, noteExpiredApproval} from '../../sources/rules/expiredApprovals';
import {makeFinding} from '../../sources/rules/finding';
import {entriesToPrune, type LockedFacts} from '../../sources/rules/prune';
import {makePolicy, NOW} from './policyFixture';

const entry = (text: string) => {
  const parsed = parseListEntry(text);
  if (`malformed` in parsed)
    throw new Error(`${text}: malformed ${parsed.malformed}`);
  return parsed;
};

describe(`parseMoment`, () => {
  it.each([
    [`2026-12-08`, `2026-12-08T00:00:00.000Z`],
    [`2026-12-08 12:30 UTC`, `2026-12-08T12:30:00.000Z`],
    [`2026-12-08T12:30Z`, `2026-12-08T12:30:00.000Z`],
    [`2026-12-08T12:30:15Z`, `2026-12-08T12:30:15.000Z`],
    [`2026-12-08T12:30:15.250Z`, `2026-12-08T12:30:15.000Z`],
    [`2026-12-08T14:30+02:00`, `2026-12-08T12:30:00.000Z`],
    [`2026-12-08T00:30-01:30`, `2026-12-08T02:00:00.000Z`],
    [`2028-02-29`, `2028-02-29T00:00:00.000Z`],
  ])(`%j is %s`, (text, iso) => {
    expect(parseMoment(text)?.toISOString()).toBe(iso);
  });

  it.each([
    [`a time without a zone, which each machine would read in its own`, `2026-12-08T12:30`],
    [`a day that does not exist`, `2026-02-30`],
    [`a month that does not exist`, `2026-13-01`],
    [`an hour past the day`, `2026-12-08T24:00Z`],
    [`an offset no zone has`, `2026-12-08T12:00+19:00`],
    [`words`, `tomorrow`],
    [`a duration`, `3d`],
    [`a date in another order`, `08/12/2026`],
    [`the UTC spelling without its suffix`, `2026-12-08 12:30`],
    [`nothing`, ``],
  ])(`refuses %s (%j)`, (_, text) => {
    expect(parseMoment(text)).toBeNull();
  });
});

describe(`parseListEntry`, () => {
  it.each([
    [`axios@1.15.3`, `axios@1.15.3`, null],
    [`axios@1.15.3 until 2026-12-08 12:00 UTC`, `axios@1.15.3`, `2026-12-08T12:00:00.000Z`],
    [`@acme/* until 2026-12-08`, `@acme/*`, `2026-12-08T00:00:00.000Z`],
    [`lib@>=1.0.0 <2.0.0 until 2026-12-08T12:00Z`, `lib@>=1.0.0 <2.0.0`, `2026-12-08T12:00:00.000Z`],
    [`payload@https://host.test/payload-1.0.0.tgz until 2026-12-08`, `payload@https://host.test/payload-1.0.0.tgz`, `2026-12-08T00:00:00.000Z`],
    [`  axios   until   2026-12-08  `, `axios`, `2026-12-08T00:00:00.000Z`],
  ])(`%j is %s, expiring at %s`, (text, pattern, expiresAt) => {
    const parsed = entry(text);
    expect(parsed.text).toBe(text);
    expect(parsed.pattern.text.trim()).toBe(pattern);
    expect(parsed.expiresAt?.toISOString() ?? null).toBe(expiresAt);
  });

  it.each([
    [`axios until someday`, `moment`],
    [`axios until 2026-12-08T12:00`, `moment`],
    [`axios until`, `pattern`],
    [`not a pattern! until 2026-12-08`, `pattern`],
    [`axios@ until 2026-12-08`, `pattern`],
  ])(`%j is malformed in its %s`, (text, part) => {
    expect(parseListEntry(text)).toEqual({malformed: part});
  });

  it(`reads back what approve writes`, () => {
    const written = formatListEntry(`axios@1.15.3`, new Date(`2026-12-08T12:00:00.000Z`));
    expect(written).toBe(`axios@1.15.3 until 2026-12-08 12:00 UTC`);
    expect(entry(written).expiresAt?.toISOString()).toBe(`2026-12-08T12:00:00.000Z`);
    expect(formatListEntry(`axios@1.15.3`, null)).toBe(`axios@1.15.3`);
  });
});

describe(`entryCovers`, () => {
  it.each([
    [`axios@1.14.1`, {rule: `release-age`, name: `axios`, version: `1.14.1`}, true],
    [`axios@1.14.0`, {rule: `release-age`, name: `axios`, version: `1.14.1`}, false],
    [`axios`, {rule: `release-age`, name: `axios`, version: `1.14.1`}, true],
    [`@acme/*`, {rule: `new-dependency`, name: `@acme/lib`, version: `2.0.0`}, true],
    [`axios@^1.0.0`, {rule: `new-dependency`, name: `axios`, version: null}, true],
    [`payload@https://host.test/p.tgz`, {rule: `new-dependency`, name: `payload`, version: null, range: `https://host.test/p.tgz`}, true],
    [`payload@https://host.test/p.tgz`, {rule: `new-dependency`, name: `payload`, version: null, range: `https://host.test/other.tgz`}, false],
    [`payload@https://host.test/p.tgz`, {rule: `release-age`, name: `payload`, version: `1.0.0`}, false],
    [`axios`, {rule: `lockfile`, name: `axios`, version: `1.14.1`}, false],
  ] as const)(`%j covers %j: %s`, (text, target, expected) => {
    expect(entryCovers(entry(text).pattern, target)).toBe(expected);
  });
});

describe(`noteExpiredApproval`, () => {
  const expired = (setting: ListSetting, text: string) => ({...entry(text), setting});
  const policy = makePolicy({expiredEntries: [
    expired(`quarantineExemptPackages`, `axios@1.14.1 until 2026-03-01`),
    expired(`quarantineApprovedDependencies`, `plain-crypto-js until 2026-03-02`),
  ]});

  it.each([
    [`a quarantined version an expired exemption named`, makeFinding({rule: `release-age`, kind: `quarantined`, severity: `error`, name: `axios`, version: `1.14.1`}), `axios@1.14.1 until 2026-03-01`],
    [`another version`, makeFinding({rule: `release-age`, kind: `quarantined`, severity: `error`, name: `axios`, version: `1.14.2`}), null],
    [`an expired entry of another rule's list`, makeFinding({rule: `new-dependency`, kind: `new-sub-dependency`, severity: `error`, name: `axios`, version: `1.14.1`}), null],
    [`a new sub-dependency an expired approval named`, makeFinding({rule: `new-dependency`, kind: `new-sub-dependency`, severity: `error`, name: `plain-crypto-js`, version: `4.2.1`}), `plain-crypto-js until 2026-03-02`],
    [`a lockfile finding, which no list approves`, makeFinding({rule: `lockfile`, kind: `source-mismatch`, severity: `error`, name: `axios`, version: `1.14.1`}), null],
  ])(`notes %s: %s`, (_, finding, noted) => {
    expect(noteExpiredApproval(finding, policy).expiredApproval?.entry ?? null).toBe(noted);
  });
});

describe(`entriesToPrune`, () => {
  const locked: LockedFacts = {
    packages: [{name: `axios`, version: `1.14.0`}, {name: `@acme/lib`, version: `2.1.0`}, {name: `tool`, version: null}],
    sources: [{name: `payload`, source: `https://host.test/payload-1.0.0.tgz`}],
  };

  it.each([
    [`axios`, null],
    [`axios@1.14.0`, null],
    [`axios@^1.0.0`, null],
    [`axios@1.14.1`, `unmatched`],
    [`@acme/*`, null],
    [`@acme/*@^3.0.0`, `unmatched`],
    [`left-pad`, `unmatched`],
    [`tool`, null],
    [`tool@^1.0.0`, `unmatched`],
    [`payload@https://host.test/payload-1.0.0.tgz`, null],
    [`payload@https://host.test/other.tgz`, `unmatched`],
    [`axios until 2026-03-31 02:59 UTC`, `expired`],
    [`axios until 2026-03-31 03:00 UTC`, `expired`],
    [`axios until 2026-03-31 03:01 UTC`, null],
    [`left-pad until 2099-01-01`, `unmatched`],
  ])(`%j: %s`, (text, reason) => {
    expect(entriesToPrune([entry(text)], locked, NOW).map(pruned => pruned.reason)).toEqual(reason === null ? [] : [reason]);
  });
});
