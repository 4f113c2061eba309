import fc from 'fast-check';
import semver from 'semver';
import {describe, expect, it} from 'vitest';

import {parseDuration} from '../../sources/policy/duration';
import {matchesPattern, parsePattern} from '../../sources/policy/pattern';
import {MalformedPackumentError, readPackument} from '../../sources/registry/packument';
import {assessRelease, isEligible} from '../../sources/rules/releaseAge';
import {DAY, MINUTE, NOW, ago, makePolicy} from './policyFixture';

/** Deterministic: a failure prints its counterexample and replays with the same seed. */
const RUNS = {seed: 20261129, numRuns: 1000};
const FEW_RUNS = {seed: 20261129, numRuns: 500};

const UNIT_MS = {m: MINUTE, h: 60 * MINUTE, d: DAY, w: 7 * DAY} as const;
const YEAR = 365 * DAY;

// --- generators ----------------------------------------------------------------------------------

const anyString = fc.oneof(
  fc.string({maxLength: 40}),
  fc.string({unit: `binary`, maxLength: 40}),
  fc.stringMatching(/^[\s\d.mhdwMHDWe+-]{0,12}$/),
);

const prerelease = fc.oneof(
  fc.constant(``),
  fc.constantFrom(`alpha`, `beta`, `rc`, `next`).chain(tag => fc.nat(5).map(n => `-${tag}.${n}`)),
);
const version = fc.tuple(fc.nat(12), fc.nat(12), fc.nat(12), prerelease).map(([a, b, c, pre]) => `${a}.${b}.${c}${pre}`);

const range = fc.oneof(
  version,
  version.map(v => `^${v}`),
  version.map(v => `~${v}`),
  version.map(v => `>=${v}`),
  version.map(v => `<${v}`),
  version.map(v => `<=${v}`),
  version.map(v => `>${v}`),
  fc.tuple(version, version).map(([a, b]) => `>=${a} <${b}`),
  fc.tuple(version, version).map(([a, b]) => `${a} - ${b}`),
  fc.tuple(fc.nat(12), fc.nat(12)).map(([a, b]) => `${a}.${b}.x`),
  fc.nat(12).map(a => `${a}.x`),
  fc.constant(`*`),
).chain(first => fc.option(version.map(v => `^${v}`), {nil: undefined}).map(second => second === undefined ? first : `${first} || ${second}`));

/** npm-like names without glob characters, sometimes scoped, sometimes with capitals (exactness is case-sensitive). */
const bareName = fc.stringMatching(/^[a-zA-Z0-9][a-zA-Z0-9._~-]{0,10}$/);
const packageName = fc.oneof(bareName, fc.tuple(bareName, bareName).map(([scope, name]) => `@${scope}/${name}`));

/** Year, month, day... of an ISO timestamp, validated against the calendar rather than against Date's leniency. */
const TIMESTAMP_SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
function strictIsoTime(text: string): number | null {
  const match = TIMESTAMP_SHAPE.exec(text);
  if (!match)
    return null;
  const [year, month, day, hour, minute, second = `0`, , offsetHour = `0`, offsetMinute = `0`] = match.slice(1);
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  if (Number(month) < 1 || Number(month) > 12 || Number(day) < 1 || Number(day) > daysInMonth)
    return null;
  if (Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59 || Number(offsetHour) > 23 || Number(offsetMinute) > 59)
    return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/** Shaped like a timestamp and accepted by Date, but not a real calendar time (Feb 31, 24:00): Date rolls it over. */
function isCalendarOverflow(text: string) {
  return TIMESTAMP_SHAPE.test(text) && Number.isFinite(Date.parse(text)) && strictIsoTime(text) === null;
}

const pad = (n: number, width = 2) => String(n).padStart(width, `0`);

/** ISO-8601 spellings of one instant: Z with or without milliseconds or seconds, and with UTC offsets. */
function isoSpellings(ms: number) {
  const date = new Date(ms);
  const iso = date.toISOString();
  return fc.oneof(
    fc.constant(iso),
    fc.constant(iso.replace(/\.\d{3}Z$/, `Z`)),
    fc.integer({min: -12 * 60, max: 14 * 60}).map(offsetMinutes => {
      const local = new Date(ms + offsetMinutes * MINUTE);
      const sign = offsetMinutes < 0 ? `-` : `+`;
      const abs = Math.abs(offsetMinutes);
      return `${local.toISOString().slice(0, 23)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    }),
  );
}

/** Spellings of an (old) instant that are NOT a full, valid ISO-8601 timestamp: what a garbled time map holds. */
function notIsoSpellings(ms: number) {
  const iso = new Date(ms).toISOString();
  return fc.oneof(
    fc.constant(iso.slice(0, 10)), // a date without a time
    fc.constant(iso.slice(0, 19)), // no zone: local time of whoever reads it
    fc.constant(iso.slice(0, 16)),
    fc.constant(iso.toLowerCase()),
    fc.constant(` ${iso}`),
    fc.constant(`${iso} `),
    fc.constant(iso.replace(`T`, ` `)),
    fc.constant(new Date(ms).toUTCString()),
    fc.constant(new Date(ms).toString()),
    fc.constant(String(ms)),
    fc.constant(ms), // epoch milliseconds as a number
    fc.constant(ms / 1000), // epoch seconds
    fc.constant(new Date(ms)), // a Date object (never in JSON, but the reader must not care)
    fc.constant({at: iso}),
    fc.constant([iso]),
    fc.constant(Object(iso)), // a boxed String
    fc.constantFrom(`yesterday`, `last week`, `0`, `1`, `-1`, `Infinity`, `NaN`, `null`, `true`, ``, ` `),
    fc.constantFrom(null, undefined, true, false, 0, -1, Number.NaN, Number.POSITIVE_INFINITY),
    anyString.filter(text => strictIsoTime(text) === null && !isCalendarOverflow(text)),
    fc.anything().filter(value => typeof value !== `string` || (strictIsoTime(value) === null && !isCalendarOverflow(value))),
  );
}

/** Timestamp-shaped strings for days or hours that do not exist; Date turns them into a neighbouring real time. */
const calendarOverflow = fc.tuple(
  fc.integer({min: 2000, max: 2025}),
  fc.constantFrom([2, 30], [2, 31], [4, 31], [6, 31], [9, 31], [11, 31], [1, 32]),
).map(([year, [month, day]]) => `${year}-${pad(month)}-${pad(day)}T00:00:00.000Z`).filter(text => Number.isFinite(Date.parse(text)));

const periodMs = fc.integer({min: 1, max: 52 * 7}).map(days => days * DAY).chain(whole => fc.oneof(fc.constant(whole), fc.integer({min: MINUTE, max: whole})));

/** A publish time younger than the period (by at least a second, as a spelling may drop milliseconds), or in the future. */
const youngTime = (period: number) => fc.integer({min: NOW.getTime() - period + 1000, max: NOW.getTime() + 10 * YEAR});
/** An old time: what a forged or garbled entry would like the version to look like. */
const oldTime = fc.integer({min: Date.UTC(2000, 0, 1), max: ago(60 * DAY).getTime()});

// --- parseDuration -------------------------------------------------------------------------------

describe(`parseDuration (property)`, () => {
  it(`never throws, and returns null or a non-negative safe integer`, () => {
    fc.assert(fc.property(fc.oneof(anyString, fc.string({unit: `grapheme`, maxLength: 60})), text => {
      const ms = parseDuration(text);
      return ms === null || (Number.isSafeInteger(ms) && ms >= 0);
    }), RUNS);
  });

  it(`reads back every <n><unit> it advertises, and a bare number as minutes`, () => {
    const unit = fc.constantFrom(...(Object.keys(UNIT_MS) as Array<keyof typeof UNIT_MS>));
    fc.assert(fc.property(unit.chain(u => fc.tuple(fc.constant(u), fc.nat({max: Math.floor(Number.MAX_SAFE_INTEGER / UNIT_MS[u])}))), fc.constantFrom(``, ` `, `  `), ([u, n], space) => {
      expect(parseDuration(`${n}${space}${u}`)).toBe(n * UNIT_MS[u]);
      expect(parseDuration(`${space}${n}${u}${space}`)).toBe(n * UNIT_MS[u]);
      if (n * MINUTE <= Number.MAX_SAFE_INTEGER)
        expect(parseDuration(String(n))).toBe(n * MINUTE);
    }), RUNS);
  });

  it(`rounds a decimal amount to the nearest millisecond, and refuses what does not fit`, () => {
    fc.assert(fc.property(fc.nat(10_000), fc.nat(999), fc.constantFrom(`m`, `h`, `d`, `w`), (whole, fraction, u) => {
      const text = `${whole}.${pad(fraction, 3)}${u}`;
      expect(parseDuration(text)).toBe(Math.round(Number(`${whole}.${pad(fraction, 3)}`) * UNIT_MS[u as keyof typeof UNIT_MS]));
    }), FEW_RUNS);
    fc.assert(fc.property(fc.stringMatching(/^[1-9]\d{16,30}$/), fc.constantFrom(`h`, `d`, `w`), (digits, u) => {
      expect(parseDuration(`${digits}${u}`)).toBeNull();
    }), FEW_RUNS);
  });

  it(`never reads a signed, exponent, capitalised or unknown-unit spelling`, () => {
    fc.assert(fc.property(fc.nat(1000), fc.constantFrom(`-`, `+`), fc.constantFrom(`m`, `h`, `d`, `w`, ``), (n, sign, u) => {
      expect(parseDuration(`${sign}${n}${u}`)).toBeNull();
      expect(parseDuration(`${n}e1${u}`)).toBeNull();
      expect(parseDuration(`${n}${u.toUpperCase() || `s`}`)).toBeNull();
    }), FEW_RUNS);
  });
});

// --- parsePattern / matchesPattern ---------------------------------------------------------------

describe(`parsePattern / matchesPattern (property)`, () => {
  it(`never throws on arbitrary text, names and versions`, () => {
    fc.assert(fc.property(fc.oneof(anyString, range, packageName, fc.tuple(packageName, anyString).map(([n, r]) => `${n}@${r}`)), anyString, fc.oneof(anyString, version), (source, name, v) => {
      const pattern = parsePattern(source);
      if (pattern !== null)
        expect(typeof matchesPattern(pattern, name, v)).toBe(`boolean`);
    }), RUNS);
  });

  it(`a name without glob characters or range matches exactly itself, at any version`, () => {
    fc.assert(fc.property(packageName, packageName, fc.oneof(version, anyString), (name, other, v) => {
      const pattern = parsePattern(name);
      expect(pattern, name).not.toBeNull();
      expect(matchesPattern(pattern!, name, v)).toBe(true);
      if (other !== name)
        expect(matchesPattern(pattern!, other, v)).toBe(false);
    }), RUNS);
  });

  it(`a pattern with a range matches a version exactly when semver.satisfies says so`, () => {
    fc.assert(fc.property(packageName, range, version, (name, r, v) => {
      const pattern = parsePattern(`${name}@${r}`);
      expect(pattern, `${name}@${r}`).not.toBeNull();
      const matched = matchesPattern(pattern!, name, v);
      // The security direction first: never matches (so never exempts) a version outside the range.
      if (matched)
        expect(semver.satisfies(v, r)).toBe(true);
      expect(matched).toBe(semver.satisfies(v, r));
    }), RUNS);
  });

  it(`a range pattern never matches a version that is not valid semver`, () => {
    fc.assert(fc.property(packageName, range, anyString.filter(text => semver.valid(text) === null), (name, r, v) => {
      expect(matchesPattern(parsePattern(`${name}@${r}`)!, name, v)).toBe(false);
    }), FEW_RUNS);
  });

  it(`* never crosses a scope, and @scope/* never matches outside its scope`, () => {
    fc.assert(fc.property(bareName, bareName, bareName, version, (scope, otherScope, name, v) => {
      expect(matchesPattern(parsePattern(`*`)!, `@${scope}/${name}`, v)).toBe(false);
      const scoped = parsePattern(`@${scope}/*`)!;
      expect(matchesPattern(scoped, `@${scope}/${name}`, v)).toBe(true);
      expect(matchesPattern(scoped, name, v)).toBe(false);
      if (otherScope !== scope)
        expect(matchesPattern(scoped, `@${otherScope}/${name}`, v)).toBe(false);
    }), FEW_RUNS);
  });
});

// --- readPackument and the release-age decision --------------------------------------------------

const timeValue = fc.oneof(
  anyString,
  fc.date({noInvalidDate: false}).map(date => Number.isNaN(date.getTime()) ? `Invalid Date` : date.toISOString()),
  fc.date({noInvalidDate: false}),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.boolean(),
  fc.object({maxDepth: 2}),
  fc.array(fc.anything({maxDepth: 1}), {maxLength: 3}),
);

const packumentLike = fc.record({
  name: fc.oneof(packageName, fc.anything({maxDepth: 1})),
  'dist-tags': fc.oneof(fc.dictionary(fc.string({maxLength: 8}), fc.oneof(version, fc.anything({maxDepth: 1})), {maxKeys: 3}), fc.anything({maxDepth: 1})),
  versions: fc.oneof(
    fc.dictionary(fc.oneof(version, fc.string({maxLength: 8}), fc.constantFrom(`__proto__`, `constructor`, `toString`)), fc.anything({maxDepth: 1}), {maxKeys: 5}),
    fc.anything({maxDepth: 2}),
  ),
  time: fc.oneof(
    fc.dictionary(fc.oneof(version, fc.string({maxLength: 8}), fc.constantFrom(`created`, `modified`, `__proto__`)), timeValue, {maxKeys: 6}),
    fc.anything({maxDepth: 2}),
  ),
}, {requiredKeys: []});

/** The reader's whole contract: a MalformedPackumentError or a consistent answer that only repeats times it was given as strings. */
function checkReader(document: unknown) {
  let read: ReturnType<typeof readPackument>;
  try {
    read = readPackument(document);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedPackumentError);
    return;
  }
  const doc = document as {versions: Record<string, unknown>, time?: unknown};
  expect([...read.versions].sort()).toEqual(Object.keys(doc.versions).sort());
  for (const [tag, tagged] of Object.entries(read.distTags))
    expect(typeof tag === `string` && typeof tagged === `string`).toBe(true);
  const probes = [...read.versions, `0.0.0-not-listed`, `__proto__`, `constructor`];
  for (const probe of probes) {
    const time = read.timeOf(probe);
    if (!read.versions.has(probe)) {
      expect(time).toEqual({kind: `unlisted`});
      continue;
    }
    expect([`known`, `missing`]).toContain(time.kind);
    if (time.kind === `known`) {
      const given = (doc.time as Record<string, unknown>)[probe];
      expect(Object.hasOwn(doc.time as object, probe)).toBe(true);
      expect(typeof given).toBe(`string`);
      expect(Number.isFinite(time.at.getTime())).toBe(true);
      expect(time.at.getTime()).toBe(Date.parse(given as string));
    }
  }
}

describe(`readPackument (property)`, () => {
  it(`on any value: throws MalformedPackumentError or returns a consistent reading`, () => {
    fc.assert(fc.property(fc.anything({withNullPrototype: true, withDate: true, withBoxedValues: true, withMap: true, withSet: true, withSparseArray: true, withObjectString: true}), checkReader), RUNS);
  });

  it(`on packument-like documents with random time maps: the same`, () => {
    fc.assert(fc.property(packumentLike, checkReader), RUNS);
    fc.assert(fc.property(fc.jsonValue().map(value => JSON.parse(JSON.stringify({versions: {'1.0.0': {}}, time: {'1.0.0': value}}))), checkReader), FEW_RUNS);
  });

  it(`a time that is not a full ISO-8601 timestamp is never known`, () => {
    fc.assert(fc.property(version, oldTime.chain(notIsoSpellings), (v, spelled) => {
      const read = readPackument({versions: {[v]: {}}, time: {[v]: spelled}});
      expect(read.timeOf(v).kind).toBe(`missing`);
    }), RUNS);
  });

  // `Date` alone rolls 2020-02-31 over to 2020-03-02; such a time must count as missing, not be guessed at.
  it(`a timestamp-shaped time for a day that does not exist is never known`, () => {
    fc.assert(fc.property(version, calendarOverflow, (v, spelled) => {
      const read = readPackument({versions: {[v]: {}}, time: {[v]: spelled}});
      expect(read.timeOf(v).kind).toBe(`missing`);
    }), FEW_RUNS);
  });

  it(`no spelling of a young version's time, valid or garbled, makes assessRelease call it eligible`, () => {
    const scenario = periodMs.chain(period => fc.record({
      period: fc.constant(period),
      missingPublishTime: fc.constantFrom(`reject` as const, `allow` as const),
      name: packageName,
      version,
      // What the registry's time map holds for the version: the true (young) time in any valid spelling, or an old
      // time in a spelling that is not a valid timestamp, or garbage; other versions around it with any times.
      spelled: youngTime(period).chain(truth => fc.oneof(isoSpellings(truth), oldTime.chain(notIsoSpellings), timeValue.filter(value => typeof value !== `string` || (strictIsoTime(value) === null && !isCalendarOverflow(value))))),
      others: fc.dictionary(version, timeValue, {maxKeys: 4}),
    }));
    fc.assert(fc.property(scenario, ({period, missingPublishTime, name, version: v, spelled, others}) => {
      const policy = makePolicy({periodMs: period, periodText: `${period}ms`, missingPublishTime});
      const document = {name, versions: Object.fromEntries([...Object.keys(others), v].map(key => [key, {}])), time: {...others, [v]: spelled}};
      const publishTime = readPackument(document).timeOf(v);
      const assessment = assessRelease(name, v, publishTime, policy, NOW);
      expect(assessment.status).not.toBe(`eligible`);
      if (missingPublishTime === `reject`)
        expect(isEligible(assessment)).toBe(false);
    }), {...RUNS, numRuns: 2000});
  });

  it(`a young time survives a JSON round trip of the packument (what the registry sends) and is still quarantined`, () => {
    fc.assert(fc.property(periodMs.chain(period => fc.tuple(fc.constant(period), youngTime(period).chain(isoSpellings))), version, ([period, spelled], v) => {
      const document = JSON.parse(JSON.stringify({versions: {[v]: {}}, time: {[v]: spelled}}));
      const publishTime = readPackument(document).timeOf(v);
      expect(publishTime.kind).toBe(`known`);
      expect(assessRelease(`pkg`, v, publishTime, makePolicy({periodMs: period}), NOW).status).toBe(`quarantined`);
    }), FEW_RUNS);
  });
});
